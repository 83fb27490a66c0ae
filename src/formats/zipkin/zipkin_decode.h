// Decoder of Zipkin v2 JSON span lists (the body of POST /api/v2/spans) into
// SpanBatch. The mapping to the model is described in docs/formats.md,
// "Zipkin → model".
//
// Spans are grouped into ResourceSpans by their localEndpoint (service name,
// address and port) and into ScopeSpans by the otel.scope.name and
// otel.scope.version tags, in order of first appearance.
//
// A body that cannot be parsed at all, or with a field of the wrong type,
// fails with InvalidArgument and a message naming the field, e.g.
// "zipkin json: [3].timestamp: expected integer". Spans that parse but are
// unusable (traceId or id missing, not hex, too long or all zero; parentId not
// hex or too long) are left out of the batch and counted in DecodeStats.
//
// The decoded spans are appended to `batch`; `stats` (may be null) is added
// to. On failure both are left unchanged.
#pragma once

#include <string_view>

#include "common/status.h"
#include "formats/otlp/otlp_decode.h"  // DecodeStats
#include "model/span.h"

namespace spoor {

// A JSON array of Zipkin v2 spans.
[[nodiscard]] Status DecodeZipkinV2Json(std::string_view json, SpanBatch* batch,
                                        DecodeStats* stats);

}  // namespace spoor
