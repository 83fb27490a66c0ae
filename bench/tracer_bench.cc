// The C++ tracer (client/cpp): what instrumented code pays per span, per
// propagation, and what the reporters' encoders cost per span. Run with
// `build/bench/spoor_tracer_bench` (docs/client-cpp.md, "Performance").
#include <benchmark/benchmark.h>
#include <opentracing/dynamic_load.h>
#include <opentracing/noop.h>
#include <opentracing/propagation.h>

#include "client/cpp/src/otlp_encode.h"
#include "client/cpp/src/thrift_encode.h"
#include "spoor/carrier.h"
#include "spoor/tracer.h"

namespace spoor {
namespace {

// Keeps nothing: the tracer's own cost, not a reporter's.
class DiscardingReporter final : public Reporter {
 public:
  void Report(SpanData span, const ProcessData&) override { benchmark::DoNotOptimize(span); }
};

std::shared_ptr<opentracing::Tracer> Tracer(bool sampled, std::vector<PropagationFormat> formats = {
                                                              PropagationFormat::kJaeger}) {
  TracerOptions o;
  o.service_name = "bench";
  o.sampler = NewConstSampler(sampled);
  o.reporter = std::make_shared<DiscardingReporter>();
  o.propagation = std::move(formats);
  return MakeTracer(std::move(o));
}

// Start and finish a child span with five tags, as instrumentation does.
void StartFinishWith(benchmark::State& state, opentracing::Tracer& tracer) {
  auto root = tracer.StartSpan("root");
  for (auto _ : state) {
    auto span = tracer.StartSpan("GET /cart", {opentracing::ChildOf(&root->context())});
    span->SetTag("http.method", "GET");
    span->SetTag("http.status_code", 200);
    span->SetTag("component", "bench");
    span->SetTag("peer.port", 8080);
    span->SetTag("error", false);
    span->Finish();
  }
  state.SetItemsProcessed(state.iterations());
  root->Finish();
}
void StartFinish(benchmark::State& state, bool sampled) {
  StartFinishWith(state, *Tracer(sampled));
}
void BM_TracerSpanSampled(benchmark::State& state) {
  StartFinish(state, true);
}

// The same with Debian's Datadog OpenTracing tracer (libdd-opentracing0),
// loaded as an OpenTracing plugin, for comparison: it records every span
// (its sampling only marks priority), and its writer thread sends them to
// an agent port nobody listens on.
void BM_DatadogSpanSampled(benchmark::State& state) {
  const char* plugin = "/usr/lib/x86_64-linux-gnu/libdd_opentracing_plugin.so";
  std::string error;
  auto handle = opentracing::DynamicallyLoadTracingLibrary(plugin, error);
  if (!handle) {
    state.SkipWithError(("no Datadog plugin (libdd-opentracing0): " + error).c_str());
    return;
  }
  auto made = handle->tracer_factory().MakeTracer(
      R"({"service": "bench", "agent_host": "127.0.0.1", "agent_port": 9})", error);
  if (!made) {
    state.SkipWithError(error.c_str());
    return;
  }
  std::shared_ptr<opentracing::Tracer> tracer = *made;
  StartFinishWith(state, *tracer);
  tracer->Close();
}
BENCHMARK(BM_DatadogSpanSampled);
// The same with OpenTracing's no-op tracer: what the API itself costs (the
// start options' reference vector, the span's allocation, the virtual
// calls), the floor under any tracer's figure.
void BM_NoopSpan(benchmark::State& state) {
  StartFinishWith(state, *opentracing::MakeNoopTracer());
}
BENCHMARK(BM_NoopSpan);
void BM_TracerSpanUnsampled(benchmark::State& state) {
  StartFinish(state, false);
}
BENCHMARK(BM_TracerSpanSampled);
BENCHMARK(BM_TracerSpanUnsampled);

void InjectExtract(benchmark::State& state, PropagationFormat format, bool inject) {
  auto tracer = Tracer(true, {format});
  auto span = tracer->StartSpan("op");
  MapCarrier carrier;
  if (!tracer->Inject(span->context(), carrier.http_writer())) {
    state.SkipWithError("inject failed");
    return;
  }
  for (auto _ : state) {
    if (inject) {
      MapCarrier out;
      benchmark::DoNotOptimize(tracer->Inject(span->context(), out.http_writer()));
    } else {
      auto ctx = tracer->Extract(carrier.http_reader());
      benchmark::DoNotOptimize(ctx);
    }
  }
}
BENCHMARK_CAPTURE(InjectExtract, jaeger_inject, PropagationFormat::kJaeger, true);
BENCHMARK_CAPTURE(InjectExtract, jaeger_extract, PropagationFormat::kJaeger, false);
BENCHMARK_CAPTURE(InjectExtract, w3c_inject, PropagationFormat::kW3C, true);
BENCHMARK_CAPTURE(InjectExtract, w3c_extract, PropagationFormat::kW3C, false);
BENCHMARK_CAPTURE(InjectExtract, b3_inject, PropagationFormat::kB3, true);
BENCHMARK_CAPTURE(InjectExtract, b3_extract, PropagationFormat::kB3, false);

std::vector<SpanData> Spans(size_t n) {
  std::vector<SpanData> out(n);
  for (size_t i = 0; i < n; ++i) {
    SpanData& s = out[i];
    s.trace_id_high = 1;
    s.trace_id_low = i + 1;
    s.span_id = i + 100;
    s.parent_span_id = i + 99;
    s.flags = 1;
    s.operation_name = "GET /cart";
    s.start_time_ns = 1800000000000000000ULL + i;
    s.duration_ns = 1000;
    s.tags = {{"http.method", TagValue::String("GET")},
              {"http.status_code", TagValue::Int64(200)},
              {"component", TagValue::String("bench")},
              {"peer.port", TagValue::Int64(8080)},
              {"span.kind", TagValue::String("server")}};
  }
  return out;
}

// The reporters' encoding of a batch of 100 spans, per span.
void BM_ReporterEncodeOtlp(benchmark::State& state) {
  std::vector<SpanData> spans = Spans(100);
  ProcessData process{"bench", {{"hostname", TagValue::String("h")}}};
  std::string out;
  for (auto _ : state) {
    internal::EncodeOtlpRequest(process, spans, &out);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_ReporterEncodeOtlp);

void BM_ReporterEncodeJaegerThrift(benchmark::State& state) {
  std::vector<SpanData> spans = Spans(100);
  std::string process = internal::EncodeThriftProcess({"bench", {}});
  for (auto _ : state) {
    std::vector<std::string> encoded;
    encoded.reserve(spans.size());
    for (const SpanData& s : spans) encoded.push_back(internal::EncodeThriftSpan(s));
    benchmark::DoNotOptimize(internal::EncodeEmitBatch(process, encoded));
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_ReporterEncodeJaegerThrift);

// The Jaeger HTTP reporter's body: a binary-protocol Batch of 100 spans.
void BM_ReporterEncodeJaegerThriftBinary(benchmark::State& state) {
  std::vector<SpanData> spans = Spans(100);
  ProcessData process{"bench", {{"hostname", TagValue::String("h")}}};
  for (auto _ : state) benchmark::DoNotOptimize(internal::EncodeBinaryBatch(process, spans));
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_ReporterEncodeJaegerThriftBinary);

}  // namespace
}  // namespace spoor
