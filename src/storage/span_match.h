// Evaluation of TraceQuery conditions against one stored span, for backends
// that filter spans in memory (memory, and the embedded store's blocks).
#pragma once

#include <string_view>

#include "storage/storage.h"

namespace spoor {

// True when the span satisfies every condition of the query at once
// (service, operation, kind, tags, duration bounds, start time window).
[[nodiscard]] bool SpanMatches(const SpanRecord& record, const TraceQuery& query);

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
