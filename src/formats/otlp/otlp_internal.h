// Pieces shared by the OTLP protobuf and JSON decoders. Internal to
// src/formats/otlp; not part of the format's interface.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "formats/otlp/otlp_decode.h"
#include "model/span.h"

namespace spoor::otlp_internal {

// OTLP enums are open: values this version does not know map to the
// "unspecified"/"unset" value rather than failing the request.
inline SpanKind SpanKindFromNumber(int64_t n) {
  return n >= 0 && n <= 5 ? static_cast<SpanKind>(n) : SpanKind::kUnspecified;
}

inline SpanStatusCode StatusCodeFromNumber(int64_t n) {
  return n >= 0 && n <= 2 ? static_cast<SpanStatusCode>(n) : SpanStatusCode::kUnset;
}

// Checks a span's IDs as the protobuf form carries them; returns an empty
// string if they are usable, else why the span is rejected.
inline std::string CheckSpanIds(std::string_view trace_id, std::string_view span_id,
                                std::string_view parent_span_id) {
  if (trace_id.size() != 16) {
    return "trace_id must be 16 bytes, got " + std::to_string(trace_id.size());
  }
  if (trace_id.find_first_not_of('\0') == std::string_view::npos) return "trace_id is all zeros";
  if (span_id.size() != 8) {
    return "span_id must be 8 bytes, got " + std::to_string(span_id.size());
  }
  if (span_id.find_first_not_of('\0') == std::string_view::npos) return "span_id is all zeros";
  if (!parent_span_id.empty() && parent_span_id.size() != 8) {
    return "parent_span_id must be 8 bytes or empty, got " + std::to_string(parent_span_id.size());
  }
  return {};
}

// Counts one rejected span; keeps only the first reason. `span_index` is the
// span's position in the whole request, counting from 0.
inline void RecordRejection(DecodeStats* stats, size_t span_index, const std::string& why) {
  if (stats == nullptr) return;
  ++stats->rejected_spans;
  if (stats->rejection_reason.empty()) {
    stats->rejection_reason = "span " + std::to_string(span_index) + ": " + why;
  }
}

// Moves `decoded` to the end of `batch`, dropping scopes and resources that
// were left without spans.
inline void AppendNonEmpty(SpanBatch&& decoded, SpanBatch* batch) {
  for (ResourceSpans& rs : decoded.resource_spans) {
    std::erase_if(rs.scope_spans, [](const ScopeSpans& ss) { return ss.spans.empty(); });
    if (rs.scope_spans.empty()) continue;
    batch->resource_spans.push_back(std::move(rs));
  }
}

}  // namespace spoor::otlp_internal
