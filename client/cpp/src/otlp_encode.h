// Spans as an OTLP ExportTraceServiceRequest in protobuf
// (opentelemetry/proto/collector/trace/v1/trace_service.proto), written by
// hand: the library depends on no protobuf runtime. OpenTracing's
// conventions map as the OpenTelemetry Collector's Jaeger translator maps
// them: `span.kind` to the span kind, `error=true` to status ERROR, logs to
// events (named by their `event` field), follows-from references to links.
#pragma once

#include <string>
#include <vector>

#include "spoor/span_data.h"

namespace spoor::internal {

void EncodeOtlpRequest(const ProcessData& process, const std::vector<SpanData>& spans,
                       std::string* out);

}  // namespace spoor::internal
