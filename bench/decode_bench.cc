// Decode-only throughput of every ingest format on the same workload (the
// tracegen spans of bench/tracegen.h, converted by bench/tracegen_formats.h):
// bytes as received to a SpanBatch. Figures are spans per second
// ("items_per_second"); each iteration decodes one request of 100 spans.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench/tracegen_formats.h"
#include "formats/jaeger_proto/jaeger_proto_decode.h"
#include "formats/jaeger_thrift/jaeger_thrift_decode.h"
#include "formats/zipkin/zipkin_decode.h"

namespace spoor {
namespace {

using bench::kSpansPerRequest;

// Decodes each of `bodies` (together one request of 100 spans) per
// iteration with `decode`.
template <typename Decode>
void RunDecode(benchmark::State& state, const std::vector<std::string>& bodies, Decode decode) {
  int64_t bytes = 0;
  for (const std::string& b : bodies) bytes += static_cast<int64_t>(b.size());
  for (auto _ : state) {
    SpanBatch batch;
    DecodeStats stats;
    for (const std::string& body : bodies) {
      if (!decode(body, &batch, &stats).ok()) {
        state.SkipWithError("decode failed");
        return;
      }
    }
    if (batch.SpanCount() != kSpansPerRequest) {
      state.SkipWithError("wrong span count");
      return;
    }
    benchmark::DoNotOptimize(batch);
  }
  state.SetItemsProcessed(state.iterations() * kSpansPerRequest);
  state.SetBytesProcessed(state.iterations() * bytes);
}

void BM_DecodeJaegerThriftCompact(benchmark::State& state) {
  RunDecode(state, bench::TracegenJaegerThrift(1, ThriftProtocol::kCompact),
            [](std::string_view b, SpanBatch* batch, DecodeStats* stats) {
              return DecodeJaegerThriftBatch(b, ThriftProtocol::kCompact, batch, stats);
            });
}
BENCHMARK(BM_DecodeJaegerThriftCompact);

void BM_DecodeJaegerThriftBinary(benchmark::State& state) {
  RunDecode(state, bench::TracegenJaegerThrift(1, ThriftProtocol::kBinary),
            [](std::string_view b, SpanBatch* batch, DecodeStats* stats) {
              return DecodeJaegerThriftBatch(b, ThriftProtocol::kBinary, batch, stats);
            });
}
BENCHMARK(BM_DecodeJaegerThriftBinary);

void BM_DecodeJaegerProto(benchmark::State& state) {
  RunDecode(state, bench::TracegenJaegerProto(1), DecodeJaegerPostSpans);
}
BENCHMARK(BM_DecodeJaegerProto);

void BM_DecodeZipkinV2Json(benchmark::State& state) {
  RunDecode(state, {bench::TracegenZipkinJson(1)}, DecodeZipkinV2Json);
}
BENCHMARK(BM_DecodeZipkinV2Json);

void BM_DecodeZipkinV2Proto(benchmark::State& state) {
  RunDecode(state, {bench::TracegenZipkinProto(1)}, DecodeZipkinV2Proto);
}
BENCHMARK(BM_DecodeZipkinV2Proto);

void BM_DecodeZipkinV1Json(benchmark::State& state) {
  RunDecode(state, {bench::TracegenZipkinV1Json(1)}, DecodeZipkinV1Json);
}
BENCHMARK(BM_DecodeZipkinV1Json);

void BM_DecodeZipkinV1Thrift(benchmark::State& state) {
  RunDecode(state, {bench::TracegenZipkinV1Thrift(1)}, DecodeZipkinV1Thrift);
}
BENCHMARK(BM_DecodeZipkinV1Thrift);

}  // namespace
}  // namespace spoor
