// The full-featured request used by the decoder tests, as the model the
// decoders must produce. otlp_proto_test.cc and otlp_json_decode_test.cc
// write the same request in their wire form.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/span.h"
#include "model/string_table.h"

namespace spoor {

// Readable gtest failure messages for the model's value types.
inline void PrintTo(const TraceId& id, std::ostream* os) {
  *os << id.Hex32();
}
inline void PrintTo(const SpanId& id, std::ostream* os) {
  *os << id.Hex();
}
inline void PrintTo(const AnyValue& v, std::ostream* os) {
  *os << "type " << static_cast<int>(v.type) << ": " << v.ToString();
}
inline void PrintTo(const KeyValue& kv, std::ostream* os) {
  *os << kv.key << "=";
  PrintTo(kv.value, os);
}

}  // namespace spoor

namespace spoor::testing {

inline KeyValue Kv(std::string_view key, AnyValue value) {
  return KeyValue{Intern(key), std::move(value)};
}

inline AnyValue Array(std::vector<AnyValue> values) {
  AnyValue v;
  v.type = ValueType::kArray;
  v.array = std::move(values);
  return v;
}

inline AnyValue KvList(std::vector<KeyValue> values) {
  AnyValue v;
  v.type = ValueType::kKvList;
  v.kvlist = std::move(values);
  return v;
}

// One attribute of every value type, with nesting.
inline Attributes AllValueTypes() {
  return {
      Kv("http.method", AnyValue::String("GET")),
      Kv("cache.hit", AnyValue::Bool(true)),
      Kv("http.status_code", AnyValue::Int(200)),
      Kv("big.negative", AnyValue::Int(std::numeric_limits<int64_t>::min())),
      Kv("ratio", AnyValue::Double(0.25)),
      Kv("payload", AnyValue::Bytes(std::string("\x00\x01\xfe\xff", 4))),
      Kv("tags", Array({AnyValue::String("a"), AnyValue::Int(1),
                        Array({AnyValue::Bool(false), KvList({Kv("x", AnyValue::Double(1.5))})})})),
      Kv("map", KvList({Kv("inner", KvList({Kv("deep", AnyValue::String("v"))})),
                        Kv("nothing", AnyValue{})})),
      Kv("empty.array", Array({})),
      Kv("nothing", AnyValue{}),
  };
}

inline TraceId FullTraceId() {
  return TraceId{0x0102030405060708ULL, 0x090a0b0c0d0e0f10ULL};
}

// The span with every field set.
inline Span FullSpan() {
  Span s;
  s.trace_id = FullTraceId();
  s.span_id = SpanId{0x1112131415161718ULL};
  s.parent_span_id = SpanId{0x2122232425262728ULL};
  s.trace_state = "vendor=abc,other=x";
  s.flags = 0x301;
  s.name = Intern("GET /cart");
  s.kind = SpanKind::kServer;
  s.start_time_ns = 1700000000123456789ULL;
  s.end_time_ns = 1700000000223456789ULL;
  s.attributes = AllValueTypes();
  s.dropped_attributes_count = 4;
  Event exception;
  exception.time_ns = 1700000000150000000ULL;
  exception.name = Intern("exception");
  exception.attributes = {Kv("exception.message", AnyValue::String("boom"))};
  exception.dropped_attributes_count = 2;
  s.events = {exception, Event{}};
  s.dropped_events_count = 5;
  Link link;
  link.trace_id = TraceId{0xa0a1a2a3a4a5a6a7ULL, 0xa8a9aaabacadaeafULL};
  link.span_id = SpanId{0xb0b1b2b3b4b5b6b7ULL};
  link.trace_state = "k=v";
  link.attributes = {Kv("link.kind", AnyValue::String("follows"))};
  link.dropped_attributes_count = 6;
  link.flags = 1;
  s.links = {link};
  s.dropped_links_count = 7;
  s.status.code = SpanStatusCode::kError;
  s.status.message = "it broke";
  return s;
}

// A root span with nothing but the required fields.
inline Span MinimalRootSpan() {
  Span s;
  s.trace_id = FullTraceId();
  s.span_id = SpanId{0x3132333435363738ULL};
  s.name = Intern("minimal");
  s.start_time_ns = 1;
  s.end_time_ns = 2;
  return s;
}

inline std::shared_ptr<const Resource> FullResource() {
  auto r = std::make_shared<Resource>();
  r->attributes = {Kv("service.name", AnyValue::String("checkout")),
                   Kv("host.id", AnyValue::Int(42))};
  r->dropped_attributes_count = 3;
  r->schema_url = "https://opentelemetry.io/schemas/1.21.0";
  r->ResolveServiceName();
  return r;
}

inline std::shared_ptr<const Scope> FullScope() {
  auto s = std::make_shared<Scope>();
  s->name = Intern("io.spoor.test");
  s->version = Intern("1.2.3");
  s->attributes = {Kv("scope.attr", AnyValue::Bool(true))};
  s->dropped_attributes_count = 1;
  s->schema_url = "https://example.com/scope-schema";
  return s;
}

// One resource, one scope, FullSpan() then MinimalRootSpan().
inline SpanBatch FullBatch() {
  SpanBatch batch;
  ResourceSpans& rs = batch.resource_spans.emplace_back();
  rs.resource = FullResource();
  ScopeSpans& ss = rs.scope_spans.emplace_back();
  ss.scope = FullScope();
  ss.spans = {FullSpan(), MinimalRootSpan()};
  return batch;
}

// True if `s` is the process-wide interned copy of itself.
inline bool IsInterned(std::string_view s) {
  return s.empty() || Intern(s).data() == s.data();
}

inline void ExpectAttributesInterned(const Attributes& attrs) {
  for (const KeyValue& kv : attrs) {
    EXPECT_TRUE(IsInterned(kv.key)) << kv.key;
    if (kv.value.type == ValueType::kKvList) ExpectAttributesInterned(kv.value.kvlist);
  }
}

// Compares field by field (for readable failures), then as a whole.
inline void ExpectSpanEq(const Span& actual, const Span& expected) {
  EXPECT_EQ(actual.trace_id, expected.trace_id);
  EXPECT_EQ(actual.span_id, expected.span_id);
  EXPECT_EQ(actual.parent_span_id, expected.parent_span_id);
  EXPECT_EQ(actual.trace_state, expected.trace_state);
  EXPECT_EQ(actual.flags, expected.flags);
  EXPECT_EQ(actual.name, expected.name);
  EXPECT_EQ(actual.kind, expected.kind);
  EXPECT_EQ(actual.start_time_ns, expected.start_time_ns);
  EXPECT_EQ(actual.end_time_ns, expected.end_time_ns);
  EXPECT_EQ(actual.attributes, expected.attributes);
  EXPECT_EQ(actual.dropped_attributes_count, expected.dropped_attributes_count);
  EXPECT_EQ(actual.events, expected.events);
  EXPECT_EQ(actual.dropped_events_count, expected.dropped_events_count);
  EXPECT_EQ(actual.links, expected.links);
  EXPECT_EQ(actual.dropped_links_count, expected.dropped_links_count);
  EXPECT_EQ(actual.status, expected.status);
  EXPECT_TRUE(actual == expected);
  EXPECT_TRUE(IsInterned(actual.name));
  ExpectAttributesInterned(actual.attributes);
  for (const Event& e : actual.events) {
    EXPECT_TRUE(IsInterned(e.name));
    ExpectAttributesInterned(e.attributes);
  }
}

inline void ExpectResourceEq(const Resource& actual, const Resource& expected) {
  EXPECT_EQ(actual.attributes, expected.attributes);
  EXPECT_EQ(actual.dropped_attributes_count, expected.dropped_attributes_count);
  EXPECT_EQ(actual.schema_url, expected.schema_url);
  EXPECT_EQ(actual.service_name, expected.service_name);
  ExpectAttributesInterned(actual.attributes);
}

inline void ExpectScopeEq(const Scope& actual, const Scope& expected) {
  EXPECT_EQ(actual.name, expected.name);
  EXPECT_EQ(actual.version, expected.version);
  EXPECT_EQ(actual.attributes, expected.attributes);
  EXPECT_EQ(actual.dropped_attributes_count, expected.dropped_attributes_count);
  EXPECT_EQ(actual.schema_url, expected.schema_url);
  EXPECT_TRUE(IsInterned(actual.name));
  EXPECT_TRUE(IsInterned(actual.version));
}

// Every resource, scope and span, in order, including schema URLs.
inline void ExpectBatchEq(const SpanBatch& actual, const SpanBatch& expected) {
  ASSERT_EQ(actual.resource_spans.size(), expected.resource_spans.size());
  for (size_t r = 0; r < actual.resource_spans.size(); ++r) {
    const ResourceSpans& a = actual.resource_spans[r];
    const ResourceSpans& e = expected.resource_spans[r];
    ASSERT_NE(a.resource, nullptr);
    ExpectResourceEq(*a.resource, *e.resource);
    ASSERT_EQ(a.scope_spans.size(), e.scope_spans.size());
    for (size_t s = 0; s < a.scope_spans.size(); ++s) {
      ASSERT_NE(a.scope_spans[s].scope, nullptr);
      ExpectScopeEq(*a.scope_spans[s].scope, *e.scope_spans[s].scope);
      ASSERT_EQ(a.scope_spans[s].spans.size(), e.scope_spans[s].spans.size());
      for (size_t i = 0; i < a.scope_spans[s].spans.size(); ++i) {
        SCOPED_TRACE("resource " + std::to_string(r) + " scope " + std::to_string(s) + " span " +
                     std::to_string(i));
        ExpectSpanEq(a.scope_spans[s].spans[i], e.scope_spans[s].spans[i]);
      }
    }
  }
}

}  // namespace spoor::testing
