// The workload's requests in the wire formats tracegen sends besides OTLP
// protobuf. Each function maps the spans of one OTLP request as Jaeger's and
// Zipkin's OpenTelemetry translators do: service.name becomes the
// process/endpoint service, the other resource attributes process tags,
// the span kind the `span.kind` tag (Jaeger) or `kind` (Zipkin), events
// logs/annotations.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "workload.h"

namespace spoor::tracegen {

// One unit of sending (an HTTP body, a datagram) and the spans it holds.
struct WireMessage {
  std::string bytes;
  int spans = 0;
};

// Jaeger clients send one process per batch; UDP datagrams stay under 65,000
// bytes.
inline constexpr size_t kMaxDatagramBytes = 65000;

// One Thrift binary jaeger Batch per service, for POST /api/traces.
[[nodiscard]] std::vector<WireMessage> JaegerThriftBatches(const ExportRequest& request);

// Agent.emitBatch oneway messages in the compact protocol, one per datagram:
// one per service, split into several when a service's spans would make a
// datagram larger than `max_bytes`.
[[nodiscard]] std::vector<WireMessage> JaegerEmitBatchDatagrams(
    const ExportRequest& request, size_t max_bytes = kMaxDatagramBytes);

// The request as OTLP/JSON (hex IDs, 64-bit integers as strings, enums as
// numbers).
[[nodiscard]] std::string OtlpJson(const ExportRequest& request);

// The request's spans as one Zipkin v2 JSON list (tag values are strings).
[[nodiscard]] std::string ZipkinV2Json(const ExportRequest& request);

}  // namespace spoor::tracegen
