// Span sets for the block codec tests: a tracegen-like workload decoded from
// generated OTLP requests (the shape bench/ingest_bench.cc uses), and
// helpers to compare decoded spans with the originals.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "bench/tracegen.h"
#include "formats/otlp/otlp_decode.h"
#include "model/span.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace spoor::testing {

// The tracegen-like request of the benchmarks (bench/tracegen.h), the
// requests of one seed 100 ms after those of the previous one.
inline std::string MakeTracegenRequest(uint64_t seed) {
  return bench::MakeTracegenRequest(seed, bench::kDefaultRequestStartNs + seed * 100000000ULL);
}

// The spans of `requests` tracegen-like requests, as storage receives them.
inline std::vector<SpanRecord> TracegenSpans(int requests, uint64_t first_seed = 1) {
  std::vector<SpanRecord> out;
  for (int r = 0; r < requests; ++r) {
    SpanBatch batch;
    DecodeStats stats;
    EXPECT_TRUE(
        DecodeOtlpProto(MakeTracegenRequest(first_seed + static_cast<uint64_t>(r)), &batch, &stats)
            .ok());
    for (const ResourceSpans& rs : batch.resource_spans) {
      for (const ScopeSpans& ss : rs.scope_spans) {
        for (const Span& s : ss.spans) out.push_back(SpanRecord{rs.resource, ss.scope, s, {}});
      }
    }
  }
  return out;
}

// Every field, Resource::schema_url and service_name included.
inline bool SameRecord(const SpanRecord& a, const SpanRecord& b) {
  if ((a.resource == nullptr) != (b.resource == nullptr)) return false;
  if ((a.scope == nullptr) != (b.scope == nullptr)) return false;
  if (a.resource != nullptr &&
      (!(*a.resource == *b.resource) || a.resource->schema_url != b.resource->schema_url ||
       a.resource->service_name != b.resource->service_name)) {
    return false;
  }
  if (a.scope != nullptr &&
      (!(*a.scope == *b.scope) || a.scope->schema_url != b.scope->schema_url)) {
    return false;
  }
  return a.span == b.span;
}

// Sorts copies of both sets by (trace, span, start) and expects them equal
// record for record.
inline void ExpectSameSpans(std::vector<SpanRecord> expected, std::vector<SpanRecord> actual) {
  const auto less = [](const SpanRecord& a, const SpanRecord& b) {
    return std::tie(a.span.trace_id, a.span.span_id, a.span.start_time_ns, a.span.name) <
           std::tie(b.span.trace_id, b.span.span_id, b.span.start_time_ns, b.span.name);
  };
  std::stable_sort(expected.begin(), expected.end(), less);
  std::stable_sort(actual.begin(), actual.end(), less);
  ASSERT_EQ(expected.size(), actual.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_TRUE(SameRecord(expected[i], actual[i]))
        << "span " << i << ": " << expected[i].span.span_id.Hex() << " / "
        << actual[i].span.span_id.Hex();
  }
}

}  // namespace spoor::testing
