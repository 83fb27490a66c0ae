#include "formats/otlp/otlp_proto_encode.h"

#include <bit>
#include <cstdint>
#include <string_view>

#include "formats/protowire/wire_writer.h"

namespace spoor {
namespace {

// Field numbers below are those of opentelemetry/proto/{common,resource,
// trace}/v1 and collector/trace/v1.

// Attributes, or a kvlist value's BoxedVector<KeyValue>.
template <typename Out, typename KeyValues>
void PutKeyValues(Out& o, uint32_t field, const KeyValues& attributes);

template <typename Out>
void PutAnyValue(Out& o, const AnyValue& v) {
  switch (v.type) {
    case ValueType::kEmpty: break;
    case ValueType::kString: o.BytesAlways(1, v.string_value); break;
    case ValueType::kBool: o.VarintAlways(2, v.bool_value ? 1 : 0); break;
    case ValueType::kInt: o.VarintAlways(3, static_cast<uint64_t>(v.int_value)); break;
    case ValueType::kDouble: o.Fixed64Always(4, std::bit_cast<uint64_t>(v.double_value)); break;
    case ValueType::kArray:
      o.Message(5, [&] {
        for (const AnyValue& element : v.array) o.Message(1, [&] { PutAnyValue(o, element); });
      });
      break;
    case ValueType::kKvList: o.Message(6, [&] { PutKeyValues(o, 1, v.kvlist); }); break;
    case ValueType::kBytes: o.BytesAlways(7, v.string_value); break;
  }
}

template <typename Out, typename KeyValues>
void PutKeyValues(Out& o, uint32_t field, const KeyValues& attributes) {
  for (const KeyValue& kv : attributes) {
    o.Message(field, [&] {
      o.Bytes(1, kv.key);
      o.Message(2, [&] { PutAnyValue(o, kv.value); });
    });
  }
}

// Fields 1 and 2 of a span and of a link: the trace ID and the span ID.
template <typename Out>
void PutIds(Out& o, const TraceId& trace_id, const SpanId& span_id) {
  char trace_bytes[16];
  trace_id.ToBytes(trace_bytes);
  char span_bytes[8];
  span_id.ToBytes(span_bytes);
  o.Bytes(1, std::string_view(trace_bytes, 16));
  o.Bytes(2, std::string_view(span_bytes, 8));
}

template <typename Out>
void PutSpan(Out& o, const Span& s) {
  PutIds(o, s.trace_id, s.span_id);
  o.Bytes(3, s.trace_state);
  if (s.parent_span_id.valid()) {
    char parent[8];
    s.parent_span_id.ToBytes(parent);
    o.Bytes(4, std::string_view(parent, 8));
  }
  o.Bytes(5, s.name);
  o.Varint(6, static_cast<uint64_t>(s.kind));
  o.Fixed64(7, s.start_time_ns);
  o.Fixed64(8, s.end_time_ns);
  PutKeyValues(o, 9, s.attributes);
  o.Varint(10, s.dropped_attributes_count);
  for (const Event& e : s.events) {
    o.Message(11, [&] {
      o.Fixed64(1, e.time_ns);
      o.Bytes(2, e.name);
      PutKeyValues(o, 3, e.attributes);
      o.Varint(4, e.dropped_attributes_count);
    });
  }
  o.Varint(12, s.dropped_events_count);
  for (const Link& l : s.links) {
    o.Message(13, [&] {
      PutIds(o, l.trace_id, l.span_id);
      o.Bytes(3, l.trace_state);
      PutKeyValues(o, 4, l.attributes);
      o.Varint(5, l.dropped_attributes_count);
      o.Fixed32(6, l.flags);
    });
  }
  o.Varint(14, s.dropped_links_count);
  if (s.status.code != SpanStatusCode::kUnset || !s.status.message.empty()) {
    o.Message(15, [&] {
      o.Bytes(2, s.status.message);
      o.Varint(3, static_cast<uint64_t>(s.status.code));
    });
  }
  o.Fixed32(16, s.flags);
}

template <typename Out>
void PutBatch(Out& o, const SpanBatch& batch) {
  for (const ResourceSpans& rs : batch.resource_spans) {
    o.Message(1, [&] {
      const Resource& resource = *rs.resource;
      o.Message(1, [&] {
        PutKeyValues(o, 1, resource.attributes);
        o.Varint(2, resource.dropped_attributes_count);
      });
      for (const ScopeSpans& ss : rs.scope_spans) {
        o.Message(2, [&] {
          const Scope& scope = *ss.scope;
          o.Message(1, [&] {
            o.Bytes(1, scope.name);
            o.Bytes(2, scope.version);
            PutKeyValues(o, 3, scope.attributes);
            o.Varint(4, scope.dropped_attributes_count);
          });
          for (const Span& span : ss.spans) o.Message(2, [&] { PutSpan(o, span); });
          o.Bytes(3, scope.schema_url);
        });
      }
      o.Bytes(3, resource.schema_url);
    });
  }
}

}  // namespace

void EncodeOtlpProto(const SpanBatch& batch, std::string* out) {
  protowire::Encode([&batch](auto& o) { PutBatch(o, batch); }, out);
}

}  // namespace spoor
