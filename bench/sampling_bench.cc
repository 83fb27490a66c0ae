// Sampling on the ingest path: what adaptive sampling's throughput counting
// and tail sampling with three policies cost per span, and the memory a
// trace held by tail sampling takes.
#include <benchmark/benchmark.h>
#include <yaml-cpp/yaml.h>


#include "bench/resident.h"
#include "bench/tracegen.h"
#include "formats/otlp/otlp_decode.h"
#include "model/string_table.h"
#include "sampling/adaptive/throughput_counter.h"
#include "tailsampling/tail_sampler.h"

namespace spoor {
namespace {

SpanBatch TracegenBatch(uint64_t seed) {
  SpanBatch batch;
  DecodeStats stats;
  (void)DecodeOtlpProto(bench::MakeTracegenRequest(seed), &batch, &stats);
  return batch;
}

// Traces of ten spans as a Jaeger client sends them: one root, tagged with
// how it was sampled, and nine children. (tracegen's spans carry no parent.)
void TagRoots(SpanBatch& batch) {
  size_t i = 0;
  for (auto& rs : batch.resource_spans)
    for (auto& ss : rs.scope_spans)
      for (Span& s : ss.spans) {
        if (i++ % 10 != 0) {
          s.parent_span_id = SpanId{1};
          continue;
        }
        s.parent_span_id = SpanId{};
        s.attributes.push_back({Intern("sampler.type"), AnyValue::String("probabilistic")});
        s.attributes.push_back({Intern("sampler.param"), AnyValue::Double(0.001)});
      }
}

// Keeps what it is given, so that freeing the spans (the pipeline's work,
// not the sampler's) happens outside the timed part (Drop()).
class NullSink final : public SpanSink {
 public:
  Status Submit(SpanBatch batch, IngestMetrics& metrics) override {
    metrics.spans_accepted.Inc(batch.SpanCount());
    kept_.push_back(std::move(batch));
    return Status::Ok();
  }
  void Drop() { kept_.clear(); }

 private:
  std::vector<SpanBatch> kept_;
};

// The harness alone: copying the batch and handing it to the sink, to be
// subtracted from the figures below.
void BM_SinkBaseline(benchmark::State& state) {
  SpanBatch batch = TracegenBatch(1);
  NullSink sink;
  IngestMetrics metrics("bench", "baseline");
  for (auto _ : state) {
    state.PauseTiming();
    SpanBatch copy = batch;
    sink.Drop();
    state.ResumeTiming();
    benchmark::DoNotOptimize(sink.Submit(std::move(copy), metrics));
  }
  state.SetItemsProcessed(state.iterations() * bench::kSpansPerRequest);
}
BENCHMARK(BM_SinkBaseline);

// Adaptive sampling's share of a collector's work: find the tagged roots
// of a batch and count them, in front of a sink that does nothing.
void BM_ThroughputCounting(benchmark::State& state) {
  SpanBatch batch = TracegenBatch(1);
  TagRoots(batch);
  NullSink sink;
  ThroughputCounter counter;
  ThroughputCountingSink counting(sink, counter);
  IngestMetrics metrics("bench", "throughput");
  size_t n = 0;
  for (auto _ : state) {
    state.PauseTiming();
    SpanBatch copy = batch;
    sink.Drop();
    state.ResumeTiming();
    benchmark::DoNotOptimize(counting.Submit(std::move(copy), metrics));
    if (++n % 1000 == 0) benchmark::DoNotOptimize(counter.Take());
  }
  state.SetItemsProcessed(state.iterations() * bench::kSpansPerRequest);
}
BENCHMARK(BM_ThroughputCounting);

TailSamplingOptions ThreePolicies(size_t num_traces) {
  auto parsed = ParseTailSampling(YAML::Load(R"(
decision_wait: 1h
policies:
  - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
  - {name: slow, type: latency, latency: {threshold_ms: 500}}
  - {name: rest, type: probabilistic, probabilistic: {sampling_percentage: 1}}
)"));
  TailSamplingOptions o = parsed.ok() ? *parsed : TailSamplingOptions{};
  o.num_traces = num_traces;
  return o;
}

// Tail sampling with three policies at the default cap (50,000 traces):
// hold a batch's traces, decide them. Every batch brings trace IDs never
// seen (the high half numbers the batch), so each trace is held, encoded,
// decoded and decided once, and the decision cache turns over as in a
// long run.
void BM_TailSampling(benchmark::State& state) {
  std::vector<SpanBatch> batches;
  for (uint64_t seed = 1; seed <= 64; ++seed) batches.push_back(TracegenBatch(seed));
  NullSink sink;
  TailSampler sampler(ThreePolicies(50000), sink);
  IngestMetrics metrics("bench", "tail");
  size_t i = 0;
  for (auto _ : state) {
    state.PauseTiming();
    SpanBatch copy = batches[i % batches.size()];
    ++i;
    for (auto& rs : copy.resource_spans)
      for (auto& ss : rs.scope_spans)
        for (Span& s : ss.spans) s.trace_id.high = i;
    sink.Drop();
    state.ResumeTiming();
    benchmark::DoNotOptimize(sampler.Submit(std::move(copy), metrics));
    sampler.DecideDue(UINT64_MAX);
  }
  state.SetItemsProcessed(state.iterations() * bench::kSpansPerRequest);
}
BENCHMARK(BM_TailSampling);

// Resident bytes per trace held (tracegen traces: 10 spans, 11 attributes
// each): 100,000 traces waiting for their decision.
void BM_TailSamplingMemoryPerTrace(benchmark::State& state) {
  for (auto _ : state) {
    NullSink sink;
    auto sampler = std::make_unique<TailSampler>(ThreePolicies(200000), sink);
    IngestMetrics metrics("bench", "tail_memory");
    size_t before = bench::ResidentBytes();
    for (uint64_t seed = 1; seed <= 1000; ++seed) {
      benchmark::DoNotOptimize(sampler->Submit(TracegenBatch(seed + 1000), metrics));
    }
    size_t held = sampler->held_traces();
    state.counters["bytes_per_trace"] =
        static_cast<double>(bench::ResidentBytes() - before) / static_cast<double>(held);
    state.counters["traces"] = static_cast<double>(held);
  }
}
BENCHMARK(BM_TailSamplingMemoryPerTrace)->Iterations(1);

}  // namespace
}  // namespace spoor
