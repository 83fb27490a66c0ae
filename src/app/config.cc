#include "app/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <map>

#include "app/config_options.h"
#include "common/log.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "server/http_server.h"

namespace spoor {
namespace config {
[[noreturn]] void Invalid(const std::string& name, const std::string& value,
                          const std::string& why) {
  throw ConfigError("invalid value '" + value + "' for --" + name + ": " + why);
}

Setter Duration(const std::string& name, std::function<int64_t&(Config&)> field,
                const char* example) {
  return [name, field, example](Config& c, const std::string& v) {
    auto ns = ParseGoDuration(v);
    if (!ns || *ns <= 0) Invalid(name, v, std::string("expected a duration like ") + example);
    field(c) = *ns;
  };
}

Setter UnsignedDuration(const std::string& name, std::function<uint64_t&(Config&)> field,
                        const char* example) {
  return [name, field, example](Config& c, const std::string& v) {
    auto ns = ParseGoDuration(v);
    if (!ns || *ns <= 0) Invalid(name, v, std::string("expected a duration like ") + example);
    field(c) = static_cast<uint64_t>(*ns);
  };
}

Setter Text(std::function<std::string&(Config&)> field) {
  return [field](Config& c, const std::string& v) { field(c) = v; };
}

Setter HostPort(const std::string& name, std::string Config::*field) {
  return [name, field](Config& c, const std::string& v) {
    std::string host;
    uint16_t port;
    if (!v.empty() && v != "off" && !ParseHostPort(v, &host, &port)) {
      Invalid(name, v, "expected HOST:PORT or :PORT, or \"off\" to disable");
    }
    c.*field = v;
  };
}

Setter Bool(const std::string& name, const std::function<bool&(Config&)>& field) {
  return [name, field](Config& c, const std::string& v) {
    auto b = ParseBool(v);
    if (!b) Invalid(name, v, "expected true or false");
    field(c) = *b;
  };
}

}  // namespace config

namespace {

using namespace config;  // NOLINT(google-build-using-namespace): the flag table's helpers

// Which roles a flag applies to, by its name.
enum RoleBit : unsigned { kAllInOne = 1, kCollector = 2, kIngester = 4, kQuery = 8 };

unsigned RoleBitOf(const std::string& role) {
  if (role == "collector") return kCollector;
  if (role == "ingester") return kIngester;
  if (role == "query") return kQuery;
  return kAllInOne;
}

unsigned RolesOf(const std::string& flag) {
  auto starts = [&flag](std::string_view prefix) { return StartsWith(flag, prefix); };
  if (starts("query.") || starts("archive.")) return kAllInOne | kQuery;
  if (flag == "buffer.type" || flag == "nats.publish-timeout") return kCollector;
  if (flag == "ingester.parallelism" || flag == "nats.consumer" || flag == "nats.fetch-batch" ||
      flag == "nats.ack-wait" || flag == "nats.partition-lease") {
    return kIngester;
  }
  if (starts("nats.")) return kCollector | kIngester;
  // Span metrics are counted where spans are written; a query node only
  // needs to know which buckets are kept.
  if (flag == "span-metrics.fine-retention") return kAllInOne | kCollector | kIngester | kQuery;
  if (starts("span-metrics.")) return kAllInOne | kCollector | kIngester;
  // Receivers, the queue and its writers, sampling endpoints.
  if (starts("collector.") || starts("processor.") || starts("sampling.") ||
      starts("http-server.")) {
    return kAllInOne | kCollector;
  }
  return kAllInOne | kCollector | kIngester | kQuery;  // storage, admin, logging
}

// Defaults that differ by role: each role's admin port is Jaeger's.
void ApplyRoleDefaults(Config& c) {
  if (c.role == "ingester") c.admin_host_port = ":14270";
  if (c.role == "query") c.admin_host_port = ":16687";
}

const std::vector<Option>& Options() {
  static const std::vector<Option> kOptions = [] {
    std::vector<Option> o;
    o.push_back(
        {"config-file", "", "YAML file with any of these keys (flags override it)", nullptr});
    o.push_back(
        {"log-level", "info", "debug, info, warn or error", [](Config& c, const std::string& v) {
           LogLevel level;
           if (!ParseLogLevel(v, &level))
             Invalid("log-level", v, "expected debug, info, warn or error");
           c.log_level = v;
         }});
    o.push_back({"span-storage.type", "embedded", "storage backend: " + StorageTypes(),
                 [](Config& c, const std::string& v) {
                   if (FindStorageBackend(v) == nullptr)
                     Invalid("span-storage.type", v, "supported: " + StorageTypes());
                   c.storage.type = v;
                 }});
    for (const StorageBackend& backend : StorageBackends()) {
      for (const StorageFlag& flag : backend.flags) {
        o.push_back({flag.name, flag.default_text, flag.help,
                     [flag](Config& c, const std::string& v) {
                       std::string why = flag.set(c.storage, v);
                       if (!why.empty()) Invalid(flag.name, v, why);
                     },
                     flag.is_bool});
      }
    }
    o.push_back({"collector.queue-size", "100000", "spans held between the receivers and storage",
                 PositiveInt<size_t>("collector.queue-size", [](Config& c) -> size_t& {
                   return c.pipeline.queue_size_spans;
                 })});
    o.push_back({"collector.num-workers", "1", "threads writing queued spans to storage",
                 PositiveInt<int>("collector.num-workers",
                                  [](Config& c) -> int& { return c.pipeline.num_workers; })});
    o.push_back(
        {"collector.write-linger", "0s",
         "how long a storage writer waits to gather more queued batches into one write "
         "(fewer wake-ups under light, steady load; spans become searchable that much later)",
         [](Config& c, const std::string& v) {
           auto ns = ParseGoDuration(v);
           if (!ns || *ns < 0 || *ns > 1000000000)
             Invalid("collector.write-linger", v, "expected a duration from 0s to 1s, like 2ms");
           c.pipeline.group_linger = std::chrono::microseconds(*ns / 1000);
         }});
    o.push_back({"collector.otlp.enabled", "true", "receive OTLP (gRPC and HTTP)",
                 Bool("collector.otlp.enabled", [](Config& c) -> bool& { return c.otlp_enabled; }),
                 true});
    o.push_back({"collector.otlp.grpc.host-port", ":4317",
                 "OTLP/gRPC listen address (\"off\" disables)",
                 HostPort("collector.otlp.grpc.host-port", &Config::otlp_grpc_host_port)});
    o.push_back({"collector.otlp.http.host-port", ":4318",
                 "OTLP/HTTP listen address (\"off\" disables)",
                 HostPort("collector.otlp.http.host-port", &Config::otlp_http_host_port)});
    o.push_back({"collector.otlp.http.max-request-size", "64MiB",
                 "largest OTLP request accepted (after decompression; also the gRPC message limit)",
                 [](Config& c, const std::string& v) {
                   auto n = ParseByteSize(v);
                   if (!n || *n == 0 || *n > (1ULL << 31)) {
                     Invalid("collector.otlp.http.max-request-size", v,
                             "expected a size like 1000, 512KiB or 64MiB (at most 2GiB)");
                   }
                   c.otlp_max_request_bytes = *n;
                 }});
    o.push_back({"collector.http-server.host-port", ":14268",
                 "Jaeger Thrift over HTTP (POST /api/traces) listen address (\"off\" disables)",
                 HostPort("collector.http-server.host-port", &Config::jaeger_http_host_port)});
    o.push_back({"collector.grpc-server.host-port", ":14250",
                 "Jaeger gRPC (CollectorService/PostSpans) listen address (\"off\" disables)",
                 HostPort("collector.grpc-server.host-port", &Config::jaeger_grpc_host_port)});
    o.push_back(
        {"processor.jaeger-compact.server-host-port", ":6831",
         "Jaeger Thrift compact over UDP listen address (\"off\" disables)",
         HostPort("processor.jaeger-compact.server-host-port", &Config::jaeger_compact_host_port)});
    o.push_back(
        {"processor.jaeger-binary.server-host-port", ":6832",
         "Jaeger Thrift binary over UDP listen address (\"off\" disables)",
         HostPort("processor.jaeger-binary.server-host-port", &Config::jaeger_binary_host_port)});
    o.push_back({"collector.zipkin.host-port", ":9411",
                 "Zipkin (POST /api/v2/spans) listen address (\"off\" disables)",
                 HostPort("collector.zipkin.host-port", &Config::zipkin_host_port)});
    o.push_back({"buffer.type", "none",
                 "where a collector sends spans: none (storage) or nats (the JetStream stream "
                 "that ingesters consume)",
                 [](Config& c, const std::string& v) {
                   if (v != "none" && v != "nats")
                     Invalid("buffer.type", v, "expected none or nats");
                   c.buffer_type = v;
                 }});
    o.push_back({"nats.url", "nats://127.0.0.1:4222", "NATS servers, comma-separated",
                 [](Config& c, const std::string& v) {
                   c.nats.servers.clear();
                   for (std::string_view url : SplitList(v)) {
                     if (url.empty() || url.find(' ') != std::string_view::npos)
                       Invalid("nats.url", v, "expected nats://HOST:PORT[,nats://HOST:PORT...]");
                     c.nats.servers.emplace_back(url);
                   }
                 }});
    o.push_back({"nats.stream", "spoor-spans", "JetStream stream that buffers the spans",
                 [](Config& c, const std::string& v) {
                   if (v.empty() || v.find_first_of(" .*>") != std::string::npos)
                     Invalid("nats.stream", v, "a stream name has no spaces, '.', '*' or '>'");
                   c.nats.stream = v;
                 }});
    o.push_back({"nats.subject", "spoor.spans", "subject the collectors publish batches on",
                 [](Config& c, const std::string& v) {
                   if (v.empty() || v.find_first_of(" *>") != std::string::npos)
                     Invalid("nats.subject", v, "expected a subject without wildcards");
                   c.nats.subject = v;
                 }});
    o.push_back({"nats.partitions", "1",
                 "partitions of the stream by trace ID (1 to 64), so that with tail sampling "
                 "each ingester sees whole traces; collectors and ingesters must agree",
                 [](Config& c, const std::string& v) {
                   auto n = ParseInt64(v);
                   if (!n || *n < 1 || *n > 64) Invalid("nats.partitions", v, "expected 1 to 64");
                   c.nats.partitions = static_cast<int>(*n);
                 }});
    o.push_back({"nats.partition-lease", "15s",
                 "with tail sampling, how long an ingester's hold on a partition lasts "
                 "unrenewed (renewed every third of it): the others take over a dead "
                 "ingester's partitions after it",
                 [](Config& c, const std::string& v) {
                   auto ns = ParseGoDuration(v);
                   if (!ns || *ns < 300'000'000)
                     Invalid("nats.partition-lease", v, "expected a duration of 300ms or more");
                   c.nats.partition_lease_ns = *ns;
                 }});
    o.push_back({"nats.replicas", "1", "copies of the stream in a NATS cluster (1 to 5)",
                 [](Config& c, const std::string& v) {
                   auto n = ParseInt64(v);
                   if (!n || *n < 1 || *n > 5) Invalid("nats.replicas", v, "expected 1 to 5");
                   c.nats.replicas = static_cast<int>(*n);
                 }});
    o.push_back({"nats.max-bytes", "1GiB",
                 "most the stream holds; when full, collectors answer 503 / UNAVAILABLE",
                 [](Config& c, const std::string& v) {
                   auto n = ParseByteSize(v);
                   if (!n || *n == 0 || *n > (uint64_t{1} << 50))
                     Invalid("nats.max-bytes", v, "expected a size like 512MiB or 10GiB");
                   c.nats.max_bytes = static_cast<int64_t>(*n);
                 }});
    o.push_back(
        {"nats.max-age", "24h", "how long the stream keeps a batch nobody consumed",
         Duration(
             "nats.max-age", [](Config& c) -> int64_t& { return c.nats.max_age_ns; }, "24h")});
    o.push_back({"nats.duplicate-window", "2m",
                 "how long JetStream remembers message IDs to drop a retried publish",
                 Duration(
                     "nats.duplicate-window",
                     [](Config& c) -> int64_t& { return c.nats.duplicate_window_ns; }, "2m")});
    o.push_back(
        {"nats.create-stream", "true",
         "create the stream (and the ingesters' consumer) when missing",
         Bool("nats.create-stream", [](Config& c) -> bool& { return c.nats.create_stream; }),
         true});
    o.push_back({"nats.consumer", "spoor-ingester", "durable consumer the ingesters share",
                 [](Config& c, const std::string& v) {
                   if (v.empty() || v.find_first_of(" .*>") != std::string::npos)
                     Invalid("nats.consumer", v, "a consumer name has no spaces, '.', '*' or '>'");
                   c.nats.consumer = v;
                 }});
    o.push_back({"nats.fetch-batch", "64", "messages an ingester fetches at a time (at most 10000)",
                 [](Config& c, const std::string& v) {
                   auto n = ParseInt64(v);
                   if (!n || *n < 1 || *n > 10000)
                     Invalid("nats.fetch-batch", v, "expected 1 to 10000");
                   c.nats.fetch_batch = static_cast<int>(*n);
                 }});
    o.push_back(
        {"nats.ack-wait", "30s",
         "how long a fetched batch may take to be stored before NATS redelivers it",
         Duration(
             "nats.ack-wait", [](Config& c) -> int64_t& { return c.nats.ack_wait_ns; }, "30s")});
    o.push_back({"nats.publish-timeout", "5s",
                 "how long a collector waits for JetStream to acknowledge a batch before "
                 "answering 503 / UNAVAILABLE",
                 Duration(
                     "nats.publish-timeout",
                     [](Config& c) -> int64_t& { return c.nats.publish_timeout_ns; }, "5s")});
    o.push_back({"nats.token", "", "token to authenticate to NATS",
                 Text([](Config& c) -> std::string& { return c.nats.token; })});
    o.push_back({"nats.user", "", "user name to authenticate to NATS",
                 Text([](Config& c) -> std::string& { return c.nats.user; })});
    o.push_back({"nats.password", "", "password of --nats.user",
                 Text([](Config& c) -> std::string& { return c.nats.password; })});
    o.push_back({"nats.credentials", "", "NATS credentials file (JWT and NKey seed)",
                 Text([](Config& c) -> std::string& { return c.nats.credentials_file; })});
    o.push_back({"nats.tls.enabled", "false",
                 "TLS to the NATS servers (tls:// URLs need it too), verifying them",
                 Bool("nats.tls.enabled", [](Config& c) -> bool& { return c.nats.tls; }), true});
    o.push_back({"nats.tls.ca", "", "PEM file of the CA of the NATS servers (empty: the system's)",
                 Text([](Config& c) -> std::string& { return c.nats.tls_ca_file; })});
    o.push_back({"nats.tls.cert", "", "PEM file: a client certificate for NATS",
                 Text([](Config& c) -> std::string& { return c.nats.tls_cert_file; })});
    o.push_back({"nats.tls.key", "", "PEM file: the client certificate's private key",
                 Text([](Config& c) -> std::string& { return c.nats.tls_key_file; })});
    o.push_back({"nats.tls.server-name", "",
                 "the name the NATS servers' certificates must carry (empty: each URL's host)",
                 Text([](Config& c) -> std::string& { return c.nats.tls_server_name; })});
    o.push_back({"nats.tls.skip-host-verify", "false",
                 "do not verify the NATS servers' certificates (never in production)",
                 Bool("nats.tls.skip-host-verify",
                      [](Config& c) -> bool& { return c.nats.tls_skip_host_verify; }),
                 true});
    o.push_back({"ingester.parallelism", "2", "fetch-and-write loops per ingester (at most 64)",
                 [](Config& c, const std::string& v) {
                   auto n = ParseInt64(v);
                   if (!n || *n < 1 || *n > 64)
                     Invalid("ingester.parallelism", v, "expected 1 to 64");
                   c.nats.parallelism = static_cast<int>(*n);
                 }});
    o.push_back(
        {"span-metrics.enabled", "true",
         "count calls, errors and latency per service and operation (the Monitor tab)",
         Bool("span-metrics.enabled", [](Config& c) -> bool& { return c.span_metrics.enabled; }),
         true});
    o.push_back({"span-metrics.prometheus", "false",
                 "also serve them on /metrics as traces_span_metrics_* series (one series per "
                 "service, operation, kind and status: mind the cardinality)",
                 Bool("span-metrics.prometheus",
                      [](Config& c) -> bool& { return c.span_metrics.prometheus; }),
                 true});
    o.push_back({"span-metrics.max-services", "10000",
                 "services counted apart; further ones are counted as one overflow service",
                 PositiveInt<size_t>("span-metrics.max-services", [](Config& c) -> size_t& {
                   return c.span_metrics.max_services;
                 })});
    o.push_back(
        {"span-metrics.max-operations-per-service", "1000",
         "operations counted apart per service; further ones are counted as one",
         PositiveInt<size_t>("span-metrics.max-operations-per-service", [](Config& c) -> size_t& {
           return c.span_metrics.max_operations_per_service;
         })});
    o.push_back(
        {"span-metrics.flush-interval", "10s", "how often span metrics are written to storage",
         UnsignedDuration(
             "span-metrics.flush-interval",
             [](Config& c) -> uint64_t& { return c.span_metrics.flush_interval_ns; }, "10s")});
    o.push_back(
        {"span-metrics.fine-retention", "24h",
         "how long 10 s span metrics buckets are kept (then 5 min ones)",
         UnsignedDuration(
             "span-metrics.fine-retention",
             [](Config& c) -> uint64_t& { return c.span_metrics.fine_retention_ns; }, "24h")});
    o.push_back({"span-metrics.retention", "168h", "how long 5 min span metrics buckets are kept",
                 UnsignedDuration(
                     "span-metrics.retention",
                     [](Config& c) -> uint64_t& { return c.span_metrics.retention_ns; }, "168h")});
    o.push_back({"query.http-server.host-port", ":16686", "query API and UI listen address",
                 HostPort("query.http-server.host-port", &Config::query_host_port)});
    o.push_back({"archive.span-storage.type", "",
                 "keep archived traces (POST /api/archive/{id}, the UIs' Archive button) in a "
                 "store of this backend (" +
                     StorageTypes() +
                     "), read when the main store no longer has them; empty: no archive",
                 [](Config& c, const std::string& v) {
                   if (!v.empty() && FindStorageBackend(v) == nullptr)
                     Invalid("archive.span-storage.type", v, "supported: " + StorageTypes());
                   c.archive_storage_type = v;
                 }});
    o.push_back({"archive.span-ttl", "0s",
                 "how long archived traces are kept (embedded and ClickHouse; 0s: forever)",
                 [](Config& c, const std::string& v) {
                   auto ns = ParseGoDuration(v);
                   if (!ns || *ns < 0)
                     Invalid("archive.span-ttl", v, "expected a duration like 8760h, or 0s");
                   c.archive_span_ttl_ns = static_cast<uint64_t>(*ns);
                 }});
    o.push_back(
        {"query.grpc-server.host-port", ":16685",
         "query gRPC API (jaeger.api_v3 and api_v2 QueryService) listen address (\"off\" disables)",
         HostPort("query.grpc-server.host-port", &Config::query_grpc_host_port)});
    o.push_back({"query.base-path", "/", "path prefix of the query API and UI, e.g. /jaeger",
                 [](Config& c, const std::string& v) {
                   if (v.empty() || v[0] != '/') Invalid("query.base-path", v, "must start with /");
                   c.query_base_path = v;
                 }});
    o.push_back({"query.static-files", "",
                 "directory of the web UI's built files (default: <binary dir>/ui, "
                 "<binary dir>/../share/spoor/ui, then the source tree's ui/dist)",
                 [](Config& c, const std::string& v) {
                   if (v.empty()) Invalid("query.static-files", v, "expected a directory");
                   c.query_static_files = v;
                 }});
    o.push_back({"query.ui-config", "",
                 "the Jaeger UI's configuration: a JSON file (menus, link patterns, "
                 "dependencies options), or a .js file defining UIConfig()",
                 [](Config& c, const std::string& v) {
                   if (v.empty()) Invalid("query.ui-config", v, "expected a file");
                   c.query_ui_config = v;
                 }});
    o.push_back({"query.max-clock-skew-adjustment", "0s",
                 "largest clock-skew correction applied to a span when reading (0s disables)",
                 [](Config& c, const std::string& v) {
                   auto ns = ParseGoDuration(v);
                   if (!ns || *ns < 0)
                     Invalid("query.max-clock-skew-adjustment", v,
                             "expected a duration like 0s, 500ms or 1m");
                   c.query_max_clock_skew_ns = static_cast<uint64_t>(*ns);
                 }});
    o.push_back({"admin.http.host-port", ":14269",
                 "admin listen address: health, /metrics, /version",
                 HostPort("admin.http.host-port", &Config::admin_host_port)});
    o.push_back({"http-server.host-port", ":5778",
                 "sampling strategies (GET /sampling?service=S) listen address (\"off\" disables)",
                 HostPort("http-server.host-port", &Config::sampling_host_port)});
    AddSecurityOptions(o);
    o.push_back({"sampling.type", "file",
                 "where strategies come from: file (--sampling.strategies-file) or adaptive "
                 "(probabilities that bring each operation to a target rate)",
                 [](Config& c, const std::string& v) {
                   if (v != "file" && v != "adaptive")
                     Invalid("sampling.type", v, "expected file or adaptive");
                   c.sampling_type = v;
                 }});
    // A number above 0; with `fraction`, at most 1.
    auto positive_double = [](const std::string& name, std::function<double&(Config&)> field,
                              bool fraction) -> Setter {
      return [name, field, fraction](Config& c, const std::string& v) {
        auto d = ParseDouble(v);
        if (!d || !(*d > 0) || !std::isfinite(*d) || (fraction && *d > 1)) {
          Invalid(name, v, fraction ? "expected a number in (0, 1]" : "expected a positive number");
        }
        field(c) = *d;
      };
    };
    o.push_back(
        {"sampling.target-samples-per-second", "1",
         "adaptive: sampled traces per second wanted for each operation",
         positive_double(
             "sampling.target-samples-per-second",
             [](Config& c) -> double& { return c.adaptive.target_samples_per_second; }, false)});
    o.push_back({"sampling.delta-tolerance", "0.3",
                 "adaptive: an operation within this fraction of the target keeps its probability",
                 positive_double(
                     "sampling.delta-tolerance",
                     [](Config& c) -> double& { return c.adaptive.delta_tolerance; }, true)});
    o.push_back({"sampling.buckets-for-calculation", "1",
                 "adaptive: how many recent intervals an operation's rate is averaged over",
                 PositiveInt<int>("sampling.buckets-for-calculation", [](Config& c) -> int& {
                   return c.adaptive.buckets_for_calculation;
                 })});
    o.push_back(
        {"sampling.calculation-interval", "1m",
         "adaptive: how often throughput is saved and probabilities recalculated",
         UnsignedDuration(
             "sampling.calculation-interval",
             [](Config& c) -> uint64_t& { return c.adaptive.calculation_interval_ns; }, "1m")});
    o.push_back({"sampling.aggregation-buckets", "10",
                 "adaptive: intervals of throughput the leader keeps in memory",
                 PositiveInt<int>("sampling.aggregation-buckets", [](Config& c) -> int& {
                   return c.adaptive.aggregation_buckets;
                 })});
    o.push_back(
        {"sampling.delay", "2m",
         "adaptive: how far behind now the leader reads throughput (every collector saved it)",
         UnsignedDuration(
             "sampling.delay", [](Config& c) -> uint64_t& { return c.adaptive.delay_ns; }, "2m")});
    o.push_back(
        {"sampling.initial-sampling-probability", "0.001",
         "adaptive: the probability of an operation not yet calculated",
         positive_double(
             "sampling.initial-sampling-probability",
             [](Config& c) -> double& { return c.adaptive.initial_sampling_probability; }, true)});
    o.push_back(
        {"sampling.min-sampling-probability", "1e-05",
         "adaptive: the lowest probability calculated",
         positive_double(
             "sampling.min-sampling-probability",
             [](Config& c) -> double& { return c.adaptive.min_sampling_probability; }, true)});
    o.push_back(
        {"sampling.min-samples-per-second", "0.016666666666666666",
         "adaptive: the lower bound of sampled traces per second clients apply to each operation",
         positive_double(
             "sampling.min-samples-per-second",
             [](Config& c) -> double& { return c.adaptive.min_samples_per_second; }, false)});
    o.push_back(
        {"sampling.leader-lease-refresh-interval", "5s",
         "adaptive: how often the leader renews its lease",
         UnsignedDuration(
             "sampling.leader-lease-refresh-interval",
             [](Config& c) -> uint64_t& { return c.adaptive.leader_lease_refresh_interval_ns; },
             "5s")});
    o.push_back(
        {"sampling.follower-lease-refresh-interval", "1m",
         "adaptive: how often a follower tries to become the leader and re-reads the "
         "probabilities (also how long a lease lasts)",
         UnsignedDuration(
             "sampling.follower-lease-refresh-interval",
             [](Config& c) -> uint64_t& { return c.adaptive.follower_lease_refresh_interval_ns; },
             "1m")});
    o.push_back({"sampling.strategies-file", "",
                 "JSON file of sampling strategies (without it every service samples everything)",
                 [](Config& c, const std::string& v) { c.sampling_strategies_file = v; }});
    o.push_back({"sampling.strategies-reload-interval", "0s",
                 "how often the strategies file is re-read (0s never re-reads it)",
                 [](Config& c, const std::string& v) {
                   auto ns = ParseGoDuration(v);
                   if (!ns || *ns < 0)
                     Invalid("sampling.strategies-reload-interval", v,
                             "expected a duration like 0s, 10s or 1m");
                   c.sampling_reload_interval_ns = static_cast<uint64_t>(*ns);
                 }});
    return o;
  }();
  return kOptions;
}

const Option* FindOption(const std::string& name) {
  for (const Option& o : Options()) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

void Apply(Config& c, const std::string& name, const std::string& value, const std::string& where) {
  const Option* o = FindOption(name);
  if (o == nullptr || !o->set)
    throw ConfigError("unknown " + where + " '" + name + "' (see spoor --help)");
  o->set(c, value);
}

void Flatten(const YAML::Node& node, const std::string& prefix,
             std::map<std::string, std::string>* out) {
  if (node.IsMap()) {
    for (const auto& kv : node) {
      std::string key = kv.first.as<std::string>();
      Flatten(kv.second, prefix.empty() ? key : std::string(prefix).append(".").append(key), out);
    }
  } else if (node.IsScalar()) {
    (*out)[prefix] = node.Scalar();
  } else if (node.IsNull()) {
    (*out)[prefix] = "";
  } else {
    throw ConfigError("config file key '" + prefix + "' must be a single value");
  }
}

void LoadYaml(Config& c, const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw ConfigError("cannot read config file '" + path + "'");
  } catch (const YAML::Exception& e) {
    throw ConfigError("config file '" + path + "' is not valid YAML: " + e.msg + " at line " +
                      std::to_string(e.mark.line + 1));
  }
  if (root.IsNull()) return;
  if (!root.IsMap()) throw ConfigError("config file '" + path + "' must hold a map of keys");
  // Tail sampling's policies are a structure, not flags: read as the
  // OpenTelemetry Collector's tail_sampling processor takes them.
  if (YAML::Node tail = root["tail_sampling"]) {
    // The ingesters apply it behind NATS; a query node has no use for it.
    if ((RoleBitOf(c.role) & (kAllInOne | kCollector | kIngester)) != 0) {
      auto parsed = ParseTailSampling(tail);
      if (!parsed.ok())
        throw ConfigError("config file '" + path + "': " + parsed.status().message());
      c.tail_sampling = std::move(parsed).value();
    }
    root.remove("tail_sampling");
  }
  std::map<std::string, std::string> flat;
  Flatten(root, "", &flat);
  for (const auto& [key, value] : flat) {
    // Keys of other roles are skipped: one file can serve every role.
    if (FindOption(key) != nullptr && (RolesOf(key) & RoleBitOf(c.role)) == 0) continue;
    Apply(c, key, value, "config file key");
  }
}

// Each listener's TLS options on their own (the files are read when the
// listener starts); gRPC listeners take what their library can honour.
void ValidateTls(const Config& c) {
  for (const TlsListener& l : kTlsListeners) {
    auto it = c.tls.find(l.prefix);
    if (it == c.tls.end() || !it->second.enabled) continue;
    const TlsServerOptions& o = it->second;
    const std::string p = std::string("--") + l.prefix + ".tls";
    if (Status s = ValidateTlsServerOptions(o, p); !s.ok()) throw ConfigError(s.message());
    if (l.grpc && (o.min_version == "1.3" || !o.max_version.empty() || !o.cipher_suites.empty())) {
      throw ConfigError(p +
                        ": gRPC listeners always accept TLS 1.2 and 1.3 with gRPC's own cipher "
                        "suites; .min-version 1.3, .max-version and .cipher-suites cannot be "
                        "applied to them (docs/security.md)");
    }
  }
}

}  // namespace

ParsedArgs ParseArgs(const std::vector<std::string>& args) {
  ParsedArgs parsed;
  std::vector<std::pair<std::string, std::string>> flags;
  std::string config_file;
  size_t i = 0;
  // "help" and "version" are commands, handled below, not roles.
  if (i < args.size() && !args[i].empty() && args[i][0] != '-' && args[i] != "help" &&
      args[i] != "version") {
    if (std::find(std::begin(kRoles), std::end(kRoles), args[i]) == std::end(kRoles)) {
      throw ConfigError("unknown role '" + args[i] +
                        "' (supported: all-in-one, collector, ingester, query)");
    }
    parsed.config.role = args[i++];
  }
  ApplyRoleDefaults(parsed.config);
  const unsigned role = RoleBitOf(parsed.config.role);
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help" || a == "help") {
      parsed.help = true;
      continue;
    }
    if (a == "--version" || a == "version") {
      parsed.version = true;
      continue;
    }
    if (a.size() < 3 || a[0] != '-' || a[1] != '-')
      throw ConfigError("unexpected argument '" + a + "' (see spoor --help)");
    std::string name = a.substr(2);
    std::string value;
    size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else {
      const Option* o = FindOption(name);
      if (o == nullptr) throw ConfigError("unknown flag '--" + name + "' (see spoor --help)");
      if (o->is_bool) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        throw ConfigError("flag --" + name + " needs a value");
      }
    }
    if (name == "config-file") {
      config_file = value;
    } else {
      if (FindOption(name) == nullptr)
        throw ConfigError("unknown flag '--" + name + "' (see spoor --help)");
      if ((RolesOf(name) & role) == 0) {
        throw ConfigError("flag --" + name + " does not apply to the " + parsed.config.role +
                          " role (see spoor " + parsed.config.role + " --help)");
      }
      flags.emplace_back(name, value);
    }
  }
  if (!config_file.empty()) LoadYaml(parsed.config, config_file);
  for (const auto& [name, value] : flags) Apply(parsed.config, name, value, "flag");
  ValidateTls(parsed.config);
  // Collectors and ingesters agree on the tenants' subjects.
  parsed.config.nats.tenants = parsed.config.tenancy.enabled;

  return parsed;
}

