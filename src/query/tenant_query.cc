#include "query/tenant_query.h"

#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>

#include "common/json_writer.h"
#include "common/strings.h"

namespace spoor {

HttpHandler WithTenantReaders(TenantReaders tenants, std::function<HttpHandler(Storage&)> make,
                              Storage& empty, std::vector<std::string> prefixes) {
  struct Handlers {
    std::shared_mutex mu;
    std::map<Storage*, HttpHandler> by_store;
  };
  auto handlers = std::make_shared<Handlers>();
  HttpHandler untenanted = make(empty);
  handlers->by_store.emplace(&empty, untenanted);
  return [tenants = std::move(tenants), make = std::move(make), prefixes = std::move(prefixes),
          handlers, untenanted, &empty](const HttpRequest& req) -> HttpResponse {
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
    Storage* store = picked.value() != nullptr ? picked.value() : &empty;
    HttpHandler handle;
    {
      std::shared_lock<std::shared_mutex> lock(handlers->mu);
      if (auto it = handlers->by_store.find(store); it != handlers->by_store.end()) {
        handle = it->second;
      }
    }
    if (!handle) {
      std::unique_lock<std::shared_mutex> lock(handlers->mu);
      auto [it, added] = handlers->by_store.try_emplace(store);
      if (added) it->second = make(*store);
      handle = it->second;
    }
    return handle(req);
  };
}

}  // namespace spoor
