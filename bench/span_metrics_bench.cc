// Span metrics on the ingest path: what counting a stored batch costs per
// span, and the memory a distinct (service, operation, kind) key holds.
#include <benchmark/benchmark.h>

#include <string>

#include "bench/resident.h"
#include "bench/tracegen.h"
#include "formats/otlp/otlp_decode.h"
#include "model/string_table.h"
#include "spanmetrics/span_metrics_aggregator.h"

namespace spoor {
namespace {

// Observe + Commit of a tracegen request (100 spans over 3 services), the
// work a writer adds per batch; TakeRows every 100 batches, as a flush
// every 10 s would at about 1,000 batches a second.
void BM_SpanMetricsCount(benchmark::State& state) {
  SpanBatch batch;
  DecodeStats stats;
  if (!DecodeOtlpProto(bench::MakeTracegenRequest(1), &batch, &stats).ok()) {
    state.SkipWithError("setup failed");
  }
  SpanMetricsAggregator aggregator(SpanMetricsOptions{});
  SpanMetricsAggregator::Observation observed;
  uint64_t now = 1800000000ULL * 1000000000;
  size_t n = 0;
  for (auto _ : state) {
    observed.clear();
    SpanMetricsAggregator::Observe(batch, &observed);
    aggregator.Commit(observed, now);
    if (++n % 100 == 0) benchmark::DoNotOptimize(aggregator.TakeRows());
  }
  state.SetItemsProcessed(state.iterations() * bench::kSpansPerRequest);
}
BENCHMARK(BM_SpanMetricsCount);

// The resident memory one key costs while its 10 s bucket is open (its
// latencies spread over two decades) and after the flush took its rows:
// 100,000 keys (1,000 services x 100 operations), one span each.
void BM_SpanMetricsMemoryPerKey(benchmark::State& state) {
  constexpr size_t kServices = 1000;
  constexpr size_t kOperations = 100;
  std::vector<std::string_view> services;
  std::vector<std::string_view> operations;
  for (size_t i = 0; i < kServices; ++i) services.push_back(Intern("service-" + std::to_string(i)));
  for (size_t i = 0; i < kOperations; ++i) {
    operations.push_back(Intern("GET /api/v1/resource-" + std::to_string(i)));
  }
  for (auto _ : state) {
    SpanMetricsOptions options;
    options.max_services = kServices;
    options.max_operations_per_service = kOperations;
    size_t before = bench::ResidentBytes();
    auto aggregator = std::make_unique<SpanMetricsAggregator>(options);
    uint64_t now = 1800000000ULL * 1000000000;
    for (size_t s = 0; s < kServices; ++s) {
      SpanBatch batch;
      auto resource = std::make_shared<Resource>();
      resource->attributes.push_back({Intern("service.name"), AnyValue::String(services[s])});
      resource->ResolveServiceName();
      ResourceSpans rs;
      rs.resource = resource;
      ScopeSpans ss;
      ss.scope = std::make_shared<Scope>();
      for (size_t o = 0; o < kOperations; ++o) {
        Span span;
        span.name = operations[o];
        span.kind = SpanKind::kServer;
        span.start_time_ns = now;
        span.end_time_ns = now + 1000 * (1 + (o * 37) % 100) * 1000;  // 1 to 100 ms
        ss.spans.push_back(span);
      }
      rs.scope_spans.push_back(std::move(ss));
      batch.resource_spans.push_back(std::move(rs));
      SpanMetricsAggregator::Observation observed;
      SpanMetricsAggregator::Observe(batch, &observed);
      aggregator->Commit(observed, now);
    }
    size_t open = bench::ResidentBytes();
    benchmark::DoNotOptimize(aggregator->TakeRows());
    size_t taken = bench::ResidentBytes();
    double keys = static_cast<double>(aggregator->key_count());
    state.counters["bytes_per_key_open"] = static_cast<double>(open - before) / keys;
    state.counters["bytes_per_key_idle"] = static_cast<double>(taken - before) / keys;
  }
}
BENCHMARK(BM_SpanMetricsMemoryPerKey)->Iterations(1);

}  // namespace
}  // namespace spoor
