// Decoders of Zipkin span reports (the bodies of POST /api/v2/spans and
// /api/v1/spans) into SpanBatch. The mapping to the model is described in
// docs/formats.md, "Zipkin → model".
//
// Spans are grouped into ResourceSpans by their local endpoint (service name,
// address and port) and into ScopeSpans by the otel.scope.name and
// otel.scope.version tags, in order of first appearance. v1 spans are first
// converted to v2 as Zipkin's own V1SpanConverter does (one v1 span may give
// two v2 spans: the client and the server side of an RPC).
//
// A body that cannot be parsed at all, or with a field of the wrong type,
// fails with InvalidArgument and a message naming the field, e.g.
// "zipkin json: [3].timestamp: expected integer". Spans that parse but are
// unusable (trace ID or span ID missing, malformed or all zero; a malformed
// parent ID) are left out of the batch and counted in DecodeStats.
//
// The decoded spans are appended to `batch`; `stats` (may be null) is added
// to. On failure both are left unchanged.
#pragma once

#include <string_view>

#include "common/status.h"
#include "formats/otlp/otlp_decode.h"  // DecodeStats
#include "model/span.h"

namespace spoor {

// A JSON array of Zipkin v2 spans (application/json).
[[nodiscard]] Status DecodeZipkinV2Json(std::string_view json, SpanBatch* batch,
                                        DecodeStats* stats);

// A zipkin.proto3.ListOfSpans (application/x-protobuf). Libprotobuf cannot
// say where a message is broken, so the error names only the message.
[[nodiscard]] Status DecodeZipkinV2Proto(std::string_view bytes, SpanBatch* batch,
                                         DecodeStats* stats);

// A JSON array of Zipkin v1 spans (annotations and binaryAnnotations).
// Errors start "zipkin v1 json: ".
[[nodiscard]] Status DecodeZipkinV1Json(std::string_view json, SpanBatch* batch,
                                        DecodeStats* stats);

// A Thrift list<Span> of zipkinCore.thrift in the binary protocol
// (application/x-thrift). Errors start "zipkin thrift: ".
[[nodiscard]] Status DecodeZipkinV1Thrift(std::string_view bytes, SpanBatch* batch,
                                          DecodeStats* stats);

}  // namespace spoor
