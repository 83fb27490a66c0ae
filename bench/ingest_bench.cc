// Microbenchmarks of the ingest hot path: OTLP decoding and the memory
// store's write. Run with `make bench`. Figures are per span processed
// ("items_per_second").
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <vector>

#include "bench/tracegen.h"
#include "common/json_writer.h"
#include "formats/otlp/otlp_decode.h"
#include "formats/otlp/otlp_json_encode.h"
#include "formats/otlp/otlp_proto_encode.h"
#include "storage/embedded/wal_codec.h"
#include "storage/memory/memory_store.h"
#include "storage/memory/span_codec.h"

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

// What a collector with the NATS buffer spends per batch before publishing:
// the batch back to OTLP protobuf.
void BM_EncodeOtlpProto(benchmark::State& state) {
  SpanBatch batch;
  DecodeStats stats;
  if (!DecodeOtlpProto(MakeRequest(1), &batch, &stats).ok()) state.SkipWithError("setup failed");
  std::string out;
  for (auto _ : state) {
    EncodeOtlpProto(batch, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kSpansPerRequest);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
}
BENCHMARK(BM_EncodeOtlpProto);

// The baseline: the protobuf library serializing its own message objects.
void BM_SerializeOtlpProtobuf(benchmark::State& state) {
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest request;
  if (!request.ParseFromString(MakeRequest(1))) state.SkipWithError("setup failed");
  std::string out;
  for (auto _ : state) {
    request.SerializeToString(&out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kSpansPerRequest);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
}
BENCHMARK(BM_SerializeOtlpProtobuf);

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

// The encodings a tracegen request's spans could be kept in: the memory
// store's (one trace's bytes per span, resources and scopes apart) and the
// embedded store's write-ahead entry (the whole batch, names once per entry).
// Figures per span encoded, and the bytes each span takes.
void BM_EncodeMemorySpans(benchmark::State& state) {
  SpanBatch batch;
  DecodeStats stats;
  if (!DecodeOtlpProto(MakeRequest(1), &batch, &stats).ok()) state.SkipWithError("setup failed");
  NameTable names;
  std::string out;
  for (auto _ : state) {
    out.clear();
    for (const ResourceSpans& rs : batch.resource_spans) {
      for (const ScopeSpans& ss : rs.scope_spans) {
        for (const Span& s : ss.spans) (void)EncodeSpan(s, 0, s.start_time_ns, names, &out);
      }
    }
    benchmark::DoNotOptimize(out);
  }
  state.counters["bytes_per_span"] = static_cast<double>(out.size()) / kSpansPerRequest;
  state.SetItemsProcessed(state.iterations() * kSpansPerRequest);
}
BENCHMARK(BM_EncodeMemorySpans);

void BM_EncodeWalEntry(benchmark::State& state) {
  SpanBatch batch;
  DecodeStats stats;
  if (!DecodeOtlpProto(MakeRequest(1), &batch, &stats).ok()) state.SkipWithError("setup failed");
  std::string out;
  for (auto _ : state) {
    out.clear();
    EncodeWalEntry(batch, &out);
    benchmark::DoNotOptimize(out);
  }
  state.counters["bytes_per_span"] = static_cast<double>(out.size()) / kSpansPerRequest;
  state.SetItemsProcessed(state.iterations() * kSpansPerRequest);
}
BENCHMARK(BM_EncodeWalEntry);

// A memory store holding `requests` tracegen requests (100 spans each, in
// traces of 10), and the IDs of its traces.
struct FilledMemoryStore {
  std::unique_ptr<Storage> store = NewMemoryStore(MemoryStoreOptions{1000000});
  std::vector<TraceId> trace_ids;
  explicit FilledMemoryStore(size_t requests) {
    for (size_t i = 0; i < requests; ++i) {
      SpanBatch batch;
      DecodeStats stats;
      if (!DecodeOtlpProto(MakeRequest(i + 1), &batch, &stats).ok()) std::abort();
      for (const Span& s : batch.resource_spans[0].scope_spans[0].spans) {
        if (trace_ids.empty() || !(trace_ids.back() == s.trace_id)) trace_ids.push_back(s.trace_id);
      }
      if (!store->Write(std::move(batch)).ok()) std::abort();
    }
  }
};

// Reading one whole trace (10 spans) by ID from a store of 100,000 spans.
// Figures per span returned.
void BM_MemoryStoreGetTrace(benchmark::State& state) {
  FilledMemoryStore filled(1000);
  size_t i = 0;
  size_t spans = 0;
  for (auto _ : state) {
    auto trace = filled.store->GetTrace(filled.trace_ids[i++ % filled.trace_ids.size()], {});
    if (!trace.ok()) state.SkipWithError("trace not found");
    spans += trace->spans.size();
    benchmark::DoNotOptimize(trace);
  }
  state.SetItemsProcessed(static_cast<int64_t>(spans));
}
BENCHMARK(BM_MemoryStoreGetTrace);

// A search by service and one span tag (as the UI sends it) over a store of
// 100,000 spans, 20 traces at most. Figures per span held, i.e. the scan rate.
void BM_MemoryStoreFindTraceIdsByTag(benchmark::State& state) {
  constexpr size_t kRequests = 1000;
  FilledMemoryStore filled(kRequests);
  TraceQuery query;
  query.service = "orders";
  query.tags = {{"attribute-key-7", "value-77"}};
  query.limit = 20;
  size_t found = 0;
  for (auto _ : state) {
    auto ids = filled.store->FindTraceIds(query);
    if (!ids.ok()) state.SkipWithError("search failed");
    found = ids->size();
    benchmark::DoNotOptimize(ids);
  }
  state.counters["traces_found"] = static_cast<double>(found);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kRequests) * kSpansPerRequest);
}
BENCHMARK(BM_MemoryStoreFindTraceIdsByTag);

}  // namespace
}  // namespace spoor
