// Sends one trace of three spans to an OTLP/HTTP endpoint (or, given
// udp://host:port, as Jaeger Thrift compact datagrams; given a URL ending
// in /api/traces, as Jaeger Thrift over HTTP) and prints its trace ID;
// exits 0 once every span was acknowledged (UDP: handed to the kernel).
// For https:// endpoints, the OpenTelemetry exporters' variables give the
// TLS files: OTEL_EXPORTER_OTLP_CERTIFICATE (the CA),
// OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE and OTEL_EXPORTER_OTLP_CLIENT_KEY.
//
//   spoor_tracer_example [http://127.0.0.1:4318/v1/traces | udp://127.0.0.1:6831 |
//                         http://127.0.0.1:14268/api/traces] [service]
#include <spoor/tracer.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

namespace {

spoor::TlsOptions TlsFromEnvironment() {
  auto get = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v != nullptr ? v : "");
  };
  spoor::TlsOptions tls;
  tls.ca_file = get("OTEL_EXPORTER_OTLP_CERTIFICATE");
  tls.cert_file = get("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE");
  tls.key_file = get("OTEL_EXPORTER_OTLP_CLIENT_KEY");
  return tls;
}

}  // namespace

int main(int argc, char** argv) {
  std::string endpoint = argc > 1 ? argv[1] : "http://127.0.0.1:4318/v1/traces";
  std::shared_ptr<spoor::RemoteReporter> reporter;
  try {
    if (endpoint.rfind("udp://", 0) == 0) {
      spoor::JaegerUdpReporterOptions udp;
      udp.host_port = endpoint.substr(6);
      reporter = spoor::NewJaegerUdpReporter(udp);
    } else if (endpoint.size() > 11 &&
               endpoint.compare(endpoint.size() - 11, 11, "/api/traces") == 0) {
      spoor::JaegerHttpReporterOptions jaeger;
      jaeger.endpoint = endpoint;
      jaeger.tls = TlsFromEnvironment();
      reporter = spoor::NewJaegerHttpReporter(jaeger);
    } else {
      spoor::OtlpHttpReporterOptions otlp;
      otlp.endpoint = endpoint;
      otlp.tls = TlsFromEnvironment();
      reporter = spoor::NewOtlpHttpReporter(otlp);
    }
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  spoor::TracerOptions options;
  options.service_name = argc > 2 ? argv[2] : "cpp-example";
  options.reporter = reporter;
  std::shared_ptr<opentracing::Tracer> tracer = spoor::MakeTracer(std::move(options));

  auto root = tracer->StartSpan("GET /cart", {opentracing::SetTag("span.kind", "server"),
                                              opentracing::SetTag("http.method", "GET")});
  root->SetBaggageItem("customer", "123");
  {
    auto query = tracer->StartSpan("SELECT cart", {opentracing::ChildOf(&root->context()),
                                                   opentracing::SetTag("span.kind", "client"),
                                                   opentracing::SetTag("db.type", "mysql")});
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    query->SetTag("error", true);
    query->Log({{"event", "error"}, {"message", "lock wait timeout"}});
    query->Finish();
  }
  auto audit = tracer->StartSpan("audit", {opentracing::FollowsFrom(&root->context())});
  audit->Finish();
  root->Finish();
  std::cout << root->context().ToTraceID() << "\n";

  tracer->Close();  // sends what is queued
  spoor::ReporterStats stats = reporter->stats();
  std::cerr << "sent " << stats.spans_sent << ", dropped " << stats.spans_dropped_queue << " + "
            << stats.spans_dropped_send << "\n";
  return stats.spans_sent == 3 ? 0 : 1;
}
