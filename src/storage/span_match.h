// Evaluation of TraceQuery conditions against one stored span, for backends
// that filter spans in memory (memory, and the embedded store's blocks).
#pragma once

#include <cstdint>
#include <string_view>

#include "storage/storage.h"

namespace spoor {

// True when the span satisfies every condition of the query at once
// (service, operation, kind, tags, duration bounds, start time window).
[[nodiscard]] bool SpanMatches(const SpanRecord& record, const TraceQuery& query);

// What TraceQuery's trace-level conditions read of a trace: the extent of
// some of its spans and their root (the earliest span without a parent).
// Outlines of parts of a trace merge into the outline of the whole.
struct TraceOutline {
  uint64_t first_start_ns = UINT64_MAX;
  uint64_t last_end_ns = 0;
  uint64_t root_start_ns = UINT64_MAX;  // UINT64_MAX: no root among the spans
  std::string_view root_service;        // borrowed from the spans
  std::string_view root_name;

  void Add(const SpanRecord& record);
  // Add() from a span's fields (`service` and `name` outlive the outline).
  void Add(uint64_t start_ns, uint64_t end_ns, bool has_parent, std::string_view service,
           std::string_view name);
  void Merge(const TraceOutline& other);
  [[nodiscard]] bool empty() const { return first_start_ns == UINT64_MAX; }
  [[nodiscard]] uint64_t duration_ns() const {
    return last_end_ns > first_start_ns && !empty() ? last_end_ns - first_start_ns : 0;
  }
};

// True when the query sets a condition on spans (service, operation, kind,
// tags, duration bounds), the time window aside.
[[nodiscard]] bool HasSpanConditions(const TraceQuery& query);

// True when the query sets a trace-level condition.
[[nodiscard]] bool HasTraceConditions(const TraceQuery& query);

// True when `outline` (of a trace's spans in the query's window) satisfies
// the query's trace-level conditions; true when it sets none.
[[nodiscard]] bool OutlineMatches(const TraceOutline& outline, const TraceQuery& query);

// OutlineMatches on the outline of the trace's spans that start within the
// query's time window.
[[nodiscard]] bool TraceMatches(const Trace& trace, const TraceQuery& query);

// True when one of the places a tag can live (see TraceQuery) holds `key`
// with a value whose string form equals `value`.
[[nodiscard]] bool SpanHasTag(const SpanRecord& record, std::string_view key,
                              std::string_view value);

// True when `attrs` hold `key` with a value whose string form equals
// `value`.
[[nodiscard]] bool AttributesHaveTag(const Attributes& attrs, std::string_view key,
                                     std::string_view value);

// True when the string form of `v` (AnyValue::ToString) equals `expected`.
[[nodiscard]] bool ValueMatchesTag(const AnyValue& v, std::string_view expected);

// True when `key` is one of the tags derived from span fields (see
// IsDerivedTagKey) and the span's field gives `value`.
[[nodiscard]] bool SpanHasDerivedTag(const SpanRecord& record, std::string_view key,
                                     std::string_view value);

// True for the tags derived from span fields rather than attributes
// (span.kind, error, otel.status_code, ...).
[[nodiscard]] bool IsDerivedTagKey(std::string_view key);

}  // namespace spoor
