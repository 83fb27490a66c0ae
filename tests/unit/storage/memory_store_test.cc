// What is particular to the memory store: duplicates kept, eviction,
// concurrency, and creation through the factory. What every backend does
// alike is in storage_reads_test.cc and storage_search_test.cc.
#include "storage/memory/memory_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/factory.h"
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

std::unique_ptr<Storage> NewStore(size_t max_traces = 1000) {
  return NewMemoryStore(MemoryStoreOptions{max_traces});
}

void WriteOk(Storage& store, const SpanBatch& batch) {
  Status s = store.Write(batch);
  ASSERT_TRUE(s.ok()) << s.message();
}

std::multiset<uint64_t> SpanIds(const Trace& trace) {
  std::multiset<uint64_t> ids;
  for (const SpanRecord& r : trace.spans) ids.insert(r.span.span_id.value);
  return ids;
}

bool Has(Storage& store, TraceId id) {
  return store.GetTrace(id, {}).ok();
}

// --- Reading by trace ID ---------------------------------------------------------

TEST(MemoryStoreGetTrace, DuplicateSpanIdsAreAllKept) {
  auto store = NewStore();
  Span first = MakeSpan(Tid(1), 7, 0, "op");
  WriteOk(*store, Batch("svc", {first}));
  WriteOk(*store, Batch("svc", {first}));  // a retried delivery
  Span other = MakeSpan(Tid(1), 7, 0, "op-server");
  WriteOk(*store, Batch("svc", {other}));
  auto trace = store->GetTrace(Tid(1), {});
  ASSERT_TRUE(trace.ok());
  EXPECT_EQ(SpanIds(*trace), (std::multiset<uint64_t>{7, 7, 7}));
}

// --- Eviction --------------------------------------------------------------------

TEST(MemoryStoreEviction, OldestTraceIsEvictedBeyondMaxTraces) {
  auto store = NewStore(2);
  WriteOk(*store, Batch("svc", {MakeSpan(Tid(1), 1, 0, "op")}));
  WriteOk(*store, Batch("svc", {MakeSpan(Tid(2), 1, 0, "op")}));
  EXPECT_TRUE(Has(*store, Tid(1)));
  WriteOk(*store, Batch("svc", {MakeSpan(Tid(3), 1, 0, "op")}));
  EXPECT_FALSE(Has(*store, Tid(1)));
  EXPECT_TRUE(Has(*store, Tid(2)));
  EXPECT_TRUE(Has(*store, Tid(3)));
}

TEST(MemoryStoreEviction, OrderIsFirstArrivalNotLatestWrite) {
  auto store = NewStore(2);
  WriteOk(*store, Batch("svc", {MakeSpan(Tid(1), 1, 0, "op")}));
  WriteOk(*store, Batch("svc", {MakeSpan(Tid(2), 1, 0, "op")}));
  // Trace 1 gets a late span: it is still the first to have arrived.
  WriteOk(*store, Batch("svc", {MakeSpan(Tid(1), 2, 1, "late")}));
  WriteOk(*store, Batch("svc", {MakeSpan(Tid(3), 1, 0, "op")}));
  EXPECT_FALSE(Has(*store, Tid(1)));
  EXPECT_TRUE(Has(*store, Tid(2)));
  EXPECT_TRUE(Has(*store, Tid(3)));
}

TEST(MemoryStoreEviction, OrderIsArrivalNotSpanStartTime) {
  auto store = NewStore(2);
  // Trace 1 arrives first but started last.
  WriteOk(*store, Batch("svc", {MakeSpan(Tid(1), 1, 0, "op", 100 * kSecond)}));
  WriteOk(*store, Batch("svc", {MakeSpan(Tid(2), 1, 0, "op", 0)}));
  WriteOk(*store, Batch("svc", {MakeSpan(Tid(3), 1, 0, "op", 50 * kSecond)}));
  EXPECT_FALSE(Has(*store, Tid(1)));
  EXPECT_TRUE(Has(*store, Tid(2)));
}

TEST(MemoryStoreEviction, OneBatchWithManyTracesKeepsTheNewest) {
  auto store = NewStore(3);
  std::vector<Span> spans;
  for (uint64_t t = 1; t <= 5; ++t) spans.push_back(MakeSpan(Tid(t), 1, 0, "op"));
  WriteOk(*store, Batch("svc", spans));
  EXPECT_FALSE(Has(*store, Tid(1)));
  EXPECT_FALSE(Has(*store, Tid(2)));
  EXPECT_TRUE(Has(*store, Tid(3)));
  EXPECT_TRUE(Has(*store, Tid(4)));
  EXPECT_TRUE(Has(*store, Tid(5)));
}

TEST(MemoryStoreEviction, EvictedTraceIsNotFoundBySearch) {
  auto store = NewStore(1);
  WriteOk(*store, Batch("svc", {MakeSpan(Tid(1), 1, 0, "op")}));
  WriteOk(*store, Batch("svc", {MakeSpan(Tid(2), 1, 0, "op")}));
  TraceQuery q;
  q.service = "svc";
  auto ids = store->FindTraceIds(q);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, std::vector<TraceId>{Tid(2)});
}

