// jaeger.api_v2 PostSpansRequest -> model, and back out as Jaeger JSON.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/json_writer.h"
#include "formats/jaeger_json/jaeger_json.h"
#include "formats/jaeger_proto/jaeger_proto_decode.h"
#include "jaeger/api_v2/collector.pb.h"

namespace spoor {
namespace {

namespace pb = jaeger::api_v2;

std::string Id(uint64_t high, uint64_t low, size_t size = 16) {
  std::string out;
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(high >> (8 * i)));
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(low >> (8 * i)));
  return out.substr(16 - size);
}
std::string SpanIdBytes(uint64_t v) {
  return Id(0, v, 8);
}

void Tag(pb::KeyValue* kv, const std::string& key, const std::string& v) {
  kv->set_key(key);
  kv->set_v_str(v);
}
void Tag(pb::KeyValue* kv, const std::string& key, int64_t v) {
  kv->set_key(key);
  kv->set_v_type(pb::INT64);
  kv->set_v_int64(v);
}
void Tag(pb::KeyValue* kv, const std::string& key, bool v) {
  kv->set_key(key);
  kv->set_v_type(pb::BOOL);
  kv->set_v_bool(v);
}
void Tag(pb::KeyValue* kv, const std::string& key, double v) {
  kv->set_key(key);
  kv->set_v_type(pb::FLOAT64);
  kv->set_v_float64(v);
}
void BinaryTag(pb::KeyValue* kv, const std::string& key, const std::string& v) {
  kv->set_key(key);
  kv->set_v_type(pb::BINARY);
  kv->set_v_binary(v);
}

void SetTime(google::protobuf::Timestamp* t, int64_t us) {
  t->set_seconds(us / 1'000'000);
  t->set_nanos(static_cast<int32_t>(us % 1'000'000 * 1000));
}

void AddRef(pb::Span* s, pb::SpanRefType type, const std::string& trace, uint64_t span) {
  pb::SpanRef* ref = s->add_references();
  ref->set_ref_type(type);
  ref->set_trace_id(trace);
  ref->set_span_id(SpanIdBytes(span));
}

constexpr uint64_t kHigh = 0x5b8efff798038103;
constexpr uint64_t kLow = 0xd269b633813fc60c;

