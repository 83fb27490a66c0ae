#include "app/role.h"
#include "common/log.h"
#include "query/grpc_query.h"
#include "query/query_api.h"
#include "query/tenant_query.h"
#include "query/web_security.h"

namespace spoor::app {
namespace {

// Finds and reads the web UI, and says in one line where it comes from. A
// UI missing from the default places is not an error (the query port then
// shows a start page); a --query.static-files that cannot be read is.
bool LoadUi(const Config& config, bool metrics_storage, bool archive_storage,
            std::shared_ptr<const StaticFiles>* ui) {
  UiInjections injections;
  injections.base_path = config.query_base_path;
  injections.metrics_storage = metrics_storage;
  injections.archive_storage = archive_storage;
  injections.version = SpoorBuildInfo();
  if (!config.query_ui_config.empty()) {
    if (Status s = LoadUiConfig(config.query_ui_config, &injections); !s.ok()) {
      LogError("--query.ui-config: ", s.message());
      return false;
    }
  }
  auto found = FindStaticFiles(config.query_static_files, injections);
  if (!found.ok()) {
    if (!config.query_static_files.empty()) {
      LogError("--query.static-files: ", found.status().message());
      return false;
    }
    LogWarn("web UI not served: ", found.status().message());
    return true;
  }
  *ui = std::move(found).value();
  if (*ui) {
    LogInfo("web UI: ", (*ui)->file_count(), " files from ", (*ui)->directory());
  } else {
    std::string places;
    for (const std::string& dir : DefaultStaticFileDirs())
      places += (places.empty() ? "" : ", ") + dir;
    LogInfo("web UI not built (looked in ", places,
            "); the query port shows a start page. Build it with `make ui` "
            "(or cd ui && npm ci && npm run build)");
  }
  return true;
}

}  // namespace

// The archive store the query API copies traces into and falls back to;
// closed after the query servers stop. With tenants, each has its own
// (tenant_parts.cc).
bool AddArchive(Role& role) {
  const Config& config = role.config;
  if (config.archive_storage_type.empty()) return true;
  StorageOptions o = ArchiveStorageOptions(config);
  std::string where = o.type == "embedded"     ? " in " + o.embedded.directory
                      : o.type == "clickhouse" ? " in database " + o.clickhouse.database
                                               : "";
  if (role.tenants) {
    LogInfo(
        "archive: ", o.type, " storage for each tenant",
        o.type == "memory" ? "" : where + (o.type == "embedded" ? "/tenants/" : ".") + "<tenant>");
    return true;
  }
  auto opened = CreateStorage(o);
  if (!opened.ok()) {
    LogError("cannot open the archive storage: ", opened.status().message());
    return false;
  }
  role.archive = std::move(opened).value();
  Storage* archive = role.archive.get();
  role.parts.Add("archive storage", nullptr, [archive] {
    Status s = archive->Close();
    return s.ok() ? s : Unavailable("closing the archive storage failed: " + s.message());
  });
  LogInfo("archive: ", archive->name(), " storage", where);
  return true;
}

bool AddQuery(Role& role) {
  const Config& config = role.config;
  auto o = ServerOptions(config, "query", "query.http", config.query_host_port, 16 << 20, 2);
  if (!o) return true;
  QueryApiOptions options;
  options.base_path = config.query_base_path;
  options.adjusters.max_clock_skew_adjustment_ns = config.query_max_clock_skew_ns;
  // A query node reads what ingesters or collectors counted; an all-in-one
  // what it counts itself (nothing when counting is off).
  const bool span_metrics = config.role == "query" || (role.tenants ? config.span_metrics.enabled
                                                                    : role.span_metrics != nullptr);
  options.span_metrics_fine_retention_ns = config.span_metrics.fine_retention_ns;
  options.limits.max_lookback_ns = config.query_max_lookback_ns;
  options.limits.max_limit = config.query_max_limit;
  options.limits.max_trace_spans = config.query_max_trace_spans;
  options.archive = role.archive.get();
  if (StrategiesHolder* strategies = role.strategies.get()) {
    options.sampling_strategy = [strategies](const std::string& service) {
      return StrategyResponseJson(*strategies->Get(), service);
    };
    options.sampling_adaptive = config.sampling_type == "adaptive";
  }
  Storage& store = role.tenants ? *role.empty_store : *role.storage;
  if (!LoadUi(config, span_metrics && store.span_metrics() != nullptr,
              !config.archive_storage_type.empty(), &options.ui)) {
    return false;
  }
  auto make = [options, span_metrics,
               strategies = role.strategies.get()](const TenantReadStores& stores) {
    QueryApiOptions o = options;
    if (span_metrics) o.span_metrics = stores.storage->span_metrics();
    o.archive = stores.archive;
    if (strategies != nullptr && !stores.tenant.empty()) {
      // The tenant's own strategies (adaptive sampling per tenant).
      o.sampling_strategy = [strategies, tenant = stores.tenant](const std::string& service) {
        return StrategyResponseJson(*strategies->Get(tenant), service);
      };
    }
    return NewQueryHandler(o, *stores.storage, *stores.storage);
  };
  std::string base = config.query_base_path;
  if (base.empty() || base.back() != '/') base += '/';
  AuthPolicy auth = AuthFor(config, true);
  HttpHandler handle;
  TenantReaders readers;
  if (role.tenants) {
    // Each tenant's API requests answered over its own store alone.
    auto resolver = std::make_shared<TenantResolver>(config.tenancy, auth.tokens);
    readers.header = config.tenancy.header;
    readers.pick = [resolver, tenants = role.tenants.get()](
                       std::string_view tenant,
                       std::string_view authorization) -> Result<TenantReadStores> {
      auto name = resolver->Resolve(tenant, authorization, "query");
      if (!name.ok()) return name.status();
      TenantReadStores stores;
      if (TenantStores::Tenant* found = tenants->ForReading(name.value(), "query")) {
        stores.storage = found->storage.get();
        stores.archive = found->archive.get();
        stores.tenant = name.value();
      }
      return stores;
    };
    handle = WithTenantReaders(readers, make, store, QueryDataPrefixes(base));
  } else {
    handle = make(TenantReadStores{&store, role.archive.get(), ""});
  }
  if (Enabled(config.query_grpc_host_port)) {
    // api_v3 over gRPC: the same store, limits, tokens and tenants.
    QueryGrpcOptions grpc;
    std::string host;
    if (ParseHostPort(config.query_grpc_host_port, &host, &grpc.port)) grpc.host = host;
    grpc.tls = GrpcTls(config, "query.grpc");
    grpc.auth = auth;
    grpc.query = options;
    grpc.tenants = readers;
    role.parts.AddServer("query gRPC", NewQueryGrpcServer(grpc, store));
  }
  if (auth.enabled()) {
    // The API needs a token; the UI's files do not, so that it can ask.
    handle = RequireAuth(std::move(handle), std::move(auth), "query", QueryDataPrefixes(base));
  }
  // Outermost: a CORS preflight is answered before a token is asked for, and
  // every answer, a refusal included, carries the security headers.
  WebSecurityOptions web;
  web.cors_allowed_origins = config.query_cors_allowed_origins;
  web.cors_allowed_headers = config.query_cors_allowed_headers;
  handle = WithWebSecurity(std::move(handle), std::move(web));
  role.parts.AddServer("query", std::make_unique<HttpServer>(*o, std::move(handle)));
  return true;
}

}  // namespace spoor::app
