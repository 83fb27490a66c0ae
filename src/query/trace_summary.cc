#include "query/trace_summary.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <unordered_set>

namespace spoor {
namespace {

std::string_view ServiceName(const SpanRecord& record) {
  if (record.resource == nullptr) return kNoServiceName;
  if (!record.resource->service_name.empty()) return record.resource->service_name;
  const AnyValue* v = FindAttribute(record.resource->attributes, "service.name");
  if (v != nullptr && v->type == ValueType::kString) return v->string_value;
  return kNoServiceName;
}

// Errors as the Jaeger UI counts them: the OTLP status, or the OpenTracing
// `error` tag (bool, or the string "true" some clients send).
bool IsError(const Span& span) {
  if (span.status.code == SpanStatusCode::kError) return true;
  const AnyValue* error = FindAttribute(span.attributes, "error");
  if (error == nullptr) return false;
  if (error->type == ValueType::kBool) return error->bool_value;
  return error->type == ValueType::kString && error->string_value == "true";
}

// Earlier start wins; ties keep the first span seen.
bool StartsBefore(const SpanRecord* a, const SpanRecord* b) {
  return b == nullptr || a->span.start_time_ns < b->span.start_time_ns;
}

void AppendDecimal(std::string_view key, uint64_t value, JsonWriter& w) {
  w.Field(key, std::to_string(value));
}

}  // namespace

TraceSummary SummarizeTrace(const Trace& trace) {
  TraceSummary summary;
  summary.trace_id = trace.trace_id;
  if (!summary.trace_id.valid() && !trace.spans.empty()) {
    summary.trace_id = trace.spans.front().span.trace_id;
  }
  summary.span_count = trace.spans.size();

  std::unordered_set<uint64_t> span_ids;
  for (const SpanRecord& record : trace.spans) span_ids.insert(record.span.span_id.value);

  // A true root (no parent at all) is preferred; a trace whose root has not
  // arrived yet is named after its earliest span whose parent is missing.
  const SpanRecord* root = nullptr;
  const SpanRecord* earliest_orphan = nullptr;
  std::map<std::string_view, ServiceSummary> services;
  bool first = true;
  for (const SpanRecord& record : trace.spans) {
    const Span& span = record.span;
    if (first) {
      summary.min_start_time_ns = span.start_time_ns;
      summary.max_end_time_ns = span.end_time_ns;
      first = false;
    } else {
      summary.min_start_time_ns = std::min(summary.min_start_time_ns, span.start_time_ns);
      summary.max_end_time_ns = std::max(summary.max_end_time_ns, span.end_time_ns);
    }

    if (!span.parent_span_id.valid()) {
      if (StartsBefore(&record, root)) root = &record;
    } else if (!span_ids.contains(span.parent_span_id.value)) {
      ++summary.orphan_span_count;
      if (StartsBefore(&record, earliest_orphan)) earliest_orphan = &record;
    }

    std::string_view service = ServiceName(record);
    ServiceSummary& s = services[service];
    ++s.span_count;
    if (IsError(span)) {
      ++s.error_span_count;
      ++summary.error_span_count;
    }
  }
  if (root == nullptr) root = earliest_orphan;
  if (root != nullptr) {
    summary.root_service_name = std::string(ServiceName(*root));
    summary.root_operation_name = std::string(root->span.name);
  }

  summary.services.reserve(services.size());
  for (auto& [name, s] : services) {
    s.name = std::string(name);
    summary.services.push_back(std::move(s));
  }
  return summary;
}

void AppendTraceSummaryJson(const TraceSummary& summary, JsonWriter& w) {
  w.BeginObject();
  w.Field("traceId", summary.trace_id.Hex32());
  w.Field("rootServiceName", summary.root_service_name);
  w.Field("rootOperationName", summary.root_operation_name);
  // 64-bit nanosecond times exceed a JavaScript number's precision, so they
  // are written as strings, as OTLP/JSON does.
  AppendDecimal("minStartTimeUnixNano", summary.min_start_time_ns, w);
  AppendDecimal("maxEndTimeUnixNano", summary.max_end_time_ns, w);
  w.FieldUint("spanCount", summary.span_count);
  w.FieldUint("errorSpanCount", summary.error_span_count);
  w.FieldUint("orphanSpanCount", summary.orphan_span_count);
  w.Key("services").BeginArray();
  for (const ServiceSummary& s : summary.services) {
    w.BeginObject();
    w.Field("name", s.name);
    w.FieldUint("spanCount", s.span_count);
    w.FieldUint("errorSpanCount", s.error_span_count);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace spoor
