// OTLP/gRPC receiver: opentelemetry.proto.collector.trace.v1.TraceService.
// Malformed requests get INVALID_ARGUMENT, a full queue UNAVAILABLE (which
// OTLP clients retry), spans with invalid IDs a partial success.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "common/status.h"
#include "pipeline/span_sink.h"
#include "receivers/tenant_sinks.h"
#include "server/auth.h"
#include "server/tls.h"

namespace spoor {

struct OtlpGrpcOptions {
  std::string host = "0.0.0.0";
  uint16_t port = 4317;
  size_t max_message_bytes = 64u << 20;
  TlsServerOptions tls;  // enabled: TLS (and mTLS with a client CA)
  AuthPolicy auth;       // enabled: each call needs a token (or a trusted proxy)
  TenantSinks tenants;   // enabled: spans go to the sink of each call's tenant
};

class OtlpGrpcReceiver {
 public:
  virtual ~OtlpGrpcReceiver() = default;
  // Starts serving; fails when the port cannot be bound.
  [[nodiscard]] virtual Status Start() = 0;
  // Stops accepting and waits for in-flight calls.
  virtual void Stop() = 0;
  [[nodiscard]] virtual uint16_t port() const = 0;
};

[[nodiscard]] std::unique_ptr<OtlpGrpcReceiver> NewOtlpGrpcReceiver(const OtlpGrpcOptions& options,
                                                                    SpanSink& sink);

}  // namespace spoor
