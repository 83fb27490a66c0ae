// The ingest pipeline: submit, queue, write to storage, refuse when full,
// count every span, drain on shutdown.
#include "pipeline/pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "model/string_table.h"
#include "storage/memory/memory_store.h"
#include "tests/unit/gated_storage.h"

namespace spoor {
namespace {

// Metrics with labels of their own per test.
IngestMetrics NewMetrics() {
  static std::atomic<int> n{0};
  return IngestMetrics("test", "pipeline-" + std::to_string(n++));
}

// A batch of `spans` spans, all in trace `trace`.
SpanBatch MakeBatch(uint64_t trace, size_t spans) {
  SpanBatch batch;
  ResourceSpans rs;
  auto resource = std::make_shared<Resource>();
  resource->attributes.push_back({Intern("service.name"), AnyValue::String("svc")});
  resource->ResolveServiceName();
  rs.resource = resource;
  ScopeSpans ss;
  ss.scope = std::make_shared<Scope>();
  for (size_t i = 0; i < spans; ++i) {
    Span s;
    s.trace_id = TraceId{0, trace};
    s.span_id = SpanId{i + 1};
    s.name = Intern("op");
    s.start_time_ns = 1'700'000'000'000'000'000ULL;
    s.end_time_ns = s.start_time_ns + 1000;
    ss.spans.push_back(s);
  }
  rs.scope_spans.push_back(std::move(ss));
  batch.resource_spans.push_back(std::move(rs));
  return batch;
}

TEST(Pipeline, EverySubmittedSpanIsWrittenToStorage) {
  GatedStorage storage;
  IngestMetrics metrics = NewMetrics();
  Pipeline pipeline(PipelineOptions{1000, 2}, storage);
  for (uint64_t t = 1; t <= 20; ++t) {
    Status s = pipeline.Submit(MakeBatch(t, t % 3 + 1), metrics);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  pipeline.Shutdown();
  size_t total = 0;
  for (uint64_t t = 1; t <= 20; ++t) {
    EXPECT_EQ(storage.StoredSpans(TraceId{0, t}), t % 3 + 1) << "trace " << t;
    total += t % 3 + 1;
  }
  EXPECT_EQ(metrics.spans_accepted.value(), total);
  EXPECT_EQ(metrics.spans_refused_queue_full.value(), 0u);
  EXPECT_EQ(storage.StoredCounter().value(), total);
  EXPECT_EQ(storage.DroppedCounter().value(), 0u);
  EXPECT_EQ(pipeline.queue().length_spans(), 0u);
}

TEST(Pipeline, FullQueueRefusesWithUnavailableAndCountsTheSpans) {
  GatedStorage storage(/*gated=*/true);
  IngestMetrics metrics = NewMetrics();
  Pipeline pipeline(PipelineOptions{10, 1}, storage);
  // The only writer takes the first batch and blocks in Write.
  ASSERT_TRUE(pipeline.Submit(MakeBatch(1, 5), metrics).ok());
  ASSERT_TRUE(storage.WaitForWrites(1));
  ASSERT_TRUE(pipeline.Submit(MakeBatch(2, 10), metrics).ok());  // fills the queue
  EXPECT_EQ(pipeline.queue().length_spans(), 10u);
  Status refused = pipeline.Submit(MakeBatch(3, 1), metrics);
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.message().find("10 spans"), std::string::npos) << refused.message();
  EXPECT_EQ(metrics.spans_accepted.value(), 15u);
  EXPECT_EQ(metrics.spans_refused_queue_full.value(), 1u);

  storage.Release();
  pipeline.Shutdown();
  EXPECT_EQ(storage.StoredSpans(TraceId{0, 1}), 5u);
  EXPECT_EQ(storage.StoredSpans(TraceId{0, 2}), 10u);
  EXPECT_EQ(storage.StoredSpans(TraceId{0, 3}), 0u);
  EXPECT_EQ(storage.StoredCounter().value(), 15u);
}

TEST(Pipeline, QueueAcceptsAgainOnceDrained) {
  GatedStorage storage(/*gated=*/true);
  IngestMetrics metrics = NewMetrics();
  Pipeline pipeline(PipelineOptions{4, 1}, storage);
  ASSERT_TRUE(pipeline.Submit(MakeBatch(1, 1), metrics).ok());
  ASSERT_TRUE(storage.WaitForWrites(1));
  ASSERT_TRUE(pipeline.Submit(MakeBatch(2, 4), metrics).ok());
  EXPECT_FALSE(pipeline.Submit(MakeBatch(3, 1), metrics).ok());
  storage.Release();
  ASSERT_TRUE(storage.WaitForWrites(2));  // the second batch has left the queue
  EXPECT_EQ(pipeline.queue().length_spans(), 0u);
  EXPECT_TRUE(pipeline.Submit(MakeBatch(4, 4), metrics).ok());
  pipeline.Shutdown();
  EXPECT_EQ(storage.StoredSpans(TraceId{0, 4}), 4u);
}

TEST(Pipeline, OversizedBatchPassesAnEmptyQueue) {
  GatedStorage storage;
  IngestMetrics metrics = NewMetrics();
  Pipeline pipeline(PipelineOptions{3, 1}, storage);
  ASSERT_TRUE(pipeline.Submit(MakeBatch(1, 50), metrics).ok());
  pipeline.Shutdown();
  EXPECT_EQ(storage.StoredSpans(TraceId{0, 1}), 50u);
}

TEST(Pipeline, ShutdownDrainsEverythingQueued) {
  GatedStorage storage(/*gated=*/true);
  IngestMetrics metrics = NewMetrics();
  Pipeline pipeline(PipelineOptions{1000, 1}, storage);
  ASSERT_TRUE(pipeline.Submit(MakeBatch(1, 2), metrics).ok());
  ASSERT_TRUE(storage.WaitForWrites(1));
  for (uint64_t t = 2; t <= 10; ++t) ASSERT_TRUE(pipeline.Submit(MakeBatch(t, 2), metrics).ok());
  EXPECT_EQ(pipeline.queue().length_spans(), 18u);
  storage.Release();
  pipeline.Shutdown();
  for (uint64_t t = 1; t <= 10; ++t) EXPECT_EQ(storage.StoredSpans(TraceId{0, t}), 2u);
  EXPECT_EQ(storage.StoredCounter().value(), 20u);
  pipeline.Shutdown();  // a second call is harmless
}

TEST(Pipeline, SubmitAfterShutdownIsRefused) {
  GatedStorage storage;
  IngestMetrics metrics = NewMetrics();
  Pipeline pipeline(PipelineOptions{100, 1}, storage);
  pipeline.Shutdown();
  Status s = pipeline.Submit(MakeBatch(1, 3), metrics);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(metrics.spans_refused_queue_full.value(), 3u);
  EXPECT_EQ(metrics.spans_accepted.value(), 0u);
}

TEST(Pipeline, DestructorDrainsTheQueue) {
  GatedStorage storage;
  IngestMetrics metrics = NewMetrics();
  {
    Pipeline pipeline(PipelineOptions{100, 2}, storage);
    for (uint64_t t = 1; t <= 5; ++t) ASSERT_TRUE(pipeline.Submit(MakeBatch(t, 1), metrics).ok());
  }
  for (uint64_t t = 1; t <= 5; ++t) EXPECT_EQ(storage.StoredSpans(TraceId{0, t}), 1u);
}

TEST(Pipeline, EmptyBatchIsAcceptedWithoutCounting) {
  GatedStorage storage;
  IngestMetrics metrics = NewMetrics();
  Pipeline pipeline(PipelineOptions{100, 1}, storage);
  EXPECT_TRUE(pipeline.Submit(SpanBatch{}, metrics).ok());
  pipeline.Shutdown();
  EXPECT_EQ(metrics.spans_accepted.value(), 0u);
  std::vector<uint64_t> cumulative;
  double sum = 0;
  uint64_t writes = 0;
  storage.WriteLatency().Snapshot(&cumulative, &sum, &writes);
  EXPECT_EQ(writes, 0u);
}

TEST(Pipeline, FailedWritesAreCountedAsDropped) {
  GatedStorage storage(/*gated=*/false, /*fail=*/true);
  IngestMetrics metrics = NewMetrics();
  Pipeline pipeline(PipelineOptions{100, 1}, storage);
  ASSERT_TRUE(pipeline.Submit(MakeBatch(1, 3), metrics).ok());
  ASSERT_TRUE(pipeline.Submit(MakeBatch(2, 4), metrics).ok());
  pipeline.Shutdown();
  EXPECT_EQ(metrics.spans_accepted.value(), 7u);
  EXPECT_EQ(storage.DroppedCounter().value(), 7u);
  EXPECT_EQ(storage.StoredCounter().value(), 0u);
}

TEST(Pipeline, EveryWriteIsTimed) {
  GatedStorage storage;
  IngestMetrics metrics = NewMetrics();
  Pipeline pipeline(PipelineOptions{100, 2}, storage);
  for (uint64_t t = 1; t <= 6; ++t) ASSERT_TRUE(pipeline.Submit(MakeBatch(t, 2), metrics).ok());
  pipeline.Shutdown();
  std::vector<uint64_t> cumulative;
  double sum = 0;
  uint64_t writes = 0;
  storage.WriteLatency().Snapshot(&cumulative, &sum, &writes);
  EXPECT_GE(writes, 1u);
  EXPECT_EQ(writes, static_cast<uint64_t>(storage.writes()));
  EXPECT_EQ(storage.StoredCounter().value(), 12u);
}

// Batches queued while the writer is busy go to storage in one write, up to
// Pipeline::kGroupSpans spans.
TEST(Pipeline, QueuedBatchesAreWrittenTogether) {
  GatedStorage storage(/*gated=*/true);
  IngestMetrics metrics = NewMetrics();
  Pipeline pipeline(PipelineOptions{100000, 1}, storage);
  ASSERT_TRUE(pipeline.Submit(MakeBatch(1, 2), metrics).ok());
  ASSERT_TRUE(storage.WaitForWrites(1));  // the writer holds batch 1 at the gate
  for (uint64_t t = 2; t <= 6; ++t) ASSERT_TRUE(pipeline.Submit(MakeBatch(t, 2), metrics).ok());
  storage.Release();
  pipeline.Shutdown();
  EXPECT_EQ(storage.writes(), 2);  // batch 1, then batches 2-6 together
  EXPECT_EQ(storage.StoredCounter().value(), 12u);
  for (uint64_t t = 1; t <= 6; ++t) EXPECT_EQ(storage.StoredSpans(TraceId{0, t}), 2u);
}

// With a linger, a writer woken by the first batch waits for the batches
// that follow and writes them together.
TEST(Pipeline, LingeringWriterGathersBatches) {
  GatedStorage storage;
  IngestMetrics metrics = NewMetrics();
  PipelineOptions options{100000, 1};
  options.group_linger = std::chrono::seconds(1);
  Pipeline pipeline(options, storage);
  for (uint64_t t = 1; t <= 3; ++t) ASSERT_TRUE(pipeline.Submit(MakeBatch(t, 2), metrics).ok());
  ASSERT_TRUE(storage.WaitForWrites(1));
  EXPECT_EQ(storage.writes(), 1);
  pipeline.Shutdown();
  EXPECT_EQ(storage.writes(), 1);
  EXPECT_EQ(storage.StoredCounter().value(), 6u);
}

TEST(Pipeline, GroupsAreBounded) {
  GatedStorage storage(/*gated=*/true);
  IngestMetrics metrics = NewMetrics();
  Pipeline pipeline(PipelineOptions{100000, 1}, storage);
  const size_t big = Pipeline::kGroupSpans * 3 / 4;
  ASSERT_TRUE(pipeline.Submit(MakeBatch(1, 1), metrics).ok());
  ASSERT_TRUE(storage.WaitForWrites(1));
  for (uint64_t t = 2; t <= 4; ++t) ASSERT_TRUE(pipeline.Submit(MakeBatch(t, big), metrics).ok());
  storage.Release();
  pipeline.Shutdown();
  EXPECT_EQ(storage.writes(), 4);  // no two of the big batches fit in one group
  EXPECT_EQ(storage.StoredCounter().value(), 1 + 3 * big);
}

TEST(Pipeline, ConcurrentSubmittersLoseNothing) {
  GatedStorage storage;
  IngestMetrics metrics = NewMetrics();
  Pipeline pipeline(PipelineOptions{100000, 3}, storage);
  std::vector<std::thread> submitters;
  std::atomic<int> failures{0};
  for (int w = 0; w < 4; ++w) {
    submitters.emplace_back([&, w] {
      for (int i = 0; i < 50; ++i) {
        uint64_t trace = static_cast<uint64_t>(w * 100 + i + 1);
        if (!pipeline.Submit(MakeBatch(trace, 2), metrics).ok()) ++failures;
      }
    });
  }
  for (auto& t : submitters) t.join();
  pipeline.Shutdown();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(metrics.spans_accepted.value(), 400u);
  EXPECT_EQ(storage.StoredCounter().value(), 400u);
  for (int w = 0; w < 4; ++w) {
    for (int i = 0; i < 50; ++i) {
      EXPECT_EQ(storage.StoredSpans(TraceId{0, static_cast<uint64_t>(w * 100 + i + 1)}), 2u);
    }
  }
}

TEST(IngestMetrics, CountersCarryTransportFormatAndReason) {
  IngestMetrics a("grpc", "ingest-metrics-test");
  a.spans_refused_queue_full.Inc(2);
  Counter& same = MetricsRegistry::Global().GetCounter(
      "spoor_spans_refused_total", "",
      {{"transport", "grpc"}, {"format", "ingest-metrics-test"}, {"reason", "queue_full"}});
  EXPECT_EQ(&same, &a.spans_refused_queue_full);
  EXPECT_NE(&a.spans_refused_queue_full, &a.spans_refused_invalid);
  EXPECT_EQ(a.transport, "grpc");
  EXPECT_EQ(a.format, "ingest-metrics-test");
}

}  // namespace
}  // namespace spoor
