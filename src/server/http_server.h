// An HTTP/1.1 server (Boost.Beast) that hands every complete request to one
// handler. Keep-alive, `Expect: 100-continue`, a body-size limit (413 before
// the body is read when Content-Length says it is too big) and idle
// timeouts are handled here so that handlers only see whole requests.
//
// Threading: Start() spawns `threads` I/O threads, each with its own
// io_context; connections are spread over them and each stays on one. The
// handler runs on them and may be called concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "server/http.h"

namespace spoor {

class TlsServerContext;

struct HttpServerOptions {
  std::string name;  // label in metrics and logs: "query", "otlp_http", "admin"
  std::string host = "0.0.0.0";
  uint16_t port = 0;  // 0 = any free port
  size_t max_body_bytes = 64u << 20;
  int threads = 2;
  // A connection is closed when a request takes longer than this to arrive
  // (from the end of the previous answer, or the connection's start) or an
  // answer takes longer to be written.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  // Answers a request whose body is over max_body_bytes (413), called with
  // the request line and headers only; unset = a plain-text 413. The
  // connection is closed after the answer.
  HttpHandler on_body_too_large;
  // Set: every connection speaks TLS with the context's current
  // certificate (server/tls.h); a failed handshake closes it, counted.
  std::shared_ptr<TlsServerContext> tls;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving. Fails when the address cannot be bound.
  [[nodiscard]] Status Start();
  // Stops accepting, closes connections and joins the I/O threads.
  void Stop();
  // The bound port (useful when options.port was 0).
  [[nodiscard]] uint16_t port() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Splits "host:port" (":4317" means all interfaces). Returns false when the
// port is missing or not a number in 0..65535.
[[nodiscard]] bool ParseHostPort(const std::string& host_port, std::string* host, uint16_t* port);

}  // namespace spoor
