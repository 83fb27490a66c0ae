// Request-body handling shared by the HTTP receivers: Content-Type and
// Content-Encoding, gzip with an output limit.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"
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

}  // namespace spoor
