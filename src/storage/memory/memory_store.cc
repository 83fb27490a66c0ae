#include "storage/memory/memory_store.h"

#include <algorithm>
#include <array>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "spanmetrics/memory_span_metrics_store.h"
#include "storage/interned_op_set.h"
#include "storage/memory/span_codec.h"
#include "storage/span_match.h"

namespace spoor {
namespace {

// The resource and scope of some of a trace's spans.
struct Source {
  std::shared_ptr<const Resource> resource;
  std::shared_ptr<const Scope> scope;
};

struct TraceEntry {
  std::string spans;            // encoded (span_codec.h), in order of arrival
  std::vector<Source> sources;  // what the spans' source indexes refer to
  uint64_t base_ns = 0;         // times in `spans` are relative to it
  uint64_t min_start_ns = UINT64_MAX;
  uint64_t max_start_ns = 0;
  uint64_t name_mask = 0;  // bit (name number % 64) of every span name, for searches
  uint32_t span_count = 0;
};

// The index of (resource, scope) in the entry's sources, added if missing.
// The newest are looked at first: they are the current batch's.
uint32_t SourceIndex(TraceEntry& entry, const std::shared_ptr<const Resource>& resource,
                     const std::shared_ptr<const Scope>& scope) {
  for (size_t i = entry.sources.size(); i-- > 0;) {
    if (entry.sources[i].resource == resource && entry.sources[i].scope == scope) {
      return static_cast<uint32_t>(i);
    }
  }
  entry.sources.push_back(Source{resource, scope});
  return static_cast<uint32_t>(entry.sources.size() - 1);
}

uint64_t NameBit(uint32_t name_id) {
  return uint64_t{1} << (name_id % 64);
}

Status Corrupt() {
  return Internal("memory store: a stored trace does not decode");
}

// SpanMatches (span_match.h) without the tags, on a span's head.
bool HeadMatches(const SpanHead& h, const Resource& resource, uint32_t op_id, const TraceQuery& q) {
  if (!q.service.empty() && resource.service_name != q.service) return false;
  if (!q.operation.empty() && h.name_id != op_id) return false;
  if (q.match_kind && h.kind != q.kind) return false;
  if (h.start_time_ns < q.start_time_min_ns) return false;
  if (q.start_time_max_ns != 0 && h.start_time_ns > q.start_time_max_ns) return false;
  const uint64_t d = h.duration_ns();
  if (q.duration_min_ns != 0 && d < q.duration_min_ns) return false;
  if (q.duration_max_ns != 0 && d > q.duration_max_ns) return false;
  return true;
}

class MemoryStore final : public Storage {
 public:
  explicit MemoryStore(const MemoryStoreOptions& options)
      : max_traces_(std::max<size_t>(1, options.max_traces)) {}

  std::string_view name() const override { return "memory"; }

  SpanMetricsStore* span_metrics() override { return span_metrics_.get(); }

