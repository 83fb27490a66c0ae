// Decoder of Jaeger's gRPC span reports (jaeger.api_v2.PostSpansRequest,
// the request of CollectorService/PostSpans on port 14250) into SpanBatch.
//
// The contract is that of the other decoders (formats/otlp/otlp_decode.h):
// bytes that do not parse fail with InvalidArgument; spans with a bad trace
// ID (not 16 bytes, or 8 for a 64-bit ID; or zero) or span ID (not 8
// bytes, or zero), or a reference with such IDs, are left out and counted
// in DecodeStats. The mapping is the Thrift decoder's
// (formats/jaeger_model/jaeger_model.h): the batch's process becomes a
// resource, and a span's own process, when set, takes priority over it.
// Spans are appended to `batch` (one resource per distinct process, one
// scope without a name); `stats` (may be null) is added to. On failure both
// are left unchanged.
#pragma once

#include <string_view>

#include "common/status.h"
#include "formats/otlp/otlp_decode.h"
#include "model/span.h"

namespace spoor {

// A PostSpansRequest in protobuf binary form.
[[nodiscard]] Status DecodeJaegerPostSpans(std::string_view bytes, SpanBatch* batch,
                                           DecodeStats* stats);

}  // namespace spoor
