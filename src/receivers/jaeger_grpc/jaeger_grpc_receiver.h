// Jaeger gRPC receiver: jaeger.api_v2.CollectorService/PostSpans (the
// collector's port 14250), and SamplingManager/GetSamplingStrategy on the
// same port. Malformed requests get INVALID_ARGUMENT, a full
// queue UNAVAILABLE (which Jaeger clients retry); spans with invalid IDs are
// dropped and counted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "pipeline/span_sink.h"
#include "receivers/tenant_sinks.h"
#include "sampling/sampling_http.h"
#include "server/auth.h"
#include "server/tls.h"

namespace spoor {

struct JaegerGrpcOptions {
  std::string host = "0.0.0.0";
  uint16_t port = 14250;
  size_t max_message_bytes = 64u << 20;
  TlsServerOptions tls;  // enabled: TLS (and mTLS with a client CA)
  AuthPolicy auth;       // enabled: each call needs a token (or a trusted proxy)
  TenantSinks tenants;   // enabled: spans go to the sink of each call's tenant
};

class JaegerGrpcReceiver {
 public:
  virtual ~JaegerGrpcReceiver() = default;
  // Starts serving; fails when the port cannot be bound.
  [[nodiscard]] virtual Status Start() = 0;
  // Stops accepting and waits for in-flight calls.
  virtual void Stop() = 0;
  [[nodiscard]] virtual uint16_t port() const = 0;
};

// `strategies` (may be null: no SamplingManager) must outlive the receiver.
[[nodiscard]] std::unique_ptr<JaegerGrpcReceiver> NewJaegerGrpcReceiver(
    const JaegerGrpcOptions& options, SpanSink& sink, const StrategiesHolder* strategies);

}  // namespace spoor