std::string HelpText(const std::string& role) {
  std::string out =
      "Spoor: a distributed tracing system, compatible with Jaeger.\n\n"
      "Usage: spoor [ROLE] [--flag=value ...]\n\n"
      "Roles:\n"
      "  all-in-one  receivers, storage, query API and UI in one process (the default)\n"
      "  collector   receivers and sampling endpoints; writes to storage, or to NATS\n"
      "              JetStream with --buffer.type=nats\n"
      "  ingester    consumes the NATS stream and writes to storage\n"
      "  query       query API and UI over storage\n\n"
      "Flags of the " +
      role + " role (spoor ROLE --help lists another role's):\n";
  Config defaults;
  defaults.role = role;
  ApplyRoleDefaults(defaults);
  const unsigned bit = RoleBitOf(role);
  size_t width = 0;
  for (const Option& o : Options()) width = std::max(width, o.name.size());
  width += 6;  // "  --" and two spaces of separation
  auto line = [&](const std::string& name, const std::string& help) {
    std::string text = "  --" + name;
    text.resize(std::max(width, text.size() + 2), ' ');
    out += text + help + "\n";
  };
  for (const Option& o : Options()) {
    if ((RolesOf(o.name) & bit) == 0) continue;
    std::string def = o.name == "admin.http.host-port" ? defaults.admin_host_port : o.default_text;
    line(o.name, o.help + (def.empty() ? "" : " (default " + def + ")"));
  }
  line("help", "show this text");
  line("version", "print the version");
  return out;
}

}  // namespace spoor
