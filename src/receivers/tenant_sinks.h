// Multi-tenancy at the receivers (docs/security.md, "Tenants"): each
// request's spans go to the sink of its tenant, picked before decoding;
// a request without a valid tenant is refused (HTTP 400, gRPC
// PERMISSION_DENIED). The receivers themselves stay unaware of tenants: an
// HTTP receiver's handler is built once per tenant over that tenant's sink.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "pipeline/span_sink.h"
#include "server/http.h"

namespace grpc {
class CallbackServerContext;
class Status;
}  // namespace grpc

namespace spoor {

struct TenantSinks {
  std::string header;  // the tenant header, lower case
  // The sink of the tenant a request names in `header` (and its
  // `authorization`), for `server`: InvalidArgument when the tenant is
  // refused (a message for the sender), Unavailable when its store cannot
  // take spans now.
  std::function<Result<SpanSink*>(std::string_view tenant, std::string_view authorization,
                                  const std::string& server)>
      pick;
  [[nodiscard]] bool enabled() const { return static_cast<bool>(pick); }
};

// `make(sink)` (an HTTP receiver's handler over `sink`) per tenant: a
// request whose path starts with one of `prefixes` (all when empty) goes to
// its tenant's handler; any other (the remote sampling route of the
// Jaeger port) to `open`, which takes no spans.
[[nodiscard]] HttpHandler WithTenantSinks(TenantSinks tenants,
                                          std::function<HttpHandler(SpanSink&)> make,
                                          HttpHandler open, std::string server,
                                          std::vector<std::string> prefixes = {});

// The sink of a gRPC call's tenant (its metadata `tenants.header`), or
// PERMISSION_DENIED / UNAVAILABLE saying why not.
[[nodiscard]] grpc::Status PickGrpcSink(const TenantSinks& tenants,
                                        const grpc::CallbackServerContext& context,
                                        const std::string& server, SpanSink** sink);

}  // namespace spoor
