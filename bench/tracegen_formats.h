// The tracegen workload (bench/tracegen.h) in the other wire formats Spoor
// ingests, so that every decoder is measured on the same spans: Jaeger
// Thrift (one Batch per service, as Jaeger clients send one process per
// batch), Jaeger protobuf (PostSpansRequest, likewise per service) and
// Zipkin v2 JSON (one list).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/tracegen.h"
#include "common/json_writer.h"
#include "formats/jaeger_thrift/jaeger_thrift_decode.h"
#include "jaeger/api_v2/collector.pb.h"
#include "tests/unit/format_jaeger_thrift/thrift_writer.h"

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

}  // namespace spoor::bench
