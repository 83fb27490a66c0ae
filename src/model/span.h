// The internal span model. It mirrors OTLP: a SpanBatch holds resources, each
// resource holds instrumentation scopes, each scope holds spans. Jaeger and
// Zipkin forms are converted to and from this model at the edges only.
//
// Resources and scopes are shared (std::shared_ptr<const ...>) so that spans
// can be regrouped by trace in storage without copying them per span.
// Names that repeat (operation, event names, attribute keys) are interned.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/attribute.h"
#include "model/ids.h"

namespace spoor {

// Numbering as in OTLP.
enum class SpanKind : uint8_t {
  kUnspecified = 0,
  kInternal = 1,
  kServer = 2,
  kClient = 3,
  kProducer = 4,
  kConsumer = 5,
};

// "server", "client", ... ; "" for kUnspecified (Jaeger's span.kind values).
[[nodiscard]] std::string_view SpanKindName(SpanKind kind);
// Parses the names above; "unspecified" and "" give kUnspecified. Returns
// false for anything else.
[[nodiscard]] bool ParseSpanKind(std::string_view name, SpanKind* kind);

// Named apart from spoor::Status (common/status.h), the error model.
enum class SpanStatusCode : uint8_t { kUnset = 0, kOk = 1, kError = 2 };

struct SpanStatus {
  SpanStatusCode code = SpanStatusCode::kUnset;
  std::string message;
  bool operator==(const SpanStatus&) const = default;
};

struct Event {
  uint64_t time_ns = 0;
  std::string_view name;  // interned
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
  bool operator==(const Event&) const = default;
};

struct Link {
  TraceId trace_id;
  SpanId span_id;
  std::string trace_state;
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
  uint32_t flags = 0;
  bool operator==(const Link&) const = default;
};

struct Span {
  TraceId trace_id;
  SpanId span_id;
  SpanId parent_span_id;  // invalid for a root span
  std::string trace_state;
  uint32_t flags = 0;     // W3C trace flags in the low byte
  std::string_view name;  // interned
  SpanKind kind = SpanKind::kUnspecified;
  uint64_t start_time_ns = 0;
  uint64_t end_time_ns = 0;
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
  std::vector<Event> events;
  uint32_t dropped_events_count = 0;
  std::vector<Link> links;
  uint32_t dropped_links_count = 0;
  SpanStatus status;

  [[nodiscard]] uint64_t duration_ns() const {
    return end_time_ns > start_time_ns ? end_time_ns - start_time_ns : 0;
  }
  bool operator==(const Span&) const = default;
};

// The service name shown for a resource without `service.name` (the name
// Jaeger's OTLP translator uses).
inline constexpr std::string_view kNoServiceName = "OTLPResourceNoServiceName";

struct Resource {
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
  std::string schema_url;
  std::string_view service_name;  // interned `service.name`, or kNoServiceName

  // Sets service_name from the attributes.
  void ResolveServiceName();
  bool operator==(const Resource& o) const {
    return attributes == o.attributes && dropped_attributes_count == o.dropped_attributes_count;
  }
};

struct Scope {
  std::string_view name;     // interned
  std::string_view version;  // interned
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
  std::string schema_url;
  bool operator==(const Scope& o) const {
    return name == o.name && version == o.version && attributes == o.attributes &&
           dropped_attributes_count == o.dropped_attributes_count;
  }
};

struct ScopeSpans {
  std::shared_ptr<const Scope> scope;  // never null
  std::vector<Span> spans;
};

struct ResourceSpans {
  std::shared_ptr<const Resource> resource;  // never null
  std::vector<ScopeSpans> scope_spans;
};

// One unit of work through the pipeline: what one request carried.
struct SpanBatch {
  std::vector<ResourceSpans> resource_spans;

  [[nodiscard]] size_t SpanCount() const;
};

// A span together with the resource and scope it came with; the unit that
// storage keeps and returns.
struct SpanRecord {
  std::shared_ptr<const Resource> resource;
  std::shared_ptr<const Scope> scope;
  Span span;
  // Set by the query-side adjusters for display; never stored.
  std::vector<std::string> warnings;
};

// `records` as a batch: consecutive spans of one resource and scope (the
// same pointers) go under one entry, as storage keeps them; the spans are
// copied.
[[nodiscard]] SpanBatch BatchOfRecords(const SpanRecord* begin, const SpanRecord* end);

// All spans of one trace as read from storage, in no particular order.
struct Trace {
  TraceId trace_id;
  std::vector<SpanRecord> spans;
};

}  // namespace spoor
