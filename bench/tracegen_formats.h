// The tracegen workload (bench/tracegen.h) in the other wire formats Spoor
// ingests, so that every decoder is measured on the same spans: Jaeger
// Thrift (one Batch per service, as Jaeger clients send one process per
// batch), Jaeger protobuf (PostSpansRequest, likewise per service) and
// Zipkin v2 JSON and protobuf, and v1 JSON and Thrift (one list each).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/tracegen.h"
#include "common/json_writer.h"
#include "formats/jaeger_thrift/jaeger_thrift_decode.h"
#include "jaeger/api_v2/collector.pb.h"
#include "tests/unit/format_jaeger_thrift/thrift_writer.h"
#include "zipkin/zipkin.pb.h"

namespace spoor::bench {

namespace otlp_pb = opentelemetry::proto;

inline otlp_pb::collector::trace::v1::ExportTraceServiceRequest ParseTracegen(uint64_t seed) {
  otlp_pb::collector::trace::v1::ExportTraceServiceRequest request;
  (void)request.ParseFromString(MakeTracegenRequest(seed));
  return request;
}

inline uint64_t BigEndian64(const std::string& bytes, size_t offset) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(bytes[offset + i]);
  return v;
}

inline std::string ServiceName(const otlp_pb::trace::v1::ResourceSpans& rs) {
  for (const auto& kv : rs.resource().attributes())
    if (kv.key() == "service.name") return kv.value().string_value();
  return "";
}

// One Thrift-encoded jaeger.thrift Batch per service of request `seed`.
inline std::vector<std::string> TracegenJaegerThrift(uint64_t seed, ThriftProtocol protocol) {
  std::vector<std::string> out;
  const auto request = ParseTracegen(seed);
  for (const auto& rs : request.resource_spans()) {
    thrift_test::JBatch batch;
    batch.process.service_name = ServiceName(rs);
    batch.process.tags.emplace();
    batch.process.tags->push_back(
        thrift_test::StrTag("hostname", rs.resource().attributes(1).value().string_value()));
    for (const auto& span : rs.scope_spans(0).spans()) {
      thrift_test::JSpan s;
      s.trace_id_high = static_cast<int64_t>(BigEndian64(span.trace_id(), 0));
      s.trace_id_low = static_cast<int64_t>(BigEndian64(span.trace_id(), 8));
      s.span_id = static_cast<int64_t>(BigEndian64(span.span_id(), 0));
      s.operation_name = span.name();
      s.flags = 1;
      s.start_time = static_cast<int64_t>(span.start_time_unix_nano() / 1000);
      s.duration =
          static_cast<int64_t>((span.end_time_unix_nano() - span.start_time_unix_nano()) / 1000);
      s.tags.emplace();
      for (const auto& kv : span.attributes()) {
        if (kv.value().has_int_value())
          s.tags->push_back(thrift_test::LongTag(kv.key(), kv.value().int_value()));
        else
          s.tags->push_back(thrift_test::StrTag(kv.key(), kv.value().string_value()));
      }
      s.tags->push_back(thrift_test::StrTag("span.kind", "server"));
      if (span.events_size() > 0) {
        s.logs.emplace();
        s.logs->push_back({static_cast<int64_t>(span.events(0).time_unix_nano() / 1000),
                           {thrift_test::StrTag("event", span.events(0).name())}});
      }
      batch.spans.push_back(std::move(s));
    }
    out.push_back(thrift_test::EncodeBatch(batch, protocol));
  }
  return out;
}

