// Microbenchmarks of the ingest hot path: OTLP decoding and the memory
// store's write. Run with `make bench`. Figures are per span processed
// ("items_per_second").
#include <benchmark/benchmark.h>

#include "bench/tracegen.h"
#include "common/json_writer.h"
#include "formats/otlp/otlp_decode.h"
#include "formats/otlp/otlp_json_encode.h"
#include "storage/memory/memory_store.h"

namespace spoor {
namespace {

using bench::kSpansPerRequest;

// A tracegen-like request (bench/tracegen.h): 100 spans in traces of 10 over
// 3 services, 11 attributes per span drawn from 97 keys and 1000 values, an
// event on one span in ten.
std::string MakeRequest(uint64_t seed) {
  return bench::MakeTracegenRequest(seed);
}

// The baseline of docs/performance.md: the protobuf library parsing the same
// bytes into its own message objects, nothing else.
void BM_ParseOtlpProtobuf(benchmark::State& state) {
  std::string body = MakeRequest(1);
  for (auto _ : state) {
    opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest request;
    if (!request.ParseFromString(body)) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(request);
  }
  state.SetItemsProcessed(state.iterations() * kSpansPerRequest);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_ParseOtlpProtobuf);

void BM_DecodeOtlpProto(benchmark::State& state) {
  std::string body = MakeRequest(1);
  for (auto _ : state) {
    SpanBatch batch;
    DecodeStats stats;
    if (!DecodeOtlpProto(body, &batch, &stats).ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(batch);
  }
  state.SetItemsProcessed(state.iterations() * kSpansPerRequest);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_DecodeOtlpProto);

// The same through the protobuf library's parser and a mapping of its
// message objects (the decoder spoor used before its wire-format reader).
void BM_DecodeOtlpProtoWithLibrary(benchmark::State& state) {
  std::string body = MakeRequest(1);
  for (auto _ : state) {
    SpanBatch batch;
    DecodeStats stats;
    if (!DecodeOtlpProtoWithLibrary(body, &batch, &stats).ok()) state.SkipWithError("failed");
    benchmark::DoNotOptimize(batch);
  }
  state.SetItemsProcessed(state.iterations() * kSpansPerRequest);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_DecodeOtlpProtoWithLibrary);

void BM_DecodeOtlpJson(benchmark::State& state) {
  SpanBatch batch;
  DecodeStats stats;
  if (!DecodeOtlpProto(MakeRequest(1), &batch, &stats).ok()) state.SkipWithError("setup failed");
  std::vector<Trace> traces(1);
  for (const auto& rs : batch.resource_spans) {
    for (const auto& ss : rs.scope_spans) {
      for (const auto& span : ss.spans)
        traces[0].spans.push_back(SpanRecord{rs.resource, ss.scope, span, {}});
    }
  }
  std::string body;
  JsonWriter w(body);
  AppendOtlpJsonTraces(traces, w);
  for (auto _ : state) {
    SpanBatch decoded;
    DecodeStats s;
    if (!DecodeOtlpJson(body, &decoded, &s).ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(decoded);
  }
  state.SetItemsProcessed(state.iterations() * kSpansPerRequest);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_DecodeOtlpJson);

void BM_MemoryStoreWrite(benchmark::State& state) {
  std::vector<SpanBatch> batches(64);
  for (size_t i = 0; i < batches.size(); ++i) {
    DecodeStats stats;
    if (!DecodeOtlpProto(MakeRequest(i + 1), &batches[i], &stats).ok())
      state.SkipWithError("setup failed");
  }
  MemoryStoreOptions options;
  options.max_traces = 100000;
  auto store = NewMemoryStore(options);
  size_t i = 0;
  for (auto _ : state) {
    if (!store->Write(batches[i++ % batches.size()]).ok()) state.SkipWithError("write failed");
  }
  state.SetItemsProcessed(state.iterations() * kSpansPerRequest);
}
BENCHMARK(BM_MemoryStoreWrite);

}  // namespace
}  // namespace spoor
