#include "app/roles.h"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>
#include <tuple>

#include "app/role.h"
#include "buffer/nats/nats_ingester.h"
#include "buffer/nats/nats_lease_store.h"
#include "buffer/nats/nats_publisher.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "receivers/jaeger/jaeger_receivers.h"
#include "receivers/jaeger_grpc/jaeger_grpc_receiver.h"
#include "receivers/otlp_grpc/otlp_grpc_receiver.h"
#include "receivers/otlp_http/otlp_http_receiver.h"
#include "receivers/tenant_sinks.h"
#include "receivers/zipkin/zipkin_receiver.h"
#include "sampling/adaptive/adaptive_sampler.h"
#include "sampling/clickhouse_sampling_store.h"
#include "sampling/embedded_sampling_store.h"
#include "sampling/memory_sampling_store.h"
#include "sampling/sampling_http.h"
#include "server/admin.h"
#include "server/auth.h"
#include "server/http_server.h"
#include "server/udp_server.h"
#include "tailsampling/tail_sampler.h"
#include "tenancy/tenant_stores.h"

namespace spoor {
namespace app {
namespace {

int WaitForSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

void AddAdmin(Role& role) {
  if (auto o = ServerOptions(role.config, "admin", "admin.http", role.config.admin_host_port,
                             1 << 20, 1)) {
    role.parts.AddServer("admin", std::make_unique<HttpServer>(*o, NewAdminHandler(role.admin)));
  }
}

// Opens the storage; Close() is its last step at shutdown. An ingester's
// spans that the store could not write by then were not acknowledged to the
// stream, which delivers them again: for it that is not a loss.
bool AddStorage(Role& role) {
  auto opened = CreateStorage(role.config.storage);
  if (!opened.ok()) {
    LogError("cannot open storage: ", opened.status().message());
    return false;
  }
  role.storage = std::move(opened).value();
  Storage* storage = role.storage.get();
  bool from_stream = role.config.role == "ingester";
  role.parts.Add("storage", nullptr, [storage, from_stream] {
    Status s = storage->Close();
    if (s.ok()) return s;
    if (from_stream) {
      LogWarn("closing storage: ", s.message(), " (they stay in the NATS stream)");
      return Status::Ok();
    }
    return Unavailable("closing storage failed: " + s.message());
  });
  return true;
}

// Span metrics, counted from what the writers store and flushed into the
// storage's span metrics. Stopped after the writers (the last flush sees
// every span they wrote), before the storage closes.
void AddSpanMetrics(Role& role) {
  const SpanMetricsOptions& options = role.config.span_metrics;
  SpanMetricsStore* store = role.storage->span_metrics();
  if (!options.enabled) return;
  if (store == nullptr) {
    LogInfo("span metrics off: the ", role.storage->name(), " storage does not keep them");
    return;
  }
  role.span_metrics = std::make_unique<SpanMetricsAggregator>(options);
  role.span_metrics_flusher = std::make_unique<SpanMetricsFlusher>(*role.span_metrics, *store);
  SpanMetricsAggregator* aggregator = role.span_metrics.get();
  auto& registry = MetricsRegistry::Global();
  registry.AddGauge("spoor_span_metrics_keys",
                    "Distinct (service, operation, kind) keys of the span metrics", {},
                    [aggregator] { return static_cast<double>(aggregator->key_count()); });
  if (options.prometheus) {
    registry.AddCollector([aggregator](std::string& out) { aggregator->RenderPrometheus(out); });
  }
  SpanMetricsFlusher* flusher = role.span_metrics_flusher.get();
  role.parts.Add(
      "span metrics",
      [flusher] {
        flusher->Start();
        return Status::Ok();
      },
      [flusher] {
        Status s = flusher->Stop();
        if (!s.ok()) LogWarn("span metrics: the last flush failed: ", s.message());
        return Status::Ok();
      });
}

// The local sink: a queue drained into storage by writer threads.
void AddWriters(Role& role) {
  PipelineOptions options = role.config.pipeline;
  options.ack_after_write = FindStorageBackend(role.config.storage.type)
                                ->capabilities(role.config.storage)
                                .ack_after_write;
  auto pipeline = std::make_unique<Pipeline>(options, *role.storage, role.span_metrics.get());
  Pipeline* p = pipeline.get();
  auto& registry = MetricsRegistry::Global();
  registry.AddGauge("spoor_queue_length", "Spans waiting in the queue", {},
                    [p] { return static_cast<double>(p->queue().length_spans()); });
  registry.AddGauge("spoor_queue_capacity", "Capacity of the queue in spans", {},
                    [p] { return static_cast<double>(p->queue().capacity_spans()); });
  Storage* storage = role.storage.get();
  role.parts.Add("writers", nullptr, [p, storage] {
    // Writes everything accepted; a store waiting for a server stops
    // waiting by its own deadline.
    storage->BeginShutdown();
    p->Shutdown();
    return Status::Ok();
  });
  role.sink = std::move(pipeline);
}

// Tail sampling: receivers hand their spans to the sampler, which passes
// the kept traces on to the pipeline. Stopped before the writers, so that
// what it still holds is decided and written.
void AddTailSampling(Role& role) {
  role.tail_sampler = std::make_unique<TailSampler>(role.config.tail_sampling, *role.sink);
  TailSampler* sampler = role.tail_sampler.get();
  MetricsRegistry::Global().AddGauge(
      "spoor_tail_sampling_traces_held", "Traces held by tail sampling, waiting for their decision",
      {}, [sampler] { return static_cast<double>(sampler->held_traces()); });
  role.parts.Add(
      "tail sampling",
      [sampler] {
        sampler->Start();
        return Status::Ok();
      },
      [sampler] {
        sampler->Stop();
        return Status::Ok();
      });
  LogInfo("tail sampling: ", role.config.tail_sampling.policies.size(), " policies, decision wait ",
          FormatGoDuration(static_cast<int64_t>(role.config.tail_sampling.decision_wait_ns)));
}

// The NATS publisher as the sink: batches go to the stream.
void AddPublisher(Role& role) {
  auto publisher = std::make_unique<NatsPublisher>(role.config.nats);
  NatsPublisher* p = publisher.get();
  role.parts.Add(
      "NATS publisher", [p] { return p->Start(); },
      [p] {
        p->Stop();
        return Status::Ok();
      });
  role.sink = std::move(publisher);
}

// Strategies from the file (re-read every interval), served on the sampling
// port; the Jaeger receivers serve them too.
bool AddSampling(Role& role) {
  const Config& config = role.config;
  SamplingStrategies initial = DefaultStrategies(1.0);
  bool adaptive = config.sampling_type == "adaptive";
  if (adaptive) {
    initial = AdaptiveStrategies(config.adaptive, {});
    if (!config.sampling_strategies_file.empty()) {
      LogWarn("--sampling.strategies-file is not read with --sampling.type=adaptive");
    }
  } else if (!config.sampling_strategies_file.empty()) {
    auto loaded = LoadStrategiesFile(config.sampling_strategies_file);
    if (!loaded.ok()) {
      LogError(loaded.status().message());
      return false;
    }
    initial = std::move(loaded).value();
  }
  role.strategies = std::make_unique<StrategiesHolder>(
      std::move(initial), adaptive ? "" : config.sampling_strategies_file);
  StrategiesHolder* strategies = role.strategies.get();
  if (!adaptive && !config.sampling_strategies_file.empty() &&
      config.sampling_reload_interval_ns > 0) {
    auto reload = std::make_shared<std::jthread>();
    auto interval = std::chrono::nanoseconds(config.sampling_reload_interval_ns);
    role.parts.Add(
        "sampling reload",
        [reload, strategies, interval] {
          *reload = std::jthread([strategies, interval](const std::stop_token& stop) {
            std::mutex mu;
            std::condition_variable_any cv;
            std::unique_lock<std::mutex> lock(mu);
            while (true) {
              // Returns early only when a stop is requested.
              std::ignore = cv.wait_for(lock, stop, interval, [] { return false; });
              if (stop.stop_requested()) break;
              if (strategies->Reload().ok()) LogDebug("reloaded sampling strategies");
            }
          });
          return Status::Ok();
        },
        [reload] {
          reload->request_stop();
          if (reload->joinable()) reload->join();
          return Status::Ok();
        });
  }
  if (auto o =
          ServerOptions(config, "sampling", "http-server", config.sampling_host_port, 1 << 20, 1)) {
    role.parts.AddServer(
        "sampling", std::make_unique<HttpServer>(*o, [strategies](const HttpRequest& req) {
          if (req.path != "/" && req.path != "/sampling")
            return HttpResponse::Text(404, "unknown path " + req.path + "; use GET /sampling\n");
          HttpResponse r = strategies->Handle(req);
          r.route = req.path;
          return r;
        }));
  }
  return true;
}

// The sampling store adaptive sampling shares throughput and probabilities
// through: in memory, beside the embedded store's data, or in ClickHouse;
// `s` is the storage (or a tenant's). Collectors sharing ClickHouse take the
// leader's lease in the NATS key-value bucket `lease_bucket` when they have
// NATS (the buffer): ClickHouse has no compare-and-set.
Result<std::unique_ptr<SamplingStore>> OpenSamplingStore(const Config& config,
                                                         const StorageOptions& s,
                                                         const std::string& lease_bucket) {
  if (s.type == "memory") return NewMemorySamplingStore();
  if (s.type == "clickhouse") {
    auto data = OpenClickHouseSamplingStore(s.clickhouse);
    if (!data.ok() || config.buffer_type != "nats") return data;
    return OpenNatsLeaseStore(config.nats, lease_bucket, std::move(data).value());
  }
  return OpenEmbeddedSamplingStore(s.embedded.directory + "/sampling", s.embedded.sync_writes);
}

void WarnOfLocalLeases(const Config& config) {
  if (config.storage.type == "clickhouse" && config.buffer_type != "nats") {
    LogWarn(
        "adaptive sampling on ClickHouse without NATS: the leader's lease is held in this "
        "process, so each collector calculates (docs/sampling.md)");
  }
}

// Adaptive sampling for each tenant apart: its own counter, store (in the
// tenant's place), lease and strategies, served to polls naming the tenant.
void AddTenantAdaptiveSampling(Role& role) {
  const Config& config = role.config;
  WarnOfLocalLeases(config);
  auto open = [&config](const std::string& tenant) {
    return OpenSamplingStore(config, TenantStorageOptions(config.storage, tenant, config.tenancy),
                             config.nats.stream + "-sampling-leases-" + tenant);
  };
  role.tenant_adaptive =
      std::make_unique<TenantAdaptiveSampling>(config.adaptive, ProcessName(), std::move(open));
  TenantAdaptiveSampling* sampling = role.tenant_adaptive.get();
  TenantStores* tenants = role.tenants.get();
  // A poll naming a tenant this process serves gets that tenant's
  // strategies; other polls the defaults (the initial probability).
  role.strategies->SetTenantSource(
      config.tenancy.header,
      [sampling, tenants](std::string_view name) -> std::shared_ptr<const SamplingStrategies> {
        std::string tenant(name);
        if (!CheckTenantName(tenant).ok() || tenants->Find(tenant) == nullptr) return nullptr;
        auto opened = sampling->Open(tenant);
        return opened.ok() ? opened.value()->strategies->Get() : nullptr;
      });
  role.parts.Add("adaptive sampling", nullptr, [sampling] {
    sampling->Stop();
    return Status::Ok();
  });
}

// --sampling.type=adaptive: strategies calculated from the throughput the
// receivers see, served by the same endpoints as the file's.
bool AddAdaptiveSampling(Role& role) {
  const Config& config = role.config;
  if (role.tenants) {
    AddTenantAdaptiveSampling(role);
    return true;
  }
  WarnOfLocalLeases(config);
  auto store = OpenSamplingStore(config, config.storage, config.nats.stream + "-sampling-leases");
  if (!store.ok()) {
    LogError("cannot open the sampling store: ", store.status().message());
    return false;
  }
  role.sampling_store = std::move(store).value();
  role.throughput = std::make_unique<ThroughputCounter>();
  SpanSink& next = role.tail_sampler ? static_cast<SpanSink&>(*role.tail_sampler) : *role.sink;
  role.counting_sink = std::make_unique<ThroughputCountingSink>(next, *role.throughput);
  role.adaptive = std::make_unique<AdaptiveSampler>(
      config.adaptive, ProcessName(), *role.sampling_store, *role.throughput, *role.strategies);
  AdaptiveSampler* adaptive = role.adaptive.get();
  MetricsRegistry::Global().AddGauge("spoor_sampling_leader",
                                     "1 while this collector calculates adaptive sampling", {},
                                     [adaptive] { return adaptive->is_leader() ? 1.0 : 0.0; });
  role.parts.Add(
      "adaptive sampling", [adaptive] { return adaptive->Start(); },
      [adaptive] {
        adaptive->Stop();
        return Status::Ok();
      });
  return true;
}

void AddReceivers(Role& role) {
  const Config& config = role.config;
  SpanSink& sink = role.counting_sink  ? *role.counting_sink
                   : role.tail_sampler ? static_cast<SpanSink&>(*role.tail_sampler)
                                       : *role.sink;
  StrategiesHolder* strategies = role.strategies.get();
  // Sending spans needs a token when a tokens file is given; the remote
  // sampling routes stay open (they hand out no data, and Jaeger's clients
  // cannot send one).
  AuthPolicy auth = AuthFor(config, false);
  TenantSinks tenant_sinks;
  if (role.tenants) {
    auto resolver = std::make_shared<TenantResolver>(config.tenancy, auth.tokens);
    tenant_sinks.header = config.tenancy.header;
    tenant_sinks.pick = [resolver, tenants = role.tenants.get(),
                         sampling = role.tenant_adaptive.get()](
                            std::string_view tenant, std::string_view authorization,
                            const std::string& server) -> Result<SpanSink*> {
      auto name = resolver->Resolve(tenant, authorization, server);
      if (!name.ok()) return name.status();
      auto sink = tenants->SinkFor(name.value(), server);
      if (!sink.ok() || sampling == nullptr) return sink;
      // Adaptive sampling counts the tenant's roots in front of its sink.
      return sampling->CountingSink(name.value(), *sink.value());
    };
  }
  auto add_http = [&](const char* name, const char* what, const char* tls_prefix,
                      const std::string& host_port,
                      const std::function<HttpReceiverHandlers(SpanSink&)>& make,
                      const std::vector<std::string>& guarded = {}) {
    auto o = ServerOptions(config, name, tls_prefix, host_port, config.otlp_max_request_bytes, 2);
    if (!o) return;
    HttpReceiverHandlers handlers = make(sink);
    o->on_body_too_large = handlers.body_too_large;
    HttpHandler handle = handlers.handle;
    if (tenant_sinks.enabled()) {
      handle = WithTenantSinks(
          tenant_sinks, [make](SpanSink& s) { return make(s).handle; }, std::move(handle), name,
          guarded);
    }
    if (auth.enabled()) handle = RequireAuth(std::move(handle), auth, name, guarded);
    role.parts.AddServer(what, std::make_unique<HttpServer>(*o, std::move(handle)));
  };
  if (config.otlp_enabled) {
    OtlpHttpOptions http;
    http.max_request_bytes = config.otlp_max_request_bytes;
    add_http("otlp_http", "OTLP/HTTP", "collector.otlp.http", config.otlp_http_host_port,
             [http](SpanSink& s) -> HttpReceiverHandlers {
               OtlpHttpHandlers otlp = NewOtlpHttpHandlers(http, s);
               return {otlp.handle, otlp.body_too_large};
             });
    if (Enabled(config.otlp_grpc_host_port)) {
      OtlpGrpcOptions grpc;
      std::string host;
      if (ParseHostPort(config.otlp_grpc_host_port, &host, &grpc.port)) grpc.host = host;
      grpc.max_message_bytes = config.otlp_max_request_bytes;
      grpc.tls = GrpcTls(config, "collector.otlp.grpc");
      grpc.auth = auth;
      grpc.tenants = tenant_sinks;
      role.parts.AddServer("OTLP/gRPC", NewOtlpGrpcReceiver(grpc, sink));
    }
  }
  if (Enabled(config.jaeger_grpc_host_port)) {
    JaegerGrpcOptions grpc;
    std::string host;
    if (ParseHostPort(config.jaeger_grpc_host_port, &host, &grpc.port)) grpc.host = host;
    grpc.max_message_bytes = config.otlp_max_request_bytes;
    grpc.tls = GrpcTls(config, "collector.grpc");
    grpc.auth = auth;
    grpc.tenants = tenant_sinks;
    role.parts.AddServer("Jaeger gRPC", NewJaegerGrpcReceiver(grpc, sink, strategies));
  }
  JaegerHttpOptions jaeger_http;
  jaeger_http.max_request_bytes = config.otlp_max_request_bytes;
  jaeger_http.sampling = [strategies](const HttpRequest& req) { return strategies->Handle(req); };
  add_http("jaeger_http", "Jaeger Thrift/HTTP", "collector.http", config.jaeger_http_host_port,
           [jaeger_http](SpanSink& s) { return NewJaegerHttpHandlers(jaeger_http, s); },
           {"/api/traces"});
  ZipkinOptions zipkin;
  zipkin.max_request_bytes = config.otlp_max_request_bytes;
  add_http("zipkin", "Zipkin", "collector.zipkin", config.zipkin_host_port,
           [zipkin](SpanSink& s) { return NewZipkinHandlers(zipkin, s); });
  for (auto [name, what, host_port, protocol] :
       {std::tuple{"jaeger_compact", "Jaeger compact UDP", config.jaeger_compact_host_port,
                   ThriftProtocol::kCompact},
        std::tuple{"jaeger_binary", "Jaeger binary UDP", config.jaeger_binary_host_port,
                   ThriftProtocol::kBinary}}) {
    if (!Enabled(host_port)) continue;
    if (role.tenants) {
      LogInfo(what, " off: datagrams carry no tenant (--multi-tenancy.enabled)");
      continue;
    }
    UdpServerOptions o;
    o.name = name;
    if (!ParseHostPort(host_port, &o.host, &o.port)) continue;
    role.parts.AddServer(what,
                         std::make_unique<UdpServer>(o, NewJaegerAgentHandler(protocol, sink)));
  }
}

// The ingester: batches from the stream straight into storage, or, with
// tail sampling, into the sampler in front of the writers.
void AddIngester(Role& role) {
  if (TenantStores* tenants = role.tenants.get()) {
    // Each message to its tenant's store (the tenant is in its subject), or
    // with tail sampling to its sampler, in front of its queue.
    const bool tail_sampling = role.config.tail_sampling.enabled;
    auto targets =
        [tenants, tail_sampling](const std::string& tenant) -> Result<NatsIngester::TenantTarget> {
      auto opened = tenants->Open(tenant, "nats");
      if (!opened.ok()) return opened.status();
      TenantStores::Tenant* t = opened.value();
      if (!tail_sampling)
        return NatsIngester::TenantTarget{t->storage.get(), t->span_metrics.get()};
      auto sink = tenants->SinkFor(tenant, "nats");
      if (!sink.ok()) return sink.status();
      return NatsIngester::TenantTarget{t->storage.get(), nullptr, sink.value()};
    };
    role.ingester =
        std::make_unique<NatsIngester>(role.config.nats, std::move(targets),
                                       role.config.storage.type, tail_sampling, ProcessName());
  } else {
    role.ingester =
        std::make_unique<NatsIngester>(role.config.nats, *role.storage, role.span_metrics.get(),
                                       role.tail_sampler.get(), ProcessName());
  }
  NatsIngester* ingester = role.ingester.get();
  Storage* storage = role.storage.get();
  TenantStores* tenants = role.tenants.get();
  auto& registry = MetricsRegistry::Global();
  registry.AddGauge("spoor_ingester_partitions_owned",
                    "Partitions of the stream this ingester reads", {},
                    [ingester] { return static_cast<double>(ingester->partitions_owned()); });
  registry.AddGauge("spoor_ingester_pending_messages",
                    "Batches in the stream not yet delivered to an ingester", {},
                    [ingester] { return static_cast<double>(ingester->pending_messages()); });
  registry.AddGauge("spoor_ingester_unacknowledged_messages",
                    "Batches delivered to ingesters and not yet acknowledged", {}, [ingester] {
                      return static_cast<double>(ingester->unacknowledged_messages());
                    });
  role.parts.Add(
      "NATS ingester", [ingester] { return ingester->Start(); },
      [ingester, storage, tenants] {
        // Whatever is being written is finished (and acknowledged) or given
        // back to the stream; nothing is lost here.
        if (storage != nullptr) storage->BeginShutdown();
        if (tenants != nullptr) {
          tenants->ForEach([](const TenantStores::Tenant& t) { t.storage->BeginShutdown(); });
        }
        ingester->Stop();
        return Status::Ok();
      });
}

// Assembles the role's parts in start order; false on a startup error.
bool Assemble(Role& role) {
  const Config& config = role.config;
  AddAdmin(role);
  if (config.role == "ingester") {
    if (config.tenancy.enabled) {
      // With tail sampling, each tenant's sampler and queue in front of its store.
      if (!AddTenantStores(role, config.tail_sampling.enabled
                                     ? TenantStoresOptions::Mode::kQueue
                                     : TenantStoresOptions::Mode::kStore)) {
        return false;
      }
      AddIngester(role);
      return true;
    }
    if (!AddStorage(role)) return false;
    AddSpanMetrics(role);
    if (config.tail_sampling.enabled) {
      AddWriters(role);
      AddTailSampling(role);
    }
    AddIngester(role);
    return true;
  }
  if (config.role == "query") {
    return (config.tenancy.enabled ? AddTenantStores(role, TenantStoresOptions::Mode::kRead)
                                   : AddStorage(role)) &&
           AddArchive(role) && AddQuery(role);
  }
  bool buffered = config.role == "collector" && config.buffer_type == "nats";
  if (buffered) {
    AddPublisher(role);
    if (config.tenancy.enabled && !AddTenantStores(role, TenantStoresOptions::Mode::kPublish)) {
      return false;
    }
    if (config.tail_sampling.enabled) {
      LogInfo(
          "tail_sampling is applied by the ingesters, not by a collector publishing to NATS "
          "(which sees part of each trace): give them the configuration, and "
          "--nats.partitions to spread the traces (docs/tail-sampling.md)");
    }
  } else if (config.tenancy.enabled) {
    if (!AddTenantStores(role, TenantStoresOptions::Mode::kQueue)) return false;
    if (config.tail_sampling.enabled) {
      LogInfo("tail sampling: ", config.tail_sampling.policies.size(), " policies, decision wait ",
              FormatGoDuration(static_cast<int64_t>(config.tail_sampling.decision_wait_ns)),
              ", for each tenant apart");
    }
  } else {
    if (!AddStorage(role)) return false;
    AddSpanMetrics(role);
    AddWriters(role);
    if (config.tail_sampling.enabled) AddTailSampling(role);
  }
  if (!AddSampling(role)) return false;
  // After the sampling strategies, which the query API shows for the UI.
  if (config.role == "all-in-one" && !(AddArchive(role) && AddQuery(role))) return false;
  if (config.sampling_type == "adaptive" && !AddAdaptiveSampling(role)) return false;
  AddReceivers(role);
  return true;
}

}  // namespace
}  // namespace app

int RunRole(const Config& config) {
  app::Role role(config);
  bool ok = app::Assemble(role) && role.parts.StartAll();
  if (ok) {
    role.admin.ready = true;
    std::string what = "spoor " + config.role + " started";
    if (role.storage) what += " with " + std::string(role.storage->name()) + " storage";
    if (role.tenants && !role.publisher) {
      what += " with " + config.storage.type + " storage for each tenant";
    }
    if (config.role == "collector" && config.buffer_type == "nats") what += " publishing to NATS";
    LogInfo(what);
    int sig = app::WaitForSignal();
    LogInfo("received ", sig == SIGINT ? "SIGINT" : "SIGTERM", "; shutting down");
  }
  role.admin.ready = false;
  // Receivers stop first, then what they fed, storage last.
  bool stopped = role.parts.StopAll();
  LogInfo("stopped");
  return ok && stopped ? 0 : 1;
}

}  // namespace spoor
