#include "storage/memory/memory_store.h"

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <tuple>
#include <unordered_map>

#include "storage/interned_op_set.h"
#include "storage/span_match.h"

namespace spoor {
namespace {

struct TraceEntry {
  std::vector<SpanRecord> spans;
  uint64_t min_start_ns = UINT64_MAX;
  uint64_t max_start_ns = 0;
};

class MemoryStore final : public Storage {
 public:
  explicit MemoryStore(const MemoryStoreOptions& options)
      : max_traces_(std::max<size_t>(1, options.max_traces)) {}

  std::string_view name() const override { return "memory"; }

  Status Write(SpanBatch batch) override {
    std::unique_lock lock(mu_);
    for (ResourceSpans& rs : batch.resource_spans) {
      // Looked up on the first span so that a resource without spans adds no service.
      std::set<std::pair<std::string, SpanKind>>* ops = nullptr;
      for (ScopeSpans& ss : rs.scope_spans) {
        for (Span& span : ss.spans) {
          auto [it, inserted] = traces_.try_emplace(span.trace_id);
          if (inserted) order_.push_back(span.trace_id);
          TraceEntry& entry = it->second;
          entry.min_start_ns = std::min(entry.min_start_ns, span.start_time_ns);
          entry.max_start_ns = std::max(entry.max_start_ns, span.start_time_ns);
          if (!known_ops_.Contains(rs.resource->service_name, span.name, span.kind)) {
            if (ops == nullptr) ops = &operations_[std::string(rs.resource->service_name)];
            ops->insert({std::string(span.name), span.kind});
            if (known_ops_.size() < kMaxKnownOps) {
              known_ops_.Insert(rs.resource->service_name, span.name, span.kind);
            }
          }
          entry.spans.push_back(SpanRecord{rs.resource, ss.scope, std::move(span), {}});
        }
      }
    }
    while (traces_.size() > max_traces_ && !order_.empty()) {
      traces_.erase(order_.front());
      order_.pop_front();
    }
    return Status::Ok();
  }

  Result<Trace> GetTrace(const TraceId& id, const TraceTimeHint&) override {
    std::shared_lock lock(mu_);
    auto it = traces_.find(id);
    if (it == traces_.end()) return NotFound("trace not found");
    return Trace{id, it->second.spans};
  }

  Result<std::vector<TraceId>> FindTraceIds(const TraceQuery& query) override {
    std::shared_lock lock(mu_);
    return FindLocked(query);
  }

  Result<std::vector<Trace>> FindTraces(const TraceQuery& query) override {
    std::shared_lock lock(mu_);
    std::vector<Trace> out;
    for (const TraceId& id : FindLocked(query)) out.push_back(Trace{id, traces_.at(id).spans});
    return out;
  }

  Result<std::vector<std::string>> GetServices() override {
    std::shared_lock lock(mu_);
    std::vector<std::string> out;
    for (const auto& [service, ops] : operations_) out.push_back(service);
    return out;
  }

  Result<std::vector<Operation>> GetOperations(const std::string& service, bool match_kind,
                                               SpanKind kind) override {
    std::shared_lock lock(mu_);
    std::vector<Operation> out;
    auto it = operations_.find(service);
    if (it == operations_.end()) return out;
    for (const auto& [op_name, op_kind] : it->second) {
      if (!match_kind || op_kind == kind) out.push_back(Operation{op_name, op_kind});
    }
    return out;
  }

  Result<std::vector<DependencyLink>> GetDependencies(uint64_t end_ns,
                                                      uint64_t lookback_ns) override {
    uint64_t begin_ns = end_ns > lookback_ns ? end_ns - lookback_ns : 0;
    std::map<std::pair<std::string_view, std::string_view>, uint64_t> counts;
    std::shared_lock lock(mu_);
    std::unordered_map<uint64_t, std::string_view> service_of;
    for (const auto& [id, entry] : traces_) {
      if (entry.max_start_ns < begin_ns || entry.min_start_ns > end_ns) continue;
      service_of.clear();
      for (const SpanRecord& r : entry.spans)
        service_of[r.span.span_id.value] = r.resource->service_name;
      for (const SpanRecord& r : entry.spans) {
        if (!r.span.parent_span_id.valid()) continue;
        auto parent = service_of.find(r.span.parent_span_id.value);
        if (parent == service_of.end() || parent->second == r.resource->service_name) continue;
        ++counts[{parent->second, r.resource->service_name}];
      }
    }
    std::vector<DependencyLink> out;
    out.reserve(counts.size());
    for (const auto& [key, n] : counts) {
      out.push_back(DependencyLink{std::string(key.first), std::string(key.second), n});
    }
    return out;
  }

 private:
  // Matching trace IDs, most recent first (by the trace's first span start).
  std::vector<TraceId> FindLocked(const TraceQuery& query) const {
    std::vector<std::pair<uint64_t, TraceId>> hits;
    for (const auto& [id, entry] : traces_) {
      if (query.start_time_max_ns != 0 && entry.min_start_ns > query.start_time_max_ns) continue;
      if (entry.max_start_ns < query.start_time_min_ns) continue;
      for (const SpanRecord& r : entry.spans) {
        if (SpanMatches(r, query)) {
          hits.emplace_back(entry.min_start_ns, id);
          break;
        }
      }
    }
    size_t n = std::min(hits.size(), query.limit == 0 ? hits.size() : query.limit);
    std::partial_sort(hits.begin(), hits.begin() + static_cast<ptrdiff_t>(n), hits.end(),
                      [](const auto& a, const auto& b) {
                        return std::tie(a.first, a.second) > std::tie(b.first, b.second);
                      });
    std::vector<TraceId> out;
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) out.push_back(hits[i].second);
    return out;
  }

  const size_t max_traces_;
  mutable std::shared_mutex mu_;
  std::unordered_map<TraceId, TraceEntry, TraceIdHash> traces_;
  std::deque<TraceId> order_;  // first-arrival order, for eviction
  std::map<std::string, std::set<std::pair<std::string, SpanKind>>> operations_;
  // Operations known to be in operations_ (by interned name); bounded.
  static constexpr size_t kMaxKnownOps = 100000;
  InternedOpSet known_ops_;
};

}  // namespace

std::unique_ptr<Storage> NewMemoryStore(const MemoryStoreOptions& options) {
  return std::make_unique<MemoryStore>(options);
}

}  // namespace spoor
