#include "formats/jaeger_proto/jaeger_proto_encode.h"

#include <bit>
#include <cstdint>
#include <string_view>

#include "formats/jaeger_model/jaeger_export.h"
#include "formats/protowire/wire_writer.h"

namespace spoor {
namespace {

// Field numbers below are those of jaeger-idl proto/api_v2/model.proto and
// google/protobuf/{timestamp,duration}.proto.

// ValueType of a KeyValue.
enum JaegerValueType : uint64_t { kString = 0, kBool = 1, kInt64 = 2, kFloat64 = 3, kBinary = 4 };

constexpr uint64_t kNsPerSecond = 1'000'000'000;

// A Timestamp or Duration of `ns` nanoseconds.
template <typename Out>
void PutTime(Out& o, uint32_t field, uint64_t ns) {
  o.Message(field, [&] {
    o.Varint(1, ns / kNsPerSecond);
    o.Varint(2, ns % kNsPerSecond);
  });
}

template <typename Out>
void PutStringTag(Out& o, uint32_t field, std::string_view key, std::string_view value) {
  o.Message(field, [&] {
    o.Bytes(1, key);
    o.Bytes(3, value);
  });
}

// One KeyValue. Jaeger has no structured values: arrays and maps travel as
// their JSON text, an empty value as "" (as in the JSON form).
template <typename Out>
void PutTag(Out& o, uint32_t field, std::string_view key, const AnyValue& v) {
  switch (v.type) {
    case ValueType::kString: PutStringTag(o, field, key, v.string_value); return;
    case ValueType::kBool:
      o.Message(field, [&] {
        o.Bytes(1, key);
        o.Varint(2, kBool);
        o.Varint(4, v.bool_value ? 1 : 0);
      });
      return;
    case ValueType::kInt:
      o.Message(field, [&] {
        o.Bytes(1, key);
        o.Varint(2, kInt64);
        o.Varint(5, static_cast<uint64_t>(v.int_value));
      });
      return;
    case ValueType::kDouble:
      o.Message(field, [&] {
        o.Bytes(1, key);
        o.Varint(2, kFloat64);
        o.Fixed64(6, std::bit_cast<uint64_t>(v.double_value));
      });
      return;
    case ValueType::kBytes:
      o.Message(field, [&] {
        o.Bytes(1, key);
        o.Varint(2, kBinary);
        o.Bytes(7, v.string_value);
      });
      return;
    case ValueType::kEmpty:
    case ValueType::kArray:
    case ValueType::kKvList: PutStringTag(o, field, key, v.ToString()); return;
  }
}

template <typename Out>
void PutSpan(Out& o, const SpanRecord& record) {
  const Span& span = record.span;
  char trace_id[16];
  span.trace_id.ToBytes(trace_id);
  char span_id[8];
  span.span_id.ToBytes(span_id);
  o.BytesAlways(1, std::string_view(trace_id, 16));
  o.BytesAlways(2, std::string_view(span_id, 8));
  o.Bytes(3, span.name);
  jaeger_export::ForEachReference(
      span, [&o](jaeger_model::RefType type, const TraceId& ref_trace, const SpanId& ref_span) {
        char t[16];
        ref_trace.ToBytes(t);
        char s[8];
        ref_span.ToBytes(s);
        o.Message(4, [&] {
          o.BytesAlways(1, std::string_view(t, 16));
          o.BytesAlways(2, std::string_view(s, 8));
          o.Varint(3, static_cast<uint64_t>(type));
        });
      });
  o.Varint(5, jaeger_export::FlagsOf(span));
  PutTime(o, 6, span.start_time_ns);
  PutTime(o, 7, span.duration_ns());
  for (const KeyValue& kv : span.attributes) PutTag(o, 8, kv.key, kv.value);
  for (const jaeger_export::DerivedTag& tag : jaeger_export::DerivedTagsOf(record)) {
    if (tag.is_bool) {
      PutTag(o, 8, tag.key, AnyValue::Bool(true));
    } else {
      PutStringTag(o, 8, tag.key, tag.value);
    }
  }
  for (const Event& event : span.events) {
    o.Message(9, [&] {
      PutTime(o, 1, event.time_ns);
      if (jaeger_export::HasEventField(event)) PutStringTag(o, 2, "event", event.name);
      for (const KeyValue& kv : event.attributes) PutTag(o, 2, kv.key, kv.value);
    });
  }
  o.Message(10, [&] {
    const Resource* resource = record.resource.get();
    o.Bytes(1, jaeger_export::ServiceName(resource));
    if (resource != nullptr) {
      for (const KeyValue& kv : resource->attributes) {
        if (jaeger_export::IsProcessTag(kv)) PutTag(o, 2, kv.key, kv.value);
      }
    }
  });
  for (const std::string& warning : record.warnings) o.BytesAlways(12, warning);
}

}  // namespace

void EncodeJaegerSpansChunk(const SpanRecord* begin, const SpanRecord* end, std::string* out) {
  protowire::Encode(
      [begin, end](auto& o) {
        for (const SpanRecord* r = begin; r != end; ++r) o.Message(1, [&] { PutSpan(o, *r); });
      },
      out);
}

}  // namespace spoor
