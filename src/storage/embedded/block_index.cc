#include "storage/embedded/block_index.h"

#include <algorithm>
#include <bit>
#include <iterator>
#include <map>
#include <tuple>
#include <unordered_map>

#include "common/hash.h"
#include "storage/embedded/block_columns.h"
#include "storage/span_match.h"

namespace spoor {
namespace {

using block_internal::ByteReader;
using block_internal::PutVarint;

// Version 2 filters attribute values alone (version 1: key=value pairs);
// version 3 adds the trace outlines.
constexpr uint8_t kOutlineVersion = 3;
constexpr uint8_t kIndexVersion = 2;
constexpr uint8_t kPairFilterVersion = 1;
constexpr int kBloomProbes = 6;
constexpr size_t kBloomBitsPerTag = 10;

// A stable 64-bit hash of `a` and `b` (the filter is persisted, so
// std::hash, which may change between library versions, cannot be used).
uint64_t StableHash(std::string_view a, std::string_view b) {
  uint64_t h = HashBytes(0x243F6A8885A308D3ULL ^ a.size(), a);
  return HashAvalanche(HashBytes(h ^ 0xff, b));
}

void PutString(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out.append(s);
}

bool ReadString(ByteReader& r, std::string* s) {
  uint64_t n;
  std::string_view v;
  if (!r.Varint(&n) || !r.Bytes(n, &v)) return false;
  s->assign(v);
  return true;
}

// Sorts `hashes` and removes the duplicates, as std::sort and std::unique
// would, in linear time: a counting sort on the top bits (the hashes are
// uniform, so each bucket holds one or two), then an insertion sort of each
// bucket. std::sort was the largest single cost of sealing a block.
void SortUnique(std::vector<uint64_t>& hashes) {
  if (hashes.size() < 2) return;
  const int bits = std::min(static_cast<int>(std::bit_width(hashes.size())), 24);
  const int shift = 64 - bits;
  // ends[b] is first the size of bucket b - 1, then (prefix sums) where
  // bucket b begins, and after the scatter where bucket b ends.
  std::vector<uint32_t> ends((size_t{1} << bits) + 1, 0);
  for (uint64_t h : hashes) ++ends[(h >> shift) + 1];
  for (size_t b = 1; b < ends.size(); ++b) ends[b] += ends[b - 1];
  std::vector<uint64_t> sorted(hashes.size());
  for (uint64_t h : hashes) sorted[ends[h >> shift]++] = h;
  size_t out = 0;
  uint32_t begin = 0;
  for (size_t b = 0; b + 1 < ends.size(); ++b) {
    const uint32_t end = ends[b];
    for (uint32_t i = begin + 1; i < end; ++i) {
      const uint64_t v = sorted[i];
      uint32_t j = i;
      for (; j > begin && sorted[j - 1] > v; --j) sorted[j] = sorted[j - 1];
      sorted[j] = v;
    }
    for (uint32_t i = begin; i < end; ++i) {
      if (out == 0 || hashes[out - 1] != sorted[i]) hashes[out++] = sorted[i];
    }
    begin = end;
  }
  hashes.resize(out);
}

// The outline of each trace of `ids` (sorted) among `spans`; `operations`
// is sorted by (service, operation, kind) and holds every span's.
std::vector<BlockTraceOutline> BuildOutlines(SpanRefs spans, const std::vector<TraceId>& ids,
                                             const std::vector<BlockOperation>& operations) {
  std::vector<BlockTraceOutline> out(ids.size());
  for (BlockTraceOutline& o : out) o.first_start_ns = UINT64_MAX;
  size_t i = 0;  // spans of a trace mostly come together: try the last one first
  for (const SpanRecord* rp : spans) {
    const Span& s = rp->span;
    if (ids[i] != s.trace_id) {
      i = static_cast<size_t>(std::lower_bound(ids.begin(), ids.end(), s.trace_id) - ids.begin());
    }
    BlockTraceOutline& o = out[i];
    o.first_start_ns = std::min(o.first_start_ns, s.start_time_ns);
    o.max_start_ns = std::max(o.max_start_ns, s.start_time_ns);
    o.last_end_ns = std::max(o.last_end_ns, std::max(s.end_time_ns, s.start_time_ns));
    if (s.parent_span_id.valid()) continue;
    if (o.root_op != BlockTraceOutline::kNoRoot && o.root_start_ns <= s.start_time_ns) continue;
    const auto key = std::make_tuple(std::string_view(rp->resource->service_name),
                                     std::string_view(s.name), s.kind);
    auto op = std::lower_bound(operations.begin(), operations.end(), key,
                               [](const BlockOperation& a, const auto& k) {
                                 return std::make_tuple(std::string_view(a.service),
                                                        std::string_view(a.operation), a.kind) < k;
                               });
    o.root_start_ns = s.start_time_ns;
    o.root_op = static_cast<uint32_t>(op - operations.begin());
  }
  return out;
}

}  // namespace

TraceOutline BlockIndex::Outline(const BlockTraceOutline& o, bool with_root) const {
  TraceOutline out;
  out.first_start_ns = o.first_start_ns;
  out.last_end_ns = o.last_end_ns;
  if (with_root && o.root_op < operations.size()) {
    out.root_start_ns = o.root_start_ns;
    out.root_service = operations[o.root_op].service;
    out.root_name = operations[o.root_op].operation;
  }
  return out;
}

bool BlockIndex::OutlineReader::Next(BlockTraceOutline* o) {
  if (position_ >= index_->trace_ids.size()) return false;
  // Times relative to the block's first start, and the end and last start
  // to the trace's first start: small varints.
  uint64_t first;
  uint64_t last_start;
  uint64_t end;
  uint64_t root;
  if (!in_.Varint(&first) || !in_.Varint(&last_start) || !in_.Varint(&end) || !in_.Varint(&root) ||
      root > index_->operations.size()) {
    return false;
  }
  o->first_start_ns = index_->min_start_ns + first;
  o->max_start_ns = o->first_start_ns + last_start;
  o->last_end_ns = o->first_start_ns + end;
  o->root_op = BlockTraceOutline::kNoRoot;
  o->root_start_ns = 0;
  if (root != 0) {
    uint64_t root_start;
    if (!in_.Varint(&root_start)) return false;
    o->root_op = static_cast<uint32_t>(root - 1);
    o->root_start_ns = o->first_start_ns + root_start;
  }
  ++position_;
  return true;
}

std::vector<DependencyLink> ComputeDependencies(const std::vector<SpanRecord>& spans) {
  return ComputeDependencies(SpanRefsOf(spans));
}

std::vector<DependencyLink> ComputeDependencies(SpanRefs refs) {
  // Every span by (trace, span ID), in input order among equal IDs; a
  // parent is the last span with its ID in the child's trace.
  struct Entry {
    TraceId trace;
    uint64_t span;
    uint32_t order;
    std::string_view service;
  };
  std::vector<Entry> by_id;
  by_id.reserve(refs.size());
  for (size_t i = 0; i < refs.size(); ++i) {
    const SpanRecord& r = *refs[i];
    by_id.push_back({r.span.trace_id, r.span.span_id.value, static_cast<uint32_t>(i),
                     r.resource->service_name});
  }
  const auto less = [](const Entry& a, const Entry& b) {
    return std::tie(a.trace, a.span, a.order) < std::tie(b.trace, b.span, b.order);
  };
  std::sort(by_id.begin(), by_id.end(), less);
  std::map<std::pair<std::string_view, std::string_view>, uint64_t> counts;
  for (const SpanRecord* rp : refs) {
    const SpanRecord& r = *rp;
    if (!r.span.parent_span_id.valid()) continue;
    const Entry key{r.span.trace_id, r.span.parent_span_id.value, UINT32_MAX, {}};
    auto after = std::upper_bound(by_id.begin(), by_id.end(), key, less);
    if (after == by_id.begin()) continue;
    const Entry& parent = *(after - 1);
    if (parent.trace != key.trace || parent.span != key.span) continue;
    if (parent.service == r.resource->service_name) continue;
    ++counts[{parent.service, r.resource->service_name}];
  }
  std::vector<DependencyLink> out;
  out.reserve(counts.size());
  for (const auto& [key, n] : counts)
    out.push_back({std::string(key.first), std::string(key.second), n});
  return out;
}

BlockIndex BlockIndex::Build(const std::vector<SpanRecord>& spans) {
  return Build(SpanRefsOf(spans), nullptr);
}

BlockIndex BlockIndex::Build(SpanRefs spans, const std::vector<std::string_view>* string_values) {
  BlockIndex index;
  index.span_count = spans.size();
  index.min_start_ns = UINT64_MAX;
  size_t tags = 0;
  for (const SpanRecord* rp : spans) {
    const SpanRecord& r = *rp;
    tags += r.span.attributes.size() + 6;  // and the span's derived tags, at most
    for (const Event& e : r.span.events) tags += e.attributes.size();
    for (const Link& l : r.span.links) tags += l.attributes.size();
  }
  index.tag_hashes_.reserve(tags);
  // (service, operation, kind) -> duration range, keyed by the addresses of
  // the interned names (cheap to hash); merged by content at the end.
  struct OpKey {
    const char* service;
    size_t service_size;
    const char* name;
    size_t name_size;
    SpanKind kind;
    bool operator==(const OpKey&) const = default;
  };
  struct OpKeyHash {
    size_t operator()(const OpKey& k) const {
      uint64_t h = reinterpret_cast<uintptr_t>(k.service) * 0x9E3779B97F4A7C15ULL;
      h ^= reinterpret_cast<uintptr_t>(k.name) + 0x632BE59BD9B4E019ULL + (h << 6) + (h >> 2);
      return static_cast<size_t>(h ^ static_cast<uint64_t>(k.kind));
    }
  };
  std::unordered_map<OpKey, std::pair<uint64_t, uint64_t>, OpKeyHash> ops;
  std::string text;  // reused for attribute values
  // Attributes enter the filter by value alone: in most workloads a value
  // is seen with few keys, so distinct values are far fewer than distinct
  // key=value pairs, for the same power to rule out a rare value; searches
  // for common values rely on the block's attribute columns
  // (DecodeBlockWithTags) instead.
  // With the block's value dictionary, every distinct string value enters
  // once from there, and only the other types are hashed span by span.
  if (string_values != nullptr) {
    for (std::string_view v : *string_values) index.AddTag({}, v);
  }
  const bool strings_done = string_values != nullptr;
  auto add_attributes = [&](const Attributes& attrs) {
    for (const KeyValue& kv : attrs) {
      if (kv.value.type == ValueType::kString) {
        if (!strings_done) index.AddTag({}, kv.value.string_value);
      } else {
        text.clear();
        kv.value.AppendString(text);
        index.AddTag({}, text);
      }
    }
  };
  const Resource* last_resource = nullptr;
  const Scope* last_scope = nullptr;
  constexpr uint32_t kErrorSeen = 1u << 16, kOkSeen = 1u << 17;
  uint32_t derived_seen = 0;  // span kinds (bit = kind) and status codes already in
  index.trace_ids.reserve(spans.size());
  for (const SpanRecord* rp : spans) {
    const SpanRecord& r = *rp;
    const Span& s = r.span;
    index.min_start_ns = std::min(index.min_start_ns, s.start_time_ns);
    index.max_start_ns = std::max(index.max_start_ns, s.start_time_ns);
    index.trace_ids.push_back(s.trace_id);
    const std::string_view service = r.resource->service_name;
    auto [it, inserted] =
        ops.try_emplace(OpKey{service.data(), service.size(), s.name.data(), s.name.size(), s.kind},
                        s.duration_ns(), s.duration_ns());
    if (!inserted) {
      it->second.first = std::min(it->second.first, s.duration_ns());
      it->second.second = std::max(it->second.second, s.duration_ns());
    }
    // Every tag SpanHasTag() can match, derived tags included. Consecutive
    // spans mostly share their resource and scope, whose tags then are in
    // already.
    add_attributes(s.attributes);
    if (r.resource.get() != last_resource) add_attributes(r.resource->attributes);
    if (r.scope.get() != last_scope) {
      add_attributes(r.scope->attributes);
      if (!r.scope->name.empty()) index.AddTag("otel.scope.name", r.scope->name);
      if (!r.scope->version.empty()) index.AddTag("otel.scope.version", r.scope->version);
    }
    last_resource = r.resource.get();
    last_scope = r.scope.get();
    for (const Event& e : s.events) add_attributes(e.attributes);
    for (const Link& l : s.links) add_attributes(l.attributes);
    // Kinds and status codes enter once each.
    const uint32_t kind_bit = 1u << static_cast<uint32_t>(s.kind);
    if (s.kind != SpanKind::kUnspecified && (derived_seen & kind_bit) == 0 &&
        static_cast<uint32_t>(s.kind) < 16) {
      derived_seen |= kind_bit;
      index.AddTag("span.kind", SpanKindName(s.kind));
    }
    if (s.status.code == SpanStatusCode::kError && (derived_seen & kErrorSeen) == 0) {
      derived_seen |= kErrorSeen;
      index.AddTag("error", "true");
      index.AddTag("otel.status_code", "ERROR");
    } else if (s.status.code == SpanStatusCode::kOk && (derived_seen & kOkSeen) == 0) {
      derived_seen |= kOkSeen;
      index.AddTag("otel.status_code", "OK");
    }
    if (!s.status.message.empty()) index.AddTag("otel.status_description", s.status.message);
    if (!s.trace_state.empty()) index.AddTag("w3c.tracestate", s.trace_state);
  }
  if (spans.empty()) index.min_start_ns = 0;
  std::sort(index.trace_ids.begin(), index.trace_ids.end());
  index.trace_ids.erase(std::unique(index.trace_ids.begin(), index.trace_ids.end()),
                        index.trace_ids.end());
  std::map<std::tuple<std::string_view, std::string_view, SpanKind>, std::pair<uint64_t, uint64_t>>
      sorted_ops;
  for (const auto& [key, range] : ops) {
    auto [it, inserted] =
        sorted_ops.try_emplace({std::string_view(key.service, key.service_size),
                                std::string_view(key.name, key.name_size), key.kind},
                               range);
    if (!inserted) {
      it->second.first = std::min(it->second.first, range.first);
      it->second.second = std::max(it->second.second, range.second);
    }
  }
  for (const auto& [key, range] : sorted_ops) {
    index.operations.push_back({std::string(std::get<0>(key)), std::string(std::get<1>(key)),
                                std::get<2>(key), range.first, range.second});
  }
  for (const BlockTraceOutline& o : BuildOutlines(spans, index.trace_ids, index.operations)) {
    PutVarint(index.outline_bytes_, o.first_start_ns - index.min_start_ns);
    PutVarint(index.outline_bytes_, o.max_start_ns - o.first_start_ns);
    PutVarint(index.outline_bytes_, o.last_end_ns - o.first_start_ns);
    const bool root = o.root_op != BlockTraceOutline::kNoRoot;
    PutVarint(index.outline_bytes_, root ? uint64_t{o.root_op} + 1 : 0);
    if (root) PutVarint(index.outline_bytes_, o.root_start_ns - o.first_start_ns);
  }
  index.has_outlines_ = true;
  index.dependencies = ComputeDependencies(spans);
  // Size the filter for the distinct tags seen.
  SortUnique(index.tag_hashes_);
  size_t bits = std::max<size_t>(64, index.tag_hashes_.size() * kBloomBitsPerTag);
  index.bloom_.assign((bits + 63) / 64, 0);
  bits = index.bloom_.size() * 64;
  for (uint64_t h : index.tag_hashes_) {
    uint64_t h1 = h, h2 = (h >> 32) | (h << 32) | 1;
    for (int i = 0; i < kBloomProbes; ++i) {
      uint64_t bit = (h1 + static_cast<uint64_t>(i) * h2) % bits;
      index.bloom_[bit / 64] |= uint64_t{1} << (bit % 64);
    }
  }
  index.tag_hashes_.clear();
  index.tag_hashes_.shrink_to_fit();
  return index;
}

void BlockIndex::AddTag(std::string_view key, std::string_view value) {
  tag_hashes_.push_back(StableHash(key, value));
}

bool BlockIndex::MayHaveTag(std::string_view key, std::string_view value) const {
  if (pair_filter_) return FilterHas(key, value);
  // An attribute with any key, or a derived tag (which SpanHasTag also
  // looks for among the attributes).
  return FilterHas({}, value) || (IsDerivedTagKey(key) && FilterHas(key, value));
}

bool BlockIndex::FilterHas(std::string_view key, std::string_view value) const {
  if (bloom_.empty()) return true;
  uint64_t bits = bloom_.size() * 64;
  uint64_t h = StableHash(key, value);
  uint64_t h1 = h, h2 = (h >> 32) | (h << 32) | 1;
  for (int i = 0; i < kBloomProbes; ++i) {
    uint64_t bit = (h1 + static_cast<uint64_t>(i) * h2) % bits;
    if ((bloom_[bit / 64] & (uint64_t{1} << (bit % 64))) == 0) return false;
  }
  return true;
}

bool BlockIndex::HasTrace(const TraceId& id) const {
  return std::binary_search(trace_ids.begin(), trace_ids.end(), id);
}

std::vector<TraceId> BlockIndex::HeldTraces(const std::vector<TraceId>& sorted) const {
  std::vector<TraceId> out;
  if (sorted.size() * 16 < trace_ids.size()) {
    for (const TraceId& id : sorted) {
      if (HasTrace(id)) out.push_back(id);
    }
    return out;
  }
  std::set_intersection(sorted.begin(), sorted.end(), trace_ids.begin(), trace_ids.end(),
                        std::back_inserter(out));
  return out;
}

bool BlockIndex::MayMatch(const TraceQuery& q) const {
  if (span_count == 0) return false;
  if (max_start_ns < q.start_time_min_ns) return false;
  if (q.start_time_max_ns != 0 && min_start_ns > q.start_time_max_ns) return false;
  bool any_operation = false;
  for (const BlockOperation& op : operations) {
    if (!q.service.empty() && op.service != q.service) continue;
    if (!q.operation.empty() && op.operation != q.operation) continue;
    if (q.match_kind && op.kind != q.kind) continue;
    if (q.duration_min_ns != 0 && op.max_duration_ns < q.duration_min_ns) continue;
    if (q.duration_max_ns != 0 && op.min_duration_ns > q.duration_max_ns) continue;
    any_operation = true;
    break;
  }
  if (!any_operation) return false;
  for (const auto& [key, value] : q.tags) {
    if (!MayHaveTag(key, value)) return false;
  }
  return true;
}

std::string BlockIndex::Serialize() const {
  std::string out;
  const bool outlined = !pair_filter_ && has_outlines();
  out.push_back(static_cast<char>(pair_filter_ ? kPairFilterVersion
                                  : outlined   ? kOutlineVersion
                                               : kIndexVersion));
  PutVarint(out, min_start_ns);
  PutVarint(out, max_start_ns);
  PutVarint(out, span_count);
  PutVarint(out, trace_ids.size());
  for (const TraceId& id : trace_ids) {
    block_internal::PutFixed64(out, id.high);
    block_internal::PutFixed64(out, id.low);
  }
  PutVarint(out, operations.size());
  for (const BlockOperation& op : operations) {
    PutString(out, op.service);
    PutString(out, op.operation);
    out.push_back(static_cast<char>(op.kind));
    PutVarint(out, op.min_duration_ns);
    PutVarint(out, op.max_duration_ns);
  }
  PutVarint(out, dependencies.size());
  for (const DependencyLink& l : dependencies) {
    PutString(out, l.parent);
    PutString(out, l.child);
    PutVarint(out, l.call_count);
  }
  PutVarint(out, bloom_.size());
  for (uint64_t w : bloom_) block_internal::PutFixed64(out, w);
  if (outlined) out.append(outline_bytes_);
  return out;
}

Result<BlockIndex> BlockIndex::Parse(std::string_view data) {
  ByteReader r(data);
  BlockIndex index;
  uint8_t version;
  uint64_t n;
  auto corrupt = [](const char* what) {
    return Status(StatusCode::kInternal, std::string("corrupt block index: ") + what);
  };
  if (!r.Byte(&version) ||
      (version != kIndexVersion && version != kPairFilterVersion && version != kOutlineVersion)) {
    return corrupt("unknown version");
  }
  index.pair_filter_ = version == kPairFilterVersion;
  if (!r.Varint(&index.min_start_ns) || !r.Varint(&index.max_start_ns) ||
      !r.Varint(&index.span_count)) {
    return corrupt("header");
  }
  if (!r.Varint(&n) || n > r.remaining() / 16) return corrupt("trace count");
  index.trace_ids.resize(n);
  for (TraceId& id : index.trace_ids) {
    if (!r.Fixed64(&id.high) || !r.Fixed64(&id.low)) return corrupt("trace IDs");
  }
  if (!r.Varint(&n) || n > r.remaining()) return corrupt("operation count");
  index.operations.resize(n);
  for (BlockOperation& op : index.operations) {
    uint8_t kind;
    if (!ReadString(r, &op.service) || !ReadString(r, &op.operation) || !r.Byte(&kind) ||
        kind > 5 || !r.Varint(&op.min_duration_ns) || !r.Varint(&op.max_duration_ns)) {
      return corrupt("operations");
    }
    op.kind = static_cast<SpanKind>(kind);
  }
  if (!r.Varint(&n) || n > r.remaining()) return corrupt("dependency count");
  index.dependencies.resize(n);
  for (DependencyLink& l : index.dependencies) {
    if (!ReadString(r, &l.parent) || !ReadString(r, &l.child) || !r.Varint(&l.call_count)) {
      return corrupt("dependencies");
    }
  }
  if (!r.Varint(&n) || n > r.remaining() / 8) return corrupt("filter size");
  index.bloom_.resize(n);
  for (uint64_t& w : index.bloom_) {
    if (!r.Fixed64(&w)) return corrupt("filter");
  }
  if (version == kOutlineVersion) {
    // Kept as they are; checked here once, so that readers need not.
    std::string_view rest;
    if (!r.Bytes(r.remaining(), &rest)) return corrupt("trace outlines");
    index.outline_bytes_.assign(rest);
    index.has_outlines_ = true;
    OutlineReader check(index);
    BlockTraceOutline o;
    while (check.Next(&o)) {
    }
    if (check.position() != index.trace_ids.size()) return corrupt("trace outlines");
    if (check.bytes_left() != 0) return corrupt("trailing bytes");
  }
  if (r.remaining() != 0) return corrupt("trailing bytes");
  return index;
}

}  // namespace spoor
