// What the gRPC receivers (OTLP on 4317, Jaeger on 14250) share: the ingest
// path for a request received as raw bytes, and a server that hosts their
// services.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "pipeline/span_sink.h"
#include "receivers/http_body.h"
#include "server/auth.h"
#include "server/tls.h"

namespace grpc {
class ByteBuffer;
class CallbackServerContext;
class Server;
class Service;
class Status;
}  // namespace grpc

namespace spoor {

// Decodes the request with `decode`, counts it in `metrics` and hands the
// batch to the sink: INVALID_ARGUMENT for a malformed message (or a span
// the sink can never take), UNAVAILABLE when the sink did not take it
// (queue full, buffer unreachable: clients retry), OK otherwise, with
// `*stats` telling what was rejected.
[[nodiscard]] grpc::Status IngestGrpcRequest(const grpc::ByteBuffer& request,
                                             const BatchDecoder& decode, SpanSink& sink,
                                             IngestMetrics& metrics, DecodeStats* stats);

// OK when `auth` asks for nothing, the call's `authorization` metadata
// carries one of its tokens, or a trusted proxy sent it with the user
// metadata; UNAUTHENTICATED otherwise (counted for `server`).
[[nodiscard]] grpc::Status AuthenticateGrpcCall(const grpc::CallbackServerContext& context,
                                                const AuthPolicy& auth, const std::string& server);

// The first value of the call's metadata `name` (lower case), or "".
[[nodiscard]] std::string_view GrpcMetadata(const grpc::CallbackServerContext& context,
                                            const std::string& name);

// Sets `*out` to a one-slice buffer holding `bytes`.
void SetGrpcResponse(const std::string& bytes, grpc::ByteBuffer* out);

// A gRPC server for one or more services on host:port.
class GrpcServiceServer {
 public:
  GrpcServiceServer(std::string name, std::vector<grpc::Service*> services);
  ~GrpcServiceServer();
  GrpcServiceServer(const GrpcServiceServer&) = delete;
  GrpcServiceServer& operator=(const GrpcServiceServer&) = delete;

  // Fails when the address cannot be bound.
  // With `tls` enabled, the certificate files are watched by gRPC
  // (reloaded every tls.reload_interval, at least a second), and a client CA
  // requires and verifies client certificates.
  [[nodiscard]] Status Start(const std::string& host, uint16_t port, size_t max_message_bytes,
                             const TlsServerOptions& tls = {});
  // Stops accepting and waits (at most 5 s) for in-flight calls.
  void Stop();
  [[nodiscard]] uint16_t port() const { return port_; }

 private:
  std::string name_;
  std::vector<grpc::Service*> services_;
  std::unique_ptr<grpc::Server> server_;
  uint16_t port_ = 0;
};

}  // namespace spoor