// One PostSpansRequest per service of request `seed`.
inline std::vector<std::string> TracegenJaegerProto(uint64_t seed) {
  namespace jpb = jaeger::api_v2;
  std::vector<std::string> out;
  const auto request = ParseTracegen(seed);
  for (const auto& rs : request.resource_spans()) {
    jpb::PostSpansRequest post;
    jpb::Batch* batch = post.mutable_batch();
    batch->mutable_process()->set_service_name(ServiceName(rs));
    jpb::KeyValue* host = batch->mutable_process()->add_tags();
    host->set_key("hostname");
    host->set_v_str(rs.resource().attributes(1).value().string_value());
    for (const auto& span : rs.scope_spans(0).spans()) {
      jpb::Span* s = batch->add_spans();
      s->set_trace_id(span.trace_id());
      s->set_span_id(span.span_id());
      s->set_operation_name(span.name());
      s->set_flags(1);
      uint64_t start = span.start_time_unix_nano();
      uint64_t duration = span.end_time_unix_nano() - start;
      s->mutable_start_time()->set_seconds(static_cast<int64_t>(start / 1'000'000'000));
      s->mutable_start_time()->set_nanos(static_cast<int32_t>(start % 1'000'000'000));
      s->mutable_duration()->set_seconds(static_cast<int64_t>(duration / 1'000'000'000));
      s->mutable_duration()->set_nanos(static_cast<int32_t>(duration % 1'000'000'000));
      for (const auto& kv : span.attributes()) {
        jpb::KeyValue* tag = s->add_tags();
        tag->set_key(kv.key());
        if (kv.value().has_int_value()) {
          tag->set_v_type(jpb::INT64);
          tag->set_v_int64(kv.value().int_value());
        } else {
          tag->set_v_str(kv.value().string_value());
        }
      }
      jpb::KeyValue* kind = s->add_tags();
      kind->set_key("span.kind");
      kind->set_v_str("server");
      if (span.events_size() > 0) {
        jpb::Log* log = s->add_logs();
        uint64_t t = span.events(0).time_unix_nano();
        log->mutable_timestamp()->set_seconds(static_cast<int64_t>(t / 1'000'000'000));
        log->mutable_timestamp()->set_nanos(static_cast<int32_t>(t % 1'000'000'000));
        jpb::KeyValue* field = log->add_fields();
        field->set_key("event");
        field->set_v_str(span.events(0).name());
      }
    }
    out.push_back(post.SerializeAsString());
  }
  return out;
}

inline std::string Hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

// Request `seed` as one Zipkin v2 JSON list (tags are strings in Zipkin).
inline std::string TracegenZipkinJson(uint64_t seed) {
  std::string out;
  JsonWriter w(out);
  w.BeginArray();
  const auto request = ParseTracegen(seed);
  for (const auto& rs : request.resource_spans()) {
    std::string service = ServiceName(rs);
    for (const auto& span : rs.scope_spans(0).spans()) {
      w.BeginObject();
      w.Field("traceId", Hex(span.trace_id()));
      w.Field("id", Hex(span.span_id()));
      w.Field("name", span.name());
      w.Field("kind", "SERVER");
      w.FieldInt("timestamp", static_cast<int64_t>(span.start_time_unix_nano() / 1000));
      w.FieldInt("duration", static_cast<int64_t>(
                                 (span.end_time_unix_nano() - span.start_time_unix_nano()) / 1000));
      w.Key("localEndpoint").BeginObject().Field("serviceName", service).EndObject();
      if (span.events_size() > 0) {
        w.Key("annotations").BeginArray().BeginObject();
        w.FieldInt("timestamp", static_cast<int64_t>(span.events(0).time_unix_nano() / 1000));
        w.Field("value", span.events(0).name());
        w.EndObject().EndArray();
      }
      w.Key("tags").BeginObject();
      for (const auto& kv : span.attributes()) {
        w.Field(kv.key(), kv.value().has_int_value() ? std::to_string(kv.value().int_value())
                                                     : kv.value().string_value());
      }
      w.EndObject();
      w.EndObject();
    }
  }
  w.EndArray();
  return out;
}

// Request `seed` as one Zipkin v2 ListOfSpans (protobuf).
inline std::string TracegenZipkinProto(uint64_t seed) {
  zipkin::proto3::ListOfSpans list;
  const auto request = ParseTracegen(seed);
  for (const auto& rs : request.resource_spans()) {
    std::string service = ServiceName(rs);
    for (const auto& span : rs.scope_spans(0).spans()) {
      zipkin::proto3::Span* z = list.add_spans();
      z->set_trace_id(span.trace_id());
      z->set_id(span.span_id());
      z->set_name(span.name());
      z->set_kind(zipkin::proto3::Span::SERVER);
      z->set_timestamp(span.start_time_unix_nano() / 1000);
      z->set_duration((span.end_time_unix_nano() - span.start_time_unix_nano()) / 1000);
      z->mutable_local_endpoint()->set_service_name(service);
      if (span.events_size() > 0) {
        zipkin::proto3::Annotation* a = z->add_annotations();
        a->set_timestamp(span.events(0).time_unix_nano() / 1000);
        a->set_value(span.events(0).name());
      }
      for (const auto& kv : span.attributes()) {
        (*z->mutable_tags())[kv.key()] = kv.value().has_int_value()
                                             ? std::to_string(kv.value().int_value())
                                             : kv.value().string_value();
      }
    }
  }
  return list.SerializeAsString();
}

// Request `seed` as a Zipkin v1 JSON list: server spans with sr/ss
// annotations and string binary annotations.
inline std::string TracegenZipkinV1Json(uint64_t seed) {
  std::string out;
  JsonWriter w(out);
  w.BeginArray();
  const auto request = ParseTracegen(seed);
  for (const auto& rs : request.resource_spans()) {
    std::string service = ServiceName(rs);
    auto endpoint = [&] {
      w.Key("endpoint").BeginObject().Field("serviceName", service).EndObject();
    };
    for (const auto& span : rs.scope_spans(0).spans()) {
      const auto start = static_cast<int64_t>(span.start_time_unix_nano() / 1000);
      const auto end = static_cast<int64_t>(span.end_time_unix_nano() / 1000);
      w.BeginObject();
      w.Field("traceId", Hex(span.trace_id()));
      w.Field("id", Hex(span.span_id()));
      w.Field("name", span.name());
      w.FieldInt("timestamp", start);
      w.FieldInt("duration", end - start);
      w.Key("annotations").BeginArray();
      w.BeginObject().FieldInt("timestamp", start).Field("value", "sr");
      endpoint();
      w.EndObject();
      w.BeginObject().FieldInt("timestamp", end).Field("value", "ss");
      endpoint();
      w.EndObject();
      w.EndArray();
      w.Key("binaryAnnotations").BeginArray();
      for (const auto& kv : span.attributes()) {
        w.BeginObject().Field("key", kv.key());
        w.Field("value", kv.value().has_int_value() ? std::to_string(kv.value().int_value())
                                                    : kv.value().string_value());
        endpoint();
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
    }
  }
  w.EndArray();
  return out;
}

// Request `seed` as a Zipkin v1 Thrift list<Span> (binary protocol), the
// same spans as TracegenZipkinV1Json.
inline std::string TracegenZipkinV1Thrift(uint64_t seed) {
  using TType = thrift_test::TType;
  thrift_test::Writer w(ThriftProtocol::kBinary);
  const auto request = ParseTracegen(seed);
  int count = 0;
  for (const auto& rs : request.resource_spans()) count += rs.scope_spans(0).spans_size();
  w.ListBegin(TType::kStruct, static_cast<uint32_t>(count));
  for (const auto& rs : request.resource_spans()) {
    const std::string service = ServiceName(rs);
    auto endpoint = [&](int16_t id) {
      w.FieldBegin(TType::kStruct, id);
      w.StructBegin();
      w.FieldBegin(TType::kI32, 1);
      w.I32(0x7f000001);
      w.FieldBegin(TType::kI16, 2);
      w.I16(8080);
      w.FieldBegin(TType::kString, 3);
      w.String(service);
      w.StructEnd();
    };
    for (const auto& span : rs.scope_spans(0).spans()) {
      const auto start = static_cast<int64_t>(span.start_time_unix_nano() / 1000);
      const auto end = static_cast<int64_t>(span.end_time_unix_nano() / 1000);
      w.StructBegin();
      w.FieldBegin(TType::kI64, 1);
      w.I64(static_cast<int64_t>(BigEndian64(span.trace_id(), 8)));
      w.FieldBegin(TType::kString, 3);
      w.String(span.name());
      w.FieldBegin(TType::kI64, 4);
      w.I64(static_cast<int64_t>(BigEndian64(span.span_id(), 0)));
      w.FieldBegin(TType::kList, 6);
      w.ListBegin(TType::kStruct, 2);
      for (auto [t, v] : {std::pair<int64_t, const char*>{start, "sr"}, {end, "ss"}}) {
        w.StructBegin();
        w.FieldBegin(TType::kI64, 1);
        w.I64(t);
        w.FieldBegin(TType::kString, 2);
        w.String(v);
        endpoint(3);
        w.StructEnd();
      }
      w.FieldBegin(TType::kList, 8);
      w.ListBegin(TType::kStruct, static_cast<uint32_t>(span.attributes_size()));
      for (const auto& kv : span.attributes()) {
        w.StructBegin();
        w.FieldBegin(TType::kString, 1);
        w.String(kv.key());
        w.FieldBegin(TType::kString, 2);
        w.String(kv.value().has_int_value() ? std::to_string(kv.value().int_value())
                                            : kv.value().string_value());
        w.FieldBegin(TType::kI32, 3);
        w.I32(6);  // STRING
        endpoint(4);
        w.StructEnd();
      }
      w.FieldBegin(TType::kI64, 10);
      w.I64(start);
      w.FieldBegin(TType::kI64, 11);
      w.I64(end - start);
      w.FieldBegin(TType::kI64, 12);
      w.I64(static_cast<int64_t>(BigEndian64(span.trace_id(), 0)));
      w.StructEnd();
    }
  }
  return w.bytes();
}

}  // namespace spoor::bench
