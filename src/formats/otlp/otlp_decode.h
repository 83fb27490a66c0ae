// Decoders of OTLP trace export requests (protobuf and JSON) into SpanBatch.
//
// A request that cannot be parsed at all fails with InvalidArgument and a
// message saying what was wrong. Spans that parse but are unusable (trace ID
// not 16 bytes or all zero, span ID not 8 bytes or all zero, parent span ID
// neither empty nor 8 bytes) are left out of the batch and counted in
// DecodeStats, to be reported to the sender as a partial success. A link
// whose IDs have an impossible length is left out of its span and counted
// in the span's dropped_links_count.
//
// The decoded spans are appended to `batch`; scopes and resources left
// without spans are not. `stats` (may be null) is added to. On failure both
// are left unchanged.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"
#include "model/span.h"

namespace opentelemetry::proto::collector::trace::v1 {
class ExportTraceServiceRequest;
}

namespace spoor {

struct DecodeStats {
  size_t rejected_spans = 0;
  // The first reason seen, for partialSuccess, e.g. "span 3: trace_id must
  // be 16 bytes, got 0" (spans numbered from 0 across the whole request).
  std::string rejection_reason;
};

// ExportTraceServiceRequest in protobuf binary form, read straight from
// `bytes` (no protobuf message objects). Accepts exactly what the protobuf
// library's parser accepts, and gives what DecodeOtlpProtoWithLibrary gives.
[[nodiscard]] Status DecodeOtlpProto(std::string_view bytes, SpanBatch* batch, DecodeStats* stats);

// The same through the protobuf library's parser: the reference that
// DecodeOtlpProto is tested against (and a benchmark baseline).
[[nodiscard]] Status DecodeOtlpProtoWithLibrary(std::string_view bytes, SpanBatch* batch,
                                                DecodeStats* stats);

// An ExportTraceServiceRequest already parsed by the gRPC library.
[[nodiscard]] Status ConvertOtlpRequest(
    const opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest& request,
    SpanBatch* batch, DecodeStats* stats);

// ExportTraceServiceRequest (or TracesData: same shape) in OTLP/JSON:
// hex IDs, enums as integers (names accepted too), 64-bit integers as
// strings or numbers, lowerCamelCase field names (snake_case accepted).
[[nodiscard]] Status DecodeOtlpJson(std::string_view json, SpanBatch* batch, DecodeStats* stats);

}  // namespace spoor
