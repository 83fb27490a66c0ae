// Jaeger's api_v3 QueryService over gRPC (port 16685, --query.grpc-server.*),
// and beside it api_v2's (grpc_query_v2.cc: Jaeger's span model in chunks
// of 10 spans; docs/formats.md). api_v3:
// GetTrace and FindTraces stream OpenTelemetry TracesData (a trace in
// chunks of at most 1,000 spans), FindTraceSummaries streams summaries,
// GetServices, GetOperations and GetDependencies answer once. Same
// semantics, adjusters, limits and errors as /api/v3 over HTTP
// (INVALID_ARGUMENT, NOT_FOUND, UNAVAILABLE with the same messages).
// docs/api.md.
//
// With a token policy each call needs `authorization: Bearer <token>`
// metadata; with tenants each call reads only its tenant's store.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "query/query_api.h"
#include "query/tenant_query.h"
#include "server/auth.h"
#include "server/tls.h"
#include "storage/storage.h"

namespace spoor {

struct QueryGrpcOptions {
  std::string host = "0.0.0.0";
  uint16_t port = 16685;
  size_t max_message_bytes = 4u << 20;  // the largest request taken
  TlsServerOptions tls;
  AuthPolicy auth;
  QueryApiOptions query;  // adjusters and limits, as the HTTP API's
  TenantReaders tenants;  // pick set: each call's store by its tenant
};

class QueryGrpcServer {
 public:
  virtual ~QueryGrpcServer() = default;
  [[nodiscard]] virtual Status Start() = 0;
  virtual void Stop() = 0;
  [[nodiscard]] virtual uint16_t port() const = 0;
};

// `storage` (the store without tenants, or the empty one with them) must
// outlive the server, as must the stores `options.tenants.pick` returns.
[[nodiscard]] std::unique_ptr<QueryGrpcServer> NewQueryGrpcServer(const QueryGrpcOptions& options,
                                                                  Storage& storage);

}  // namespace spoor
