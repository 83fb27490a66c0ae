#include "encodings.h"

#include <cstdint>
#include <string_view>

#include "common/json_writer.h"
#include "thrift_writer.h"

namespace spoor::tracegen {
namespace {

namespace pb = opentelemetry::proto;
using T = ThriftType;

uint64_t BigEndian64(const std::string& bytes, size_t offset) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && offset + i < bytes.size(); ++i) {
    v = (v << 8) | static_cast<uint8_t>(bytes[offset + i]);
  }
  return v;
}

std::string Hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string ServiceName(const pb::trace::v1::ResourceSpans& rs) {
  for (const auto& kv : rs.resource().attributes()) {
    if (kv.key() == "service.name") return kv.value().string_value();
  }
  return "unknown_service";
}

// The lowercase names Jaeger uses in `span.kind`; empty for UNSPECIFIED.
std::string_view KindName(pb::trace::v1::Span_SpanKind kind) {
  switch (kind) {
    case pb::trace::v1::Span::SPAN_KIND_INTERNAL: return "internal";
    case pb::trace::v1::Span::SPAN_KIND_SERVER: return "server";
    case pb::trace::v1::Span::SPAN_KIND_CLIENT: return "client";
    case pb::trace::v1::Span::SPAN_KIND_PRODUCER: return "producer";
    case pb::trace::v1::Span::SPAN_KIND_CONSUMER: return "consumer";
    default: return "";
  }
}

std::string ZipkinKind(pb::trace::v1::Span_SpanKind kind) {
  std::string name(KindName(kind));
  if (name == "internal") return "";  // Zipkin has no internal kind
  for (char& c : name) c = static_cast<char>(c - 'a' + 'A');
  return name;
}

// A string or int64 attribute as a jaeger.thrift Tag.
void WriteTag(ThriftWriter& w, std::string_view key, const pb::common::v1::AnyValue& value) {
  w.StructBegin();
  w.FieldBegin(T::kString, 1);
  w.String(key);
  w.FieldBegin(T::kI32, 2);
  if (value.has_int_value()) {
    w.I32(3);  // LONG
    w.FieldBegin(T::kI64, 6);
    w.I64(value.int_value());
  } else {
    w.I32(0);  // STRING
    w.FieldBegin(T::kString, 3);
    w.String(value.string_value());
  }
  w.StructEnd();
}

void WriteStringTag(ThriftWriter& w, std::string_view key, std::string_view value) {
  pb::common::v1::AnyValue v;
  v.set_string_value(std::string(value));
  WriteTag(w, key, v);
}

void WriteProcess(ThriftWriter& w, const pb::trace::v1::ResourceSpans& rs) {
  w.StructBegin();
  w.FieldBegin(T::kString, 1);
  w.String(ServiceName(rs));
  w.FieldBegin(T::kList, 2);
  w.ListBegin(T::kStruct, static_cast<uint32_t>(rs.resource().attributes_size() - 1));
  for (const auto& kv : rs.resource().attributes()) {
    if (kv.key() != "service.name") WriteTag(w, kv.key(), kv.value());
  }
  w.StructEnd();
}

