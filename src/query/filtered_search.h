// A search with a query filter (querylang/query_filter.h) over any store:
// the store finds candidates with the search the filter narrows to (its
// indexes: service, operation, kind, durations, tags, time), and the
// filter decides each whole candidate trace.
#pragma once

#include <cstddef>
#include <vector>

#include "common/status.h"
#include "querylang/query_filter.h"
#include "storage/storage.h"

namespace spoor {

// The most candidate traces one filtered search reads before it stops with
// what it found.
inline constexpr size_t kMaxFilterCandidates = 20000;

// Up to `query.limit` traces that `query` selects (its own conditions and
// time window) and `filter` matches, most recent first. Candidates are read
// in pages of the store's most recent matches, each page's window ending
// where the last one's began, until enough match, the window is exhausted,
// or `max_candidates` traces were read.
[[nodiscard]] Result<std::vector<Trace>> FindFilteredTraces(
    SpanReader& reader, TraceQuery query, const QueryFilter& filter,
    size_t max_candidates = kMaxFilterCandidates);

}  // namespace spoor
