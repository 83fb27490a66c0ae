// The Jaeger form of the model's spans, as Jaeger's OpenTelemetry
// translator makes it (docs/formats.md, "Reading as Jaeger"): which tags a
// span's fields become, its references, its logs' fields, its process.
// Shared by the writers of Jaeger's query forms: the HTTP API's JSON
// (formats/jaeger_json) and the api_v2 protobuf (formats/jaeger_proto).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "formats/jaeger_model/jaeger_model.h"
#include "model/span.h"

namespace spoor::jaeger_export {

// A process's service name: the resource's service.name, or
// kNoServiceName.
[[nodiscard]] std::string_view ServiceName(const Resource* resource);

// Whether a resource attribute is a process tag (all but service.name).
[[nodiscard]] inline bool IsProcessTag(const KeyValue& kv) {
  return kv.key != "service.name";
}

// A tag made from a span field: a string, or the bool `true` (`error`).
struct DerivedTag {
  std::string_view key;
  std::string_view value;  // for a string tag
  bool is_bool = false;
};

// The tags made from a span's fields, after its attributes: span.kind,
// otel.status_code, error, otel.status_description, otel.scope.name,
// otel.scope.version, w3c.tracestate. One whose key the span also has as an
// attribute (a span ingested from Jaeger that kept its own `span.kind`) is
// left out, so that a key never appears twice. The views point into
// `record`.
struct DerivedTags {
  std::array<DerivedTag, 7> tags;
  size_t size = 0;
  [[nodiscard]] const DerivedTag* begin() const { return tags.data(); }
  [[nodiscard]] const DerivedTag* end() const { return tags.data() + size; }
};
[[nodiscard]] DerivedTags DerivedTagsOf(const SpanRecord& record);

// Jaeger's flags (sampled, debug, ...) share the low byte with the W3C trace
// flags; the bits above it are OTLP-only and not shown.
[[nodiscard]] inline uint32_t FlagsOf(const Span& span) {
  return span.flags & 0xFF;
}

// Calls f(jaeger_model::RefType, trace_id, span_id) for the span's
// references: the parent first (readers take the first CHILD_OF as the
// parent), then its links, as FOLLOWS_FROM unless they carry the
// OpenTracing reference type child_of.
template <typename F>
void ForEachReference(const Span& span, F&& f) {
  using jaeger_model::RefType;
  if (span.parent_span_id.valid()) f(RefType::kChildOf, span.trace_id, span.parent_span_id);
  for (const Link& link : span.links) {
    const AnyValue* ref_type = FindAttribute(link.attributes, "opentracing.ref_type");
    bool child_of = ref_type != nullptr && ref_type->type == ValueType::kString &&
                    ref_type->string_value == "child_of";
    f(child_of ? RefType::kChildOf : RefType::kFollowsFrom, link.trace_id, link.span_id);
  }
}

// Whether an event's log starts with the field event=<its name>: when it
// has a name and no attribute `event` of its own (which wins).
[[nodiscard]] inline bool HasEventField(const Event& event) {
  return !event.name.empty() && FindAttribute(event.attributes, "event") == nullptr;
}

}  // namespace spoor::jaeger_export
