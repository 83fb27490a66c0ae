// The embedded store's search by trace-level conditions (TraceQuery): a
// sealed block answers from the trace outlines in its index, without being
// read; an open block from its spans.
#include <algorithm>
#include <functional>

#include "storage/embedded/embedded_store_impl.h"
#include "storage/embedded/outline_table.h"

namespace spoor::embedded_internal {

bool EmbeddedStore::HoldsAny(const BlockIndex& index, const LatestStarts& traces) {
  if (traces.size() < index.trace_ids.size()) {
    for (const auto& [id, start] : traces) {
      if (index.HasTrace(id)) return true;
    }
    return false;
  }
  for (const TraceId& id : index.trace_ids) {
    if (traces.contains(id)) return true;
  }
  return false;
}

namespace {

// A part of a trace found in spans rather than in an index.
struct SpanPart {
  TraceId id;
  TraceOutline outline;
  uint64_t start_ns;
};

// Parts a table takes at a time (a few hundred kilobytes: in cache).
constexpr size_t kPartsPerRange = 4096;

// Where each of `splitters` (sorted) would go in `ids` (sorted), with 0
// first and the size of `ids` last: the ranges of trace IDs in `ids`.
template <typename T, typename IdOf>
std::vector<uint32_t> Cuts(const std::vector<T>& ids, const std::vector<TraceId>& splitters,
                           IdOf id_of) {
  std::vector<uint32_t> cuts;
  cuts.reserve(splitters.size() + 2);
  cuts.push_back(0);
  size_t i = 0;
  for (const TraceId& s : splitters) {
    while (i < ids.size() && id_of(ids[i]) < s) ++i;
    cuts.push_back(static_cast<uint32_t>(i));
  }
  cuts.push_back(static_cast<uint32_t>(ids.size()));
  return cuts;
}

}  // namespace

Result<std::vector<std::pair<uint64_t, TraceId>>> EmbeddedStore::FindByOutlines(
    const Snapshot& snap, const TraceQuery& query, size_t keep) {
  const uint64_t min = query.start_time_min_ns;
  const uint64_t max = query.start_time_max_ns == 0 ? UINT64_MAX : query.start_time_max_ns;
  std::vector<const BlockIndex*> blocks;
  std::vector<SpanPart> span_parts;   // of open blocks, and of blocks without outlines
  std::vector<DecodedBlock> decoded;  // the names of those blocks' parts borrow
  auto add_spans = [&](const std::vector<SpanRecord>& spans) {
    for (const SpanRecord& r : spans) {
      const uint64_t start = r.span.start_time_ns;
      if (start < min || start > max) continue;
      SpanPart& part = span_parts.emplace_back(SpanPart{r.span.trace_id, {}, start});
      part.outline.Add(r);
    }
  };
  for (const Chunk& c : snap.chunks) add_spans(*c);
  size_t parts = 0;
  const BlockIndex* largest = nullptr;
  for (const auto& [key, index] : snap.sealed) {
    if (index->span_count == 0 || index->max_start_ns < min || index->min_start_ns > max) continue;
    if (!index->has_outlines()) {  // an index written before outlines were kept
      auto block = LoadBlock(key);
      if (!block.ok()) return block.status();
      add_spans(**block);
      decoded.push_back(std::move(block).value());
      continue;
    }
    blocks.push_back(index.get());
    parts += index->trace_ids.size();
    if (largest == nullptr || index->trace_ids.size() > largest->trace_ids.size())
      largest = index.get();
  }
  std::sort(span_parts.begin(), span_parts.end(),
            [](const SpanPart& a, const SpanPart& b) { return a.id < b.id; });
  parts += span_parts.size();
  // The trace IDs cut into ranges of about kPartsPerRange parts, at IDs
  // taken from the largest source (a block, or the open blocks' spans), so
  // that each range's parts, from every source, merge in a small table.
  std::vector<TraceId> splitters;
  const size_t ranges = std::max<size_t>(1, parts / kPartsPerRange);
  const bool from_block = largest != nullptr && largest->trace_ids.size() >= span_parts.size();
  const size_t sample = from_block ? largest->trace_ids.size() : span_parts.size();
  for (size_t r = 1; r < ranges && sample > 0; ++r) {
    const size_t at = r * sample / ranges;
    splitters.push_back(from_block ? largest->trace_ids[at] : span_parts[at].id);
  }
  std::vector<std::vector<uint32_t>> cuts;
  cuts.reserve(blocks.size());
  for (const BlockIndex* index : blocks) {
    cuts.push_back(Cuts(index->trace_ids, splitters, [](const TraceId& id) { return id; }));
  }
  const std::vector<uint32_t> span_cuts =
      Cuts(span_parts, splitters, [](const SpanPart& p) { return p.id; });
  std::vector<BlockIndex::OutlineReader> readers;
  readers.reserve(blocks.size());
  for (const BlockIndex* index : blocks) readers.emplace_back(*index);
  const bool roots = !query.root_service.empty() || !query.root_operation.empty();
  OutlineTable table(kPartsPerRange * 2);
  std::vector<std::pair<uint64_t, TraceId>> out;
  for (size_t r = 0; r + 1 < span_cuts.size(); ++r) {
    table.Clear();
    for (size_t b = 0; b < blocks.size(); ++b) {
      const BlockIndex& index = *blocks[b];
      // Ranges are taken in order: each block's reader is at cuts[b][r].
      BlockTraceOutline o;
      for (uint32_t i = cuts[b][r]; i < cuts[b][r + 1]; ++i) {
        if (!readers[b].Next(&o)) return Internal("embedded store: corrupt trace outlines");
        // In a block reaching past the window, a trace's spans here may
        // all lie outside it.
        if (o.max_start_ns < min || o.first_start_ns > max) continue;
        table.Add(index.trace_ids[i], index.Outline(o, roots), std::min(o.max_start_ns, max));
      }
    }
    for (uint32_t i = span_cuts[r]; i < span_cuts[r + 1]; ++i) {
      table.Add(span_parts[i].id, span_parts[i].outline, span_parts[i].start_ns);
    }
    for (const OutlineTable::Entry& e : table.entries()) {
      if (!OutlineMatches(e.outline, query)) continue;
      out.emplace_back(e.latest_start_ns, e.id);
      // Only the latest `keep` can be wanted: a heap of them, the earliest
      // on top.
      if (keep == 0) continue;
      std::push_heap(out.begin(), out.end(), std::greater<>());
      if (out.size() > keep) {
        std::pop_heap(out.begin(), out.end(), std::greater<>());
        out.pop_back();
      }
    }
  }
  return out;
}

}  // namespace spoor::embedded_internal
