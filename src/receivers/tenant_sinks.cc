#include "receivers/tenant_sinks.h"

#include <grpcpp/grpcpp.h>

#include <memory>

#include "common/strings.h"
#include "receivers/grpc_ingest.h"
#include "server/handler_cache.h"

namespace spoor {
namespace {

HttpResponse Refusal(const Status& s, const HttpRequest& req) {
  bool retry = s.code() == StatusCode::kUnavailable;
  HttpResponse r = HttpResponse::Text(retry ? 503 : 400, s.message() + "\n");
  if (retry) r.headers.emplace_back("Retry-After", "1");
  r.route = req.path;
  return r;
}

}  // namespace

HttpHandler WithTenantSinks(TenantSinks tenants, std::function<HttpHandler(SpanSink&)> make,
                            HttpHandler open, std::string server,
                            std::vector<std::string> prefixes) {
  auto handlers = std::make_shared<HandlerCache>();
  return [tenants = std::move(tenants), make = std::move(make), open = std::move(open),
          server = std::move(server), prefixes = std::move(prefixes),
          handlers](const HttpRequest& req) -> HttpResponse {
    bool guarded = prefixes.empty();
    for (const std::string& p : prefixes) guarded = guarded || StartsWith(req.path, p);
    if (!guarded) return open(req);
    auto sink = tenants.pick(req.Header(tenants.header), req.Header("authorization"), server);
    if (!sink.ok()) return Refusal(sink.status(), req);
    SpanSink* picked = sink.value();
    return handlers->Get(picked, [&] { return make(*picked); })(req);
  };
}

grpc::Status PickGrpcSink(const TenantSinks& tenants, const grpc::CallbackServerContext& context,
                          const std::string& server, SpanSink** sink) {
  auto picked = tenants.pick(GrpcMetadata(context, tenants.header),
                             GrpcMetadata(context, "authorization"), server);
  if (!picked.ok()) {
    return {picked.status().code() == StatusCode::kUnavailable
                ? grpc::StatusCode::UNAVAILABLE
                : grpc::StatusCode::PERMISSION_DENIED,
            picked.status().message()};
  }
  *sink = picked.value();
  return grpc::Status::OK;
}

}  // namespace spoor