// The Thrift round trip's batch (tests/unit/format_jaeger_thrift), in the
// protobuf model.
pb::PostSpansRequest FullRequest() {
  pb::PostSpansRequest req;
  pb::Batch* b = req.mutable_batch();
  b->mutable_process()->set_service_name("frontend");
  Tag(b->mutable_process()->add_tags(), "hostname", std::string("node-1"));
  Tag(b->mutable_process()->add_tags(), "pid", int64_t{4242});

  pb::Span* a = b->add_spans();
  a->set_trace_id(Id(kHigh, kLow));
  a->set_span_id(SpanIdBytes(0xeee19b7ec3c1b174));
  a->set_operation_name("GET /dispatch");
  AddRef(a, pb::CHILD_OF, Id(kHigh, kLow), 0x0a);
  AddRef(a, pb::FOLLOWS_FROM, Id(0, 0x77), 0x0b);
  AddRef(a, pb::CHILD_OF, Id(kHigh, kLow), 0x0c);
  a->set_flags(3);
  SetTime(a->mutable_start_time(), 1'485'467'191'639'875);
  a->mutable_duration()->set_nanos(100'000'000);
  Tag(a->add_tags(), "http.method", std::string("GET"));
  Tag(a->add_tags(), "load", 0.25);
  Tag(a->add_tags(), "cached", false);
  Tag(a->add_tags(), "big", INT64_MAX);
  Tag(a->add_tags(), "small", int64_t{-3});
  BinaryTag(a->add_tags(), "blob", "\x01\x02\xff");
  Tag(a->add_tags(), "span.kind", std::string("server"));
  Tag(a->add_tags(), "error", true);
  pb::Log* log = a->add_logs();
  SetTime(log->mutable_timestamp(), 1'485'467'191'639'900);
  Tag(log->add_fields(), "event", std::string("cache miss"));
  Tag(log->add_fields(), "attempt", int64_t{2});
  log = a->add_logs();
  SetTime(log->mutable_timestamp(), 1'485'467'191'739'000);
  Tag(log->add_fields(), "message", std::string("done"));
  a->add_warnings("ignored");

  // A 64-bit trace ID (8 bytes), a client span.
  pb::Span* c = b->add_spans();
  c->set_trace_id(Id(0, 0x42, 8));
  c->set_span_id(SpanIdBytes(0x43));
  AddRef(c, pb::CHILD_OF, Id(0, 0x42), 0x41);
  c->set_operation_name("redis GET");
  c->set_flags(1);
  SetTime(c->mutable_start_time(), 1'485'467'191'700'000);
  c->mutable_duration()->set_nanos(250'000);
  Tag(c->add_tags(), "span.kind", std::string("client"));
  return req;
}

SpanBatch Decode(const pb::PostSpansRequest& req, DecodeStats* stats = nullptr) {
  SpanBatch batch;
  Status s = DecodeJaegerPostSpans(req.SerializeAsString(), &batch, stats);
  EXPECT_TRUE(s.ok()) << s.message();
  return batch;
}

std::vector<std::string> ToJaegerJson(const SpanBatch& batch) {
  std::vector<std::string> out;
  for (const ResourceSpans& rs : batch.resource_spans) {
    for (const ScopeSpans& ss : rs.scope_spans) {
      for (const Span& span : ss.spans) {
        Trace trace;
        trace.trace_id = span.trace_id;
        trace.spans.push_back({rs.resource, ss.scope, span, {}});
        JsonWriter w(out.emplace_back());
        AppendJaegerTrace(trace, w);
      }
    }
  }
  return out;
}

TEST(JaegerProtoDecode, EveryField) {
  SpanBatch batch = Decode(FullRequest());
  ASSERT_EQ(batch.resource_spans.size(), 1u);
  const ResourceSpans& rs = batch.resource_spans[0];
  EXPECT_EQ(rs.resource->service_name, "frontend");
  ASSERT_EQ(rs.resource->attributes.size(), 3u);
  EXPECT_EQ(rs.resource->attributes[0].key, "service.name");
  EXPECT_EQ(rs.resource->attributes[1].key, "hostname");
  EXPECT_EQ(rs.resource->attributes[2].value, AnyValue::Int(4242));
  ASSERT_EQ(rs.scope_spans.size(), 1u);
  ASSERT_EQ(rs.scope_spans[0].spans.size(), 2u);

  const Span& a = rs.scope_spans[0].spans[0];
  EXPECT_EQ(a.trace_id.high, kHigh);
  EXPECT_EQ(a.trace_id.low, kLow);
  EXPECT_EQ(a.span_id.value, 0xeee19b7ec3c1b174);
  EXPECT_EQ(a.parent_span_id.value, 0x0au);
  EXPECT_EQ(a.name, "GET /dispatch");
  EXPECT_EQ(a.flags, 3u);
  EXPECT_EQ(a.start_time_ns, 1'485'467'191'639'875'000u);
  EXPECT_EQ(a.end_time_ns, 1'485'467'191'739'875'000u);
  EXPECT_EQ(a.kind, SpanKind::kServer);
  EXPECT_EQ(a.status.code, SpanStatusCode::kError);
  ASSERT_EQ(a.attributes.size(), 6u);  // span.kind and error=true became fields
  EXPECT_EQ(a.attributes[0].value, AnyValue::String("GET"));
  EXPECT_EQ(a.attributes[1].value, AnyValue::Double(0.25));
  EXPECT_EQ(a.attributes[2].value, AnyValue::Bool(false));
  EXPECT_EQ(a.attributes[3].value, AnyValue::Int(INT64_MAX));
  EXPECT_EQ(a.attributes[4].value, AnyValue::Int(-3));
  EXPECT_EQ(a.attributes[5].value, AnyValue::Bytes("\x01\x02\xff"));
  ASSERT_EQ(a.links.size(), 2u);
  EXPECT_EQ(a.links[0].trace_id.low, 0x77u);
  EXPECT_TRUE(a.links[0].attributes.empty());
  EXPECT_EQ(a.links[1].span_id.value, 0x0cu);
  ASSERT_EQ(a.links[1].attributes.size(), 1u);
  EXPECT_EQ(a.links[1].attributes[0].key, "opentracing.ref_type");
  ASSERT_EQ(a.events.size(), 2u);
  EXPECT_EQ(a.events[0].name, "cache miss");
  EXPECT_EQ(a.events[0].time_ns, 1'485'467'191'639'900'000u);
  ASSERT_EQ(a.events[0].attributes.size(), 1u);
  EXPECT_EQ(a.events[0].attributes[0].value, AnyValue::Int(2));
  EXPECT_EQ(a.events[1].name, "");

  const Span& c = rs.scope_spans[0].spans[1];
  EXPECT_EQ(c.trace_id.high, 0u);
  EXPECT_EQ(c.trace_id.low, 0x42u);
  EXPECT_EQ(c.parent_span_id.value, 0x41u);
  EXPECT_EQ(c.kind, SpanKind::kClient);
  EXPECT_TRUE(c.attributes.empty());
  EXPECT_TRUE(c.links.empty());
}

TEST(JaegerProtoDecode, SpanProcessTakesPriority) {
  pb::PostSpansRequest req = FullRequest();
  pb::Process* own = req.mutable_batch()->mutable_spans(1)->mutable_process();
  own->set_service_name("redis");
  Tag(own->add_tags(), "service.name", std::string("ignored"));
  SpanBatch batch = Decode(req);
  ASSERT_EQ(batch.resource_spans.size(), 2u);
  EXPECT_EQ(batch.resource_spans[0].resource->service_name, "frontend");
  EXPECT_EQ(batch.resource_spans[0].scope_spans[0].spans.size(), 1u);
  EXPECT_EQ(batch.resource_spans[1].resource->service_name, "redis");
  EXPECT_EQ(batch.resource_spans[1].resource->attributes.size(), 1u);
  EXPECT_EQ(batch.resource_spans[1].scope_spans[0].spans[0].name, "redis GET");
}

TEST(JaegerProtoDecode, SpansWithTheSameOwnProcessShareAResource) {
  pb::PostSpansRequest req = FullRequest();
  req.mutable_batch()->clear_process();
  for (pb::Span& s : *req.mutable_batch()->mutable_spans()) {
    s.mutable_process()->set_service_name("same");
  }
  SpanBatch batch = Decode(req);
  ASSERT_EQ(batch.resource_spans.size(), 1u);
  EXPECT_EQ(batch.resource_spans[0].resource->service_name, "same");
  EXPECT_EQ(batch.SpanCount(), 2u);
}

TEST(JaegerProtoDecode, BadIdsRejectTheSpan) {
  pb::PostSpansRequest req = FullRequest();
  pb::Batch* b = req.mutable_batch();
  *b->add_spans() = b->spans(1);
  *b->add_spans() = b->spans(1);
  *b->add_spans() = b->spans(1);
  *b->add_spans() = b->spans(1);
  b->mutable_spans(1)->set_trace_id(std::string(12, '\x01'));
  b->mutable_spans(2)->set_span_id("");
  b->mutable_spans(3)->set_trace_id(std::string(16, '\0'));
  b->mutable_spans(4)->mutable_references(0)->set_span_id("x");
  DecodeStats stats;
  SpanBatch batch = Decode(req, &stats);
  EXPECT_EQ(batch.SpanCount(), 2u);
  EXPECT_EQ(stats.rejected_spans, 4u);
  EXPECT_EQ(stats.rejection_reason, "span 1: trace_id must be 16 or 8 bytes, got 12");
}

TEST(JaegerProtoDecode, EmptyRequest) {
  SpanBatch batch;
  DecodeStats stats;
  ASSERT_TRUE(DecodeJaegerPostSpans("", &batch, &stats).ok());
  EXPECT_TRUE(batch.resource_spans.empty());
  EXPECT_EQ(stats.rejected_spans, 0u);
}

TEST(JaegerProtoDecode, MalformedBytesAreInvalidArgument) {
  const std::string valid = FullRequest().SerializeAsString();
  for (const std::string& bytes :
       {valid.substr(0, valid.size() / 2), std::string("\x0a\xff\xff\xff\x0f", 5),
        std::string("\x0a\x02\x0a\x05", 4), std::string("\xff\xff", 2)}) {
    SpanBatch batch;
    DecodeStats stats;
    Status s = DecodeJaegerPostSpans(bytes, &batch, &stats);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.message();
    EXPECT_TRUE(batch.resource_spans.empty());
    EXPECT_EQ(stats.rejected_spans, 0u);
  }
}

TEST(JaegerProtoRoundTrip, EveryFieldReachesJaegerJson) {
  std::vector<std::string> json = ToJaegerJson(Decode(FullRequest()));
  ASSERT_EQ(json.size(), 2u);
  const std::string process = R"("processes":{"p1":{"serviceName":"frontend","tags":[)"
                              R"({"key":"hostname","type":"string","value":"node-1"},)"
                              R"({"key":"pid","type":"int64","value":4242}]}},"warnings":null})";
  EXPECT_EQ(
      json[0],
      R"({"traceID":"5b8efff798038103d269b633813fc60c","spans":[{)"
      R"("traceID":"5b8efff798038103d269b633813fc60c","spanID":"eee19b7ec3c1b174",)"
      R"("flags":3,"operationName":"GET /dispatch","references":[)"
      R"({"refType":"CHILD_OF","traceID":"5b8efff798038103d269b633813fc60c",)"
      R"("spanID":"000000000000000a"},)"
      R"({"refType":"FOLLOWS_FROM","traceID":"0000000000000077","spanID":"000000000000000b"},)"
      R"({"refType":"CHILD_OF","traceID":"5b8efff798038103d269b633813fc60c",)"
      R"("spanID":"000000000000000c"}],)"
      R"("startTime":1485467191639875,"duration":100000,"tags":[)"
      R"({"key":"http.method","type":"string","value":"GET"},)"
      R"({"key":"load","type":"float64","value":0.25},)"
      R"({"key":"cached","type":"bool","value":false},)"
      R"({"key":"big","type":"int64","value":"9223372036854775807"},)"
      R"({"key":"small","type":"int64","value":-3},)"
      R"({"key":"blob","type":"binary","value":"AQL/"},)"
      R"({"key":"span.kind","type":"string","value":"server"},)"
      R"({"key":"otel.status_code","type":"string","value":"ERROR"},)"
      R"({"key":"error","type":"bool","value":true}],)"
      R"("logs":[{"timestamp":1485467191639900,"fields":[)"
      R"({"key":"event","type":"string","value":"cache miss"},)"
      R"({"key":"attempt","type":"int64","value":2}]},)"
      R"({"timestamp":1485467191739000,"fields":[)"
      R"({"key":"message","type":"string","value":"done"}]}],)"
      R"("processID":"p1","warnings":null}],)" +
          process);
  EXPECT_EQ(json[1],
            R"({"traceID":"0000000000000042","spans":[{)"
            R"("traceID":"0000000000000042","spanID":"0000000000000043","flags":1,)"
            R"("operationName":"redis GET","references":[)"
            R"({"refType":"CHILD_OF","traceID":"0000000000000042","spanID":"0000000000000041"}],)"
            R"("startTime":1485467191700000,"duration":250,"tags":[)"
            R"({"key":"span.kind","type":"string","value":"client"}],"logs":[],)"
            R"("processID":"p1","warnings":null}],)" +
                process);
}

}  // namespace
}  // namespace spoor
