// The bounded span queue between the receivers and the storage writers.
#include "pipeline/span_queue.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <optional>

#include "model/string_table.h"

namespace spoor {
namespace {

// A batch of `spans` spans whose first span has ID `tag`, to tell batches
// apart after a Pop.
SpanBatch MakeBatch(size_t spans, uint64_t tag = 1) {
  SpanBatch batch;
  ResourceSpans rs;
  auto resource = std::make_shared<Resource>();
  resource->ResolveServiceName();
  rs.resource = resource;
  ScopeSpans ss;
  ss.scope = std::make_shared<Scope>();
  for (size_t i = 0; i < spans; ++i) {
    Span s;
    s.trace_id = TraceId{0, 1};
    s.span_id = SpanId{i == 0 ? tag : 1000 + i};
    s.name = Intern("op");
    ss.spans.push_back(s);
  }
  rs.scope_spans.push_back(std::move(ss));
  batch.resource_spans.push_back(std::move(rs));
  return batch;
}

bool Push(SpanQueue& q, size_t spans, uint64_t tag = 1) {
  SpanBatch batch = MakeBatch(spans, tag);
  return q.TryPush(batch, spans);
}

uint64_t Tag(const SpanBatch& batch) {
  return batch.resource_spans.at(0).scope_spans.at(0).spans.at(0).span_id.value;
}

TEST(SpanQueue, CapacityIsCountedInSpans) {
  SpanQueue q(10);
  EXPECT_EQ(q.capacity_spans(), 10u);
  EXPECT_TRUE(Push(q, 6));
  EXPECT_FALSE(Push(q, 5));  // 11 > 10
  EXPECT_TRUE(Push(q, 4));   // exactly full
  EXPECT_EQ(q.length_spans(), 10u);
  EXPECT_FALSE(Push(q, 1));
}

TEST(SpanQueue, RefusedBatchIsLeftUntouched) {
  SpanQueue q(3);
  ASSERT_TRUE(Push(q, 3));
  SpanBatch batch = MakeBatch(2, 42);
  EXPECT_FALSE(q.TryPush(batch, 2));
  EXPECT_EQ(batch.SpanCount(), 2u);
  EXPECT_EQ(Tag(batch), 42u);
}

TEST(SpanQueue, AcceptedBatchIsMovedIn) {
  SpanQueue q(3);
  SpanBatch batch = MakeBatch(2);
  ASSERT_TRUE(q.TryPush(batch, 2));
  EXPECT_EQ(batch.SpanCount(), 0u);
}

TEST(SpanQueue, OversizedBatchIsAdmittedIntoAnEmptyQueue) {
  SpanQueue q(5);
  EXPECT_TRUE(Push(q, 20, 7));
  EXPECT_EQ(q.length_spans(), 20u);
  EXPECT_FALSE(Push(q, 1));  // not empty any more
  auto popped = q.Pop();
  ASSERT_TRUE(popped.has_value());
  EXPECT_EQ(Tag(*popped), 7u);
  EXPECT_EQ(popped->SpanCount(), 20u);
  EXPECT_EQ(q.length_spans(), 0u);
  EXPECT_TRUE(Push(q, 1));
}

TEST(SpanQueue, PopIsFirstInFirstOutAndFreesCapacity) {
  SpanQueue q(10);
  ASSERT_TRUE(Push(q, 4, 1));
  ASSERT_TRUE(Push(q, 6, 2));
  ASSERT_FALSE(Push(q, 3, 3));
  auto first = q.Pop();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(Tag(*first), 1u);
  EXPECT_EQ(q.length_spans(), 6u);
  EXPECT_TRUE(Push(q, 3, 3));
  EXPECT_EQ(Tag(*q.Pop()), 2u);
  EXPECT_EQ(Tag(*q.Pop()), 3u);
  EXPECT_EQ(q.length_spans(), 0u);
}

TEST(SpanQueue, CloseRefusesNewBatchesAndDrainsQueuedOnes) {
  SpanQueue q(10);
  ASSERT_TRUE(Push(q, 2, 1));
  ASSERT_TRUE(Push(q, 3, 2));
  q.Close();
  EXPECT_FALSE(Push(q, 1));
  auto a = q.Pop();
  auto b = q.Pop();
  ASSERT_TRUE(a.has_value());
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(Tag(*a), 1u);
  EXPECT_EQ(Tag(*b), 2u);
  EXPECT_FALSE(q.Pop().has_value());
  EXPECT_FALSE(q.Pop().has_value());  // and stays so
}

TEST(SpanQueue, PopWaitsForAPush) {
  SpanQueue q(10);
  auto popped = std::async(std::launch::async, [&q] { return q.Pop(); });
  ASSERT_TRUE(Push(q, 2, 9));
  ASSERT_EQ(popped.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  auto batch = popped.get();
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(Tag(*batch), 9u);
}

TEST(SpanQueue, CloseWakesABlockedConsumer) {
  SpanQueue q(10);
  auto popped = std::async(std::launch::async, [&q] { return q.Pop(); });
  q.Close();
  ASSERT_EQ(popped.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_FALSE(popped.get().has_value());
}

}  // namespace
}  // namespace spoor