  // Each span is encoded into one buffer for the whole batch, then each
  // trace's spans are appended to its bytes at once: at most one allocation
  // per trace and batch, none per span.
  Status Write(SpanBatch batch) override {
    std::unique_lock lock(mu_);
    encoded_.clear();
    pending_.clear();
    RecentTraces recent;
    for (ResourceSpans& rs : batch.resource_spans) {
      // Looked up on the first span so that a resource without spans adds no service.
      std::set<std::pair<std::string, SpanKind>>* ops = nullptr;
      for (ScopeSpans& ss : rs.scope_spans) {
        for (Span& span : ss.spans) {
          TraceEntry& entry = Entry(span.trace_id, span.start_time_ns, &recent);
          entry.min_start_ns = std::min(entry.min_start_ns, span.start_time_ns);
          entry.max_start_ns = std::max(entry.max_start_ns, span.start_time_ns);
          if (!known_ops_.Contains(rs.resource->service_name, span.name, span.kind)) {
            if (ops == nullptr) ops = &operations_[std::string(rs.resource->service_name)];
            ops->insert({std::string(span.name), span.kind});
            if (known_ops_.size() < kMaxKnownOps) {
              known_ops_.Insert(rs.resource->service_name, span.name, span.kind);
            }
          }
          const size_t at = encoded_.size();
          const uint32_t name_id = EncodeSpan(span, SourceIndex(entry, rs.resource, ss.scope),
                                              entry.base_ns, names_, &encoded_);
          entry.name_mask |= NameBit(name_id);
          ++entry.span_count;
          pending_.push_back(Pending{&entry, at, encoded_.size() - at});
        }
      }
    }
    // Grouped by trace, in order of arrival within each.
    std::sort(pending_.begin(), pending_.end(), [](const Pending& a, const Pending& b) {
      if (a.entry != b.entry) return std::less<const TraceEntry*>()(a.entry, b.entry);
      return a.at < b.at;
    });
    for (size_t i = 0; i < pending_.size();) {
      TraceEntry& entry = *pending_[i].entry;
      size_t end = i, added = 0;
      for (; end < pending_.size() && pending_[end].entry == &entry; ++end) {
        added += pending_[end].size;
      }
      // One allocation at most: exact for a new trace (most traces arrive in
      // one batch); for a trace that keeps growing, libstdc++ at least
      // doubles the capacity, so its appends stay amortized.
      entry.spans.reserve(entry.spans.size() + added);
      for (; i < end; ++i) entry.spans.append(encoded_, pending_[i].at, pending_[i].size);
    }
    if (encoded_.capacity() > kMaxScratchBytes) {  // after an unusually large batch
      std::string().swap(encoded_);
      std::vector<Pending>().swap(pending_);
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
    Trace trace;
    if (!DecodeTrace(id, it->second, &trace)) return Corrupt();
    return trace;
  }

  Result<std::vector<TraceId>> FindTraceIds(const TraceQuery& query) override {
    std::shared_lock lock(mu_);
    return FindLocked(query);
  }

  Result<std::vector<Trace>> FindTraces(const TraceQuery& query) override {
    std::shared_lock lock(mu_);
    std::vector<TraceId> ids = FindLocked(query);
    std::vector<Trace> out(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      if (!DecodeTrace(ids[i], traces_.at(ids[i]), &out[i])) return Corrupt();
    }
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
    std::vector<std::pair<uint64_t, std::string_view>> children;  // parent span, service
    for (const auto& [id, entry] : traces_) {
      if (entry.max_start_ns < begin_ns || entry.min_start_ns > end_ns) continue;
      service_of.clear();
      children.clear();
      EncodedSpanReader reader(entry.spans, entry.base_ns);
      SpanHead head;
      while (!reader.done()) {
        if (!reader.Next(&head) || head.source >= entry.sources.size()) return Corrupt();
        std::string_view service = entry.sources[head.source].resource->service_name;
        service_of[head.span_id.value] = service;
        if (head.parent_span_id.valid()) children.emplace_back(head.parent_span_id.value, service);
      }
      for (const auto& [parent_id, service] : children) {
        auto parent = service_of.find(parent_id);
        if (parent == service_of.end() || parent->second == service) continue;
        ++counts[{parent->second, service}];
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
  const std::unique_ptr<SpanMetricsStore> span_metrics_ = NewMemorySpanMetricsStore();

  // The traces of a batch's last few spans and their entries. A batch
  // mostly holds a trace's spans one after another, or a few traces'
  // interleaved (one resource's spans, then the next resource's, of the
  // same traces): most spans find their entry here rather than in traces_,
  // where a new trace costs cache misses. Valid during one Write.
  struct RecentTraces {
    static constexpr size_t kSize = 16;
    std::array<std::pair<TraceId, TraceEntry*>, kSize> slots{};
    size_t used = 0;
    size_t last = 0;  // the slot found or added last: checked first
    size_t next = 0;  // the slot a new trace takes once all are used (oldest first)
  };

  // The entry of trace `id`, added (with `start_ns` as its base) if new.
  // Requires mu_.
  TraceEntry& Entry(const TraceId& id, uint64_t start_ns, RecentTraces* recent) {
    if (recent->used > 0 && recent->slots[recent->last].first == id) {
      return *recent->slots[recent->last].second;
    }
    for (size_t i = 0; i < recent->used; ++i) {
      if (recent->slots[i].first == id) {
        recent->last = i;
        return *recent->slots[i].second;
      }
    }
    auto [it, inserted] = traces_.try_emplace(id);
    if (inserted) {
      order_.push_back(id);
      it->second.base_ns = start_ns;
    }
    size_t slot = recent->used;
    if (recent->used < RecentTraces::kSize) {
      ++recent->used;
    } else {
      slot = recent->next;
      recent->next = (recent->next + 1) % RecentTraces::kSize;
    }
    recent->slots[slot] = {id, &it->second};
    recent->last = slot;
    return it->second;
  }

  // The spans of a trace, decoded.
  bool DecodeTrace(const TraceId& id, const TraceEntry& entry, Trace* out) const {
    out->trace_id = id;
    out->spans.reserve(entry.span_count);
    EncodedSpanReader reader(entry.spans, entry.base_ns);
    SpanHead head;
    while (!reader.done()) {
      if (!reader.Next(&head) || head.source >= entry.sources.size()) return false;
      SpanRecord& r = out->spans.emplace_back();
      r.resource = entry.sources[head.source].resource;
      r.scope = entry.sources[head.source].scope;
      r.span.trace_id = id;
      if (!DecodeSpan(head, names_, &r.span)) return false;
    }
    return true;
  }

  static constexpr uint32_t kNoName = UINT32_MAX;
  // What TagsMatch reuses from one span to the next.
  struct TagScratch {
    SpanRecord record;
    AnyValue value;
  };

  // Whether a span whose head matched has every tag of the query
  // (SpanHasTag, span_match.h). The span's attributes are compared in its
  // bytes; a span with events or links, or with a trace state or status
  // message (which derived tags read), is decoded and matched whole.
  bool TagsMatch(const SpanHead& head, const Source& source, const std::vector<uint32_t>& tag_keys,
                 const TraceQuery& query, TagScratch* scratch) const {
    SpanRecord& r = scratch->record;
    if (r.resource != source.resource) r.resource = source.resource;
    if (r.scope != source.scope) r.scope = source.scope;
    if (head.has_events || head.has_rare) {
      return DecodeSpan(head, names_, &r.span) && SpanMatches(r, query);
    }
    // What derived tags read: the head's fields, and no trace state or message.
    r.span.kind = head.kind;
    r.span.status.code = head.status_code;
    r.span.status.message.clear();
    r.span.trace_state.clear();
    for (size_t i = 0; i < query.tags.size(); ++i) {
      const auto& [key, value] = query.tags[i];
      if (tag_keys[i] != kNoName &&
          SpanAttributesHaveTag(head, names_, tag_keys[i], value, &scratch->value)) {
        continue;
      }
      if (AttributesHaveTag(source.resource->attributes, key, value) ||
          AttributesHaveTag(source.scope->attributes, key, value) ||
          SpanHasDerivedTag(r, key, value)) {
        continue;
      }
      return false;
    }
    return true;
  }

  // The outline (span_match.h) of an entry's spans that start within the
  // query's window; empty when its bytes do not decode.
  TraceOutline OutlineInWindow(const TraceEntry& entry, const TraceQuery& query) const {
    TraceOutline outline;
    EncodedSpanReader reader(entry.spans, entry.base_ns);
    SpanHead head;
    while (!reader.done()) {
      if (!reader.Next(&head) || head.source >= entry.sources.size()) return TraceOutline{};
      if (head.start_time_ns < query.start_time_min_ns) continue;
      if (query.start_time_max_ns != 0 && head.start_time_ns > query.start_time_max_ns) continue;
      std::string_view name;
      if (!names_.Name(head.name_id, &name)) return TraceOutline{};
      outline.Add(head.start_time_ns, head.end_time_ns, head.parent_span_id.valid(),
                  entry.sources[head.source].resource->service_name, name);
    }
    return outline;
  }

  // Matching trace IDs, most recent first (by the trace's first span start).
  // What a span's head holds is checked there; only spans that pass and a
  // query with tags need the body decoded.
  std::vector<TraceId> FindLocked(const TraceQuery& query) const {
    uint32_t op_id = 0;
    if (!query.operation.empty() && !names_.Find(query.operation, &op_id)) return {};
    const uint64_t op_bit = query.operation.empty() ? ~uint64_t{0} : NameBit(op_id);
    std::vector<uint32_t> tag_keys;  // the tags' keys by number; kNoName if never stored
    for (const auto& [key, value] : query.tags) {
      uint32_t key_id = kNoName;
      tag_keys.push_back(names_.Find(key, &key_id) ? key_id : kNoName);
    }
    std::vector<std::pair<uint64_t, TraceId>> hits;
    TagScratch scratch;
    const bool trace_conditions = HasTraceConditions(query);
    for (const auto& [id, entry] : traces_) {
      if (query.start_time_max_ns != 0 && entry.min_start_ns > query.start_time_max_ns) continue;
      if (entry.max_start_ns < query.start_time_min_ns) continue;
      if ((entry.name_mask & op_bit) == 0) continue;
      if (trace_conditions && !OutlineMatches(OutlineInWindow(entry, query), query)) continue;
      EncodedSpanReader reader(entry.spans, entry.base_ns);
      SpanHead head;
      while (!reader.done()) {
        if (!reader.Next(&head) || head.source >= entry.sources.size()) break;
        const Source& source = entry.sources[head.source];
        if (!HeadMatches(head, *source.resource, op_id, query)) continue;
        if (!query.tags.empty() && !TagsMatch(head, source, tag_keys, query, &scratch)) continue;
        hits.emplace_back(entry.min_start_ns, id);
        break;
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
  NameTable names_;            // the names the encoded spans refer to
  std::map<std::string, std::set<std::pair<std::string, SpanKind>>> operations_;
  // Operations known to be in operations_ (by interned name); bounded.
  static constexpr size_t kMaxKnownOps = 100000;
  InternedOpSet known_ops_;
  // Write's scratch, kept for its memory: the batch's spans encoded, and
  // where each span's bytes are and which trace they go to.
  struct Pending {
    TraceEntry* entry;
    size_t at;
    size_t size;
  };
  static constexpr size_t kMaxScratchBytes = size_t{4} << 20;
  std::string encoded_;
  std::vector<Pending> pending_;
};

}  // namespace

std::unique_ptr<Storage> NewMemoryStore(const MemoryStoreOptions& options) {
  return std::make_unique<MemoryStore>(options);
}

}  // namespace spoor
