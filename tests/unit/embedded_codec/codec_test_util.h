// Span sets for the block codec tests: a tracegen-like workload decoded from
// generated OTLP requests (the shape bench/ingest_bench.cc uses), and
// helpers to compare decoded spans with the originals.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "formats/otlp/otlp_decode.h"
#include "model/span.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace spoor::testing {

// 100 spans in traces of 10 over 3 services, 11 attributes per span drawn
// from 97 keys and 1000 values (one in three an int), an event on one span
// in ten. Spans of one request start 1 us apart.
inline std::string MakeTracegenRequest(uint64_t seed) {
  namespace pb = opentelemetry::proto;
  std::mt19937_64 rng(seed);
  pb::collector::trace::v1::ExportTraceServiceRequest request;
  std::vector<pb::trace::v1::ScopeSpans*> scopes;
  for (const char* service : {"frontend", "orders", "payments"}) {
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
  const uint64_t start = 1700000000000000000ULL + seed * 100000000ULL;
  char id[16];
  uint64_t trace_hi = 0;
  for (int i = 0; i < 100; ++i) {
    auto* span = scopes[static_cast<size_t>(i % 3)]->add_spans();
    if (i % 10 == 0) trace_hi = rng();  // one trace ID for every 10 spans
    const uint64_t trace_lo = static_cast<uint64_t>(i / 10) + seed * 1000 + 1;
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
    for (int a = 0; a < 11; ++a) {
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
