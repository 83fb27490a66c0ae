// FindTraces and FindTraceIds on every backend (storage_backends.h): every
// predicate, the rule that all conditions hold on one span, the time window,
// order and limit.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "storage_backends.h"
#include "storage_test_util.h"

namespace spoor {
namespace {

using storagetest::Add;
using storagetest::Batch;
using storagetest::Ids;
using storagetest::kBase;
using storagetest::kMs;
using storagetest::kSecond;
using storagetest::Kv;
using storagetest::MakeResource;
using storagetest::MakeScope;
using storagetest::MakeSpan;
using storagetest::Tid;

class StorageSearch : public storagetest::BackendTest {
 protected:
  // The IDs FindTraces returns, checked against FindTraceIds.
  std::vector<TraceId> Find(const TraceQuery& q) {
    auto traces = store_->FindTraces(q);
    EXPECT_TRUE(traces.ok()) << traces.status().message();
    auto ids = store_->FindTraceIds(q);
    EXPECT_TRUE(ids.ok()) << ids.status().message();
    if (!traces.ok() || !ids.ok()) return {};
    EXPECT_EQ(Ids(*traces), *ids) << "FindTraceIds disagrees with FindTraces";
    return *ids;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, StorageSearch, ::testing::ValuesIn(storagetest::AllBackends()),
                         storagetest::BackendName);

TraceQuery ForService(std::string service) {
  TraceQuery q;
  q.service = std::move(service);
  return q;
}

// --- Single predicates -----------------------------------------------------------

TEST_P(StorageSearch, ServiceMatchesTheResourceServiceName) {
  Write(Batch("frontend", {MakeSpan(Tid(1), 1, 0, "op")}));
  Write(Batch("backend", {MakeSpan(Tid(2), 1, 0, "op")}));
  EXPECT_EQ(Find(ForService("frontend")), std::vector<TraceId>{Tid(1)});
  EXPECT_EQ(Find(ForService("backend")), std::vector<TraceId>{Tid(2)});
  EXPECT_TRUE(Find(ForService("front")).empty());
}

TEST_P(StorageSearch, EmptyServiceMatchesAnyService) {
  Write(Batch("frontend", {MakeSpan(Tid(1), 1, 0, "op", 0)}));
  Write(Batch("backend", {MakeSpan(Tid(2), 1, 0, "op", kSecond)}));
  EXPECT_EQ(Find(TraceQuery{}), (std::vector<TraceId>{Tid(2), Tid(1)}));
}

TEST_P(StorageSearch, ResultsAreWholeTracesWithEverySpan) {
  SpanBatch batch;
  Add(batch, MakeResource("frontend"), {MakeSpan(Tid(1), 1, 0, "root")});
  Add(batch, MakeResource("backend"), {MakeSpan(Tid(1), 2, 1, "child")});
  Write(batch);
  auto traces = store_->FindTraces(ForService("backend"));
  ASSERT_TRUE(traces.ok());
  ASSERT_EQ(traces->size(), 1u);
  EXPECT_EQ((*traces)[0].spans.size(), 2u);
}

TEST_P(StorageSearch, OperationMatchesTheSpanName) {
  Write(Batch("svc", {MakeSpan(Tid(1), 1, 0, "GET /a"), MakeSpan(Tid(2), 1, 0, "GET /b")}));
  TraceQuery q = ForService("svc");
  q.operation = "GET /b";
  EXPECT_EQ(Find(q), std::vector<TraceId>{Tid(2)});
  q.operation = "GET";
  EXPECT_TRUE(Find(q).empty());
}

TEST_P(StorageSearch, KindIsMatchedOnlyWhenRequested) {
  Span server = MakeSpan(Tid(1), 1, 0, "op");
  server.kind = SpanKind::kServer;
  Span client = MakeSpan(Tid(2), 1, 0, "op", kSecond);
  client.kind = SpanKind::kClient;
  Write(Batch("svc", {server, client}));
  TraceQuery q = ForService("svc");
  EXPECT_EQ(Find(q).size(), 2u);
  q.match_kind = true;
  q.kind = SpanKind::kClient;
  EXPECT_EQ(Find(q), std::vector<TraceId>{Tid(2)});
  q.kind = SpanKind::kServer;
  EXPECT_EQ(Find(q), std::vector<TraceId>{Tid(1)});
  q.kind = SpanKind::kConsumer;
  EXPECT_TRUE(Find(q).empty());
}

// One trace per location of the tag "where=here"; each search must find
// exactly the trace that holds it there.
TEST_P(StorageSearch, TagIsFoundInEveryLocation) {
  AnyValue here = AnyValue::String("here");
  Span on_span = MakeSpan(Tid(1), 1, 0, "op");
  on_span.attributes = {Kv("where", here)};
  Span on_event = MakeSpan(Tid(2), 1, 0, "op");
  on_event.events.push_back(Event{kBase, Intern("log"), {Kv("where", here)}, 0});
  Span on_link = MakeSpan(Tid(3), 1, 0, "op");
  on_link.links.push_back(Link{Tid(99), SpanId{5}, "", {Kv("where", here)}, 0, 0});
  SpanBatch batch;
  Add(batch, MakeResource("svc"), {on_span, on_event, on_link});
  Add(batch, MakeResource("svc", {Kv("where", here)}), {MakeSpan(Tid(4), 1, 0, "op")});
  Add(batch, MakeResource("svc"), {MakeSpan(Tid(5), 1, 0, "op")},
      MakeScope("lib", "1", {Kv("where", here)}));
  Add(batch, MakeResource("svc"), {MakeSpan(Tid(6), 1, 0, "op")});  // no tag at all
  Write(batch);

  TraceQuery q = ForService("svc");
  q.tags = {{"where", "here"}};
  std::vector<TraceId> found = Find(q);
  std::sort(found.begin(), found.end());
  EXPECT_EQ(found, (std::vector<TraceId>{Tid(1), Tid(2), Tid(3), Tid(4), Tid(5)}));
  q.tags = {{"where", "there"}};
  EXPECT_TRUE(Find(q).empty());
}

TEST_P(StorageSearch, DerivedJaegerTagsAreSearchable) {
  Span error_span = MakeSpan(Tid(1), 1, 0, "op");
  error_span.kind = SpanKind::kServer;
  error_span.status = {SpanStatusCode::kError, "boom"};
  Span ok_span = MakeSpan(Tid(2), 1, 0, "op");
  ok_span.kind = SpanKind::kClient;
  ok_span.status = {SpanStatusCode::kOk, ""};
  SpanBatch batch;
  Add(batch, MakeResource("svc"), {error_span}, MakeScope("io.lib", "2.0"));
  Add(batch, MakeResource("svc"), {ok_span}, MakeScope("other.lib"));
  Write(batch);

  auto search = [&](const char* key, const char* value) {
    TraceQuery q = ForService("svc");
    q.tags = {{key, value}};
    return Find(q);
  };
  EXPECT_EQ(search("span.kind", "server"), std::vector<TraceId>{Tid(1)});
  EXPECT_EQ(search("span.kind", "client"), std::vector<TraceId>{Tid(2)});
  EXPECT_EQ(search("error", "true"), std::vector<TraceId>{Tid(1)});
  EXPECT_EQ(search("otel.status_code", "ERROR"), std::vector<TraceId>{Tid(1)});
  EXPECT_EQ(search("otel.status_code", "OK"), std::vector<TraceId>{Tid(2)});
  EXPECT_EQ(search("otel.status_description", "boom"), std::vector<TraceId>{Tid(1)});
  EXPECT_EQ(search("otel.scope.name", "io.lib"), std::vector<TraceId>{Tid(1)});
  EXPECT_EQ(search("otel.scope.name", "other.lib"), std::vector<TraceId>{Tid(2)});
  EXPECT_EQ(search("otel.scope.version", "2.0"), std::vector<TraceId>{Tid(1)});
}

TEST_P(StorageSearch, EveryTagMustMatch) {
  Span both = MakeSpan(Tid(1), 1, 0, "op");
  both.attributes = {Kv("a", AnyValue::String("1")), Kv("b", AnyValue::String("2"))};
  Span only_a = MakeSpan(Tid(2), 1, 0, "op");
  only_a.attributes = {Kv("a", AnyValue::String("1"))};
  Write(Batch("svc", {both, only_a}));
  TraceQuery q = ForService("svc");
  q.tags = {{"a", "1"}, {"b", "2"}};
  EXPECT_EQ(Find(q), std::vector<TraceId>{Tid(1)});
}

TEST_P(StorageSearch, NonStringTagValuesCompareByTheirText) {
  Span s = MakeSpan(Tid(1), 1, 0, "op");
  s.attributes = {Kv("http.status_code", AnyValue::Int(123)),
                  Kv("temperature", AnyValue::Double(72.5)), Kv("cached", AnyValue::Bool(true))};
  Write(Batch("svc", {s}));
  auto matches = [&](const char* key, const char* value) {
    TraceQuery q = ForService("svc");
    q.tags = {{key, value}};
    return !Find(q).empty();
  };
  EXPECT_TRUE(matches("http.status_code", "123"));
  EXPECT_TRUE(matches("temperature", "72.5"));
  EXPECT_TRUE(matches("cached", "true"));
  EXPECT_FALSE(matches("http.status_code", "124"));
  EXPECT_FALSE(matches("temperature", "72.50"));
  EXPECT_FALSE(matches("cached", "false"));
}

TEST_P(StorageSearch, ArrayAndMapTagValuesCompareByTheirJsonText) {
  AnyValue list;
  list.type = ValueType::kArray;
  list.array = {AnyValue::String("a"), AnyValue::Int(1)};
  AnyValue map;
  map.type = ValueType::kKvList;
  map.kvlist = {Kv("k", AnyValue::Bool(true))};
  Span s = MakeSpan(Tid(1), 1, 0, "op");
  // The values before the searched one are stepped over in the span's bytes.
  s.attributes = {Kv("map", map), Kv("bytes", AnyValue::Bytes("\x01\x02")),
                  Kv("ratio", AnyValue::Double(0.5)), Kv("list", list)};
  Write(Batch("svc", {s}));
  auto matches = [&](const char* key, std::string value) {
    TraceQuery q = ForService("svc");
    q.tags = {{key, std::move(value)}};
    return !Find(q).empty();
  };
  EXPECT_TRUE(matches("list", list.ToString()));
  EXPECT_TRUE(matches("map", map.ToString()));
  EXPECT_TRUE(matches("bytes", AnyValue::Bytes("\x01\x02").ToString()));
  EXPECT_FALSE(matches("list", "a"));
}

TEST_P(StorageSearch, TagKeyNoSpanHasIsFoundOnTheResource) {
  Write(Batch("svc", {MakeSpan(Tid(1), 1, 0, "op")}));
  SpanBatch batch;
  Add(batch, MakeResource("svc", {Kv("only.on.a.resource", AnyValue::Int(7))}),
      {MakeSpan(Tid(2), 1, 0, "op")});
  Write(batch);
  TraceQuery q = ForService("svc");
  q.tags = {{"only.on.a.resource", "7"}};
  EXPECT_EQ(Find(q), std::vector<TraceId>{Tid(2)});
  q.tags = {{"never.seen.anywhere", "7"}};
  EXPECT_TRUE(Find(q).empty());
}

TEST_P(StorageSearch, TraceStateIsSearchable) {
  Span with_state = MakeSpan(Tid(1), 1, 0, "op");
  with_state.trace_state = "congo=t61rcWkgMzE";
  Write(Batch("svc", {with_state, MakeSpan(Tid(2), 1, 0, "op")}));
  TraceQuery q = ForService("svc");
  q.tags = {{"w3c.tracestate", "congo=t61rcWkgMzE"}};
  EXPECT_EQ(Find(q), std::vector<TraceId>{Tid(1)});
}

TEST_P(StorageSearch, TraceWrittenInSeveralBatchesIsFoundAndReturnedWhole) {
  Span root = MakeSpan(Tid(1), 1, 0, "root", 0);
  Span child = MakeSpan(Tid(1), 2, 1, "child", 5 * kSecond);
  child.attributes = {Kv("late", AnyValue::String("yes"))};
  Write(Batch("svc", {root}));
  Write(Batch("other", {MakeSpan(Tid(2), 1, 0, "x")}));
  Write(Batch("svc", {child}));
  TraceQuery q = ForService("svc");
  q.tags = {{"late", "yes"}};
  q.start_time_min_ns = kBase + 4 * kSecond;
  auto traces = store_->FindTraces(q);
  ASSERT_TRUE(traces.ok());
  ASSERT_EQ(traces->size(), 1u);
  std::vector<SpanRecord>& spans = (*traces)[0].spans;
  ASSERT_EQ(spans.size(), 2u);
  std::sort(spans.begin(), spans.end(), [](const SpanRecord& a, const SpanRecord& b) {
    return a.span.span_id < b.span.span_id;
  });
  EXPECT_EQ(spans[0].span, root);
  EXPECT_EQ(spans[1].span, child);
}

// --- All conditions on one span --------------------------------------------------

TEST_P(StorageSearch, TagAndOperationOnDifferentSpansDoNotMatch) {
  Span root = MakeSpan(Tid(1), 1, 0, "checkout");
  Span child = MakeSpan(Tid(1), 2, 1, "db");
  child.attributes = {Kv("db.system", AnyValue::String("postgres"))};
  Write(Batch("svc", {root, child}));
  TraceQuery q = ForService("svc");
  q.operation = "checkout";
  q.tags = {{"db.system", "postgres"}};
  EXPECT_TRUE(Find(q).empty());
  q.operation = "db";
  EXPECT_EQ(Find(q), std::vector<TraceId>{Tid(1)});
}

TEST_P(StorageSearch, TwoTagsOnDifferentSpansDoNotMatch) {
  Span a = MakeSpan(Tid(1), 1, 0, "op");
  a.attributes = {Kv("a", AnyValue::String("1"))};
  Span b = MakeSpan(Tid(1), 2, 1, "op");
  b.attributes = {Kv("b", AnyValue::String("2"))};
  Write(Batch("svc", {a, b}));
  TraceQuery q = ForService("svc");
  q.tags = {{"a", "1"}, {"b", "2"}};
  EXPECT_TRUE(Find(q).empty());
}

TEST_P(StorageSearch, ServiceAndOperationOnDifferentSpansDoNotMatch) {
  SpanBatch batch;
  Add(batch, MakeResource("frontend"), {MakeSpan(Tid(1), 1, 0, "root")});
  Add(batch, MakeResource("backend"), {MakeSpan(Tid(1), 2, 1, "query")});
  Write(batch);
  TraceQuery q = ForService("frontend");
  q.operation = "query";
  EXPECT_TRUE(Find(q).empty());
}

TEST_P(StorageSearch, DurationOfAnotherSpanDoesNotSatisfyTheBounds) {
  Span long_root = MakeSpan(Tid(1), 1, 0, "root", 0, 500 * kMs);
  Span short_child = MakeSpan(Tid(1), 2, 1, "child", 0, 1 * kMs);
  Write(Batch("svc", {long_root, short_child}));
  TraceQuery q = ForService("svc");
  q.operation = "child";
  q.duration_min_ns = 100 * kMs;
  EXPECT_TRUE(Find(q).empty());
  q.operation = "root";
  EXPECT_EQ(Find(q), std::vector<TraceId>{Tid(1)});
}

// --- Duration and time window ----------------------------------------------------

TEST_P(StorageSearch, DurationBoundsAreInclusive) {
  Write(Batch(
      "svc",
      {MakeSpan(Tid(1), 1, 0, "op", 0, 99 * kMs), MakeSpan(Tid(2), 1, 0, "op", 0, 100 * kMs),
       MakeSpan(Tid(3), 1, 0, "op", 0, 200 * kMs), MakeSpan(Tid(4), 1, 0, "op", 0, 201 * kMs)}));
  TraceQuery q = ForService("svc");
  q.duration_min_ns = 100 * kMs;
  q.duration_max_ns = 200 * kMs;
  std::vector<TraceId> found = Find(q);
  std::sort(found.begin(), found.end());
  EXPECT_EQ(found, (std::vector<TraceId>{Tid(2), Tid(3)}));

  TraceQuery only_min = ForService("svc");
  only_min.duration_min_ns = 200 * kMs;
  found = Find(only_min);
  std::sort(found.begin(), found.end());
  EXPECT_EQ(found, (std::vector<TraceId>{Tid(3), Tid(4)}));

  TraceQuery only_max = ForService("svc");
  only_max.duration_max_ns = 99 * kMs;
  EXPECT_EQ(Find(only_max), std::vector<TraceId>{Tid(1)});
}

TEST_P(StorageSearch, StartTimeWindowIsInclusive) {
  Write(Batch(
      "svc",
      {MakeSpan(Tid(1), 1, 0, "op", 1 * kSecond), MakeSpan(Tid(2), 1, 0, "op", 2 * kSecond),
       MakeSpan(Tid(3), 1, 0, "op", 3 * kSecond), MakeSpan(Tid(4), 1, 0, "op", 4 * kSecond)}));
  TraceQuery q = ForService("svc");
  q.start_time_min_ns = kBase + 2 * kSecond;
  q.start_time_max_ns = kBase + 3 * kSecond;
  EXPECT_EQ(Find(q), (std::vector<TraceId>{Tid(3), Tid(2)}));
  q.start_time_max_ns = 0;  // no upper bound
  EXPECT_EQ(Find(q), (std::vector<TraceId>{Tid(4), Tid(3), Tid(2)}));
}

TEST_P(StorageSearch, MatchingSpanMustStartInsideTheWindow) {
  // The trace overlaps the window, but its "late" span is the only one that
  // starts inside it, and the search asks for the "early" one.
  Write(Batch("svc",
              {MakeSpan(Tid(1), 1, 0, "early", 0), MakeSpan(Tid(1), 2, 1, "late", 10 * kSecond)}));
  TraceQuery q = ForService("svc");
  q.start_time_min_ns = kBase + 5 * kSecond;
  q.start_time_max_ns = kBase + 15 * kSecond;
  q.operation = "early";
  EXPECT_TRUE(Find(q).empty());
  q.operation = "late";
  EXPECT_EQ(Find(q), std::vector<TraceId>{Tid(1)});
}

// --- Order and limit -------------------------------------------------------------

TEST_P(StorageSearch, MostRecentTraceComesFirstRegardlessOfArrival) {
  Write(Batch("svc", {MakeSpan(Tid(1), 1, 0, "op", 1 * kSecond)}));
  Write(Batch("svc", {MakeSpan(Tid(2), 1, 0, "op", 3 * kSecond)}));
  Write(Batch("svc", {MakeSpan(Tid(3), 1, 0, "op", 2 * kSecond)}));
  EXPECT_EQ(Find(ForService("svc")), (std::vector<TraceId>{Tid(2), Tid(3), Tid(1)}));
}

TEST_P(StorageSearch, LimitKeepsTheMostRecentTraces) {
  for (uint64_t t = 1; t <= 5; ++t) {
    Write(Batch("svc", {MakeSpan(Tid(t), 1, 0, "op", t * kSecond)}));
  }
  TraceQuery q = ForService("svc");
  q.limit = 2;
  EXPECT_EQ(Find(q), (std::vector<TraceId>{Tid(5), Tid(4)}));
  q.limit = 5;
  EXPECT_EQ(Find(q).size(), 5u);
  q.limit = 50;
  EXPECT_EQ(Find(q).size(), 5u);
}

// Over a long window (two hours here) the order and the limit hold
// whether the latest traces are all in the last minute or spread out.
TEST_P(StorageSearch, LimitOverALongWindowKeepsTheMostRecentTraces) {
  constexpr uint64_t kMinute = 60 * kSecond;
  std::vector<Span> spans;
  // Twelve traces ten minutes apart, then two in the last minute.
  for (uint64_t t = 1; t <= 12; ++t)
    spans.push_back(MakeSpan(Tid(t), 1, 0, "op", t * 10 * kMinute));
  spans.push_back(MakeSpan(Tid(13), 1, 0, "op", 120 * kMinute + 10 * kSecond));
  spans.push_back(MakeSpan(Tid(14), 1, 0, "op", 120 * kMinute + 20 * kSecond));
  // A trace whose later span is outside the window ranks by its span inside.
  spans.push_back(MakeSpan(Tid(15), 1, 0, "op", 115 * kMinute));
  spans.push_back(MakeSpan(Tid(15), 2, 1, "op", 125 * kMinute));
  Write(Batch("svc", spans));
  TraceQuery q = ForService("svc");
  q.start_time_min_ns = kBase;
  q.start_time_max_ns = kBase + 121 * kMinute;
  q.limit = 2;
  EXPECT_EQ(Find(q), (std::vector<TraceId>{Tid(14), Tid(13)}));
  q.limit = 4;
  EXPECT_EQ(Find(q), (std::vector<TraceId>{Tid(14), Tid(13), Tid(12), Tid(15)}));
  q.limit = 100;
  std::vector<TraceId> all = Find(q);
  ASSERT_EQ(all.size(), 15u);
  EXPECT_EQ(all.back(), Tid(1));
  q.start_time_max_ns = kBase + 65 * kMinute;  // the latest six left out
  q.limit = 3;
  EXPECT_EQ(Find(q), (std::vector<TraceId>{Tid(6), Tid(5), Tid(4)}));
}

TEST_P(StorageSearch, DefaultLimitIsAHundred) {
  std::vector<Span> spans;
  for (uint64_t t = 1; t <= 120; ++t) spans.push_back(MakeSpan(Tid(t), 1, 0, "op", t * kMs));
  Write(Batch("svc", spans));
  std::vector<TraceId> found = Find(ForService("svc"));
  ASSERT_EQ(found.size(), 100u);
  EXPECT_EQ(found.front(), Tid(120));
  EXPECT_EQ(found.back(), Tid(21));
}

TEST_P(StorageSearch, NoMatchGivesAnEmptyResultNotAnError) {
  auto traces = store_->FindTraces(ForService("nobody"));
  ASSERT_TRUE(traces.ok());
  EXPECT_TRUE(traces->empty());
}

TEST_P(StorageSearch, TraceWithSeveralMatchingSpansIsReturnedOnce) {
  Write(Batch("svc", {MakeSpan(Tid(1), 1, 0, "op"), MakeSpan(Tid(1), 2, 1, "op")}));
  Write(Batch("svc", {MakeSpan(Tid(1), 3, 1, "op")}));
  EXPECT_EQ(Find(ForService("svc")), std::vector<TraceId>{Tid(1)});
}

// --- Trace-level conditions --------------------------------------------------------

class StorageTraceSearch : public StorageSearch {
 protected:
  // 1: a frontend root "GET /" of 3 s with an api child (the only 3 s span);
  // 2: two api spans of 1 s, 2 s apart, whose parent is not stored (3 s
  //    from first start to last end, no root);
  // 3: an api root "GET /health" of 100 ms.
  // Trace 2 comes in two batches.
  void WriteTraces() {
    SpanBatch batch;
    Add(batch, MakeResource("frontend"), {MakeSpan(Tid(1), 1, 0, "GET /", 0, 3 * kSecond)});
    Add(batch, MakeResource("api"),
        {MakeSpan(Tid(1), 2, 1, "child", 1 * kSecond, 500 * kMs),
         MakeSpan(Tid(3), 1, 0, "GET /health", 5 * kSecond, 100 * kMs)});
    Write(batch);
    Write(Batch("api", {MakeSpan(Tid(2), 1, 9, "work", 10 * kSecond, 1 * kSecond)}));
    Write(Batch("api", {MakeSpan(Tid(2), 2, 9, "work", 12 * kSecond, 1 * kSecond)}));
  }

