// Small builders for the query-core tests.
#pragma once

#include <memory>
#include <string_view>
#include <utility>

#include "model/span.h"

namespace spoor::testutil {

inline constexpr TraceId kTestTrace{0, 0xabc};

inline std::shared_ptr<const Resource> MakeResource(std::string_view service,
                                                    Attributes extra = {}) {
  auto resource = std::make_shared<Resource>();
  resource->attributes.push_back({"service.name", AnyValue::String(service)});
  for (KeyValue& kv : extra) resource->attributes.push_back(std::move(kv));
  resource->ResolveServiceName();
  return resource;
}

// A resource on host `host` (attribute host.name).
inline std::shared_ptr<const Resource> OnHost(std::string_view service, std::string_view host) {
  return MakeResource(service, {{"host.name", AnyValue::String(host)}});
}

inline SpanRecord MakeSpan(uint64_t id, uint64_t parent, uint64_t start_ns, uint64_t end_ns,
                           std::shared_ptr<const Resource> resource = nullptr) {
  SpanRecord record;
  record.resource = resource != nullptr ? std::move(resource) : MakeResource("svc");
  record.scope = std::make_shared<Scope>();
  record.span.trace_id = kTestTrace;
  record.span.span_id = SpanId{id};
  record.span.parent_span_id = SpanId{parent};
  record.span.name = "op";
  record.span.start_time_ns = start_ns;
  record.span.end_time_ns = end_ns;
  return record;
}

inline Trace MakeTrace(std::vector<SpanRecord> spans) {
  Trace trace;
  trace.trace_id = kTestTrace;
  trace.spans = std::move(spans);
  return trace;
}

// The span with `id` (the first one, if several share it), or nullptr.
inline const SpanRecord* FindSpan(const Trace& trace, uint64_t id) {
  for (const SpanRecord& record : trace.spans) {
    if (record.span.span_id.value == id) return &record;
  }
  return nullptr;
}

}  // namespace spoor::testutil
