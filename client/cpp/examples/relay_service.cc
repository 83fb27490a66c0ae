// A service instrumented with the tracer: each request continues the trace
// its headers carry (Jaeger, W3C or B3), and, when a downstream URL is
// given, calls it with the context injected in every format. Used by the
// cross-client propagation tests.
//
//   spoor_tracer_relay PORT SERVICE OTLP_ENDPOINT [DOWNSTREAM_URL]
//
// Prints "listening" once it accepts requests.
#include <spoor/carrier.h>
#include <spoor/tracer.h>

#include <chrono>
#include <iostream>

#include "http_post.h"
#include "http_server.h"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: " << argv[0] << " PORT SERVICE OTLP_ENDPOINT [DOWNSTREAM_URL]\n";
    return 2;
  }
  int port = std::atoi(argv[1]);
  spoor::OtlpHttpReporterOptions reporter;
  reporter.endpoint = argv[3];
  reporter.flush_interval = std::chrono::milliseconds(100);
  spoor::TracerOptions options;
  options.service_name = argv[2];
  options.reporter = spoor::NewOtlpHttpReporter(reporter);
  options.propagation = {spoor::PropagationFormat::kJaeger, spoor::PropagationFormat::kW3C,
                         spoor::PropagationFormat::kB3};
  std::shared_ptr<opentracing::Tracer> tracer = spoor::MakeTracer(std::move(options));
  spoor::internal::HttpUrl downstream;
  bool has_downstream = false;
  if (argc > 4) {
    std::string error;
    if (!spoor::internal::ParseHttpUrl(argv[4], &downstream, &error)) {
      std::cerr << error << "\n";
      return 2;
    }
    has_downstream = true;
  }
  std::cout << "listening" << std::endl;
  bool served = spoor::examples::Serve(port, [&](const spoor::examples::Request& req) {
    spoor::MapCarrier incoming(req.headers);
    auto parent = tracer->Extract(incoming.http_reader());
    if (!parent) return spoor::examples::Response{400, parent.error().message()};
    auto span = tracer->StartSpan(
        req.method + " " + req.target,
        {opentracing::ChildOf(parent->get()), opentracing::SetTag("span.kind", "server"),
         opentracing::SetTag("http.method", req.method)});
    std::string body = "ok";
    if (has_downstream) {
      auto call = tracer->StartSpan(
          "call downstream",
          {opentracing::ChildOf(&span->context()), opentracing::SetTag("span.kind", "client")});
      spoor::MapCarrier outgoing;
      std::ignore = tracer->Inject(call->context(), outgoing.http_writer());
      spoor::internal::HttpHeaders headers(outgoing.values().begin(), outgoing.values().end());
      auto r =
          spoor::internal::HttpRequest(downstream, "GET", "", "", std::chrono::seconds(5), headers);
      call->SetTag("http.status_code", r.status);
      if (r.status != 200) call->SetTag("error", true);
      body = r.body;
      call->Finish();
    }
    span->Finish();
    return spoor::examples::Response{200, body};
  });
  if (!served) std::cerr << "cannot listen on " << port << "\n";
  return 1;
}
