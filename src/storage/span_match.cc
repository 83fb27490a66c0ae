#include "storage/span_match.h"

#include <algorithm>

namespace spoor {

bool ValueMatchesTag(const AnyValue& v, std::string_view expected) {
  switch (v.type) {
    case ValueType::kString: return v.string_value == expected;
    case ValueType::kBool: return expected == (v.bool_value ? "true" : "false");
    default: {
      std::string s;
      v.AppendString(s);
      return s == expected;
    }
  }
}

bool SpanHasDerivedTag(const SpanRecord& r, std::string_view key, std::string_view value) {
  const Span& s = r.span;
  if (key == "span.kind") return s.kind != SpanKind::kUnspecified && SpanKindName(s.kind) == value;
  if (key == "error") return s.status.code == SpanStatusCode::kError && value == "true";
  if (key == "otel.status_code") {
    return (s.status.code == SpanStatusCode::kError && value == "ERROR") ||
           (s.status.code == SpanStatusCode::kOk && value == "OK");
  }
  if (key == "otel.status_description")
    return !s.status.message.empty() && s.status.message == value;
  if (key == "otel.scope.name") return !r.scope->name.empty() && r.scope->name == value;
  if (key == "otel.scope.version") return !r.scope->version.empty() && r.scope->version == value;
  if (key == "w3c.tracestate") return !s.trace_state.empty() && s.trace_state == value;
  return false;
}

bool AttributesHaveTag(const Attributes& attrs, std::string_view key, std::string_view value) {
  for (const KeyValue& kv : attrs) {
    if (kv.key == key && ValueMatchesTag(kv.value, value)) return true;
  }
  return false;
}

bool IsDerivedTagKey(std::string_view key) {
  for (std::string_view k : {"span.kind", "error", "otel.status_code", "otel.status_description",
                             "otel.scope.name", "otel.scope.version", "w3c.tracestate"}) {
    if (key == k) return true;
  }
  return false;
}

bool SpanHasTag(const SpanRecord& r, std::string_view key, std::string_view value) {
  if (AttributesHaveTag(r.span.attributes, key, value)) return true;
  if (AttributesHaveTag(r.resource->attributes, key, value)) return true;
  if (AttributesHaveTag(r.scope->attributes, key, value)) return true;
  for (const Event& e : r.span.events) {
    if (AttributesHaveTag(e.attributes, key, value)) return true;
  }
  for (const Link& l : r.span.links) {
    if (AttributesHaveTag(l.attributes, key, value)) return true;
  }
  return SpanHasDerivedTag(r, key, value);
}

bool SpanMatches(const SpanRecord& r, const TraceQuery& q) {
  const Span& s = r.span;
  if (!q.service.empty() && r.resource->service_name != q.service) return false;
  if (!q.operation.empty() && s.name != q.operation) return false;
  if (q.match_kind && s.kind != q.kind) return false;
  if (s.start_time_ns < q.start_time_min_ns) return false;
  if (q.start_time_max_ns != 0 && s.start_time_ns > q.start_time_max_ns) return false;
  uint64_t d = s.duration_ns();
  if (q.duration_min_ns != 0 && d < q.duration_min_ns) return false;
  if (q.duration_max_ns != 0 && d > q.duration_max_ns) return false;
  for (const auto& [key, value] : q.tags) {
    if (!SpanHasTag(r, key, value)) return false;
  }
  return true;
}

void TraceOutline::Add(const SpanRecord& r) {
  Add(r.span.start_time_ns, r.span.end_time_ns, r.span.parent_span_id.valid(),
      r.resource != nullptr ? std::string_view(r.resource->service_name) : std::string_view(),
      r.span.name);
}

void TraceOutline::Add(uint64_t start_ns, uint64_t end_ns, bool has_parent,
                       std::string_view service, std::string_view name) {
  first_start_ns = std::min(first_start_ns, start_ns);
  last_end_ns = std::max(last_end_ns, std::max(end_ns, start_ns));
  if (!has_parent && start_ns < root_start_ns) {
    root_start_ns = start_ns;
    root_service = service;
    root_name = name;
  }
}

void TraceOutline::Merge(const TraceOutline& o) {
  first_start_ns = std::min(first_start_ns, o.first_start_ns);
  last_end_ns = std::max(last_end_ns, o.last_end_ns);
  if (o.root_start_ns < root_start_ns) {
    root_start_ns = o.root_start_ns;
    root_service = o.root_service;
    root_name = o.root_name;
  }
}

bool HasSpanConditions(const TraceQuery& q) {
  return !q.service.empty() || !q.operation.empty() || q.match_kind || !q.tags.empty() ||
         q.duration_min_ns != 0 || q.duration_max_ns != 0;
}

bool HasTraceConditions(const TraceQuery& q) {
  return q.trace_duration_min_ns != 0 || q.trace_duration_max_ns != 0 || !q.root_service.empty() ||
         !q.root_operation.empty();
}

bool OutlineMatches(const TraceOutline& o, const TraceQuery& q) {
  const uint64_t d = o.duration_ns();
  if (q.trace_duration_min_ns != 0 && d < q.trace_duration_min_ns) return false;
  if (q.trace_duration_max_ns != 0 && d > q.trace_duration_max_ns) return false;
  const bool has_root = o.root_start_ns != UINT64_MAX;
  if (!q.root_service.empty() && (!has_root || o.root_service != q.root_service)) return false;
  if (!q.root_operation.empty() && (!has_root || o.root_name != q.root_operation)) return false;
  return true;
}

bool TraceMatches(const Trace& trace, const TraceQuery& q) {
  if (!HasTraceConditions(q)) return true;
  TraceOutline outline;
  for (const SpanRecord& r : trace.spans) {
    const uint64_t start = r.span.start_time_ns;
    if (start < q.start_time_min_ns) continue;
    if (q.start_time_max_ns != 0 && start > q.start_time_max_ns) continue;
    outline.Add(r);
  }
  return !outline.empty() && OutlineMatches(outline, q);
}

}  // namespace spoor
