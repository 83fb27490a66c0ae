// Spoor's configuration: command-line flags and an optional YAML file with
// the same keys (flags win). Names follow Jaeger's where the meaning is the
// same. Invalid configuration throws ConfigError with one line of text.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "buffer/nats/nats_options.h"
#include "pipeline/pipeline.h"
#include "sampling/adaptive/adaptive_options.h"
#include "server/tls.h"
#include "spanmetrics/span_metrics_aggregator.h"
#include "storage/factory.h"
#include "tailsampling/tail_sampling_config.h"
#include "tenancy/tenancy.h"

namespace spoor {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The roles, as given on the command line.
inline constexpr const char* kRoles[] = {"all-in-one", "collector", "ingester", "query"};

// The listeners that take TLS: the flag prefix of their `.tls.*` flags
// (Jaeger's), what they are, and whether they are gRPC servers (whose
// library fixes the versions and ciphers: see docs/security.md).
struct TlsListener {
  const char* prefix;
  const char* what;
  bool grpc;
};
inline constexpr TlsListener kTlsListeners[] = {
    {"collector.otlp.grpc", "OTLP/gRPC (4317)", true},
    {"collector.otlp.http", "OTLP/HTTP (4318)", false},
    {"collector.grpc", "Jaeger gRPC (14250)", true},
    {"collector.http", "Jaeger Thrift over HTTP (14268)", false},
    {"collector.zipkin", "Zipkin (9411)", false},
    {"http-server", "remote sampling (5778)", false},
    {"query.http", "the query API and UI (16686)", false},
    {"query.grpc", "the query gRPC API (16685)", true},
    {"admin.http", "the admin port (health, /metrics)", false},
};

struct Config {
  std::string role = "all-in-one";  // one of kRoles
  std::string log_level = "info";

  StorageOptions storage;
  PipelineOptions pipeline;
  SpanMetricsOptions span_metrics;

  // Where a collector sends what it receives: "none" (storage, through the
  // queue) or "nats" (the JetStream stream that ingesters consume).
  std::string buffer_type = "none";
  NatsOptions nats;

  bool otlp_enabled = true;
  std::string otlp_grpc_host_port = ":4317";
  std::string otlp_http_host_port = ":4318";
  uint64_t otlp_max_request_bytes = 64u << 20;

  std::string jaeger_http_host_port = ":14268";
  std::string jaeger_grpc_host_port = ":14250";
  std::string jaeger_compact_host_port = ":6831";
  std::string jaeger_binary_host_port = ":6832";
  std::string zipkin_host_port = ":9411";

  std::string query_host_port = ":16686";
  std::string query_grpc_host_port = ":16685";
  std::string query_base_path = "/";
  std::string query_static_files;  // "" = look in the default places (query/static_files.h)
  std::string query_ui_config;     // the Jaeger UI's configuration (JSON, or .js)
  uint64_t query_max_clock_skew_ns = 0;

  std::string admin_host_port = ":14269";

  // Bearer tokens required to send spans (OTLP, Jaeger, Zipkin) and to
  // query (/api); "" = none (docs/security.md).
  std::string collector_auth_tokens_file;
  std::string query_auth_tokens_file;
  // Authenticating proxies whose user header is believed (addresses and
  // networks, comma-separated), and that header.
  std::string collector_auth_trusted_proxies;
  std::string collector_auth_proxy_user_header = "X-Forwarded-User";
  std::string query_auth_trusted_proxies;
  std::string query_auth_proxy_user_header = "X-Forwarded-User";

  // Browsers: CORS for the query API (off when no origin is listed).
  std::vector<std::string> query_cors_allowed_origins;
  std::string query_cors_allowed_headers = "Content-Type, Authorization";
  // Limits on what one query may ask for; 0 = none.
  uint64_t query_max_lookback_ns = 0;
  size_t query_max_limit = 1500;
  size_t query_max_trace_spans = 0;

  // TLS of each listener, by its flag prefix ("collector.otlp.http" for
  // --collector.otlp.http.tls.*); see kTlsListeners.
  std::map<std::string, TlsServerOptions> tls;

  // Jaeger's static sampling strategies, served on the agent's port.
  std::string sampling_host_port = ":5778";
  std::string sampling_strategies_file;
  uint64_t sampling_reload_interval_ns = 0;  // 0 = never re-read the file
  // "file" (the strategies file, or everything sampled) or "adaptive".
  std::string sampling_type = "file";
  AdaptiveSamplingOptions adaptive;

  // The archive (--archive.span-storage.type: a backend name; "" = none):
  // traces kept on request, in <embedded dir>/archive or the ClickHouse
  // database <db>_archive, for archive_span_ttl_ns (0 = forever).
  std::string archive_storage_type;
  uint64_t archive_span_ttl_ns = 0;

  // --multi-tenancy.*: each tenant's data in stores of its own.
  TenancyOptions tenancy;

  // The `tail_sampling` section of the config file (no flags).
  TailSamplingOptions tail_sampling;
};

struct ParsedArgs {
  Config config;
  bool help = false;
  bool version = false;
};

// Parses argv: an optional role first (all-in-one by default), then
// --key=value or --key value flags; --config-file=PATH loads YAML first.
// A flag that does not apply to the role is an error; such a key in the
// YAML file is ignored (one file can serve every role).
[[nodiscard]] ParsedArgs ParseArgs(const std::vector<std::string>& args);

// The text of `spoor [ROLE] --help`: the role's flags.
[[nodiscard]] std::string HelpText(const std::string& role);

}  // namespace spoor
