#include "formats/jaeger_model/jaeger_export.h"

namespace spoor::jaeger_export {

std::string_view ServiceName(const Resource* resource) {
  if (resource == nullptr) return kNoServiceName;
  if (!resource->service_name.empty()) return resource->service_name;
  // A resource built without ResolveServiceName(): read the attribute.
  const AnyValue* v = FindAttribute(resource->attributes, "service.name");
  if (v != nullptr && v->type == ValueType::kString) return v->string_value;
  return kNoServiceName;
}

DerivedTags DerivedTagsOf(const SpanRecord& record) {
  const Span& span = record.span;
  DerivedTags out;
  auto add = [&](std::string_view key, std::string_view value, bool is_bool = false) {
    if (FindAttribute(span.attributes, key) == nullptr)
      out.tags[out.size++] = {key, value, is_bool};
  };
  std::string_view kind = SpanKindName(span.kind);
  if (!kind.empty()) add("span.kind", kind);
  if (span.status.code == SpanStatusCode::kError) {
    add("otel.status_code", "ERROR");
    add("error", "", true);
  } else if (span.status.code == SpanStatusCode::kOk) {
    add("otel.status_code", "OK");
  }
  if (!span.status.message.empty()) add("otel.status_description", span.status.message);
  if (record.scope != nullptr) {
    if (!record.scope->name.empty()) add("otel.scope.name", record.scope->name);
    if (!record.scope->version.empty()) add("otel.scope.version", record.scope->version);
  }
  if (!span.trace_state.empty()) add("w3c.tracestate", span.trace_state);
  return out;
}

}  // namespace spoor::jaeger_export
