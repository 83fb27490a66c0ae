// Zipkin's ingest endpoints (port 9411), optionally gzip-compressed, answered
// 202 as Zipkin does:
//   POST /api/v2/spans  application/json (v2 spans) or application/x-protobuf
//                       (zipkin.proto3.ListOfSpans)
//   POST /api/v1/spans  application/json (v1 spans) or application/x-thrift
//                       (zipkinCore.thrift list<Span>, binary protocol)
// A missing Content-Type is taken as JSON. Counted per format in the ingest
// metrics: zipkin_json (v1 and v2), zipkin_proto, zipkin_thrift.
#pragma once

#include <cstddef>

#include "pipeline/span_sink.h"
#include "receivers/http_body.h"

namespace spoor {

struct ZipkinOptions {
  size_t max_request_bytes = 64u << 20;  // after decompression
};

// `sink` must outlive the handlers.
[[nodiscard]] HttpReceiverHandlers NewZipkinHandlers(const ZipkinOptions& options, SpanSink& sink);

}  // namespace spoor
