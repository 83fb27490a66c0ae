// The mapping of Jaeger's span model to ours, shared by the decoders of its
// wire formats (jaeger.thrift and the api_v2 protobuf model): which tags
// become span fields, how references become the parent and links, how logs
// become events and a process becomes a resource. docs/formats.md describes
// it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "formats/otlp/otlp_decode.h"
#include "model/span.h"

namespace spoor::jaeger_model {

// SpanRefType, the same in both IDLs.
enum class RefType : int32_t { kChildOf = 0, kFollowsFrom = 1 };

struct Reference {
  int32_t type = static_cast<int32_t>(RefType::kChildOf);
  TraceId trace_id;
  SpanId span_id;
};

// Jaeger's strings are bytes on the wire; the model's strings are UTF-8 (as
// OTLP's are). Returns `s`, or a copy in `scratch` with each invalid byte
// replaced by U+FFFD.
[[nodiscard]] std::string_view Utf8(std::string_view s, std::string* scratch);

// Microseconds since the epoch (or a duration) to nanoseconds; negative
// values give 0, values that do not fit saturate.
[[nodiscard]] uint64_t MicrosToNanos(int64_t us);

// start + duration, saturating.
[[nodiscard]] uint64_t EndTime(uint64_t start_ns, uint64_t duration_ns);

// Replaces the attributes of `resource` with service.name = service_name
// (when not empty) followed by `tags` (except a service.name tag).
void SetProcess(std::string_view service_name, Attributes tags, Resource* resource);

// A log's "event" string field names the event; it is moved to `name`.
void NameEvent(Event* event);

// The parent is `parent` (Thrift's parentSpanId; 0 when absent), or else
// the first CHILD_OF reference within the trace; the other references
// become links (a CHILD_OF link carries opentracing.ref_type=child_of). A
// `parent` that is a FOLLOWS_FROM reference is that link alone, as Jaeger
// shows it. Needs span->trace_id set.
void MapReferences(const std::vector<Reference>& refs, uint64_t parent, Span* span);

// Tags that Jaeger uses for what the model has span fields for: span.kind,
// error, otel.status_code, otel.status_description, w3c.tracestate.
void MapSpecialTags(Span* span);

// Appends `span` to `spans` when its IDs are valid, else counts it in
// `stats` (the first reason, "span <index>: ...", is kept).
void Accept(Span&& span, size_t index, std::vector<Span>* spans, DecodeStats* stats);

// Counts a span rejected for `why`.
void Reject(size_t index, std::string_view why, DecodeStats* stats);

}  // namespace spoor::jaeger_model
