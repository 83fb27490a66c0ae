// Reads every backend must answer alike (storage_backends.h): traces by ID
// with every field, services, operations and dependency links. Searches
// have their own file, storage_search_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "storage_backends.h"
#include "storage_test_util.h"

namespace spoor {
namespace {

using storagetest::Add;
using storagetest::Batch;
using storagetest::kBase;
using storagetest::kSecond;
using storagetest::Kv;
using storagetest::MakeResource;
using storagetest::MakeScope;
using storagetest::MakeSpan;
using storagetest::Tid;

std::multiset<uint64_t> SpanIds(const Trace& trace) {
  std::multiset<uint64_t> ids;
  for (const SpanRecord& r : trace.spans) ids.insert(r.span.span_id.value);
  return ids;
}

void SortBySpanId(std::vector<SpanRecord>& spans) {
  std::sort(spans.begin(), spans.end(), [](const SpanRecord& a, const SpanRecord& b) {
    return a.span.span_id < b.span.span_id;
  });
}

class StorageReads : public storagetest::BackendTest {
 protected:
  void WriteOk(Storage& store, const SpanBatch& batch) {
    ASSERT_EQ(&store, store_);
    Write(batch);
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, StorageReads, ::testing::ValuesIn(storagetest::AllBackends()),
                         storagetest::BackendName);

// --- Reading by trace ID ---------------------------------------------------------

TEST_P(StorageReads, GetTraceReturnsEverySpanWithItsResourceAndScope) {
  Storage* store = store_;
  SpanBatch batch;
  Add(batch, MakeResource("frontend"), {MakeSpan(Tid(1), 1, 0, "GET /")},
      MakeScope("http-lib", "1.2"));
  Add(batch, MakeResource("backend"), {MakeSpan(Tid(1), 2, 1, "query")});
  WriteOk(*store, batch);

  auto trace = store->GetTrace(Tid(1), {});
  ASSERT_TRUE(trace.ok()) << trace.status().message();
  EXPECT_EQ(trace->trace_id, Tid(1));
  ASSERT_EQ(trace->spans.size(), 2u);
  for (const SpanRecord& r : trace->spans) {
    ASSERT_NE(r.resource, nullptr);
    ASSERT_NE(r.scope, nullptr);
    if (r.span.span_id.value == 1) {
      EXPECT_EQ(r.resource->service_name, "frontend");
      EXPECT_EQ(r.scope->name, "http-lib");
      EXPECT_EQ(r.scope->version, "1.2");
      EXPECT_EQ(r.span.name, "GET /");
    } else {
      EXPECT_EQ(r.span.span_id.value, 2u);
      EXPECT_EQ(r.resource->service_name, "backend");
      EXPECT_EQ(r.span.parent_span_id.value, 1u);
    }
  }
}

TEST_P(StorageReads, GetTraceUnknownTraceIsNotFound) {
  Storage* store = store_;
  WriteOk(*store, Batch("svc", {MakeSpan(Tid(1), 1, 0, "op")}));
  auto trace = store->GetTrace(Tid(2), {});
  ASSERT_FALSE(trace.ok());
  EXPECT_EQ(trace.status().code(), StatusCode::kNotFound);
}

TEST_P(StorageReads, GetTraceEmptyStoreReportsNotFound) {
  Storage* store = store_;
  EXPECT_EQ(store->GetTrace(Tid(1), {}).status().code(), StatusCode::kNotFound);
}

TEST_P(StorageReads, GetTraceTraceIdsDifferingOnlyInHighHalfAreDistinct) {
  Storage* store = store_;
  WriteOk(*store, Batch("svc", {MakeSpan(TraceId{0, 5}, 1, 0, "low-only"),
                                MakeSpan(TraceId{7, 5}, 2, 0, "with-high")}));
  auto low = store->GetTrace(TraceId{0, 5}, {});
  auto high = store->GetTrace(TraceId{7, 5}, {});
  ASSERT_TRUE(low.ok());
  ASSERT_TRUE(high.ok());
  ASSERT_EQ(low->spans.size(), 1u);
  ASSERT_EQ(high->spans.size(), 1u);
  EXPECT_EQ(low->spans[0].span.name, "low-only");
  EXPECT_EQ(high->spans[0].span.name, "with-high");
}

TEST_P(StorageReads, GetTraceSpansOfOneTraceFromSeveralBatchesAreMerged) {
  Storage* store = store_;
  WriteOk(*store, Batch("a", {MakeSpan(Tid(1), 1, 0, "root")}));
  WriteOk(*store, Batch("b", {MakeSpan(Tid(2), 9, 0, "other")}));
  WriteOk(*store, Batch("b", {MakeSpan(Tid(1), 2, 1, "child"), MakeSpan(Tid(1), 3, 2, "leaf")}));
  auto trace = store->GetTrace(Tid(1), {});
  ASSERT_TRUE(trace.ok());
  EXPECT_EQ(SpanIds(*trace), (std::multiset<uint64_t>{1, 2, 3}));
}

TEST_P(StorageReads, GetTraceInterleavedTracesOfOneBatchAreEachKeptWhole) {
  // 40 traces over three resources; in each resource, groups of five
  // traces with their spans interleaved (t1 t2 .. t5 t1 t2 .. t5), so that a
  // span's trace was seen a few spans before, and more traces in all than
  // the write's cache of recent traces holds. Each trace must get exactly
  // its own spans, with their resources.
  constexpr uint64_t kTraces = 40;
  constexpr uint64_t kGroup = 5;
  SpanBatch batch;
  uint64_t next_id = 1;
  std::map<uint64_t, std::multiset<uint64_t>> ids_of;  // trace -> span IDs written
  for (const char* service : {"a", "b", "c"}) {
    std::vector<Span> spans;
    for (uint64_t first = 1; first <= kTraces; first += kGroup) {
      for (int round = 0; round < 2; ++round) {
        for (uint64_t t = first; t < first + kGroup; ++t) {
          const uint64_t id = next_id++;
          ids_of[t].insert(id);
          spans.push_back(MakeSpan(Tid(t), id, 0, "op", t * kSecond + id));
        }
      }
    }
    Add(batch, MakeResource(service), std::move(spans));
  }
  Storage* store = store_;
  WriteOk(*store, batch);
  for (uint64_t t = 1; t <= kTraces; ++t) {
    auto trace = store->GetTrace(Tid(t), {});
    ASSERT_TRUE(trace.ok()) << t;
    EXPECT_EQ(SpanIds(*trace), ids_of[t]) << t;
    std::multiset<std::string> services;
    for (const SpanRecord& r : trace->spans) {
      EXPECT_EQ(r.span.trace_id, Tid(t));
      services.insert(std::string(r.resource->service_name));
    }
    EXPECT_EQ(services, (std::multiset<std::string>{"a", "a", "b", "b", "c", "c"})) << t;
  }
}

// The store keeps spans encoded; what comes back must be what was written.
TEST_P(StorageReads, GetTraceEveryFieldComesBackAsWritten) {
  AnyValue nested;
  nested.type = ValueType::kKvList;
  AnyValue list;
  list.type = ValueType::kArray;
  list.array = {AnyValue::Bytes(std::string("\0\xff", 2)), AnyValue{}, AnyValue::Double(-1.5)};
  nested.kvlist = {Kv("list", list), Kv("n", AnyValue::Int(-9))};
  Span s = MakeSpan(Tid(1), 7, 3, "rich", 10, 2 * kSecond);
  s.trace_state = "a=b";
  s.flags = 0x101;
  s.kind = SpanKind::kProducer;
  s.attributes = {Kv("s", AnyValue::String(std::string(200, 'x'))), Kv("b", AnyValue::Bool(false)),
                  Kv("nested", nested)};
  s.dropped_attributes_count = 1;
  s.events = {Event{kBase + 11, Intern("ev"), {Kv("e", AnyValue::Int(1))}, 2}};
  s.dropped_events_count = 3;
  s.links = {Link{TraceId{5, 6}, SpanId{8}, "x=y", {Kv("l", list)}, 4, 1}};
  s.dropped_links_count = 5;
  s.status = {SpanStatusCode::kError, "bad"};
  Span plain = MakeSpan(Tid(1), 8, 7, "plain", 0, 0);
  Storage* store = store_;
  auto resource = MakeResource("svc");
  auto scope = MakeScope("lib", "1.0");
  SpanBatch batch;
  Add(batch, resource, {s, plain}, scope);
  WriteOk(*store, batch);
  auto trace = store->GetTrace(Tid(1), {});
  ASSERT_TRUE(trace.ok());
  ASSERT_EQ(trace->spans.size(), 2u);
  SortBySpanId(trace->spans);
  EXPECT_EQ(trace->spans[0].span, s);
  EXPECT_EQ(trace->spans[1].span, plain);
  EXPECT_EQ(*trace->spans[0].resource, *resource);
  EXPECT_EQ(trace->spans[0].resource->service_name, "svc");
  EXPECT_EQ(*trace->spans[1].scope, *scope);
}

TEST_P(StorageReads, GetTraceTimeHintDoesNotHideTheTrace) {
  Storage* store = store_;
  WriteOk(*store, Batch("svc", {MakeSpan(Tid(1), 1, 0, "op", 10 * kSecond)}));
  TraceTimeHint hint{kBase, kBase + 20 * kSecond};
  EXPECT_TRUE(store->GetTrace(Tid(1), hint).ok());
}

TEST_P(StorageReads, WriteEmptyBatchIsAccepted) {
  Storage* store = store_;
  WriteOk(*store, SpanBatch{});
  auto services = store->GetServices();
  ASSERT_TRUE(services.ok());
  EXPECT_TRUE(services->empty());
}

TEST_P(StorageReads, ServicesAreSortedAndDistinct) {
  Storage* store = store_;
  WriteOk(*store, Batch("zeta", {MakeSpan(Tid(1), 1, 0, "op")}));
  WriteOk(*store, Batch("alpha", {MakeSpan(Tid(2), 1, 0, "op")}));
  WriteOk(*store, Batch("mid", {MakeSpan(Tid(3), 1, 0, "op")}));
  WriteOk(*store, Batch("alpha", {MakeSpan(Tid(4), 1, 0, "op")}));
  auto services = store->GetServices();
  ASSERT_TRUE(services.ok());
  EXPECT_EQ(*services, (std::vector<std::string>{"alpha", "mid", "zeta"}));
}

TEST_P(StorageReads, ServicesResourceWithoutServiceNameIsListedUnderTheOtlpPlaceholder) {
  Storage* store = store_;
  auto resource = std::make_shared<Resource>();
  resource->ResolveServiceName();
  SpanBatch batch;
  Add(batch, resource, {MakeSpan(Tid(1), 1, 0, "op")});
  WriteOk(*store, batch);
  auto services = store->GetServices();
  ASSERT_TRUE(services.ok());
  EXPECT_EQ(*services, std::vector<std::string>{std::string(kNoServiceName)});
}

TEST_P(StorageReads, ServicesResourceWithoutSpansAddsNoService) {
  Storage* store = store_;
  SpanBatch batch;
  Add(batch, MakeResource("empty"), {});
  Add(batch, MakeResource("real"), {MakeSpan(Tid(1), 1, 0, "op")});
  WriteOk(*store, batch);
  auto services = store->GetServices();
  ASSERT_TRUE(services.ok());
  EXPECT_EQ(*services, std::vector<std::string>{"real"});
}

Span WithKind(Span s, SpanKind kind) {
  s.kind = kind;
  return s;
}

TEST_P(StorageReads, OperationsAllKindsSortedByNameThenKind) {
  Storage* store = store_;
  WriteOk(*store, Batch("svc", {WithKind(MakeSpan(Tid(1), 1, 0, "b"), SpanKind::kClient),
                                WithKind(MakeSpan(Tid(1), 2, 0, "a"), SpanKind::kServer),
                                WithKind(MakeSpan(Tid(1), 3, 0, "b"), SpanKind::kServer),
                                WithKind(MakeSpan(Tid(1), 4, 0, "a"), SpanKind::kServer)}));
  WriteOk(*store, Batch("other", {WithKind(MakeSpan(Tid(2), 1, 0, "x"), SpanKind::kServer)}));
  auto ops = store->GetOperations("svc", false, SpanKind::kUnspecified);
  ASSERT_TRUE(ops.ok());
  std::vector<Operation> want = {
      {"a", SpanKind::kServer}, {"b", SpanKind::kServer}, {"b", SpanKind::kClient}};
  EXPECT_EQ(*ops, want);
}

TEST_P(StorageReads, OperationsMatchKindReturnsOnlyThatKind) {
  Storage* store = store_;
  WriteOk(*store, Batch("svc", {WithKind(MakeSpan(Tid(1), 1, 0, "b"), SpanKind::kClient),
                                WithKind(MakeSpan(Tid(1), 2, 0, "a"), SpanKind::kServer),
                                MakeSpan(Tid(1), 3, 0, "internal-ish")}));
  auto clients = store->GetOperations("svc", true, SpanKind::kClient);
  ASSERT_TRUE(clients.ok());
  EXPECT_EQ(*clients, (std::vector<Operation>{{"b", SpanKind::kClient}}));
  auto unspecified = store->GetOperations("svc", true, SpanKind::kUnspecified);
  ASSERT_TRUE(unspecified.ok());
  EXPECT_EQ(*unspecified, (std::vector<Operation>{{"internal-ish", SpanKind::kUnspecified}}));
  auto producers = store->GetOperations("svc", true, SpanKind::kProducer);
  ASSERT_TRUE(producers.ok());
  EXPECT_TRUE(producers->empty());
}

TEST_P(StorageReads, OperationsUnknownServiceHasNone) {
  Storage* store = store_;
  WriteOk(*store, Batch("svc", {MakeSpan(Tid(1), 1, 0, "op")}));
  auto ops = store->GetOperations("nope", false, SpanKind::kUnspecified);
  ASSERT_TRUE(ops.ok());
  EXPECT_TRUE(ops->empty());
}

// --- Dependencies ----------------------------------------------------------------

uint64_t CallCount(const std::vector<DependencyLink>& links, const std::string& parent,
                   const std::string& child) {
  for (const DependencyLink& l : links) {
    if (l.parent == parent && l.child == child) return l.call_count;
  }
  return 0;
}

TEST_P(StorageReads, DependenciesCountsParentToChildCallsAcrossServices) {
  Storage* store = store_;
  SpanBatch batch;
  Add(batch, MakeResource("frontend"), {MakeSpan(Tid(1), 1, 0, "root")});
  Add(batch, MakeResource("backend"),
      {MakeSpan(Tid(1), 2, 1, "call-1"), MakeSpan(Tid(1), 3, 1, "call-2")});
  Add(batch, MakeResource("db"), {MakeSpan(Tid(1), 4, 2, "select")});
  WriteOk(*store, batch);
  // A second trace, with its spans arriving in separate batches.
  WriteOk(*store, Batch("frontend", {MakeSpan(Tid(2), 1, 0, "root")}));
  WriteOk(*store, Batch("backend", {MakeSpan(Tid(2), 2, 1, "call")}));

  auto links = store->GetDependencies(kBase + kSecond, 2 * kSecond);
  ASSERT_TRUE(links.ok());
  EXPECT_EQ(links->size(), 2u);
  EXPECT_EQ(CallCount(*links, "frontend", "backend"), 3u);
  EXPECT_EQ(CallCount(*links, "backend", "db"), 1u);
  EXPECT_EQ(CallCount(*links, "backend", "frontend"), 0u);
}

TEST_P(StorageReads, DependenciesCallsWithinOneServiceAreExcluded) {
  Storage* store = store_;
  WriteOk(*store, Batch("svc", {MakeSpan(Tid(1), 1, 0, "root"), MakeSpan(Tid(1), 2, 1, "inner")}));
  auto links = store->GetDependencies(kBase + kSecond, 2 * kSecond);
  ASSERT_TRUE(links.ok());
  EXPECT_TRUE(links->empty());
}

TEST_P(StorageReads, DependenciesChildWhoseParentIsMissingIsIgnored) {
  Storage* store = store_;
  WriteOk(*store, Batch("backend", {MakeSpan(Tid(1), 2, 99, "orphan")}));
  auto links = store->GetDependencies(kBase + kSecond, 2 * kSecond);
  ASSERT_TRUE(links.ok());
  EXPECT_TRUE(links->empty());
}

TEST_P(StorageReads, DependenciesOnlyTracesInsideTheWindowCount) {
  Storage* store = store_;
  SpanBatch early;
  Add(early, MakeResource("a"), {MakeSpan(Tid(1), 1, 0, "root", 0)});
  Add(early, MakeResource("b"), {MakeSpan(Tid(1), 2, 1, "call", 0)});
  WriteOk(*store, early);
  SpanBatch late;
  Add(late, MakeResource("c"), {MakeSpan(Tid(2), 1, 0, "root", 100 * kSecond)});
  Add(late, MakeResource("d"), {MakeSpan(Tid(2), 2, 1, "call", 100 * kSecond)});
  WriteOk(*store, late);

  auto only_late = store->GetDependencies(kBase + 110 * kSecond, 20 * kSecond);
  ASSERT_TRUE(only_late.ok());
  ASSERT_EQ(only_late->size(), 1u);
  EXPECT_EQ(CallCount(*only_late, "c", "d"), 1u);

  auto only_early = store->GetDependencies(kBase + 10 * kSecond, 20 * kSecond);
  ASSERT_TRUE(only_early.ok());
  ASSERT_EQ(only_early->size(), 1u);
  EXPECT_EQ(CallCount(*only_early, "a", "b"), 1u);

  auto before_all = store->GetDependencies(kBase - kSecond, 10 * kSecond);
  ASSERT_TRUE(before_all.ok());
  EXPECT_TRUE(before_all->empty());

  auto both = store->GetDependencies(kBase + 200 * kSecond, 300 * kSecond);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->size(), 2u);
}

TEST_P(StorageReads, DependenciesLookbackLargerThanEndCoversEverythingBefore) {
  Storage* store = store_;
  SpanBatch batch;
  Add(batch, MakeResource("a"), {MakeSpan(Tid(1), 1, 0, "root")});
  Add(batch, MakeResource("b"), {MakeSpan(Tid(1), 2, 1, "call")});
  WriteOk(*store, batch);
  auto links = store->GetDependencies(kBase + kSecond, UINT64_MAX);
  ASSERT_TRUE(links.ok());
  EXPECT_EQ(CallCount(*links, "a", "b"), 1u);
}

// --- Concurrency -----------------------------------------------------------------

}  // namespace
}  // namespace spoor
