#include "formats/jaeger_json/jaeger_json.h"

#include <charconv>
#include <cstdint>
#include <string_view>
#include <unordered_map>

#include "common/base64.h"

namespace spoor {
namespace {

// Largest integer a JavaScript number holds exactly; the Jaeger UI parses
// the JSON in a browser, so larger values travel as strings.
constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;

std::string_view ProcessServiceName(const Resource* resource) {
  if (resource == nullptr) return kNoServiceName;
  if (!resource->service_name.empty()) return resource->service_name;
  // A resource built without ResolveServiceName(): read the attribute.
  const AnyValue* v = FindAttribute(resource->attributes, "service.name");
  if (v != nullptr && v->type == ValueType::kString) return v->string_value;
  return kNoServiceName;
}

// The JSON of a process ({"serviceName", "tags"}). Two resources that give
// the same JSON are the same Jaeger process.
std::string ProcessJson(const Resource* resource) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Field("serviceName", ProcessServiceName(resource));
  w.Key("tags").BeginArray();
  if (resource != nullptr) {
    for (const KeyValue& kv : resource->attributes) {
      if (kv.key == "service.name") continue;
      AppendJaegerTag(kv.key, kv.value, w);
    }
  }
  w.EndArray();
  w.EndObject();
  return out;
}

// Assigns process IDs (p1, p2, ... in order of first appearance) to the
// spans of a trace.
class ProcessTable {
 public:
  // Returns the 0-based index of the span's process.
  size_t IndexOf(const Resource* resource) {
    auto cached = by_resource_.find(resource);
    if (cached != by_resource_.end()) return cached->second;
    std::string json = ProcessJson(resource);
    auto [it, inserted] = by_json_.try_emplace(json, processes_.size());
    if (inserted) processes_.push_back(std::move(json));
    by_resource_.emplace(resource, it->second);
    return it->second;
  }

  [[nodiscard]] const std::vector<std::string>& processes() const { return processes_; }