  std::vector<TraceId> Sorted(const TraceQuery& q) {
    std::vector<TraceId> found = Find(q);
    std::sort(found.begin(), found.end());
    return found;
  }

  // Runs `check` on the store as written and, where the backend keeps its
  // data across a restart (and the embedded store seals its blocks), again.
  template <typename Check>
  void BeforeAndAfterARestart(Check check) {
    check();
    if (!opened_->Reopen()) return;
    store_ = opened_->store();
    SCOPED_TRACE("after a restart");
    check();
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, StorageTraceSearch,
                         ::testing::ValuesIn(storagetest::AllBackends()), storagetest::BackendName);

TEST_P(StorageTraceSearch, TraceDurationIsFromTheFirstStartToTheLastEnd) {
  WriteTraces();
  BeforeAndAfterARestart([&] {
    TraceQuery q;
    q.trace_duration_min_ns = 2 * kSecond;
    EXPECT_EQ(Sorted(q), (std::vector<TraceId>{Tid(1), Tid(2)}));
    q.trace_duration_min_ns = 3 * kSecond;  // inclusive
    q.trace_duration_max_ns = 3 * kSecond;
    EXPECT_EQ(Sorted(q), (std::vector<TraceId>{Tid(1), Tid(2)}));
    q.trace_duration_min_ns = 3 * kSecond + 1;
    q.trace_duration_max_ns = 0;
    EXPECT_TRUE(Find(q).empty());
    TraceQuery short_ones;
    short_ones.trace_duration_max_ns = 1 * kSecond;
    EXPECT_EQ(Find(short_ones), std::vector<TraceId>{Tid(3)});
  });
}

TEST_P(StorageTraceSearch, RootIsTheEarliestSpanWithoutAParent) {
  WriteTraces();
  BeforeAndAfterARestart([&] {
    TraceQuery q;
    q.root_service = "frontend";
    EXPECT_EQ(Find(q), std::vector<TraceId>{Tid(1)});
    q.root_service = "api";  // trace 2 has no root stored
    EXPECT_EQ(Find(q), std::vector<TraceId>{Tid(3)});
    TraceQuery by_name;
    by_name.root_operation = "GET /health";
    EXPECT_EQ(Find(by_name), std::vector<TraceId>{Tid(3)});
    by_name.root_service = "frontend";
    EXPECT_TRUE(Find(by_name).empty());
    by_name.root_operation = "child";  // not a root
    by_name.root_service.clear();
    EXPECT_TRUE(Find(by_name).empty());
  });
}

TEST_P(StorageTraceSearch, TraceConditionsCombineWithSpanConditions) {
  WriteTraces();
  BeforeAndAfterARestart([&] {
    TraceQuery q = ForService("api");
    q.trace_duration_min_ns = 2 * kSecond;
    // Ranked by the latest api span: trace 2's (12 s), then trace 1's (1 s).
    EXPECT_EQ(Find(q), (std::vector<TraceId>{Tid(2), Tid(1)}));
    q.limit = 1;
    EXPECT_EQ(Find(q), std::vector<TraceId>{Tid(2)});
    TraceQuery child = ForService("api");
    child.root_service = "frontend";
    EXPECT_EQ(Find(child), std::vector<TraceId>{Tid(1)});
    child.duration_min_ns = 1 * kSecond;  // its api span lasts 500 ms
    EXPECT_TRUE(Find(child).empty());
  });
}

TEST_P(StorageTraceSearch, TraceSpreadOverHoursIsMeasuredWhole) {
  // Hours apart: in different blocks of the embedded store once sealed.
  constexpr uint64_t kHour = 3600 * kSecond;
  Write(Batch("svc", {MakeSpan(Tid(7), 1, 0, "root", 0, 10 * kMs)}));
  Write(Batch("svc", {MakeSpan(Tid(8), 1, 0, "other", 30 * kMs, 10 * kMs)}));
  Write(Batch("svc", {MakeSpan(Tid(7), 2, 1, "late", 3 * kHour, 10 * kMs)}));
  BeforeAndAfterARestart([&] {
    TraceQuery q;
    q.start_time_min_ns = kBase;
    q.start_time_max_ns = kBase + 4 * kHour;
    q.trace_duration_min_ns = 2 * kHour;
    EXPECT_EQ(Find(q), std::vector<TraceId>{Tid(7)});
    q.root_operation = "root";
    EXPECT_EQ(Find(q), std::vector<TraceId>{Tid(7)});
    TraceQuery short_ones = q;
    short_ones.root_operation.clear();
    short_ones.trace_duration_min_ns = 0;
    short_ones.trace_duration_max_ns = 1 * kSecond;
    EXPECT_EQ(Find(short_ones), std::vector<TraceId>{Tid(8)});
  });
}

TEST_P(StorageTraceSearch, ManyTracesInSeveralPartsAreEachMeasuredWhole) {
  // 10,000 traces, their spans in two batches; every 100th trace's second
  // span comes two hours after its first.
  constexpr uint64_t kHour = 3600 * kSecond;
  constexpr uint64_t kTraces = 10000;
  std::vector<Span> first;
  std::vector<Span> second;
  std::vector<TraceId> long_ones;
  for (uint64_t i = 1; i <= kTraces; ++i) {
    const TraceId id{i * 0x9E3779B97F4A7C15ULL, i};  // spread over the ID space
    first.push_back(MakeSpan(id, 1, 0, "root", i * 1000, kMs));
    const uint64_t later = i % 100 == 0 ? 2 * kHour : 2 * kMs;
    second.push_back(MakeSpan(id, 2, 1, "child", i * 1000 + later, kMs));
    if (i % 100 == 0) long_ones.push_back(id);
  }
  Write(Batch("svc", first));
  Write(Batch("svc", second));
  std::sort(long_ones.begin(), long_ones.end());
  BeforeAndAfterARestart([&] {
    TraceQuery q;
    q.start_time_min_ns = kBase;
    q.start_time_max_ns = kBase + 3 * kHour;
    q.limit = 0;
    q.trace_duration_min_ns = kHour;
    EXPECT_EQ(Sorted(q), long_ones);
    q.trace_duration_min_ns = 0;
    q.trace_duration_max_ns = kSecond;
    EXPECT_EQ(Find(q).size(), kTraces - long_ones.size());
  });
}

}  // namespace
}  // namespace spoor
