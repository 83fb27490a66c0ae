// Model -> OTLP/JSON, following the protobuf JSON mapping: fields holding
// their default value (zero, empty) are omitted, except the ones every
// reader of a span expects (IDs, name, kind, times).

#include "formats/otlp/otlp_json_encode.h"

#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/base64.h"

namespace spoor {
namespace {

void WriteValue(const AnyValue& v, JsonWriter& w);

void WriteAttributes(const Attributes& attrs, JsonWriter& w) {
  w.BeginArray();
  for (const KeyValue& kv : attrs) {
    w.BeginObject().Field("key", kv.key).Key("value");
    WriteValue(kv.value, w);
    w.EndObject();
  }
  w.EndArray();
}

// Writes "attributes" and "droppedAttributesCount" when they are not empty.
void WriteAttributeFields(const Attributes& attrs, uint32_t dropped, JsonWriter& w) {
  if (!attrs.empty()) {
    w.Key("attributes");
    WriteAttributes(attrs, w);
  }
  if (dropped != 0) w.FieldUint("droppedAttributesCount", dropped);
}

void WriteValue(const AnyValue& v, JsonWriter& w) {
  w.BeginObject();
  switch (v.type) {
    case ValueType::kEmpty: break;
    case ValueType::kString: w.Field("stringValue", v.string_value); break;
    case ValueType::kBool: w.FieldBool("boolValue", v.bool_value); break;
    // 64-bit integers are strings in the JSON mapping (JavaScript numbers
    // cannot hold them).
    case ValueType::kInt: w.Key("intValue").String(std::to_string(v.int_value)); break;
    case ValueType::kDouble: w.Key("doubleValue").Double(v.double_value); break;
    case ValueType::kBytes: w.Field("bytesValue", Base64Encode(v.string_value)); break;
    case ValueType::kArray:
      w.Key("arrayValue").BeginObject();
      if (!v.array.empty()) {
        w.Key("values").BeginArray();
        for (const AnyValue& e : v.array) WriteValue(e, w);
        w.EndArray();
      }
      w.EndObject();
      break;
    case ValueType::kKvList:
      w.Key("kvlistValue").BeginObject();
      if (!v.kvlist.empty()) {
        w.Key("values");
        WriteAttributes(v.kvlist, w);
      }
      w.EndObject();
      break;
  }
  w.EndObject();
}

void WriteTime(std::string_view key, uint64_t time_ns, JsonWriter& w) {
  w.Key(key).String(std::to_string(time_ns));
}

void WriteEvent(const Event& e, JsonWriter& w) {
  w.BeginObject();
  if (e.time_ns != 0) WriteTime("timeUnixNano", e.time_ns, w);
  if (!e.name.empty()) w.Field("name", e.name);
  WriteAttributeFields(e.attributes, e.dropped_attributes_count, w);
  w.EndObject();
}

void WriteLink(const Link& l, JsonWriter& w) {
  w.BeginObject();
  if (l.trace_id.valid()) w.Field("traceId", l.trace_id.Hex32());
  if (l.span_id.valid()) w.Field("spanId", l.span_id.Hex());
  if (!l.trace_state.empty()) w.Field("traceState", l.trace_state);
  WriteAttributeFields(l.attributes, l.dropped_attributes_count, w);
  if (l.flags != 0) w.FieldUint("flags", l.flags);
  w.EndObject();
}

void WriteSpan(const Span& s, JsonWriter& w) {
  w.BeginObject();
  w.Field("traceId", s.trace_id.Hex32());
  w.Field("spanId", s.span_id.Hex());
  if (!s.trace_state.empty()) w.Field("traceState", s.trace_state);
  if (s.parent_span_id.valid()) w.Field("parentSpanId", s.parent_span_id.Hex());
  if (s.flags != 0) w.FieldUint("flags", s.flags);
  w.Field("name", s.name);
  w.FieldUint("kind", static_cast<uint64_t>(s.kind));
  WriteTime("startTimeUnixNano", s.start_time_ns, w);
  WriteTime("endTimeUnixNano", s.end_time_ns, w);
  WriteAttributeFields(s.attributes, s.dropped_attributes_count, w);
  if (!s.events.empty()) {
    w.Key("events").BeginArray();
    for (const Event& e : s.events) WriteEvent(e, w);
    w.EndArray();
  }
  if (s.dropped_events_count != 0) w.FieldUint("droppedEventsCount", s.dropped_events_count);
  if (!s.links.empty()) {
    w.Key("links").BeginArray();
    for (const Link& l : s.links) WriteLink(l, w);
    w.EndArray();
  }
  if (s.dropped_links_count != 0) w.FieldUint("droppedLinksCount", s.dropped_links_count);
  if (s.status.code != SpanStatusCode::kUnset || !s.status.message.empty()) {
    w.Key("status").BeginObject();
    if (!s.status.message.empty()) w.Field("message", s.status.message);
    if (s.status.code != SpanStatusCode::kUnset) {
      w.FieldUint("code", static_cast<uint64_t>(s.status.code));
    }
    w.EndObject();
  }
  w.EndObject();
}

// Resource::operator== and Scope::operator== leave out schema_url, which is
// written per group here, so grouping compares it too.
bool SameResource(const Resource& a, const Resource& b) {
  return a == b && a.schema_url == b.schema_url;
}
bool SameScope(const Scope& a, const Scope& b) {
  return a == b && a.schema_url == b.schema_url;
}

// Groups of values equal under `same`, in order of first appearance. Lookups
// go by pointer first, so comparing values happens once per distinct
// pointer, not once per span.
template <typename T, typename Member>
class Grouper {
 public:
  // Returns the group for `key`, creating it if needed.
  template <typename Same>
  Member& GroupFor(const T* key, Same same) {
    auto it = index_.find(key);
    if (it != index_.end()) return groups_[it->second].second;
    size_t i = 0;
    while (i < groups_.size() && !same(*groups_[i].first, *key)) ++i;
    if (i == groups_.size()) groups_.emplace_back(key, Member{});
    index_.emplace(key, i);
    return groups_[i].second;
  }
  [[nodiscard]] const std::vector<std::pair<const T*, Member>>& groups() const { return groups_; }

