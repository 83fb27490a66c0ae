// Builders of span batches for the storage tests.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string_view>
#include <utility>
#include <vector>

#include "model/span.h"
#include "model/string_table.h"
#include "storage/storage.h"

namespace spoor {

inline void PrintTo(const TraceId& id, std::ostream* os) {
  *os << id.Hex32();
}

}  // namespace spoor

namespace spoor::storagetest {

// 2023-11-14T22:13:20Z, in nanoseconds: every test's times are offsets from it.
inline constexpr uint64_t kBase = 1'700'000'000'000'000'000ULL;
inline constexpr uint64_t kSecond = 1'000'000'000ULL;
inline constexpr uint64_t kMs = 1'000'000ULL;

inline TraceId Tid(uint64_t low) {
  return TraceId{0, low};
}

inline KeyValue Kv(std::string_view key, AnyValue value) {
  return KeyValue{Intern(key), std::move(value)};
}

inline std::shared_ptr<const Resource> MakeResource(std::string_view service,
                                                    Attributes extra = {}) {
  auto resource = std::make_shared<Resource>();
  resource->attributes.push_back(Kv("service.name", AnyValue::String(service)));
  for (KeyValue& kv : extra) resource->attributes.push_back(std::move(kv));
  resource->ResolveServiceName();
  return resource;
}

inline std::shared_ptr<const Scope> MakeScope(std::string_view name = "",
                                              std::string_view version = "",
                                              Attributes attributes = {}) {
  auto scope = std::make_shared<Scope>();
  scope->name = Intern(name);
  scope->version = Intern(version);
  scope->attributes = std::move(attributes);
  return scope;
}

// A span of `trace` named `name`, starting `start_ns` after kBase.
inline Span MakeSpan(TraceId trace, uint64_t id, uint64_t parent, std::string_view name,
                     uint64_t start_ns = 0, uint64_t duration_ns = kMs) {
  Span s;
  s.trace_id = trace;
  s.span_id = SpanId{id};
  s.parent_span_id = SpanId{parent};
  s.name = Intern(name);
  s.start_time_ns = kBase + start_ns;
  s.end_time_ns = kBase + start_ns + duration_ns;
  return s;
}

// Appends one resource (and scope) holding `spans` to `batch`.
inline SpanBatch& Add(SpanBatch& batch, std::shared_ptr<const Resource> resource,
                      std::vector<Span> spans, std::shared_ptr<const Scope> scope = nullptr) {
  ResourceSpans rs;
  rs.resource = std::move(resource);
  ScopeSpans ss;
  ss.scope = scope != nullptr ? std::move(scope) : MakeScope();
  ss.spans = std::move(spans);
  rs.scope_spans.push_back(std::move(ss));
  batch.resource_spans.push_back(std::move(rs));
  return batch;
}

inline SpanBatch Batch(std::string_view service, std::vector<Span> spans) {
  SpanBatch batch;
  Add(batch, MakeResource(service), std::move(spans));
  return batch;
}

inline std::vector<TraceId> Ids(const std::vector<Trace>& traces) {
  std::vector<TraceId> ids;
  for (const Trace& t : traces) ids.push_back(t.trace_id);
  return ids;
}

}  // namespace spoor::storagetest
