// OTLP/HTTP receiver: POST /v1/traces with protobuf or JSON bodies,
// optionally gzip-compressed, answered as the OTLP specification says
// (200 with ExportTraceServiceResponse; 400/413/415/405 with a
// google.rpc.Status body; 503 + Retry-After when the queue is full).
#pragma once

#include <cstddef>
#include <memory>

#include "pipeline/span_sink.h"
#include "receivers/http_body.h"
#include "server/http.h"

namespace spoor {

struct OtlpHttpOptions {
  size_t max_request_bytes = 64u << 20;  // after decompression
};

using OtlpHttpHandlers = HttpReceiverHandlers;

// The handlers to mount on the OTLP/HTTP server. `sink` must outlive
// them.
[[nodiscard]] OtlpHttpHandlers NewOtlpHttpHandlers(const OtlpHttpOptions& options, SpanSink& sink);

}  // namespace spoor
