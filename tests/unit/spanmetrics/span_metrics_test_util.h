// Batches of spans with chosen services, operations, kinds, times and
// statuses, for the span metrics tests.
#pragma once

#include <memory>
#include <string>

#include "model/span.h"
#include "model/string_table.h"

namespace spoor::spanmetricstest {

inline constexpr uint64_t kSecond = 1000000000;
inline constexpr uint64_t kMs = 1000000;
// A time on a 5 min boundary.
inline constexpr uint64_t kBase = 1800000000ULL * kSecond;

struct SpanSpec {
  std::string service;
  std::string operation;
  SpanKind kind = SpanKind::kServer;
  uint64_t start_ns = kBase;
  uint64_t duration_ns = kMs;
  bool error = false;
};

inline void AddSpan(SpanBatch& batch, const SpanSpec& spec) {
  auto resource = std::make_shared<Resource>();
  resource->attributes.push_back({Intern("service.name"), AnyValue::String(spec.service)});
  resource->ResolveServiceName();
  auto scope = std::make_shared<Scope>();
  Span span;
  static uint64_t next_id = 1;
  span.trace_id = TraceId{next_id, next_id};
  span.span_id = SpanId{next_id++};
  span.name = Intern(spec.operation);
  span.kind = spec.kind;
  span.start_time_ns = spec.start_ns;
  span.end_time_ns = spec.start_ns + spec.duration_ns;
  if (spec.error) span.status.code = SpanStatusCode::kError;
  ResourceSpans rs;
  rs.resource = std::move(resource);
  rs.scope_spans.push_back({std::move(scope), {std::move(span)}});
  batch.resource_spans.push_back(std::move(rs));
}

}  // namespace spoor::spanmetricstest
