#include "query/tenant_query.h"

#include <memory>

#include "common/json_writer.h"
#include "common/strings.h"
#include "server/handler_cache.h"

namespace spoor {

HttpHandler WithTenantReaders(TenantReaders tenants,
                              std::function<HttpHandler(const TenantReadStores& stores)> make,
                              Storage& empty, std::vector<std::string> prefixes) {
  auto handlers = std::make_shared<HandlerCache>();
  HttpHandler untenanted = make(TenantReadStores{&empty, nullptr, ""});
  return [tenants = std::move(tenants), make = std::move(make), prefixes = std::move(prefixes),
          handlers, untenanted](const HttpRequest& req) -> HttpResponse {
    bool guarded = false;
    for (const std::string& p : prefixes) guarded = guarded || StartsWith(req.path, p);
    if (!guarded) return untenanted(req);
    auto picked = tenants.pick(req.Header(tenants.header), req.Header("authorization"));
    if (!picked.ok()) {
      // Jaeger's error envelope, which both UIs show.
      int status = picked.status().code() == StatusCode::kUnavailable ? 503 : 400;
      HttpResponse r;
      r.status = status;
      r.route = "tenant";
      JsonWriter w(r.body);
      w.BeginObject().Key("data").Null().FieldInt("total", 0).FieldInt("limit", 0);
      w.FieldInt("offset", 0).Key("errors").BeginArray().BeginObject();
      w.FieldInt("code", status).Field("msg", picked.status().message()).EndObject();
      w.EndArray().EndObject();
      // Which header names the tenant, for a UI that asks its user for one.
      if (status == 400) r.headers.emplace_back("Spoor-Tenant-Header", tenants.header);
      return r;
    }
    const TenantReadStores& stores = picked.value();
    if (stores.storage == nullptr) return untenanted(req);
    return handlers->Get(stores.storage, [&] { return make(stores); })(req);
  };
}

}  // namespace spoor
