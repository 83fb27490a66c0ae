// Sends one trace of three spans to an OTLP/HTTP endpoint and prints its
// trace ID; exits 0 once the receiver acknowledged every span.
//
//   spoor_tracer_example [http://127.0.0.1:4318/v1/traces] [service]
#include <spoor/tracer.h>

#include <chrono>
#include <iostream>
#include <thread>

int main(int argc, char** argv) {
  spoor::OtlpHttpReporterOptions reporter_options;
  if (argc > 1) reporter_options.endpoint = argv[1];
  std::shared_ptr<spoor::RemoteReporter> reporter;
  try {
    reporter = spoor::NewOtlpHttpReporter(reporter_options);
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