 private:
  std::vector<std::pair<const T*, Member>> groups_;
  std::unordered_map<const T*, size_t> index_;
};

using ScopeGroups = Grouper<Scope, std::vector<const Span*>>;

}  // namespace

void AppendOtlpJsonTraces(const std::vector<Trace>& traces, JsonWriter& w) {
  // A record without a resource or scope is written under an empty one.
  static const Resource kNoResource;
  static const Scope kNoScope;
  Grouper<Resource, ScopeGroups> by_resource;
  for (const Trace& trace : traces) {
    for (const SpanRecord& record : trace.spans) {
      const Resource* resource = record.resource ? record.resource.get() : &kNoResource;
      const Scope* scope = record.scope ? record.scope.get() : &kNoScope;
      ScopeGroups& scopes = by_resource.GroupFor(resource, SameResource);
      scopes.GroupFor(scope, SameScope).push_back(&record.span);
    }
  }

  w.BeginObject().Key("resourceSpans").BeginArray();
  for (const auto& [resource, scopes] : by_resource.groups()) {
    w.BeginObject();
    w.Key("resource").BeginObject();
    WriteAttributeFields(resource->attributes, resource->dropped_attributes_count, w);
    w.EndObject();
    w.Key("scopeSpans").BeginArray();
    for (const auto& [scope, spans] : scopes.groups()) {
      w.BeginObject();
      w.Key("scope").BeginObject();
      if (!scope->name.empty()) w.Field("name", scope->name);
      if (!scope->version.empty()) w.Field("version", scope->version);
      WriteAttributeFields(scope->attributes, scope->dropped_attributes_count, w);
      w.EndObject();
      w.Key("spans").BeginArray();
      for (const Span* span : spans) WriteSpan(*span, w);
      w.EndArray();
      if (!scope->schema_url.empty()) w.Field("schemaUrl", scope->schema_url);
      w.EndObject();
    }
    w.EndArray();
    if (!resource->schema_url.empty()) w.Field("schemaUrl", resource->schema_url);
    w.EndObject();
  }
  w.EndArray().EndObject();
}

}  // namespace spoor
