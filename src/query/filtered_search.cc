#include "query/filtered_search.h"

#include <algorithm>
#include <unordered_set>
#include <utility>

#include "storage/span_match.h"

namespace spoor {

Result<std::vector<Trace>> FindFilteredTraces(SpanReader& reader, TraceQuery query,
                                              const QueryFilter& filter, size_t max_candidates) {
  const size_t wanted = query.limit == 0 ? SIZE_MAX : query.limit;
  filter.NarrowSearch(&query);
  // A filter that reads no span attribute decides on spans read without
  // them (cheaper where the store can), and its matches are read again
  // whole.
  const bool light = !filter.ReadsSpanAttributes();
  query.spans_without_attributes = light;
  // Pages larger than the answer, since some candidates may not match;
  // each page twice the last (up to kMaxPage), so that a filter most
  // candidates fail costs few round trips to the store.
  constexpr size_t kMaxPage = 5000;
  query.limit = std::max<size_t>(100, std::min<size_t>(wanted, 1000) * 4);
  std::vector<Trace> out;
  std::unordered_set<TraceId, TraceIdHash> seen;
  size_t read = 0;
  while (out.size() < wanted && read < max_candidates) {
    auto page = reader.FindTraces(query);
    if (!page.ok()) return page.status();
    // Where the store ranks each trace: its latest span the search selects.
    uint64_t oldest_latest = UINT64_MAX;
    size_t fresh = 0;
    for (Trace& trace : *page) {
      uint64_t latest = 0;
      for (const SpanRecord& r : trace.spans) {
        if (SpanMatches(r, query)) latest = std::max(latest, r.span.start_time_ns);
      }
      oldest_latest = std::min(oldest_latest, latest);
      TraceId id = trace.trace_id.valid() || trace.spans.empty()
                       ? trace.trace_id
                       : trace.spans.front().span.trace_id;
      if (!seen.insert(id).second) continue;
      ++fresh;
      ++read;
      if (out.size() < wanted && filter.Matches(trace)) out.push_back(std::move(trace));
    }
    if (page->size() < query.limit || oldest_latest == UINT64_MAX) break;  // the window is read
    // The next page ends where this one began; traces at that very time
    // may come again and are skipped.
    uint64_t next_max = fresh == 0 ? oldest_latest - 1 : oldest_latest;
    if (next_max < query.start_time_min_ns || oldest_latest == 0) break;
    query.start_time_max_ns = next_max;
    query.limit = std::min(kMaxPage, query.limit * 2);
  }
  if (!light) return out;
  std::vector<Trace> whole;
  whole.reserve(out.size());
  for (Trace& trace : out) {
    // A store may have ignored the option: a trace with attributes is whole.
    const bool bare = std::all_of(trace.spans.begin(), trace.spans.end(), [](const SpanRecord& r) {
      return r.span.attributes.empty() && r.span.events.empty() && r.span.links.empty();
    });
    if (!bare) {
      whole.push_back(std::move(trace));
      continue;
    }
    TraceTimeHint hint{UINT64_MAX, 0};
    for (const SpanRecord& r : trace.spans) {
      hint.start_ns = std::min(hint.start_ns, r.span.start_time_ns);
      hint.end_ns = std::max(hint.end_ns, r.span.start_time_ns);
    }
    auto read = reader.GetTrace(trace.trace_id, hint);
    if (read.ok()) {
      whole.push_back(std::move(read).value());
    } else if (read.status().code() != StatusCode::kNotFound) {  // gone meanwhile: left out
      return read.status();
    }
  }
  return whole;
}

}  // namespace spoor
