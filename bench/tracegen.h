// The synthetic workload of the benchmarks, shaped like the spans the
// OpenTelemetry tracegen tool sends: one OTLP export request of 100 spans in
// traces of 10 over 3 services, 11 attributes per span drawn from 97 keys and
// 1000 values (one in three an int), an event on one span in ten. The spans
// of a request start 1 us apart from `start_ns`.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace spoor::bench {

inline constexpr int kSpansPerRequest = 100;
inline constexpr int kSpansPerTrace = 10;
inline constexpr int kAttributesPerSpan = 11;
inline constexpr uint64_t kDefaultRequestStartNs = 1700000000000000000ULL;

// The serialized request for `seed`. Trace IDs are unique across seeds
// below 2^54: the low half is seed * 1000 + the trace's index + 1.
// `spans_per_trace` other than 10 changes the trace shape (1: every span
// its own trace), for measuring what trace grouping is worth.
inline std::string MakeTracegenRequest(uint64_t seed, uint64_t start_ns = kDefaultRequestStartNs,
                                       int spans_per_trace = kSpansPerTrace) {
  namespace pb = opentelemetry::proto;
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
  char id[16];
  uint64_t trace_hi = 0;
  for (int i = 0; i < kSpansPerRequest; ++i) {
    auto* span = scopes[static_cast<size_t>(i % 3)]->add_spans();
    if (i % spans_per_trace == 0) trace_hi = rng();  // a new trace
    uint64_t trace_lo = static_cast<uint64_t>(i / kSpansPerTrace) + seed * 1000 + 1;
    for (int b = 0; b < 8; ++b) id[b] = static_cast<char>(trace_hi >> (56 - 8 * b));
    for (int b = 0; b < 8; ++b) id[8 + b] = static_cast<char>(trace_lo >> (56 - 8 * b));
    span->set_trace_id(id, 16);
    uint64_t span_id = rng() | 1;
    for (int b = 0; b < 8; ++b) id[b] = static_cast<char>(span_id >> (56 - 8 * b));
    span->set_span_id(id, 8);
    span->set_name("operation-" + std::to_string(rng() % 20));
    span->set_kind(static_cast<pb::trace::v1::Span_SpanKind>(1 + rng() % 5));
    span->set_start_time_unix_nano(start_ns + static_cast<uint64_t>(i) * 1000);
    span->set_end_time_unix_nano(start_ns + static_cast<uint64_t>(i) * 1000 + 500000);
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
      ev->set_time_unix_nano(start_ns + static_cast<uint64_t>(i) * 1000 + 100);
    }
  }
  return request.SerializeAsString();
}

}  // namespace spoor::bench
