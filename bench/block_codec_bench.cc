// Microbenchmarks of the embedded store's block codec on a block of 20,000
// tracegen-like spans: 200 requests shaped as in ingest_bench.cc (each 100 ms
// after the previous one), with one trace ID per 10 spans. (ingest_bench.cc
// draws a new trace ID for every span; BM_EncodeBlockOneSpanTraces measures
// that shape.) Figures are per span ("items_per_second"); "bytes_per_span"
// is the encoded size.
#include <benchmark/benchmark.h>

#include <random>

#include "bench/tracegen.h"
#include "formats/otlp/otlp_decode.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "storage/embedded/block_codec.h"

namespace spoor {
namespace {

constexpr int kBlockRequests = 200;  // of 100 spans

std::string MakeTracegenRequest(uint64_t seed, int spans_per_trace) {
  return bench::MakeTracegenRequest(seed, bench::kDefaultRequestStartNs + seed * 100000000ULL,
                                    spans_per_trace);
}

std::vector<SpanRecord> MakeBlockSpans(int spans_per_trace) {
  std::vector<SpanRecord> out;
  for (int r = 0; r < kBlockRequests; ++r) {
    SpanBatch batch;
    DecodeStats stats;
    const std::string request = MakeTracegenRequest(static_cast<uint64_t>(r) + 1, spans_per_trace);
    if (!DecodeOtlpProto(request, &batch, &stats).ok()) std::abort();
    for (const ResourceSpans& rs : batch.resource_spans) {
      for (const ScopeSpans& ss : rs.scope_spans) {
        for (const Span& s : ss.spans) out.push_back(SpanRecord{rs.resource, ss.scope, s, {}});
      }
    }
  }
  return out;
}

const std::vector<SpanRecord>& BlockSpans() {
  static const std::vector<SpanRecord> spans = MakeBlockSpans(10);
  return spans;
}

BlockEncodeOptions Options(const benchmark::State& state) {
  BlockEncodeOptions options;
  options.zstd_level = static_cast<int>(state.range(0));
  options.group_spans = static_cast<uint32_t>(state.range(1));
  return options;
}

void BM_EncodeBlock(benchmark::State& state) {
  const std::vector<SpanRecord>& spans = BlockSpans();
  const BlockEncodeOptions options = Options(state);
  size_t size = 0;
  for (auto _ : state) {
    std::string block = EncodeBlock(spans, options);
    size = block.size();
    benchmark::DoNotOptimize(block);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(spans.size()));
  state.counters["bytes_per_span"] = static_cast<double>(size) / static_cast<double>(spans.size());
}
BENCHMARK(BM_EncodeBlock)
    ->ArgNames({"level", "group"})
    ->ArgsProduct({{0, 1, 2, 3, 5, 7, 9}, {2048}})
    ->ArgsProduct({{3}, {512, 1024, 4096, 20000}})
    ->Unit(benchmark::kMillisecond);

void BM_EncodeBlockOneSpanTraces(benchmark::State& state) {
  static const std::vector<SpanRecord> spans = MakeBlockSpans(1);
  size_t size = 0;
  for (auto _ : state) {
    std::string block = EncodeBlock(spans);
    size = block.size();
    benchmark::DoNotOptimize(block);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(spans.size()));
  state.counters["bytes_per_span"] = static_cast<double>(size) / static_cast<double>(spans.size());
}
BENCHMARK(BM_EncodeBlockOneSpanTraces)->Unit(benchmark::kMillisecond);

void BM_DecodeBlock(benchmark::State& state) {
  const std::vector<SpanRecord>& spans = BlockSpans();
  const std::string block = EncodeBlock(spans, Options(state));
  for (auto _ : state) {
    std::vector<SpanRecord> out;
    if (!DecodeBlock(block, &out).ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(spans.size()));
}
BENCHMARK(BM_DecodeBlock)
    ->ArgNames({"level", "group"})
    ->ArgsProduct({{1, 3, 9}, {2048}})
    ->Unit(benchmark::kMillisecond);

// Reading one trace (10 spans) from the block, a different one each time.
void BM_DecodeBlockOneTrace(benchmark::State& state) {
  const std::vector<SpanRecord>& spans = BlockSpans();
  const std::string block = EncodeBlock(spans, Options(state));
  size_t i = 0;
  for (auto _ : state) {
    std::vector<SpanRecord> out;
    const TraceId id = spans[(i++ * 7919) % spans.size()].span.trace_id;
    if (!DecodeBlockTraces(block, {id}, &out).ok() || out.size() != 10) {
      state.SkipWithError("decode failed");
    }
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_DecodeBlockOneTrace)
    ->ArgNames({"level", "group"})
    ->ArgsProduct({{3}, {512, 1024, 2048, 4096, 20000}})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace spoor