// One jaeger.thrift Span, as a list element (no field header).
void WriteSpan(ThriftWriter& w, const pb::trace::v1::Span& span) {
  w.StructBegin();
  w.FieldBegin(T::kI64, 1);
  w.I64(static_cast<int64_t>(BigEndian64(span.trace_id(), 8)));
  w.FieldBegin(T::kI64, 2);
  w.I64(static_cast<int64_t>(BigEndian64(span.trace_id(), 0)));
  w.FieldBegin(T::kI64, 3);
  w.I64(static_cast<int64_t>(BigEndian64(span.span_id(), 0)));
  w.FieldBegin(T::kI64, 4);
  w.I64(static_cast<int64_t>(BigEndian64(span.parent_span_id(), 0)));
  w.FieldBegin(T::kString, 5);
  w.String(span.name());
  w.FieldBegin(T::kI32, 7);
  w.I32(1);  // sampled
  w.FieldBegin(T::kI64, 8);
  w.I64(static_cast<int64_t>(span.start_time_unix_nano() / 1000));
  w.FieldBegin(T::kI64, 9);
  w.I64(static_cast<int64_t>((span.end_time_unix_nano() - span.start_time_unix_nano()) / 1000));
  const std::string_view kind = KindName(span.kind());
  w.FieldBegin(T::kList, 10);
  w.ListBegin(T::kStruct, static_cast<uint32_t>(span.attributes_size() + (kind.empty() ? 0 : 1)));
  for (const auto& kv : span.attributes()) WriteTag(w, kv.key(), kv.value());
  if (!kind.empty()) WriteStringTag(w, "span.kind", kind);
  if (span.events_size() > 0) {
    w.FieldBegin(T::kList, 11);
    w.ListBegin(T::kStruct, static_cast<uint32_t>(span.events_size()));
    for (const auto& event : span.events()) {
      w.StructBegin();
      w.FieldBegin(T::kI64, 1);
      w.I64(static_cast<int64_t>(event.time_unix_nano() / 1000));
      w.FieldBegin(T::kList, 2);
      w.ListBegin(T::kStruct, static_cast<uint32_t>(1 + event.attributes_size()));
      WriteStringTag(w, "event", event.name());
      for (const auto& kv : event.attributes()) WriteTag(w, kv.key(), kv.value());
      w.StructEnd();
    }
  }
  w.StructEnd();
}

// A Batch of `spans` (already encoded list elements) as a struct.
void WriteBatch(ThriftWriter& w, const pb::trace::v1::ResourceSpans& rs, std::string& out,
                std::string_view spans, int span_count) {
  w.StructBegin();
  w.FieldBegin(T::kStruct, 1);
  WriteProcess(w, rs);
  w.FieldBegin(T::kList, 2);
  w.ListBegin(T::kStruct, static_cast<uint32_t>(span_count));
  out.append(spans);
  w.StructEnd();
}

std::string EmitBatch(const pb::trace::v1::ResourceSpans& rs, std::string_view spans,
                      int span_count, int32_t seq_id) {
  std::string out;
  ThriftWriter w(ThriftEncoding::kCompact, out);
  w.MessageBegin("emitBatch", 4 /* ONEWAY */, seq_id);
  w.StructBegin();  // the arguments
  w.FieldBegin(T::kStruct, 1);
  WriteBatch(w, rs, out, spans, span_count);
  w.StructEnd();
  return out;
}

}  // namespace

std::vector<WireMessage> JaegerThriftBatches(const ExportRequest& request) {
  std::vector<WireMessage> out;
  for (const auto& rs : request.resource_spans()) {
    std::string spans;
    ThriftWriter span_writer(ThriftEncoding::kBinary, spans);
    int count = 0;
    for (const auto& ss : rs.scope_spans()) {
      for (const auto& span : ss.spans()) {
        WriteSpan(span_writer, span);
        ++count;
      }
    }
    WireMessage message{.spans = count};
    ThriftWriter w(ThriftEncoding::kBinary, message.bytes);
    WriteBatch(w, rs, message.bytes, spans, count);
    out.push_back(std::move(message));
  }
  return out;
}

std::vector<WireMessage> JaegerEmitBatchDatagrams(const ExportRequest& request, size_t max_bytes) {
  std::vector<WireMessage> out;
  int32_t seq_id = 0;
  for (const auto& rs : request.resource_spans()) {
    // What a datagram costs besides its spans: the message, the process and
    // the list header (at most 5 bytes in the compact protocol).
    const size_t overhead = EmitBatch(rs, {}, 0, seq_id).size() + 5;
    std::string spans;
    int count = 0;
    auto flush = [&] {
      if (count == 0) return;
      out.push_back({EmitBatch(rs, spans, count, seq_id++), count});
      spans.clear();
      count = 0;
    };
    for (const auto& ss : rs.scope_spans()) {
      for (const auto& span : ss.spans()) {
        std::string one;
        ThriftWriter w(ThriftEncoding::kCompact, one);
        WriteSpan(w, span);
        if (count > 0 && overhead + spans.size() + one.size() > max_bytes) flush();
        spans += one;  // a span alone larger than a datagram is sent anyway
        ++count;
      }
    }
    flush();
  }
  return out;
}

