// Microbenchmarks of the ingest hot path: OTLP decoding and the memory
// store's write. Run with `make bench`. Figures are per span processed
// ("items_per_second").
#include <benchmark/benchmark.h>

#include <random>

#include "common/json_writer.h"
#include "formats/otlp/otlp_decode.h"
#include "formats/otlp/otlp_json_encode.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "storage/memory/memory_store.h"

namespace spoor {
namespace {

namespace pb = opentelemetry::proto;

constexpr int kSpansPerRequest = 100;
constexpr int kSpansPerTrace = 10;
constexpr int kAttributesPerSpan = 11;

// A tracegen-like request: 100 spans in traces of 10 over 3 services, 11
// attributes per span drawn from 97 keys and 1000 values, an event on one
// span in ten.
std::string MakeRequest(uint64_t seed) {
  std::mt19937_64 rng(seed);
  pb::collector::trace::v1::ExportTraceServiceRequest request;
  const char* services[] = {"frontend", "orders", "payments"};
  std::vector<pb::trace::v1::ScopeSpans*> scopes;
  for (const char* service : services) {
    auto* rs = request.add_resource_spans();
    auto* attr = rs->mutable_resource()->add_attributes();
    attr->set_key("service.name");
    attr->mutable_value()->set_string_value(service);
    auto* host = rs->mutable_resource()->add_attributes();
    host->set_key("host.name");
    host->mutable_value()->set_string_value(std::string(service) + "-1");
    auto* ss = rs->add_scope_spans();
    ss->mutable_scope()->set_name("tracegen");
    scopes.push_back(ss);
  }
  uint64_t start = 1700000000000000000ULL;
  char id[16];
  uint64_t trace_hi = 0;
  for (int i = 0; i < kSpansPerRequest; ++i) {
    auto* span = scopes[static_cast<size_t>(i % 3)]->add_spans();
    if (i % kSpansPerTrace == 0) trace_hi = rng();  // a new trace every 10 spans
    uint64_t trace_lo = static_cast<uint64_t>(i / kSpansPerTrace) + seed * 1000 + 1;
    for (int b = 0; b < 8; ++b) id[b] = static_cast<char>(trace_hi >> (56 - 8 * b));
    for (int b = 0; b < 8; ++b) id[8 + b] = static_cast<char>(trace_lo >> (56 - 8 * b));
    span->set_trace_id(id, 16);
    uint64_t span_id = rng() | 1;
    for (int b = 0; b < 8; ++b) id[b] = static_cast<char>(span_id >> (56 - 8 * b));
    span->set_span_id(id, 8);
    span->set_name("operation-" + std::to_string(rng() % 20));
    span->set_kind(static_cast<pb::trace::v1::Span_SpanKind>(1 + rng() % 5));
    span->set_start_time_unix_nano(start + static_cast<uint64_t>(i) * 1000);
    span->set_end_time_unix_nano(start + static_cast<uint64_t>(i) * 1000 + 500000);
    for (int a = 0; a < kAttributesPerSpan; ++a) {
      auto* kv = span->add_attributes();
      kv->set_key("attribute-key-" + std::to_string(rng() % 97));
      if (a % 3 == 0) {
        kv->mutable_value()->set_int_value(static_cast<int64_t>(rng() % 1000));
      } else {
        kv->mutable_value()->set_string_value("value-" + std::to_string(rng() % 1000));
      }
    }
    if (i % 10 == 0) {
      auto* ev = span->add_events();
      ev->set_name("exception");
      ev->set_time_unix_nano(start + static_cast<uint64_t>(i) * 1000 + 100);
    }
  }
  return request.SerializeAsString();
}

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

void BM_DecodeOtlpJson(benchmark::State& state) {
  SpanBatch batch;
  DecodeStats stats;
  if (!DecodeOtlpProto(MakeRequest(1), &batch, &stats).ok()) state.SkipWithError("setup failed");
  std::vector<Trace> traces(1);
  for (const auto& rs : batch.resource_spans) {
    for (const auto& ss : rs.scope_spans) {
      for (const auto& span : ss.spans) traces[0].spans.push_back(SpanRecord{rs.resource, ss.scope, span, {}});
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
    if (!DecodeOtlpProto(MakeRequest(i + 1), &batches[i], &stats).ok()) state.SkipWithError("setup failed");
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
