// The flags of docs/security.md: CORS and the query limits, trusted
// proxies and bearer tokens, each listener's TLS, and multi-tenancy.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/config_options.h"
#include "common/time_format.h"
#include "server/auth.h"
#include "tenancy/tenancy.h"

namespace spoor::config {

void AddSecurityOptions(std::vector<Option>& o) {
  o.push_back({"query.cors.allowed-origins", "",
               "origins allowed to call the query API from a browser, comma-separated "
               "(https://grafana.example.com), or *; empty: no CORS",
               [](Config& c, const std::string& v) {
                 c.query_cors_allowed_origins.clear();
                 for (std::string_view o : SplitList(v)) {
                   if (!o.empty()) c.query_cors_allowed_origins.emplace_back(o);
                 }
               }});
  o.push_back({"query.cors.allowed-headers", "Content-Type, Authorization",
               "request headers a cross-origin caller of the query API may send",
               Text([](Config& c) -> std::string& { return c.query_cors_allowed_headers; })});
  o.push_back({"query.max-lookback", "0s",
               "how far back a search or dependency query may reach (0s: no limit); "
               "further is refused with 400",
               [](Config& c, const std::string& v) {
                 auto ns = ParseGoDuration(v);
                 if (!ns || *ns < 0)
                   Invalid("query.max-lookback", v, "expected a duration like 720h, or 0s");
                 c.query_max_lookback_ns = static_cast<uint64_t>(*ns);
               }});
  o.push_back({"query.max-limit", "1500",
               "the most traces one search returns (a larger limit is lowered to it)",
               PositiveInt<size_t>("query.max-limit",
                                   [](Config& c) -> size_t& { return c.query_max_limit; })});
  o.push_back({"query.max-trace-spans", "0",
               "the most spans of one trace returned (the rest cut, with a warning); 0: all",
               PositiveInt<size_t>(
                   "query.max-trace-spans",
                   [](Config& c) -> size_t& { return c.query_max_trace_spans; }, true)});
  for (const char* role : {"collector", "query"}) {
    const std::string p = std::string(role) + ".auth.";
    const bool query = std::string(role) == "query";
    o.push_back({p + "trusted-proxies", "",
                 "authenticating proxies (addresses or networks: 10.0.0.7, 10.1.0.0/16), "
                 "comma-separated, whose user header lets a request in without a token",
                 [name = p + "trusted-proxies", query](Config& c, const std::string& v) {
                   auto parsed = TrustedProxies::Parse(v);
                   if (!parsed.ok()) Invalid(name, v, parsed.status().message());
                   (query ? c.query_auth_trusted_proxies : c.collector_auth_trusted_proxies) = v;
                 }});
    o.push_back({p + "proxy-user-header", "X-Forwarded-User",
                 "the header in which a trusted proxy names the user it authenticated",
                 Text([query](Config& c) -> std::string& {
                   return query ? c.query_auth_proxy_user_header
                                : c.collector_auth_proxy_user_header;
                 })});
  }
  o.push_back({"collector.auth.bearer-tokens-file", "",
               "file of bearer tokens, one per line (optionally followed by its tenant): "
               "sending spans then needs Authorization: Bearer <token>; re-read when it changes",
               Text([](Config& c) -> std::string& { return c.collector_auth_tokens_file; })});
  o.push_back({"query.auth.bearer-tokens-file", "",
               "file of bearer tokens, as --collector.auth.bearer-tokens-file, for the query API "
               "(/api/...; the UI's files stay open so that it can ask for one)",
               Text([](Config& c) -> std::string& { return c.query_auth_tokens_file; })});
  for (const TlsListener& l : kTlsListeners) {
    const std::string p = std::string(l.prefix) + ".tls";
    auto tls = [p = std::string(l.prefix)](Config& c) -> TlsServerOptions& { return c.tls[p]; };
    o.push_back({p + ".enabled", "false", std::string("serve ") + l.what + " over TLS",
                 Bool(p + ".enabled", [tls](Config& c) -> bool& { return tls(c).enabled; }), true});
    o.push_back({p + ".cert", "", "PEM file: the certificate (and its chain)",
                 Text([tls](Config& c) -> std::string& { return tls(c).cert_file; })});
    o.push_back({p + ".key", "", "PEM file: the certificate's private key",
                 Text([tls](Config& c) -> std::string& { return tls(c).key_file; })});
    o.push_back({p + ".client-ca", "",
                 "PEM file: CA certificates; set, clients must present a certificate they "
                 "signed (mutual TLS)",
                 Text([tls](Config& c) -> std::string& { return tls(c).client_ca_file; })});
    o.push_back({p + ".min-version", "1.2", "lowest TLS version accepted: 1.0, 1.1, 1.2, 1.3",
                 Text([tls](Config& c) -> std::string& { return tls(c).min_version; })});
    o.push_back({p + ".max-version", "", "highest TLS version accepted (empty: the highest)",
                 Text([tls](Config& c) -> std::string& { return tls(c).max_version; })});
    o.push_back({p + ".cipher-suites", "",
                 "cipher suites allowed, IANA names comma-separated (empty: OpenSSL's "
                 "defaults)",
                 Text([tls](Config& c) -> std::string& { return tls(c).cipher_suites; })});
    o.push_back({p + ".reload-interval", "10s",
                 "how often the certificate files are checked for a change and read again "
                 "(0s: never)",
                 [name = p + ".reload-interval", tls](Config& c, const std::string& v) {
                   auto ns = ParseGoDuration(v);
                   if (!ns || *ns < 0) Invalid(name, v, "expected a duration like 10s, or 0s");
                   tls(c).reload_interval = std::chrono::milliseconds(*ns / 1000000);
                 }});
  }
  o.push_back({"multi-tenancy.enabled", "false",
               "keep each tenant's spans apart (a store of its own) and require a tenant on "
               "every ingest and query request",
               Bool("multi-tenancy.enabled", [](Config& c) -> bool& { return c.tenancy.enabled; }),
               true});
  o.push_back({"multi-tenancy.header", "x-tenant",
               "the HTTP header (gRPC metadata) naming "
               "the tenant",
               [](Config& c, const std::string& v) {
                 if (v.empty()) Invalid("multi-tenancy.header", v, "expected a header name");
                 c.tenancy.header = ToLower(v);
               }});
  o.push_back({"multi-tenancy.tenants", "",
               "the tenants accepted, comma-separated (empty: any valid name, up to "
               "--multi-tenancy.max-tenants)",
               [](Config& c, const std::string& v) {
                 c.tenancy.tenants.clear();
                 for (std::string_view t : SplitList(v)) {
                   if (t.empty()) continue;
                   if (Status s = CheckTenantName(t); !s.ok())
                     Invalid("multi-tenancy.tenants", v, s.message());
                   c.tenancy.tenants.emplace_back(t);
                 }
               }});
  o.push_back({"multi-tenancy.max-tenants", "100",
               "without --multi-tenancy.tenants, the most tenants kept (each has its own "
               "store and queue); a request for one more is refused",
               PositiveInt<size_t>("multi-tenancy.max-tenants",
                                   [](Config& c) -> size_t& { return c.tenancy.max_tenants; })});
  o.push_back({"multi-tenancy.retention", "",
               "how long each named tenant's spans are kept, instead of the store's setting: "
               "tenant=duration, comma-separated (acme=720h,trial=24h; 0s: forever)",
               [](Config& c, const std::string& v) {
                 c.tenancy.retention_ns.clear();
                 for (std::string_view item : SplitList(v)) {
                   if (item.empty()) continue;
                   size_t eq = item.find('=');
                   std::string_view tenant = item.substr(0, eq);
                   auto ns = eq == std::string_view::npos
                                 ? std::nullopt
                                 : ParseGoDuration(std::string(item.substr(eq + 1)));
                   if (!ns || *ns < 0 || !CheckTenantName(tenant).ok()) {
                     Invalid("multi-tenancy.retention", v,
                             "expected tenant=duration pairs like acme=720h,trial=24h");
                   }
                   c.tenancy.retention_ns[std::string(tenant)] = static_cast<uint64_t>(*ns);
                 }
               }});
}

}  // namespace spoor::config
