// The embedded store's queries: every read sees the open blocks (in memory)
// and the sealed ones (through their indexes, then RocksDB and the decoded
// block cache). A snapshot of both is taken under the lock; the scan runs
// without it.
#include <algorithm>
#include <functional>
#include <map>
#include <unordered_map>

#include "storage/embedded/block_codec.h"
#include "storage/embedded/embedded_store_impl.h"
#include "storage/span_match.h"

namespace spoor::embedded_internal {

using namespace embedded_keys;  // NOLINT(google-build-using-namespace): the store's own keys

template <typename Decode>
Status EmbeddedStore::ReadBlock(const BlockKey& key, std::vector<SpanRecord>* out, Decode decode) {
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_[kBlocks], key.Encode(), &value);
  if (s.IsNotFound()) return Status::Ok();
  if (!s.ok()) return RocksError("cannot read a block", s);
  if (Status st = decode(std::string_view(value.data(), value.size()), out); !st.ok()) {
    return Internal("embedded store: corrupt block: " + st.message());
  }
  return Status::Ok();
}

Result<Trace> EmbeddedStore::GetTrace(const TraceId& id, const TraceTimeHint& hint) {
  auto traces = ReadTraces({id}, hint);
  if (!traces.ok()) return traces.status();
  if (traces->empty() || traces->front().spans.empty()) return NotFound("trace not found");
  return std::move(traces->front());
}

Result<std::vector<TraceId>> EmbeddedStore::FindTraceIds(const TraceQuery& query) {
  Snapshot snap = TakeSnapshot();
  if (!HasTraceConditions(query)) return FindBySpans(snap, query, nullptr);
  const bool spans_too = HasSpanConditions(query);
  auto outlined = FindByOutlines(snap, query, spans_too ? 0 : query.limit);
  if (!outlined.ok()) return outlined.status();
  if (!spans_too) return LatestFirst(std::move(outlined).value(), query.limit);
  LatestStarts passing;
  passing.reserve(outlined->size());
  for (const auto& [start, id] : *outlined) passing.emplace(id, start);
  return FindBySpans(snap, query, &passing);
}

Result<std::vector<TraceId>> EmbeddedStore::FindBySpans(const Snapshot& snap,
                                                        const TraceQuery& query,
                                                        const LatestStarts* passing) {
  std::unordered_map<TraceId, uint64_t, TraceIdHash> hits;  // trace -> latest matching start
  auto scan = [&](const std::vector<SpanRecord>& spans) {
    for (const SpanRecord& r : spans) {
      if (!SpanMatches(r, query)) continue;
      if (passing != nullptr && !passing->contains(r.span.trace_id)) continue;
      auto [it, inserted] = hits.try_emplace(r.span.trace_id, r.span.start_time_ns);
      if (!inserted) it->second = std::max(it->second, r.span.start_time_ns);
    }
  };
  for (const Chunk& c : snap.chunks) scan(*c);
  std::vector<std::pair<BlockKey, std::shared_ptr<const BlockIndex>>> candidates;
  for (auto& entry : snap.sealed) {
    if (!entry.second->MayMatch(query)) continue;
    if (passing != nullptr && !HoldsAny(*entry.second, *passing)) continue;
    candidates.push_back(entry);
  }
  std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
    return a.second->max_start_ns > b.second->max_start_ns;
  });
  size_t limit = query.limit == 0 ? SIZE_MAX : query.limit;
  for (const auto& [key, index] : candidates) {
    // Most recent first: once `limit` traces matched later than anything
    // this block holds, older blocks cannot change the answer.
    if (hits.size() >= limit && index->max_start_ns < KthLatest(hits, limit)) break;
    // With tags, the traces that may match are found from the block's
    // attribute columns and only they are decoded (unless the whole block
    // is cached anyway).
    if (!query.tags.empty()) {
      if (DecodedBlock cached = CachedBlock(key)) {
        scan(*cached);
        continue;
      }
      std::vector<SpanRecord> spans;
      Status st = ReadBlock(key, &spans, [&](std::string_view block, std::vector<SpanRecord>* out) {
        return DecodeBlockWithTags(block, query.tags, out);
      });
      if (!st.ok()) return st;
      scan(spans);
      continue;
    }
    if (query.spans_without_attributes) {
      // Neither the search nor its caller needs the attributes: the block
      // is decoded without them, and not cached.
      if (DecodedBlock cached = CachedBlock(key)) {
        scan(*cached);
        continue;
      }
      std::vector<SpanRecord> spans;
      Status st = ReadBlock(key, &spans, [](std::string_view block, std::vector<SpanRecord>* out) {
        return DecodeBlock(block, out, SpanDetail::kWithoutAttributes);
      });
      if (!st.ok()) return st;
      scan(spans);
      continue;
    }
    auto block = LoadBlock(key);
    if (!block.ok()) return block.status();
    scan(**block);
  }
  std::vector<std::pair<uint64_t, TraceId>> ordered;
  ordered.reserve(hits.size());
  for (const auto& [id, start] : hits) ordered.emplace_back(start, id);
  return LatestFirst(std::move(ordered), query.limit);
}

std::vector<TraceId> EmbeddedStore::LatestFirst(std::vector<std::pair<uint64_t, TraceId>> hits,
                                                size_t limit) {
  const size_t n = std::min(hits.size(), limit == 0 ? hits.size() : limit);
  std::partial_sort(hits.begin(), hits.begin() + static_cast<ptrdiff_t>(n), hits.end(),
                    [](const auto& a, const auto& b) { return a > b; });
  std::vector<TraceId> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(hits[i].second);
  return out;
}

