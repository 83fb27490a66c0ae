// Duplicate removal, Zipkin shared-span IDs, sorting and duration
// formatting. Clock skew has its own file.
#include "query/adjusters.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "common/json_writer.h"
#include "formats/jaeger_json/jaeger_json.h"
#include "test_trace_builder.h"

namespace spoor {
namespace {

using testutil::FindSpan;
using testutil::MakeResource;
using testutil::MakeSpan;
using testutil::MakeTrace;

void Adjust(Trace& trace) {
  AdjustTrace(trace, AdjusterOptions{});
}

// --- Exact duplicates ----------------------------------------------------------

TEST(DuplicateSpans, ExactCopiesAreReducedToOne) {
  // Equal content in distinct resource and scope objects, as two separate
  // deliveries of the same span would be stored.
  SpanRecord a = MakeSpan(7, 0, 100, 200, MakeResource("svc"));
  a.span.attributes = {{"k", AnyValue::String("v")}};
  SpanRecord b = a;
  b.resource = MakeResource("svc");
  b.scope = std::make_shared<Scope>();
  SpanRecord c = a;
  Trace trace = MakeTrace({a, b, c});
  Adjust(trace);
  ASSERT_EQ(trace.spans.size(), 1u);
  EXPECT_EQ(trace.spans[0].span.span_id.value, 7u);
  EXPECT_TRUE(trace.spans[0].warnings.empty());
}

TEST(DuplicateSpans, SpansSharingAnIdButDifferingInAFieldAreKept) {
  SpanRecord a = MakeSpan(7, 0, 100, 200);
  a.span.attributes = {{"k", AnyValue::String("v")}};
  SpanRecord b = a;
  b.span.attributes = {{"k", AnyValue::String("other")}};
  SpanRecord c = a;
  c.span.end_time_ns = 300;
  Trace trace = MakeTrace({a, b, c});
  Adjust(trace);
  EXPECT_EQ(trace.spans.size(), 3u);
}

TEST(DuplicateSpans, EqualSpansFromDifferentResourcesOrScopesAreKept) {
  SpanRecord a = MakeSpan(7, 0, 100, 200, MakeResource("svc-a"));
  SpanRecord b = a;
  b.resource = MakeResource("svc-b");
  SpanRecord c = a;
  auto scope = std::make_shared<Scope>();
  scope->name = "lib";
  c.scope = scope;
  Trace trace = MakeTrace({a, b, c});
  Adjust(trace);
  EXPECT_EQ(trace.spans.size(), 3u);
}

// --- Zipkin shared span IDs ----------------------------------------------------

TEST(SharedSpanId, ServerHalfGetsNewIdAndBecomesChildOfClientHalf) {
  SpanRecord root = MakeSpan(1, 0, 0, 1000);
  SpanRecord client = MakeSpan(0x10, 1, 100, 900);
  client.span.kind = SpanKind::kClient;
  SpanRecord server = MakeSpan(0x10, 1, 150, 850);
  server.span.kind = SpanKind::kServer;
  SpanRecord work = MakeSpan(0x20, 0x10, 200, 300);  // done inside the server
  Trace trace = MakeTrace({root, client, server, work});
  Adjust(trace);

  ASSERT_EQ(trace.spans.size(), 4u);
  const SpanRecord* c = FindSpan(trace, 0x10);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->span.kind, SpanKind::kClient);
  EXPECT_EQ(c->span.parent_span_id.value, 1u);
  EXPECT_TRUE(c->warnings.empty());

  // 1 is taken by the root, so the smallest free ID is 2.
  const SpanRecord* s = FindSpan(trace, 2);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->span.kind, SpanKind::kServer);
  EXPECT_EQ(s->span.parent_span_id.value, 0x10u);
  ASSERT_EQ(s->warnings.size(), 1u);
  EXPECT_EQ(s->warnings[0],
            "span ID 0000000000000010 was shared with a client span; this server span was given "
            "ID 0000000000000002");

  const SpanRecord* w = FindSpan(trace, 0x20);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->span.parent_span_id.value, 2u);
}

TEST(SharedSpanId, NewIdSkipsEveryIdAlreadyInTheTrace) {
  SpanRecord client = MakeSpan(1, 0, 100, 900);
  client.span.kind = SpanKind::kClient;
  SpanRecord server = MakeSpan(1, 0, 150, 850);
  server.span.kind = SpanKind::kServer;
  SpanRecord two = MakeSpan(2, 1, 200, 300);
  SpanRecord orphan = MakeSpan(4, 3, 200, 300);  // 3 is referenced as a parent
  Trace trace = MakeTrace({client, server, two, orphan});
  Adjust(trace);
  int servers_with_new_id = 0;
  for (const SpanRecord& r : trace.spans) {
    if (r.span.kind == SpanKind::kServer) {
      EXPECT_EQ(r.span.span_id.value, 5u);
      EXPECT_EQ(r.span.parent_span_id.value, 1u);
      ++servers_with_new_id;
    }
  }
  EXPECT_EQ(servers_with_new_id, 1);
  // The child of the shared ID now hangs under the server half.
  EXPECT_EQ(FindSpan(trace, 2)->span.parent_span_id.value, 5u);
}

TEST(SharedSpanId, ServerSpansSharingAnIdWithoutAClientAreLeftAlone) {
  SpanRecord a = MakeSpan(9, 0, 100, 200);
  a.span.kind = SpanKind::kServer;
  SpanRecord b = MakeSpan(9, 0, 100, 250);
  b.span.kind = SpanKind::kServer;
  Trace trace = MakeTrace({a, b});
  Adjust(trace);
  ASSERT_EQ(trace.spans.size(), 2u);
  for (const SpanRecord& r : trace.spans) {
    EXPECT_EQ(r.span.span_id.value, 9u);
    EXPECT_TRUE(r.warnings.empty());
  }
}

