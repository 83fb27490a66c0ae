// What a role holds while it runs, the steps that assemble it (each adds
// its parts in start order), and the helpers those steps share. Internal to
// app/: roles.cc assembles the roles from these steps.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "app/config.h"
#include "app/parts.h"
#include "buffer/nats/nats_ingester.h"
#include "buffer/nats/nats_publisher.h"
#include "common/metrics.h"
#include "common/time_format.h"
#include "pipeline/span_sink.h"
#include "sampling/adaptive/adaptive_sampler.h"
#include "sampling/adaptive/tenant_adaptive_sampling.h"
#include "sampling/sampling_http.h"
#include "server/admin.h"
#include "server/auth.h"
#include "server/http_server.h"
#include "storage/storage.h"
#include "tailsampling/tail_sampler.h"
#include "tenancy/tenant_stores.h"

namespace spoor::app {

// What a role holds while it runs. Members outlive the parts that refer
// to them: `parts` is declared last, so it is destroyed (and stopped) first.
struct Role {
  explicit Role(const Config& c) : config(c) { admin.started_ns = NowNs(); }
  ~Role() { MetricsRegistry::Global().ClearGauges(); }

  const Config& config;
  AdminState admin;
  std::unique_ptr<Storage> storage;
  std::unique_ptr<Storage> archive;                     // --archive.span-storage.type
  std::unique_ptr<SpanMetricsAggregator> span_metrics;  // null: not counted here
  std::unique_ptr<SpanMetricsFlusher> span_metrics_flusher;
  std::unique_ptr<SpanSink> sink;
  std::unique_ptr<StrategiesHolder> strategies;
  // Adaptive sampling: the throughput counted in front of the sink, the
  // store it is shared through, and the leader/follower loop.
  std::unique_ptr<ThroughputCounter> throughput;
  std::unique_ptr<SpanSink> counting_sink;
  std::unique_ptr<SamplingStore> sampling_store;
  std::unique_ptr<AdaptiveSampler> adaptive;
  std::unique_ptr<TenantAdaptiveSampling> tenant_adaptive;  // with tenants, in place of the above
  // Tail sampling between the receivers and the pipeline.
  std::unique_ptr<TailSampler> tail_sampler;
  std::unique_ptr<NatsIngester> ingester;
  // Multi-tenancy: each tenant's stores (in place of `storage` and the
  // writers), and the empty store that requests without a tenant read.
  std::unique_ptr<TenantStores> tenants;
  std::unique_ptr<Storage> empty_store;
  std::unique_ptr<NatsPublisher> publisher;  // the tenants' sinks publish through it
  Parts parts;
};

// False for an empty or "off" host:port.
bool Enabled(const std::string& host_port);

// The TLS of the listener whose flags start with `prefix`, when enabled:
// the certificate files are read now, and a listener that cannot use them
// stops the start (ConfigError).
std::shared_ptr<TlsServerContext> ListenerTls(const Config& config, const std::string& prefix);

// What lets a request in to the collector's (query false) or the query
// port (query true): tokens and trusted proxies. Throws ConfigError for a
// tokens file that cannot be read.
AuthPolicy AuthFor(const Config& config, bool query);

// A gRPC listener's TLS: its files checked now as an HTTP listener's are
// (gRPC would only find out at the first handshake); gRPC then watches them.
TlsServerOptions GrpcTls(const Config& config, const std::string& prefix);

// The options of an HTTP listener on `host_port`; nullopt when it is off.
std::optional<HttpServerOptions> ServerOptions(const Config& config, const std::string& name,
                                               const std::string& tls_prefix,
                                               const std::string& host_port, size_t max_body,
                                               int threads);

// This process among the others sharing a store or a stream.
std::string ProcessName();

// The archive store's options (--archive.span-storage.type): the storage's,
// in <directory>/archive or the database <database>_archive, with
// --archive.span-ttl.
StorageOptions ArchiveStorageOptions(const Config& config);

// Multi-tenancy: a store, queue and span metrics per tenant instead of one,
// or what `mode` says the role needs of them (tenant_parts.cc).
[[nodiscard]] bool AddTenantStores(Role& role, TenantStoresOptions::Mode mode);

// The archive store (--archive.span-storage.type), and the query API and
// UI over the role's storage or its tenants' (query_parts.cc). False on a
// startup error, logged.
[[nodiscard]] bool AddArchive(Role& role);
[[nodiscard]] bool AddQuery(Role& role);

}  // namespace spoor::app