Result<std::vector<Trace>> EmbeddedStore::FindTraces(const TraceQuery& query) {
  auto ids = FindTraceIds(query);
  if (!ids.ok()) return ids.status();
  return ReadTraces(
      *ids, {},
      query.spans_without_attributes ? SpanDetail::kWithoutAttributes : SpanDetail::kWhole);
}

Result<std::vector<std::string>> EmbeddedStore::GetServices() {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  for (const auto& [service, ops] : operations_) out.push_back(service);
  return out;
}

Result<std::vector<Operation>> EmbeddedStore::GetOperations(const std::string& service,
                                                            bool match_kind, SpanKind kind) {
  std::shared_lock lock(mu_);
  std::vector<Operation> out;
  auto it = operations_.find(service);
  if (it == operations_.end()) return out;
  for (const auto& [op, op_kind] : it->second) {
    if (!match_kind || op_kind == kind) out.push_back(Operation{op, op_kind});
  }
  return out;
}

Result<std::vector<DependencyLink>> EmbeddedStore::GetDependencies(uint64_t end_ns,
                                                                   uint64_t lookback_ns) {
  uint64_t begin_ns = end_ns > lookback_ns ? end_ns - lookback_ns : 0;
  Snapshot snap = TakeSnapshot();
  std::map<std::pair<std::string, std::string>, uint64_t> counts;
  for (const auto& [key, index] : snap.sealed) {
    if (index->max_start_ns < begin_ns || index->min_start_ns > end_ns) continue;
    for (const DependencyLink& l : index->dependencies) counts[{l.parent, l.child}] += l.call_count;
  }
  std::vector<SpanRecord> recent;
  for (const Chunk& c : snap.chunks) {
    for (const SpanRecord& r : *c) {
      if (r.span.start_time_ns >= begin_ns && r.span.start_time_ns <= end_ns) recent.push_back(r);
    }
  }
  for (const DependencyLink& l : ComputeDependencies(recent))
    counts[{l.parent, l.child}] += l.call_count;
  std::vector<DependencyLink> out;
  out.reserve(counts.size());
  for (const auto& [key, n] : counts) out.push_back({key.first, key.second, n});
  return out;
}

Snapshot EmbeddedStore::TakeSnapshot() const {
  Snapshot snap;
  std::shared_lock lock(mu_);
  for (const auto& [bucket, block] : open_)
    snap.chunks.insert(snap.chunks.end(), block.chunks.begin(), block.chunks.end());
  for (const auto& chunks : sealing_)
    snap.chunks.insert(snap.chunks.end(), chunks.begin(), chunks.end());
  snap.sealed.assign(sealed_.begin(), sealed_.end());
  return snap;
}

uint64_t EmbeddedStore::KthLatest(const std::unordered_map<TraceId, uint64_t, TraceIdHash>& hits,
                                  size_t k) {
  std::vector<uint64_t> starts;
  starts.reserve(hits.size());
  for (const auto& [id, start] : hits) starts.push_back(start);
  std::nth_element(starts.begin(), starts.begin() + static_cast<ptrdiff_t>(k - 1), starts.end(),
                   std::greater<>());
  return starts[k - 1];
}

Result<DecodedBlock> EmbeddedStore::LoadBlock(const BlockKey& key) {
  std::string k = key.Encode();
  if (DecodedBlock cached = cache_.Get(k)) return cached;
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_[kBlocks], k, &value);
  if (!s.ok()) return RocksError("cannot read a block", s);
  auto spans = std::make_shared<std::vector<SpanRecord>>();
  if (Status st = DecodeBlock(std::string_view(value.data(), value.size()), spans.get());
      !st.ok()) {
    return Internal("embedded store: corrupt block: " + st.message());
  }
  value.Reset();
  cache_.Add(std::move(k), spans);
  return DecodedBlock(spans);
}

Result<std::vector<Trace>> EmbeddedStore::ReadTraces(const std::vector<TraceId>& ids,
                                                     const TraceTimeHint& hint, SpanDetail detail) {
  Snapshot snap = TakeSnapshot();
  std::unordered_map<TraceId, size_t, TraceIdHash> slot;
  std::vector<Trace> out;
  for (const TraceId& id : ids) {
    if (slot.try_emplace(id, out.size()).second) out.push_back(Trace{id, {}});
  }
  auto take = [&](const std::vector<SpanRecord>& spans) {
    for (const SpanRecord& r : spans) {
      auto it = slot.find(r.span.trace_id);
      if (it != slot.end()) out[it->second].spans.push_back(r);
    }
  };
  for (const Chunk& c : snap.chunks) take(*c);
  std::vector<TraceId> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  for (const auto& [key, index] : snap.sealed) {
    if (hint.start_ns != 0 && index->max_start_ns < hint.start_ns) continue;
    if (hint.end_ns != 0 && index->min_start_ns > hint.end_ns) continue;
    std::vector<TraceId> wanted = index->HeldTraces(sorted);
    if (wanted.empty()) continue;
    // A cached block's spans are copied whole: without attributes,
    // decoding the groups wanted costs less.
    DecodedBlock cached = detail == SpanDetail::kWhole ? CachedBlock(key) : DecodedBlock(nullptr);
    if (cached) {
      take(*cached);
      continue;
    }
    std::vector<SpanRecord> spans;
    Status st = ReadBlock(key, &spans, [&](std::string_view block, std::vector<SpanRecord>* out) {
      return DecodeBlockTraces(block, wanted, out, detail);
    });
    if (!st.ok()) return st;
    // Decoded for this read alone: moved, not copied.
    for (SpanRecord& r : spans) {
      auto it = slot.find(r.span.trace_id);
      if (it != slot.end()) out[it->second].spans.push_back(std::move(r));
    }
  }
  return out;
}

}  // namespace spoor::embedded_internal