 private:
  std::unordered_map<const Resource*, size_t> by_resource_;
  std::unordered_map<std::string, size_t> by_json_;
  std::vector<std::string> processes_;  // JSON, in ID order
};

std::string ProcessId(size_t index) {
  char buf[24] = {'p'};
  auto [end, ec] = std::to_chars(buf + 1, buf + sizeof buf, index + 1);
  return std::string(buf, end);
}

void StringTag(std::string_view key, std::string_view value, JsonWriter& w) {
  w.BeginObject().Field("key", key).Field("type", "string").Field("value", value).EndObject();
}

// Tags derived from span fields are skipped when an attribute of the same
// key is present (e.g. a span ingested from Jaeger that kept its own
// `span.kind` or `error` tag), so a key never appears twice.
bool HasAttribute(const Span& span, std::string_view key) {
  return FindAttribute(span.attributes, key) != nullptr;
}

void AppendSpanTags(const SpanRecord& record, JsonWriter& w) {
  const Span& span = record.span;
  w.Key("tags").BeginArray();
  for (const KeyValue& kv : span.attributes) AppendJaegerTag(kv.key, kv.value, w);
  std::string_view kind = SpanKindName(span.kind);
  if (!kind.empty() && !HasAttribute(span, "span.kind")) StringTag("span.kind", kind, w);
  if (span.status.code == SpanStatusCode::kError) {
    if (!HasAttribute(span, "otel.status_code")) StringTag("otel.status_code", "ERROR", w);
    if (!HasAttribute(span, "error")) {
      w.BeginObject().Field("key", "error").Field("type", "bool").FieldBool("value", true);
      w.EndObject();
    }
  } else if (span.status.code == SpanStatusCode::kOk && !HasAttribute(span, "otel.status_code")) {
    StringTag("otel.status_code", "OK", w);
  }
  if (!span.status.message.empty() && !HasAttribute(span, "otel.status_description")) {
    StringTag("otel.status_description", span.status.message, w);
  }
  if (record.scope != nullptr) {
    if (!record.scope->name.empty() && !HasAttribute(span, "otel.scope.name")) {
      StringTag("otel.scope.name", record.scope->name, w);
    }
    if (!record.scope->version.empty() && !HasAttribute(span, "otel.scope.version")) {
      StringTag("otel.scope.version", record.scope->version, w);
    }
  }
  if (!span.trace_state.empty() && !HasAttribute(span, "w3c.tracestate")) {
    StringTag("w3c.tracestate", span.trace_state, w);
  }
  w.EndArray();
}

void AppendReference(std::string_view ref_type, const TraceId& trace_id, const SpanId& span_id,
                     JsonWriter& w) {
  w.BeginObject();
  w.Field("refType", ref_type);
  w.Field("traceID", trace_id.HexJaeger());
  w.Field("spanID", span_id.Hex());
  w.EndObject();
}

// The parent comes first (readers take the first CHILD_OF as the parent);
// links follow, as FOLLOWS_FROM unless they carry the OpenTracing
// reference type child_of.
void AppendReferences(const Span& span, JsonWriter& w) {
  w.Key("references").BeginArray();
  if (span.parent_span_id.valid()) {
    AppendReference("CHILD_OF", span.trace_id, span.parent_span_id, w);
  }
  for (const Link& link : span.links) {
    const AnyValue* ref_type = FindAttribute(link.attributes, "opentracing.ref_type");
    bool child_of = ref_type != nullptr && ref_type->type == ValueType::kString &&
                    ref_type->string_value == "child_of";
    AppendReference(child_of ? "CHILD_OF" : "FOLLOWS_FROM", link.trace_id, link.span_id, w);
  }
  w.EndArray();
}

void AppendLogs(const Span& span, JsonWriter& w) {
  w.Key("logs").BeginArray();
  for (const Event& event : span.events) {
    w.BeginObject();
    w.FieldUint("timestamp", event.time_ns / 1000);
    w.Key("fields").BeginArray();
    // An explicit `event` attribute wins over the event name, so that the
    // field is not written twice.
    if (!event.name.empty() && FindAttribute(event.attributes, "event") == nullptr) {
      StringTag("event", event.name, w);
    }
    for (const KeyValue& kv : event.attributes) AppendJaegerTag(kv.key, kv.value, w);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
}

void AppendSpan(const SpanRecord& record, std::string_view process_id, JsonWriter& w) {
  const Span& span = record.span;
  w.BeginObject();
  w.Field("traceID", span.trace_id.HexJaeger());
  w.Field("spanID", span.span_id.Hex());
  // Jaeger's flags (sampled, debug, ...) share the low byte with the W3C
  // trace flags; the bits above it are OTLP-only and not shown.
  uint32_t flags = span.flags & 0xFF;
  if (flags != 0) w.FieldUint("flags", flags);
  w.Field("operationName", span.name);
  AppendReferences(span, w);
  w.FieldUint("startTime", span.start_time_ns / 1000);
  w.FieldUint("duration", span.duration_ns() / 1000);
  AppendSpanTags(record, w);
  AppendLogs(span, w);
  w.Field("processID", process_id);
  w.Key("warnings");
  if (record.warnings.empty()) {
    w.Null();
  } else {
    w.BeginArray();
    for (const std::string& warning : record.warnings) w.String(warning);
    w.EndArray();
  }
  w.EndObject();
}

}  // namespace

void AppendJaegerTag(std::string_view key, const AnyValue& value, JsonWriter& w) {
  w.BeginObject();
  w.Field("key", key);
  switch (value.type) {
    case ValueType::kString: w.Field("type", "string").Field("value", value.string_value); break;
    case ValueType::kBool: w.Field("type", "bool").FieldBool("value", value.bool_value); break;
    case ValueType::kInt:
      w.Field("type", "int64").Key("value");
      if (value.int_value > kMaxSafeInteger || value.int_value < -kMaxSafeInteger) {
        w.String(value.ToString());
      } else {
        w.Int(value.int_value);
      }
      break;
    case ValueType::kDouble:
      w.Field("type", "float64").Key("value").Double(value.double_value);
      break;
    case ValueType::kBytes:
      w.Field("type", "binary").Field("value", Base64Encode(value.string_value));
      break;
    case ValueType::kEmpty:
    case ValueType::kArray:
    case ValueType::kKvList:
      // Jaeger has no structured values: arrays and maps are shown as their
      // JSON text, an empty value as "".
      w.Field("type", "string").Field("value", value.ToString());
      break;
  }
  w.EndObject();
}

void AppendJaegerTrace(const Trace& trace, JsonWriter& w) {
  ProcessTable processes;
  std::vector<size_t> process_of;
  process_of.reserve(trace.spans.size());
  for (const SpanRecord& record : trace.spans) {
    process_of.push_back(processes.IndexOf(record.resource.get()));
  }

  TraceId trace_id = trace.trace_id;
  if (!trace_id.valid() && !trace.spans.empty()) trace_id = trace.spans.front().span.trace_id;

  w.BeginObject();
  w.Field("traceID", trace_id.HexJaeger());
  w.Key("spans").BeginArray();
  for (size_t i = 0; i < trace.spans.size(); ++i) {
    AppendSpan(trace.spans[i], ProcessId(process_of[i]), w);
  }
  w.EndArray();
  w.Key("processes").BeginObject();
  for (size_t i = 0; i < processes.processes().size(); ++i) {
    w.Key(ProcessId(i)).Raw(processes.processes()[i]);
  }
  w.EndObject();
  w.Key("warnings").Null();
  w.EndObject();
}

}  // namespace spoor