TEST(SharedSpanId, ClientWithUniqueIdChangesNothing) {
  SpanRecord client = MakeSpan(1, 0, 100, 900);
  client.span.kind = SpanKind::kClient;
  SpanRecord server = MakeSpan(2, 1, 150, 850);
  server.span.kind = SpanKind::kServer;
  Trace trace = MakeTrace({client, server});
  Adjust(trace);
  EXPECT_EQ(FindSpan(trace, 2)->span.parent_span_id.value, 1u);
  EXPECT_TRUE(FindSpan(trace, 2)->warnings.empty());
}

TEST(SharedSpanId, FixedTraceRendersServerAsChildOfClientInJaegerJson) {
  SpanRecord client = MakeSpan(0x10, 0, 100'000, 900'000);
  client.span.kind = SpanKind::kClient;
  SpanRecord server = MakeSpan(0x10, 0, 150'000, 850'000);
  server.span.kind = SpanKind::kServer;
  Trace trace = MakeTrace({server, client});
  Adjust(trace);
  std::string json;
  JsonWriter w(json);
  AppendJaegerTrace(trace, w);
  EXPECT_NE(json.find(R"("spanID":"0000000000000001","operationName":"op","references":[)"
                      R"({"refType":"CHILD_OF","traceID":"0000000000000abc",)"
                      R"("spanID":"0000000000000010"}],"startTime":150,)"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("warnings":["span ID 0000000000000010 was shared)"), std::string::npos)
      << json;
}

// --- Sorting -------------------------------------------------------------------

TEST(SortAdjuster, SpansAreOrderedByStartTimeThenSpanId) {
  Trace trace = MakeTrace({MakeSpan(1, 0, 30, 40), MakeSpan(5, 0, 10, 40), MakeSpan(2, 0, 20, 40),
                           MakeSpan(3, 0, 10, 40)});
  Adjust(trace);
  ASSERT_EQ(trace.spans.size(), 4u);
  EXPECT_EQ(trace.spans[0].span.span_id.value, 3u);
  EXPECT_EQ(trace.spans[1].span.span_id.value, 5u);
  EXPECT_EQ(trace.spans[2].span.span_id.value, 2u);
  EXPECT_EQ(trace.spans[3].span.span_id.value, 1u);
}

TEST(SortAdjuster, SpanAttributesAreSortedByKeyKeepingOrderOfEqualKeys) {
  SpanRecord r = MakeSpan(1, 0, 0, 10);
  r.span.attributes = {{"c", AnyValue::Int(1)},
                       {"a", AnyValue::Int(2)},
                       {"b", AnyValue::Int(3)},
                       {"a", AnyValue::Int(4)}};
  Trace trace = MakeTrace({r});
  Adjust(trace);
  const Attributes& attrs = trace.spans[0].span.attributes;
  ASSERT_EQ(attrs.size(), 4u);
  EXPECT_EQ(attrs[0].key, "a");
  EXPECT_EQ(attrs[0].value.int_value, 2);
  EXPECT_EQ(attrs[1].key, "a");
  EXPECT_EQ(attrs[1].value.int_value, 4);
  EXPECT_EQ(attrs[2].key, "b");
  EXPECT_EQ(attrs[3].key, "c");
}

TEST(SortAdjuster, EventAttributesAreSortedWithEventFieldFirst) {
  SpanRecord r = MakeSpan(1, 0, 0, 10);
  Event e;
  e.attributes = {
      {"z", AnyValue::Int(1)}, {"event", AnyValue::String("retry")}, {"b", AnyValue::Int(2)}};
  Event plain;
  plain.attributes = {{"y", AnyValue::Int(1)}, {"x", AnyValue::Int(2)}};
  r.span.events = {e, plain};
  Trace trace = MakeTrace({r});
  Adjust(trace);
  const Attributes& first = trace.spans[0].span.events[0].attributes;
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0].key, "event");
  EXPECT_EQ(first[1].key, "b");
  EXPECT_EQ(first[2].key, "z");
  const Attributes& second = trace.spans[0].span.events[1].attributes;
  EXPECT_EQ(second[0].key, "x");
  EXPECT_EQ(second[1].key, "y");
}

TEST(SortAdjuster, ResourceAttributesAreSortedInACopyLeavingTheStoredResourceUntouched) {
  auto resource =
      MakeResource("svc", {{"zone", AnyValue::String("z1")}, {"arch", AnyValue::String("arm64")}});
  Trace trace = MakeTrace({MakeSpan(1, 0, 0, 10, resource), MakeSpan(2, 0, 5, 10, resource)});
  Adjust(trace);
  const Resource& sorted = *trace.spans[0].resource;
  ASSERT_EQ(sorted.attributes.size(), 3u);
  EXPECT_EQ(sorted.attributes[0].key, "arch");
  EXPECT_EQ(sorted.attributes[1].key, "service.name");
  EXPECT_EQ(sorted.attributes[2].key, "zone");
  EXPECT_EQ(sorted.service_name, "svc");
  EXPECT_EQ(trace.spans[0].resource, trace.spans[1].resource);  // one copy, shared
  EXPECT_EQ(resource->attributes[1].key, "zone");               // original order kept
}

TEST(SortAdjuster, AlreadySortedResourceIsNotCopied) {
  auto resource = MakeResource("svc", {{"zone", AnyValue::String("z1")}});
  Trace trace = MakeTrace({MakeSpan(1, 0, 0, 10, resource)});
  Adjust(trace);
  EXPECT_EQ(trace.spans[0].resource, resource);
}

// --- Go duration strings -------------------------------------------------------

}  // namespace
}  // namespace spoor