TEST(MemoryStoreEviction, EvictedTraceCanBeStoredAgain) {
  auto store = NewStore(1);
  WriteOk(*store, Batch("svc", {MakeSpan(Tid(1), 1, 0, "op")}));
  WriteOk(*store, Batch("svc", {MakeSpan(Tid(2), 1, 0, "op")}));
  WriteOk(*store, Batch("svc", {MakeSpan(Tid(1), 5, 0, "again")}));
  auto trace = store->GetTrace(Tid(1), {});
  ASSERT_TRUE(trace.ok());
  EXPECT_EQ(SpanIds(*trace), std::multiset<uint64_t>{5});  // the old span left with it
  EXPECT_FALSE(Has(*store, Tid(2)));
}

// --- Concurrency -----------------------------------------------------------------

TEST(MemoryStoreConcurrency, ParallelWritersAndReadersKeepEverySpan) {
  auto store = NewStore(100000);
  constexpr int kWriters = 4;
  constexpr int kTracesPerWriter = 200;
  constexpr int kSpansPerTrace = 3;
  std::atomic<bool> writing{true};
  std::atomic<int> failures{0};

  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int t = 0; t < kTracesPerWriter; ++t) {
        // Every trace is shared by all writers: each adds its own spans.
        TraceId id = Tid(static_cast<uint64_t>(t + 1));
        std::vector<Span> spans;
        for (int s = 0; s < kSpansPerTrace; ++s) {
          uint64_t span_id = static_cast<uint64_t>(w * 1000 + s + 1);
          spans.push_back(MakeSpan(id, span_id, 0, "op", static_cast<uint64_t>(t) * kSecond));
        }
        if (!store->Write(Batch("svc-" + std::to_string(w), spans)).ok()) ++failures;
      }
    });
  }
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      while (writing.load()) {
        TraceQuery q;
        q.service = "svc-0";
        q.limit = 10;
        if (!store->FindTraces(q).ok()) ++failures;
        if (!store->GetServices().ok()) ++failures;
        if (!store->GetOperations("svc-1", false, SpanKind::kUnspecified).ok()) ++failures;
        if (!store->GetDependencies(kBase + 1000 * kSecond, 2000 * kSecond).ok()) ++failures;
        auto trace = store->GetTrace(Tid(1), {});
        if (!trace.ok() && trace.status().code() != StatusCode::kNotFound) ++failures;
        std::this_thread::yield();
      }
    });
  }
  for (auto& t : writers) t.join();
  writing = false;
  for (auto& t : readers) t.join();

  EXPECT_EQ(failures.load(), 0);
  for (int t = 0; t < kTracesPerWriter; ++t) {
    auto trace = store->GetTrace(Tid(static_cast<uint64_t>(t + 1)), {});
    ASSERT_TRUE(trace.ok()) << "trace " << t + 1;
    EXPECT_EQ(trace->spans.size(), static_cast<size_t>(kWriters * kSpansPerTrace));
  }
  TraceQuery all;
  all.limit = 10 * kTracesPerWriter;
  auto found = store->FindTraceIds(all);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->size(), static_cast<size_t>(kTracesPerWriter));
  auto services = store->GetServices();
  ASSERT_TRUE(services.ok());
  EXPECT_EQ(services->size(), static_cast<size_t>(kWriters));
}

// --- Factory ---------------------------------------------------------------------

TEST(StorageFactory, CreatesTheMemoryStore) {
  StorageOptions options;
  options.type = "memory";
  auto store = CreateStorage(options);
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ((*store)->name(), "memory");
  WriteOk(**store, Batch("svc", {MakeSpan(Tid(1), 1, 0, "op")}));
  EXPECT_TRUE(Has(**store, Tid(1)));
  EXPECT_TRUE((*store)->Close().ok());
}

TEST(StorageFactory, PassesTheMemoryOptions) {
  StorageOptions options;
  options.type = "memory";
  options.memory.max_traces = 1;
  auto store = CreateStorage(options);
  ASSERT_TRUE(store.ok());
  WriteOk(**store, Batch("svc", {MakeSpan(Tid(1), 1, 0, "op")}));
  WriteOk(**store, Batch("svc", {MakeSpan(Tid(2), 1, 0, "op")}));
  EXPECT_FALSE(Has(**store, Tid(1)));
  EXPECT_TRUE(Has(**store, Tid(2)));
}

TEST(StorageFactory, UnknownTypeIsInvalidArgumentNamingTheTypeAndTheChoices) {
  StorageOptions options;
  options.type = "cassandra";
  auto store = CreateStorage(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(store.status().message().find("'cassandra'"), std::string::npos)
      << store.status().message();
  EXPECT_NE(store.status().message().find(StorageTypes()), std::string::npos);
}

TEST(StorageFactory, TypeListNamesMemory) {
  EXPECT_NE(StorageTypes().find("memory"), std::string::npos);
}

}  // namespace
}  // namespace spoor
