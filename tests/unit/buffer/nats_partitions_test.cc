// Partitions of the NATS stream by trace ID: the split, the leases that give
// each partition to one ingester, and ingesters with a sink (tail sampling)
// that see whole traces — against a real nats-server.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "buffer/nats/nats_ingester.h"
#include "buffer/nats/nats_leases.h"
#include "buffer/nats/nats_publisher.h"
#include "buffer/nats/partition_owner.h"
#include "buffer/nats/partitions.h"
#include "common/time_format.h"
#include "formats/otlp/otlp_decode.h"
#include "tests/unit/buffer/buffer_test_support.h"
#include "tests/unit/buffer/nats_server.h"
#include "tests/unit/gated_storage.h"
#include "tools/tracegen/workload.h"

namespace spoor {
namespace {

using testenv::NatsServer;

constexpr uint64_t kSecond = 1'000'000'000;

using testenv::Eventually;
using testenv::ForEachSpan;
using testenv::TracegenBatch;

NatsOptions OptionsFor(const NatsServer& server, int partitions) {
  NatsOptions o = testenv::TestNatsOptions(server);
  o.partitions = partitions;
  o.partition_lease_ns = 3'000'000'000;  // renewed every second
  return o;
}

TEST(NatsPartitions, ATraceHasOnePartitionTheSameEverywhere) {
  std::map<uint32_t, int> counts;
  for (uint64_t i = 1; i <= 8000; ++i) {
    TraceId id{i * 0x9E3779B97F4A7C15ULL, i};
    uint32_t p = PartitionOf(id, 8);
    ASSERT_LT(p, 8u);
    EXPECT_EQ(PartitionOf(id, 8), p);
    ++counts[p];
  }
  // 1,000 each expected; the standard deviation is about 30.
  for (const auto& [p, n] : counts) EXPECT_NEAR(n, 1000, 200) << "partition " << p;
  EXPECT_EQ(PartitionOf(TraceId{1, 2}, 1), 0u);
}

TEST(NatsPartitions, SplitKeepsEveryTraceInItsPartitionAndSharesResources) {
  SpanBatch batch = TracegenBatch(7, 100);  // 10 traces of 10 spans
  size_t total = batch.SpanCount();
  std::set<const void*> resources;
  std::set<const void*> scopes;
  ForEachSpan(batch, [&](const ResourceSpans& rs, const ScopeSpans& ss, const Span&) {
    resources.insert(rs.resource.get());
    scopes.insert(ss.scope.get());
  });
  std::vector<SpanBatch> parts = SplitByPartition(batch, 4);
  ASSERT_EQ(parts.size(), 4u);
  size_t sum = 0;
  for (uint32_t p = 0; p < 4; ++p) {
    sum += parts[p].SpanCount();
    ForEachSpan(parts[p], [&](const ResourceSpans& rs, const ScopeSpans& ss, const Span& s) {
      EXPECT_EQ(PartitionOf(s.trace_id, 4), p);
      EXPECT_TRUE(resources.contains(rs.resource.get()));  // shared, not copied
      EXPECT_TRUE(scopes.contains(ss.scope.get()));
    });
  }
  EXPECT_EQ(sum, total);
  EXPECT_EQ(PartitionSubject(NatsOptions{}, 3), "spoor.spans");  // one partition: as before
  NatsOptions four;
  four.partitions = 4;
  EXPECT_EQ(PartitionSubject(four, 3), "spoor.spans.3");
  EXPECT_EQ(PartitionConsumer(four, 3), "spoor-ingester-3");
  EXPECT_EQ(StreamSubject(four), "spoor.spans.*");
}

TEST(NatsPartitions, PartitionedBatchesAllReachStorage) {
  NatsServer server;
  NatsOptions options = OptionsFor(server, 4);
  NatsPublisher publisher(options);
  ASSERT_TRUE(publisher.Start().ok());
  IngestMetrics metrics("test", "partitioned");
  SpanBatch batch = TracegenBatch(11, 100);
  SpanBatch sent = TracegenBatch(11, 100);
  ASSERT_TRUE(publisher.Submit(std::move(batch), metrics).ok());
  GatedStorage storage;
  NatsIngester ingester(options, storage);
  ASSERT_TRUE(ingester.Start().ok());
  std::map<TraceId, size_t> expected;
  ForEachSpan(sent, [&](auto&, auto&, const Span& s) { ++expected[s.trace_id]; });
  ASSERT_TRUE(Eventually([&] {
    for (const auto& [id, n] : expected)
      if (storage.StoredSpans(id) < n) return false;
    return true;
  }));
  ingester.Stop();
  for (const auto& [id, n] : expected) EXPECT_EQ(storage.StoredSpans(id), n);
  EXPECT_EQ(ingester.partitions_owned(), 4u);  // without a sink: every partition
}

TEST(NatsPartitions, AStreamMadeForOtherPartitionsIsRefusedWithTheReason) {
  NatsServer server;
  NatsOptions options = OptionsFor(server, 1);
  NatsPublisher one(options);
  ASSERT_TRUE(one.Start().ok());  // creates the stream on one subject
  options.partitions = 4;
  NatsPublisher four(options);
  Status s = four.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--nats.partitions=4"), std::string::npos) << s.message();
  GatedStorage storage;
  NatsIngester ingester(options, storage);
  Status started = ingester.Start();
  ASSERT_FALSE(started.ok());  // an ingester stops at startup as well
  EXPECT_NE(started.message().find("--nats.partitions=4"), std::string::npos) << started.message();
}

TEST(NatsPartitions, OwnersShareThePartitionsAndTakeOverFromOneThatLeaves) {
  NatsServer server;
  NatsOptions options = OptionsFor(server, 8);
  NatsLeases leases(options, options.stream + "-partitions");
  ASSERT_TRUE(leases.Connect("test").ok());
  ASSERT_TRUE(Eventually([&] { return leases.Holder("x", NowNs()).ok(); }));
  const uint64_t lease = 3 * kSecond;
  PartitionOwner a(leases, "a", 8, lease);
  PartitionOwner b(leases, "b", 8, lease);
  uint64_t now = NowNs();
  a.Tick(now);
  EXPECT_EQ(a.owned_count(), 8u);  // alone: everything
  b.Tick(now);                     // b joins, wants its half, still held by a
  EXPECT_EQ(b.owned_count(), 0u);
  a.Tick(now + kSecond);  // a lets go of b's half
  b.Tick(now + kSecond);  // b takes it
  EXPECT_EQ(a.owned_count(), 4u);
  EXPECT_EQ(b.owned_count(), 4u);
  for (uint32_t p = 0; p < 8; ++p) EXPECT_NE(a.Owns(p), b.Owns(p)) << "partition " << p;
  // b dies (stops renewing): once its leases expire, a reads everything.
  a.Tick(now + 2 * kSecond);
  EXPECT_EQ(a.owned_count(), 4u);
  a.Tick(now + kSecond + lease + 1);  // b's slot has expired: a wants all
  a.Tick(now + kSecond + lease + 2);
  EXPECT_EQ(a.owned_count(), 8u);
  // A third owner that stops cleanly gives its partitions back at once.
  PartitionOwner c(leases, "c", 8, lease);
  uint64_t later = now + 10 * kSecond;
  a.Tick(later);
  c.Tick(later);
  a.Tick(later + 1);
  c.Tick(later + 1);
  EXPECT_EQ(a.owned_count() + c.owned_count(), 8u);
  EXPECT_GT(c.owned_count(), 0u);
  c.Stop();
  EXPECT_EQ(c.owned_count(), 0u);
  a.Tick(later + 2);
  a.Tick(later + 3);
  EXPECT_EQ(a.owned_count(), 8u);
}

TEST(NatsPartitions, IngestersWithASinkEachSeeWholeTraces) {
  NatsServer server;
  NatsOptions options = OptionsFor(server, 4);
  NatsPublisher publisher(options);
  ASSERT_TRUE(publisher.Start().ok());
  GatedStorage storage;
  testenv::RecordingSink first_sink;
  testenv::RecordingSink second_sink;
  NatsIngester first(options, storage, nullptr, &first_sink, "first");
  NatsIngester second(options, storage, nullptr, &second_sink, "second");
  ASSERT_TRUE(first.Start().ok());
  ASSERT_TRUE(second.Start().ok());
  ASSERT_TRUE(Eventually([&] {
    return first.partitions_owned() == 2 && second.partitions_owned() == 2;
  })) << first.partitions_owned()
      << " and " << second.partitions_owned();
  // 40 traces of 10 spans, each span in its own message, traces interleaved.
  IngestMetrics metrics("test", "partitioned_sink");
  struct One {
    std::shared_ptr<const Resource> resource;
    std::shared_ptr<const Scope> scope;
    Span span;
  };
  std::vector<std::vector<One>> traces;
  std::map<TraceId, size_t> sent;
  for (uint64_t seed = 200; seed < 240; ++seed) {
    std::vector<One>& spans = traces.emplace_back();
    ForEachSpan(TracegenBatch(seed, 10),
                [&](const ResourceSpans& rs, const ScopeSpans& ss, const Span& s) {
                  spans.push_back({rs.resource, ss.scope, s});
                  ++sent[s.trace_id];
                });
  }
  size_t total = 0;
  for (size_t k = 0; k < 10; ++k) {
    for (const std::vector<One>& t : traces) {
      if (k >= t.size()) continue;
      SpanBatch one;
      one.resource_spans.push_back({t[k].resource, {{t[k].scope, {t[k].span}}}});
      ++total;
      ASSERT_TRUE(publisher.Submit(std::move(one), metrics).ok());
    }
  }
  ASSERT_TRUE(Eventually([&] {
    size_t n = 0;
    for (const auto& [id, c] : first_sink.spans()) n += c;
    for (const auto& [id, c] : second_sink.spans()) n += c;
    return n >= total;
  }));
  first.Stop();
  second.Stop();
  auto a = first_sink.spans();
  auto b = second_sink.spans();
  for (const auto& [id, n] : sent) {
    // Whole in one of them, never split.
    size_t in_a = a.contains(id) ? a[id] : 0;
    size_t in_b = b.contains(id) ? b[id] : 0;
    EXPECT_TRUE((in_a == n && in_b == 0) || (in_a == 0 && in_b == n))
        << id.Hex32() << ": " << in_a << " + " << in_b << " of " << n;
  }
  EXPECT_GT(a.size(), 0u);
  EXPECT_GT(b.size(), 0u);
  EXPECT_EQ(storage.writes(), 0);  // the sink took them, not storage
}

}  // namespace
}  // namespace spoor
