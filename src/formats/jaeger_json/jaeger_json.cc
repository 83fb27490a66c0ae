#include "formats/jaeger_json/jaeger_json.h"

#include <charconv>
#include <cstdint>
#include <string_view>
#include <unordered_map>

#include "common/base64.h"
#include "formats/jaeger_model/jaeger_export.h"

namespace spoor {
namespace {

// Largest integer a JavaScript number holds exactly; the Jaeger UI parses
// the JSON in a browser, so larger values travel as strings.
constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;

// The JSON of a process ({"serviceName", "tags"}). Two resources that give
// the same JSON are the same Jaeger process.
std::string ProcessJson(const Resource* resource) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Field("serviceName", jaeger_export::ServiceName(resource));
  w.Key("tags").BeginArray();
  if (resource != nullptr) {
    for (const KeyValue& kv : resource->attributes) {
      if (jaeger_export::IsProcessTag(kv)) AppendJaegerTag(kv.key, kv.value, w);
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

void AppendSpanTags(const SpanRecord& record, JsonWriter& w) {
  w.Key("tags").BeginArray();
  for (const KeyValue& kv : record.span.attributes) AppendJaegerTag(kv.key, kv.value, w);
  for (const jaeger_export::DerivedTag& tag : jaeger_export::DerivedTagsOf(record)) {
    if (tag.is_bool) {
      w.BeginObject().Field("key", tag.key).Field("type", "bool").FieldBool("value", true);
      w.EndObject();
    } else {
      StringTag(tag.key, tag.value, w);
    }
  }
  w.EndArray();
}

void AppendReferences(const Span& span, JsonWriter& w) {
  w.Key("references").BeginArray();
  jaeger_export::ForEachReference(
      span, [&w](jaeger_model::RefType type, const TraceId& trace_id, const SpanId& span_id) {
        w.BeginObject();
        w.Field("refType", type == jaeger_model::RefType::kChildOf ? "CHILD_OF" : "FOLLOWS_FROM");
        w.Field("traceID", trace_id.HexJaeger());
        w.Field("spanID", span_id.Hex());
        w.EndObject();
      });
  w.EndArray();
}

void AppendLogs(const Span& span, JsonWriter& w) {
  w.Key("logs").BeginArray();
  for (const Event& event : span.events) {
    w.BeginObject();
    w.FieldUint("timestamp", event.time_ns / 1000);
    w.Key("fields").BeginArray();
    if (jaeger_export::HasEventField(event)) StringTag("event", event.name, w);
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
  if (uint32_t flags = jaeger_export::FlagsOf(span); flags != 0) w.FieldUint("flags", flags);
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
