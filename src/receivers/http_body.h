// Request-body handling shared by the HTTP receivers: Content-Type and
// Content-Encoding, gzip with an output limit.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "formats/otlp/otlp_decode.h"
#include "pipeline/span_sink.h"
#include "server/http.h"

namespace spoor {

// What an HTTP receiver mounts on its server.
struct HttpReceiverHandlers {
  HttpHandler handle;          // every request
  HttpHandler body_too_large;  // for HttpServerOptions::on_body_too_large
};

// The media type of the request, lowercased, without parameters
// ("application/json; charset=utf-8" -> "application/json").
[[nodiscard]] std::string MediaType(const HttpRequest& req);

// Sets `*body` to the request body, decompressed into `*storage` when
// Content-Encoding is gzip or deflate. kTooLarge above `max_bytes` (after
// decompression), kInvalidArgument for a corrupt gzip body, kUnsupported
// for another Content-Encoding.
[[nodiscard]] Status ReadHttpBody(const HttpRequest& req, size_t max_bytes, std::string* storage,
                                  std::string_view* body);

// Decodes a request body into a batch (the format's decoder).
using BatchDecoder = std::function<Status(std::string_view body, SpanBatch*, DecodeStats*)>;

// The common part of the Jaeger and Zipkin HTTP receivers, once method and
// Content-Type are checked: reads the body (gzip, size limit), decodes it,
// queues the batch, and answers 202, or 400 / 413 / 415 / 503 (with
// Retry-After) with a text message, counting everything in `metrics`.
[[nodiscard]] HttpResponse IngestHttpBody(const HttpRequest& req, size_t max_bytes,
                                          const BatchDecoder& decode, SpanSink& sink,
                                          IngestMetrics& metrics, const std::string& route);

// A text answer with a route label for metrics.
[[nodiscard]] HttpResponse TextAnswer(int status, std::string message, const std::string& route);

}  // namespace spoor
