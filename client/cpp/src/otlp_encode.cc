#include "otlp_encode.h"

#include <cstdint>

#include "wire.h"

namespace spoor::internal {
namespace {

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

void PutKey(uint32_t field, WireType type, std::string& out) {
  PutVarint((uint64_t{field} << 3) | type, out);
}

void PutFixed64(uint32_t field, uint64_t v, std::string& out) {
  PutKey(field, kFixed64, out);
  PutLittleEndian64(v, out);
}

void PutFixed32(uint32_t field, uint32_t v, std::string& out) {
  PutKey(field, kFixed32, out);
  PutLittleEndian32(v, out);
}

void PutBytes(uint32_t field, const std::string& bytes, std::string& out) {
  PutKey(field, kLengthDelimited, out);
  PutVarint(bytes.size(), out);
  out += bytes;
}

void PutUint(uint32_t field, uint64_t v, std::string& out) {
  PutKey(field, kVarint, out);
  PutVarint(v, out);
}

std::string BigEndian(uint64_t v) {
  return BigEndian64(v);
}

// AnyValue: string 1, bool 2, int 3, double 4.
std::string AnyValue(const TagValue& v) {
  std::string out;
  switch (v.type) {
    case TagValue::Type::kString: PutBytes(1, v.string_value, out); break;
    case TagValue::Type::kBool: PutUint(2, v.bool_value ? 1 : 0, out); break;
    case TagValue::Type::kInt64: PutUint(3, static_cast<uint64_t>(v.int64_value), out); break;
    case TagValue::Type::kDouble: PutFixed64(4, DoubleBits(v.double_value), out); break;
  }
  return out;
}

// KeyValue: key 1, value 2.
std::string KeyValue(const std::string& key, const TagValue& value) {
  std::string out;
  PutBytes(1, key, out);
  PutBytes(2, AnyValue(value), out);
  return out;
}

int SpanKindOf(const std::string& kind) {
  if (kind == "server") return 2;
  if (kind == "client") return 3;
  if (kind == "producer") return 4;
  if (kind == "consumer") return 5;
  return 1;  // internal
}

bool IsError(const TagValue& v) {
  return (v.type == TagValue::Type::kBool && v.bool_value) ||
         (v.type == TagValue::Type::kString && v.string_value == "true");
}

// Span: trace_id 1, span_id 2, parent_span_id 4, name 5, kind 6, start 7,
// end 8, attributes 9, events 11, links 13, status 15, flags 16.
std::string Span(const SpanData& s) {
  std::string out;
  std::string trace_id = BigEndian(s.trace_id_high) + BigEndian(s.trace_id_low);
  PutBytes(1, trace_id, out);
  PutBytes(2, BigEndian(s.span_id), out);
  // A parent that is a follows-from reference is a link only.
  bool follows_parent = false;
  for (const ReferenceData& r : s.references) {
    follows_parent =
        follows_parent || (r.type == ReferenceType::kFollowsFrom && r.span_id == s.parent_span_id);
  }
  if (s.parent_span_id != 0 && !follows_parent) PutBytes(4, BigEndian(s.parent_span_id), out);
  PutBytes(5, s.operation_name, out);
  int kind = 1;
  bool error = false;
  std::string status_message;
  for (const Tag& t : s.tags) {
    if (t.first == "span.kind" && t.second.type == TagValue::Type::kString) {
      kind = SpanKindOf(t.second.string_value);
    } else if (t.first == "error") {
      error = IsError(t.second);
    }
  }
  PutUint(6, static_cast<uint64_t>(kind), out);
  PutFixed64(7, s.start_time_ns, out);
  PutFixed64(8, s.start_time_ns + s.duration_ns, out);
  for (const Tag& t : s.tags) {
    if (t.first == "span.kind" || t.first == "error") continue;
    PutBytes(9, KeyValue(t.first, t.second), out);
  }
  for (const LogData& log : s.logs) {
    // Event: time 1, name 2, attributes 3.
    std::string event;
    PutFixed64(1, log.time_ns, event);
    std::string name = "log";
    for (const Tag& f : log.fields) {
      if (f.first == "event" && f.second.type == TagValue::Type::kString)
        name = f.second.string_value;
    }
    PutBytes(2, name, event);
    for (const Tag& f : log.fields) {
      if (f.first != "event") PutBytes(3, KeyValue(f.first, f.second), event);
    }
    PutBytes(11, event, out);
  }
  for (const ReferenceData& r : s.references) {
    // Link: trace_id 1, span_id 2, attributes 4.
    std::string link;
    PutBytes(1, BigEndian(r.trace_id_high) + BigEndian(r.trace_id_low), link);
    PutBytes(2, BigEndian(r.span_id), link);
    PutBytes(
        4,
        KeyValue("opentracing.ref_type",
                 TagValue::String(r.type == ReferenceType::kChildOf ? "child_of" : "follows_from")),
        link);
    PutBytes(13, link, out);
  }
  if (error) {
    // Status: code 3 (2 = ERROR).
    std::string status;
    PutUint(3, 2, status);
    PutBytes(15, status, out);
  }
  PutFixed32(16, s.flags & 1, out);
  return out;
}

}  // namespace

void EncodeOtlpRequest(const ProcessData& process, const std::vector<SpanData>& spans,
                       std::string* out) {
  // Resource: attributes 1 (service.name and the process tags).
  std::string resource;
  PutBytes(1, KeyValue("service.name", TagValue::String(process.service_name)), resource);
  for (const Tag& t : process.tags) PutBytes(1, KeyValue(t.first, t.second), resource);
  // InstrumentationScope: name 1, version 2.
  std::string scope;
  PutBytes(1, "spoor-cpp", scope);
  PutBytes(2, "0.1.0", scope);
  std::string scope_spans;
  PutBytes(1, scope, scope_spans);
  for (const SpanData& s : spans) PutBytes(2, Span(s), scope_spans);
  std::string resource_spans;
  PutBytes(1, resource, resource_spans);
  PutBytes(2, scope_spans, resource_spans);
  out->clear();
  PutBytes(1, resource_spans, *out);
}

}  // namespace spoor::internal