std::string OtlpJson(const ExportRequest& request) {
  std::string out;
  JsonWriter w(out);
  auto attributes = [&w](const auto& list) {
    w.Key("attributes").BeginArray();
    for (const auto& kv : list) {
      w.BeginObject().Field("key", kv.key()).Key("value").BeginObject();
      if (kv.value().has_int_value()) {
        w.Field("intValue", std::to_string(kv.value().int_value()));
      } else {
        w.Field("stringValue", kv.value().string_value());
      }
      w.EndObject().EndObject();
    }
    w.EndArray();
  };
  w.BeginObject().Key("resourceSpans").BeginArray();
  for (const auto& rs : request.resource_spans()) {
    w.BeginObject().Key("resource").BeginObject();
    attributes(rs.resource().attributes());
    w.EndObject().Key("scopeSpans").BeginArray();
    for (const auto& ss : rs.scope_spans()) {
      w.BeginObject().Key("scope").BeginObject().Field("name", ss.scope().name()).EndObject();
      w.Key("spans").BeginArray();
      for (const auto& span : ss.spans()) {
        w.BeginObject();
        w.Field("traceId", Hex(span.trace_id())).Field("spanId", Hex(span.span_id()));
        if (!span.parent_span_id().empty()) w.Field("parentSpanId", Hex(span.parent_span_id()));
        w.Field("name", span.name()).FieldInt("kind", span.kind());
        w.Field("startTimeUnixNano", std::to_string(span.start_time_unix_nano()));
        w.Field("endTimeUnixNano", std::to_string(span.end_time_unix_nano()));
        attributes(span.attributes());
        if (span.events_size() > 0) {
          w.Key("events").BeginArray();
          for (const auto& event : span.events()) {
            w.BeginObject().Field("timeUnixNano", std::to_string(event.time_unix_nano()));
            w.Field("name", event.name());
            w.EndObject();
          }
          w.EndArray();
        }
        w.EndObject();
      }
      w.EndArray().EndObject();
    }
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
  return out;
}

std::string ZipkinV2Json(const ExportRequest& request) {
  std::string out;
  JsonWriter w(out);
  w.BeginArray();
  for (const auto& rs : request.resource_spans()) {
    const std::string service = ServiceName(rs);
    for (const auto& ss : rs.scope_spans()) {
      for (const auto& span : ss.spans()) {
        w.BeginObject();
        w.Field("traceId", Hex(span.trace_id())).Field("id", Hex(span.span_id()));
        if (!span.parent_span_id().empty()) w.Field("parentId", Hex(span.parent_span_id()));
        w.Field("name", span.name());
        const std::string kind = ZipkinKind(span.kind());
        if (!kind.empty()) w.Field("kind", kind);
        const uint64_t start_us = span.start_time_unix_nano() / 1000;
        w.FieldUint("timestamp", start_us);
        w.FieldUint("duration", span.end_time_unix_nano() / 1000 - start_us);
        w.Key("localEndpoint").BeginObject().Field("serviceName", service).EndObject();
        if (span.events_size() > 0) {
          w.Key("annotations").BeginArray();
          for (const auto& event : span.events()) {
            w.BeginObject().FieldUint("timestamp", event.time_unix_nano() / 1000);
            w.Field("value", event.name()).EndObject();
          }
          w.EndArray();
        }
        w.Key("tags").BeginObject();
        for (const auto& kv : span.attributes()) {
          w.Field(kv.key(), kv.value().has_int_value() ? std::to_string(kv.value().int_value())
                                                       : kv.value().string_value());
        }
        w.EndObject().EndObject();
      }
    }
  }
  w.EndArray();
  return out;
}

}  // namespace spoor::tracegen
