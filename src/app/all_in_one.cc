#include "app/all_in_one.h"

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>
#include <tuple>

#include "common/log.h"
#include "common/metrics.h"
#include "common/time_format.h"
#include "query/query_api.h"
#include "receivers/jaeger/jaeger_receivers.h"
#include "receivers/jaeger_grpc/jaeger_grpc_receiver.h"
#include "receivers/otlp_grpc/otlp_grpc_receiver.h"
#include "receivers/otlp_http/otlp_http_receiver.h"
#include "receivers/zipkin/zipkin_receiver.h"
#include "sampling/sampling_http.h"
#include "server/admin.h"
#include "server/http_server.h"

namespace spoor {
namespace {

bool Enabled(const std::string& host_port) {
  return !host_port.empty() && host_port != "off";
}

std::optional<HttpServerOptions> ServerOptions(const std::string& name,
                                               const std::string& host_port, size_t max_body,
                                               int threads) {
  if (!Enabled(host_port)) return std::nullopt;
  HttpServerOptions o;
  o.name = name;
  o.max_body_bytes = max_body;
  o.threads = threads;
  if (!ParseHostPort(host_port, &o.host, &o.port)) return std::nullopt;
  return o;
}

// Finds and reads the web UI, and says in one line where it comes from. A
// UI missing from the default places is not an error (the query port then
// shows a start page); a --query.static-files that cannot be read is.
bool LoadUi(const Config& config, std::shared_ptr<const StaticFiles>* ui) {
  auto found = FindStaticFiles(config.query_static_files, config.query_base_path);
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

int WaitForSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

}  // namespace

int RunAllInOne(const Config& config) {
  AdminState admin_state;
  admin_state.started_ns = NowNs();

  SamplingStrategies initial_strategies = DefaultStrategies(1.0);
  if (!config.sampling_strategies_file.empty()) {
    auto loaded = LoadStrategiesFile(config.sampling_strategies_file);
    if (!loaded.ok()) {
      LogError(loaded.status().message());
      return 1;
    }
    initial_strategies = std::move(loaded).value();
  }
  StrategiesHolder strategies(std::move(initial_strategies), config.sampling_strategies_file);
  auto sampling_handler = [&strategies](const HttpRequest& req) { return strategies.Handle(req); };

  auto storage_or = CreateStorage(config.storage);
  if (!storage_or.ok()) {
    LogError("cannot open storage: ", storage_or.status().message());
    return 1;
  }
  std::unique_ptr<Storage> storage = std::move(storage_or).value();
  PipelineOptions pipeline_options = config.pipeline;
  pipeline_options.ack_after_write =
      FindStorageBackend(config.storage.type)->capabilities(config.storage).ack_after_write;
  Pipeline pipeline(pipeline_options, *storage);
  auto& registry = MetricsRegistry::Global();
  registry.AddGauge("spoor_queue_length", "Spans waiting in the queue", {},
                    [&pipeline] { return static_cast<double>(pipeline.queue().length_spans()); });
  registry.AddGauge("spoor_queue_capacity", "Capacity of the queue in spans", {},
                    [&pipeline] { return static_cast<double>(pipeline.queue().capacity_spans()); });

  std::vector<std::unique_ptr<HttpServer>> receivers;  // stopped first
  std::vector<std::unique_ptr<UdpServer>> udp_receivers;
  std::unique_ptr<OtlpGrpcReceiver> grpc;
  std::unique_ptr<JaegerGrpcReceiver> jaeger_grpc;
  std::vector<std::unique_ptr<HttpServer>> servers;  // query, admin: stopped last
  auto start = [](HttpServer& server, const char* what) {
    Status s = server.Start();
    if (!s.ok()) {
      LogError(s.message());
      return false;
    }
    LogInfo(what, " listening on port ", server.port());
    return true;
  };

  bool ok = true;
  if (auto o = ServerOptions("admin", config.admin_host_port, 1 << 20, 1)) {
    servers.push_back(std::make_unique<HttpServer>(*o, NewAdminHandler(admin_state)));
    ok = ok && start(*servers.back(), "admin");
  }
  if (config.otlp_enabled) {
    if (auto o = ServerOptions("otlp_http", config.otlp_http_host_port,
                               config.otlp_max_request_bytes, 2)) {
      OtlpHttpOptions http_options;
      http_options.max_request_bytes = config.otlp_max_request_bytes;
      OtlpHttpHandlers handlers = NewOtlpHttpHandlers(http_options, pipeline);
      o->on_body_too_large = handlers.body_too_large;
      receivers.push_back(std::make_unique<HttpServer>(*o, handlers.handle));
      ok = ok && start(*receivers.back(), "OTLP/HTTP");
    }
    if (Enabled(config.otlp_grpc_host_port)) {
      OtlpGrpcOptions grpc_options;
      std::string host;
      if (ParseHostPort(config.otlp_grpc_host_port, &host, &grpc_options.port))
        grpc_options.host = host;
      grpc_options.max_message_bytes = config.otlp_max_request_bytes;
      grpc = NewOtlpGrpcReceiver(grpc_options, pipeline);
      Status s = grpc->Start();
      if (!s.ok()) {
        LogError(s.message());
        ok = false;
      } else {
        LogInfo("OTLP/gRPC listening on port ", grpc->port());
      }
    }
  }
  if (Enabled(config.jaeger_grpc_host_port)) {
    JaegerGrpcOptions grpc_options;
    std::string host;
    if (ParseHostPort(config.jaeger_grpc_host_port, &host, &grpc_options.port))
      grpc_options.host = host;
    grpc_options.max_message_bytes = config.otlp_max_request_bytes;
    jaeger_grpc = NewJaegerGrpcReceiver(grpc_options, pipeline, &strategies);
    Status s = jaeger_grpc->Start();
    if (!s.ok()) {
      LogError(s.message());
      ok = false;
    } else {
      LogInfo("Jaeger gRPC listening on port ", jaeger_grpc->port());
    }
  }
  auto add_http_receiver = [&](const char* name, const char* what, const std::string& host_port,
                               const HttpReceiverHandlers& handlers) {
    auto o = ServerOptions(name, host_port, config.otlp_max_request_bytes, 2);
    if (!o) return;
    o->on_body_too_large = handlers.body_too_large;
    receivers.push_back(std::make_unique<HttpServer>(*o, handlers.handle));
    ok = ok && start(*receivers.back(), what);
  };
  JaegerHttpOptions jaeger_http;
  jaeger_http.max_request_bytes = config.otlp_max_request_bytes;
  jaeger_http.sampling = sampling_handler;
  add_http_receiver("jaeger_http", "Jaeger Thrift/HTTP", config.jaeger_http_host_port,
                    NewJaegerHttpHandlers(jaeger_http, pipeline));
  ZipkinOptions zipkin;
  zipkin.max_request_bytes = config.otlp_max_request_bytes;
  add_http_receiver("zipkin", "Zipkin", config.zipkin_host_port,
                    NewZipkinHandlers(zipkin, pipeline));
  for (auto [name, host_port, protocol] :
       {std::tuple{"jaeger_compact", config.jaeger_compact_host_port, ThriftProtocol::kCompact},
        std::tuple{"jaeger_binary", config.jaeger_binary_host_port, ThriftProtocol::kBinary}}) {
    if (!Enabled(host_port)) continue;
    UdpServerOptions o;
    o.name = name;
    if (!ParseHostPort(host_port, &o.host, &o.port)) continue;
    udp_receivers.push_back(
        std::make_unique<UdpServer>(o, NewJaegerAgentHandler(protocol, pipeline)));
    if (Status s = udp_receivers.back()->Start(); !s.ok()) {
      LogError(s.message());
      ok = false;
    } else {
      LogInfo("Jaeger ", name, " UDP listening on port ", udp_receivers.back()->port());
    }
  }
  if (auto o = ServerOptions("sampling", config.sampling_host_port, 1 << 20, 1)) {
    servers.push_back(std::make_unique<HttpServer>(*o, [sampling_handler](const HttpRequest& req) {
      if (req.path != "/" && req.path != "/sampling")
        return HttpResponse::Text(404, "unknown path " + req.path + "; use GET /sampling\n");
      HttpResponse r = sampling_handler(req);
      r.route = req.path;
      return r;
    }));
    ok = ok && start(*servers.back(), "sampling");
  }
  std::jthread reload_thread;
  if (!config.sampling_strategies_file.empty() && config.sampling_reload_interval_ns > 0) {
    reload_thread = std::jthread([&strategies, &config](const std::stop_token& stop) {
      std::mutex mu;
      std::condition_variable_any cv;
      std::unique_lock<std::mutex> lock(mu);
      auto interval = std::chrono::nanoseconds(config.sampling_reload_interval_ns);
      while (true) {
        // Returns early only when a stop is requested.
        std::ignore = cv.wait_for(lock, stop, interval, [] { return false; });
        if (stop.stop_requested()) break;
        if (strategies.Reload().ok()) LogDebug("reloaded sampling strategies");
      }
    });
  }
  if (auto o = ServerOptions("query", config.query_host_port, 16 << 20, 2)) {
    QueryApiOptions query_options;
    query_options.base_path = config.query_base_path;
    query_options.adjusters.max_clock_skew_adjustment_ns = config.query_max_clock_skew_ns;
    ok = ok && LoadUi(config, &query_options.ui);
    servers.push_back(
        std::make_unique<HttpServer>(*o, NewQueryHandler(query_options, *storage, *storage)));
    ok = ok && start(*servers.back(), "query");
  }

  int exit_code = 0;
  if (ok) {
    admin_state.ready = true;
    LogInfo("spoor ", config.role, " started with ", storage->name(), " storage");
    int sig = WaitForSignal();
    LogInfo("received ", sig == SIGINT ? "SIGINT" : "SIGTERM", "; shutting down");
  } else {
    exit_code = 1;
  }

  admin_state.ready = false;
  // Stop accepting spans, then write out everything already accepted.
  for (auto& r : udp_receivers) r->Stop();
  for (auto& r : receivers) r->Stop();
  if (grpc) grpc->Stop();
  if (jaeger_grpc) jaeger_grpc->Stop();
  storage->BeginShutdown();
  pipeline.Shutdown();
  if (Status s = storage->Close(); !s.ok()) {
    LogError("closing storage failed: ", s.message());
    exit_code = 1;
  }
  if (reload_thread.joinable()) {
    reload_thread.request_stop();
    reload_thread.join();
  }
  for (auto& s : servers) s->Stop();
  registry.ClearGauges();
  LogInfo("stopped");
  return exit_code;
}

}  // namespace spoor
