// model -> jaeger.api_v2 SpansResponseChunk (the api_v2 QueryService's
// stream), read back with the protobuf library's generated classes.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "formats/jaeger_proto/jaeger_proto_encode.h"
#include "jaeger/api_v2/query.pb.h"
#include "model/string_table.h"

namespace spoor {
namespace {

namespace pb = jaeger::api_v2;

std::map<std::string, const pb::KeyValue*> ByKey(
    const google::protobuf::RepeatedPtrField<pb::KeyValue>& tags) {
  std::map<std::string, const pb::KeyValue*> out;
  for (const pb::KeyValue& kv : tags) {
    EXPECT_TRUE(out.emplace(kv.key(), &kv).second) << "tag " << kv.key() << " twice";
  }
  return out;
}

std::string Bytes(const TraceId& id) {
  char b[16];
  id.ToBytes(b);
  return std::string(b, 16);
}
std::string Bytes(const SpanId& id) {
  char b[8];
  id.ToBytes(b);
  return std::string(b, 8);
}

TEST(JaegerProtoEncode, SpansCarryTheJaegerFormOfEveryField) {
  auto resource = std::make_shared<Resource>();
  resource->attributes.push_back({Intern("service.name"), AnyValue::String("checkout")});
  resource->attributes.push_back({Intern("host.name"), AnyValue::String("box-1")});
  resource->ResolveServiceName();
  auto scope = std::make_shared<Scope>();
  scope->name = Intern("lib");
  scope->version = Intern("1.2");

  SpanRecord r;
  r.resource = resource;
  r.scope = scope;
  Span& s = r.span;
  s.trace_id = TraceId{0x0102030405060708, 0x090a0b0c0d0e0f10};
  s.span_id = SpanId{0x1112131415161718};
  s.parent_span_id = SpanId{0x2122232425262728};
  s.name = Intern("GET /cart");
  s.kind = SpanKind::kServer;
  s.flags = 0x301;  // sampled, and OTLP-only bits that Jaeger does not show
  s.start_time_ns = 1'700'000'000'123'456'789;
  s.end_time_ns = s.start_time_ns + 2'500'000'001;
  s.attributes.push_back({Intern("http.status_code"), AnyValue::Int(503)});
  s.attributes.push_back({Intern("retry"), AnyValue::Bool(true)});
  s.attributes.push_back({Intern("ratio"), AnyValue::Double(0.25)});
  s.attributes.push_back({Intern("blob"), AnyValue::Bytes(std::string("\x00\x01", 2))});
  s.attributes.push_back({Intern("user"), AnyValue::String("u-7")});
  s.status.code = SpanStatusCode::kError;
  s.status.message = "upstream down";
  s.trace_state = "k=v";
  Event e;
  e.time_ns = s.start_time_ns + 1000;
  e.name = Intern("retrying");
  e.attributes.push_back({Intern("attempt"), AnyValue::Int(2)});
  s.events.push_back(e);
  Link follows;
  follows.trace_id = TraceId{0, 0x99};
  follows.span_id = SpanId{0x98};
  s.links.push_back(follows);
  Link child = follows;
  child.span_id = SpanId{0x97};
  child.attributes.push_back({Intern("opentracing.ref_type"), AnyValue::String("child_of")});
  s.links.push_back(child);
  r.warnings.push_back("clock skew adjusted");

  SpanRecord second;
  second.resource = resource;
  second.scope = scope;
  second.span.trace_id = s.trace_id;
  second.span.span_id = SpanId{0x31};
  second.span.name = Intern("db");
  second.span.start_time_ns = s.start_time_ns;
  second.span.end_time_ns = s.start_time_ns + 1;

  std::vector<SpanRecord> records{r, second};
  std::string bytes;
  EncodeJaegerSpansChunk(records.data(), records.data() + records.size(), &bytes);
  pb::SpansResponseChunk chunk;
  ASSERT_TRUE(chunk.ParseFromString(bytes));
  ASSERT_EQ(chunk.spans_size(), 2);
  const pb::Span& got = chunk.spans(0);
  EXPECT_EQ(got.trace_id(), Bytes(s.trace_id));
  EXPECT_EQ(got.span_id(), Bytes(s.span_id));
  EXPECT_EQ(got.operation_name(), "GET /cart");
  EXPECT_EQ(got.flags(), 1u);
  EXPECT_EQ(got.start_time().seconds(), 1'700'000'000);
  EXPECT_EQ(got.start_time().nanos(), 123'456'789);
  EXPECT_EQ(got.duration().seconds(), 2);
  EXPECT_EQ(got.duration().nanos(), 500'000'001);
  // The parent first, then the links by their reference type.
  ASSERT_EQ(got.references_size(), 3);
  EXPECT_EQ(got.references(0).ref_type(), pb::CHILD_OF);
  EXPECT_EQ(got.references(0).span_id(), Bytes(s.parent_span_id));
  EXPECT_EQ(got.references(0).trace_id(), Bytes(s.trace_id));
  EXPECT_EQ(got.references(1).ref_type(), pb::FOLLOWS_FROM);
  EXPECT_EQ(got.references(1).trace_id(), Bytes(follows.trace_id));
  EXPECT_EQ(got.references(2).ref_type(), pb::CHILD_OF);
  EXPECT_EQ(got.references(2).span_id(), Bytes(child.span_id));

  auto tags = ByKey(got.tags());
  ASSERT_EQ(tags.size(), 12u);
  EXPECT_EQ(tags["http.status_code"]->v_type(), pb::INT64);
  EXPECT_EQ(tags["http.status_code"]->v_int64(), 503);
  EXPECT_EQ(tags["retry"]->v_type(), pb::BOOL);
  EXPECT_TRUE(tags["retry"]->v_bool());
  EXPECT_EQ(tags["ratio"]->v_type(), pb::FLOAT64);
  EXPECT_EQ(tags["ratio"]->v_float64(), 0.25);
  EXPECT_EQ(tags["blob"]->v_type(), pb::BINARY);
  EXPECT_EQ(tags["blob"]->v_binary(), std::string("\x00\x01", 2));
  EXPECT_EQ(tags["user"]->v_str(), "u-7");
  // Tags made from fields, as the JSON form has them.
  EXPECT_EQ(tags["span.kind"]->v_str(), "server");
  EXPECT_EQ(tags["otel.status_code"]->v_str(), "ERROR");
  EXPECT_EQ(tags["error"]->v_type(), pb::BOOL);
  EXPECT_TRUE(tags["error"]->v_bool());
  EXPECT_EQ(tags["otel.status_description"]->v_str(), "upstream down");
  EXPECT_EQ(tags["otel.scope.name"]->v_str(), "lib");
  EXPECT_EQ(tags["otel.scope.version"]->v_str(), "1.2");
  EXPECT_EQ(tags["w3c.tracestate"]->v_str(), "k=v");

  ASSERT_EQ(got.logs_size(), 1);
  EXPECT_EQ(got.logs(0).timestamp().nanos(), 123'457'789);
  ASSERT_EQ(got.logs(0).fields_size(), 2);
  EXPECT_EQ(got.logs(0).fields(0).key(), "event");
  EXPECT_EQ(got.logs(0).fields(0).v_str(), "retrying");
  EXPECT_EQ(got.logs(0).fields(1).key(), "attempt");
  EXPECT_EQ(got.logs(0).fields(1).v_int64(), 2);

  EXPECT_EQ(got.process().service_name(), "checkout");
  ASSERT_EQ(got.process().tags_size(), 1);
  EXPECT_EQ(got.process().tags(0).key(), "host.name");
  EXPECT_EQ(got.process().tags(0).v_str(), "box-1");
  EXPECT_TRUE(got.process_id().empty());
  ASSERT_EQ(got.warnings_size(), 1);
  EXPECT_EQ(got.warnings(0), "clock skew adjusted");

  // A span with no kind, status, parent or events: only what it has.
  const pb::Span& db = chunk.spans(1);
  EXPECT_EQ(db.operation_name(), "db");
  EXPECT_EQ(db.references_size(), 0);
  EXPECT_EQ(db.duration().nanos(), 1);
  auto db_tags = ByKey(db.tags());
  EXPECT_EQ(db_tags.size(), 2u);  // otel.scope.name and .version
  EXPECT_EQ(db.process().service_name(), "checkout");
}

TEST(JaegerProtoEncode, NoSpansIsAnEmptyChunk) {
  std::string bytes = "left over";
  EncodeJaegerSpansChunk(nullptr, nullptr, &bytes);
  EXPECT_TRUE(bytes.empty());
}

}  // namespace
}  // namespace spoor
