#include "app/role.h"

#include <unistd.h>

#include "common/strings.h"

namespace spoor::app {
namespace {

// The tokens of a --*.auth.bearer-tokens-file, read now; null without one.
std::shared_ptr<BearerTokens> TokensFrom(const std::string& path, const std::string& flag) {
  if (path.empty()) return nullptr;
  auto tokens = BearerTokens::Load(path, "--" + flag);
  if (!tokens.ok()) throw ConfigError(tokens.status().message());
  return std::move(tokens).value();
}

}  // namespace

bool Enabled(const std::string& host_port) {
  return !host_port.empty() && host_port != "off";
}

std::shared_ptr<TlsServerContext> ListenerTls(const Config& config, const std::string& prefix) {
  auto it = config.tls.find(prefix);
  if (it == config.tls.end() || !it->second.enabled) return nullptr;
  auto tls = TlsServerContext::Create(it->second, "--" + prefix + ".tls");
  if (!tls.ok()) throw ConfigError(tls.status().message());
  return std::move(tls).value();
}

AuthPolicy AuthFor(const Config& config, bool query) {
  AuthPolicy auth;
  auth.tokens =
      query ? TokensFrom(config.query_auth_tokens_file, "query.auth.bearer-tokens-file")
            : TokensFrom(config.collector_auth_tokens_file, "collector.auth.bearer-tokens-file");
  auto proxies = TrustedProxies::Parse(query ? config.query_auth_trusted_proxies
                                             : config.collector_auth_trusted_proxies);
  if (proxies.ok()) auth.proxies = std::move(proxies).value();  // checked with the flags
  auth.proxy_user_header = ToLower(query ? config.query_auth_proxy_user_header
                                         : config.collector_auth_proxy_user_header);
  return auth;
}

TlsServerOptions GrpcTls(const Config& config, const std::string& prefix) {
  if (!ListenerTls(config, prefix)) return {};
  return config.tls.at(prefix);
}

std::optional<HttpServerOptions> ServerOptions(const Config& config, const std::string& name,
                                               const std::string& tls_prefix,
                                               const std::string& host_port, size_t max_body,
                                               int threads) {
  if (!Enabled(host_port)) return std::nullopt;
  HttpServerOptions o;
  o.name = name;
  o.max_body_bytes = max_body;
  o.threads = threads;
  if (!ParseHostPort(host_port, &o.host, &o.port)) return std::nullopt;
  o.tls = ListenerTls(config, tls_prefix);
  return o;
}

std::string ProcessName() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] != '\0' ? host : "spoor") + "-" + std::to_string(getpid());
}

StorageOptions ArchiveStorageOptions(const Config& config) {
  StorageOptions o = config.storage;
  o.type = config.archive_storage_type;
  o.embedded.directory = config.storage.embedded.directory + "/archive";
  o.embedded.span_ttl_ns = config.archive_span_ttl_ns;
  o.clickhouse.database = config.storage.clickhouse.database + "_archive";
  o.clickhouse.span_ttl_ns = config.archive_span_ttl_ns;
  return o;
}

}  // namespace spoor::app
