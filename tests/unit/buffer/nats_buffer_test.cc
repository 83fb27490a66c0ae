// The NATS JetStream buffer against a real nats-server: what a collector's
// publisher acknowledged reaches storage through an ingester, unchanged and
// once, across NATS restarts, storage failures and oversized batches.
#include <gtest/gtest.h>
#include <nats/nats.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "buffer/nats/nats_connection.h"
#include "buffer/nats/nats_ingester.h"
#include "buffer/nats/nats_publisher.h"
#include "formats/otlp/otlp_decode.h"
#include "model/string_table.h"
#include "tests/unit/buffer/buffer_test_support.h"
#include "tests/unit/buffer/nats_server.h"
#include "tests/unit/gated_storage.h"
#include "tools/tracegen/workload.h"

namespace spoor {
namespace {

using testenv::NatsServer;

using testenv::Eventually;
using testenv::TracegenBatch;

NatsOptions OptionsFor(const NatsServer& server) {
  NatsOptions o = testenv::TestNatsOptions(server);
  o.parallelism = 2;
  return o;
}

std::set<TraceId> TraceIdsOf(const SpanBatch& batch) {
  std::set<TraceId> ids;
  for (const auto& rs : batch.resource_spans)
    for (const auto& ss : rs.scope_spans)
      for (const Span& s : ss.spans) ids.insert(s.trace_id);
  return ids;
}

// Every span of `batch`, stored exactly once and equal to what was sent.
void ExpectStoredOnce(GatedStorage& storage, const SpanBatch& batch) {
  std::map<TraceId, size_t> expected;
  for (const auto& rs : batch.resource_spans) {
    for (const auto& ss : rs.scope_spans) {
      for (const Span& span : ss.spans) {
        ++expected[span.trace_id];
        auto trace = storage.GetTrace(span.trace_id, {});
        ASSERT_TRUE(trace.ok());
        bool found = false;
        for (const SpanRecord& r : trace->spans) {
          if (r.span.span_id != span.span_id) continue;
          EXPECT_FALSE(found) << "span " << span.span_id.Hex() << " stored twice";
          found = true;
          EXPECT_TRUE(r.span == span) << "span " << span.span_id.Hex() << " changed";
          EXPECT_EQ(r.resource->attributes, rs.resource->attributes);
          EXPECT_EQ(r.scope->name, ss.scope->name);
        }
        EXPECT_TRUE(found) << "span " << span.span_id.Hex() << " missing";
      }
    }
  }
  for (const auto& [id, n] : expected) EXPECT_EQ(storage.StoredSpans(id), n) << id.Hex32();
}

// Every span of `batch` is stored (a trace's spans may come in different
// messages: each trace must have all of them, not just one).
bool AllStored(GatedStorage& storage, const SpanBatch& batch) {
  std::map<TraceId, size_t> expected;
  for (const auto& rs : batch.resource_spans)
    for (const auto& ss : rs.scope_spans)
      for (const Span& span : ss.spans) ++expected[span.trace_id];
  for (const auto& [id, n] : expected)
    if (storage.StoredSpans(id) < n) return false;
  return true;
}

// Runs an ingester on `storage` until every span of `batch` is there, then
// checks that each is there once and unchanged.
void ExpectIngestedOnce(const NatsOptions& options, const SpanBatch& batch, GatedStorage& storage) {
  NatsIngester ingester(options, storage);
  ASSERT_TRUE(ingester.Start().ok());
  ASSERT_TRUE(Eventually([&] { return AllStored(storage, batch); }));
  ingester.Stop();
  ExpectStoredOnce(storage, batch);
}

// Messages the stream holds now.
uint64_t StreamMessages(const NatsOptions& options) {
  nats::Connection connection(options);
  if (!connection.Connect("test").ok()) return ~0ULL;
  jsStreamInfo* info = nullptr;
  if (js_GetStreamInfo(&info, connection.jetstream(), options.stream.c_str(), nullptr, nullptr) !=
      NATS_OK) {
    return ~0ULL;
  }
  uint64_t n = info->State.Msgs;
  jsStreamInfo_Destroy(info);
  return n;
}

Counter& IngesterCounter(const char* name) {
  return MetricsRegistry::Global().GetCounter(name, "", {});
}

TEST(NatsBuffer, AcknowledgedBatchesReachStorageUnchanged) {
  NatsServer server;
  NatsOptions options = OptionsFor(server);
  NatsPublisher publisher(options);
  ASSERT_TRUE(publisher.Start().ok());
  IngestMetrics metrics("test", "nats_unchanged");
  SpanBatch sent;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    SpanBatch batch = TracegenBatch(seed);
    for (auto& rs : batch.resource_spans) sent.resource_spans.push_back(rs);
    ASSERT_TRUE(publisher.Submit(std::move(batch), metrics).ok());
  }
  EXPECT_EQ(metrics.spans_accepted.value(), 500u);
  EXPECT_EQ(StreamMessages(options), 5u);  // acknowledged: in the stream

  GatedStorage storage;
  NatsIngester ingester(options, storage);
  ASSERT_TRUE(ingester.Start().ok());
  ASSERT_TRUE(Eventually([&] { return AllStored(storage, sent); }));
  ASSERT_TRUE(Eventually([&] { return StreamMessages(options) == 0; }));  // acknowledged
  ingester.Stop();
  ExpectStoredOnce(storage, sent);
}

TEST(NatsBuffer, WhatWasAcknowledgedSurvivesANatsCrash) {
  NatsServer server;
  NatsOptions options = OptionsFor(server);
  SpanBatch batch = TracegenBatch(11);
  {
    NatsPublisher publisher(options);
    ASSERT_TRUE(publisher.Start().ok());
    IngestMetrics metrics("test", "nats_crash");
    ASSERT_TRUE(publisher.Submit(batch, metrics).ok());
  }
  server.Kill();
  server.Start();
  GatedStorage storage;
  ExpectIngestedOnce(options, batch, storage);
}

TEST(NatsBuffer, UnreachableNatsIsRefusedAndCountedThenRecovers) {
  NatsServer server;
  NatsOptions options = OptionsFor(server);
  options.publish_timeout_ns = 300'000'000;
  NatsPublisher publisher(options);
  ASSERT_TRUE(publisher.Start().ok());
  IngestMetrics metrics("test", "nats_down");
  server.Stop();
  Status refused = publisher.Submit(TracegenBatch(21), metrics);
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
  EXPECT_EQ(metrics.spans_refused_unavailable.value(), 100u);
  EXPECT_EQ(metrics.spans_accepted.value(), 0u);

  server.Start();
  SpanBatch batch = TracegenBatch(22);
  ASSERT_TRUE(Eventually([&] { return publisher.Submit(batch, metrics).ok(); }));
  EXPECT_EQ(metrics.spans_accepted.value(), 100u);
  GatedStorage storage;
  NatsIngester ingester(options, storage);
  ASSERT_TRUE(ingester.Start().ok());
  ASSERT_TRUE(Eventually([&] { return AllStored(storage, batch); }));
}

TEST(NatsBuffer, CollectorsAndIngestersStartBeforeNats) {
  NatsServer server;
  NatsOptions options = OptionsFor(server);
  server.Stop();
  NatsPublisher publisher(options);
  ASSERT_TRUE(publisher.Start().ok());  // connects in the background
  GatedStorage storage;
  NatsIngester ingester(options, storage);
  ASSERT_TRUE(ingester.Start().ok());
  server.Start();
  IngestMetrics metrics("test", "nats_late");
  SpanBatch batch = TracegenBatch(31);
  ASSERT_TRUE(Eventually([&] { return publisher.Submit(batch, metrics).ok(); }));
  ASSERT_TRUE(Eventually([&] { return AllStored(storage, batch); }));
  ingester.Stop();
  ExpectStoredOnce(storage, batch);
}

TEST(NatsBuffer, ABatchLargerThanMaxPayloadIsSplit) {
  NatsServer server("max_payload: 16384");
  NatsOptions options = OptionsFor(server);
  NatsPublisher publisher(options);
  ASSERT_TRUE(publisher.Start().ok());
  Counter& published = IngesterCounter("spoor_nats_published_messages_total");
  uint64_t before = published.value();
  IngestMetrics metrics("test", "nats_split");
  SpanBatch batch = TracegenBatch(41, 1000);  // ~300 KB
  ASSERT_TRUE(publisher.Submit(batch, metrics).ok());
  EXPECT_GT(published.value() - before, 16u);
  EXPECT_EQ(metrics.spans_accepted.value(), 1000u);
  GatedStorage storage;
  ExpectIngestedOnce(options, batch, storage);
}

TEST(NatsBuffer, ASpanLargerThanMaxPayloadIsRefused) {
  NatsServer server("max_payload: 4096");
  NatsOptions options = OptionsFor(server);
  NatsPublisher publisher(options);
  ASSERT_TRUE(publisher.Start().ok());
  SpanBatch batch = TracegenBatch(51, 1);
  Span& span = batch.resource_spans[0].scope_spans[0].spans[0];
  span.attributes.push_back({Intern("big"), AnyValue::String(std::string(8000, 'x'))});
  IngestMetrics metrics("test", "nats_too_large");
  Status s = publisher.Submit(batch, metrics);
  EXPECT_EQ(s.code(), StatusCode::kTooLarge);
  EXPECT_NE(s.message().find("max_payload"), std::string::npos) << s.message();
  EXPECT_EQ(metrics.spans_refused_unavailable.value(), 1u);
}

TEST(NatsBuffer, TheStreamDropsARetriedPublishBySameMessageId) {
  NatsServer server;
  NatsOptions options = OptionsFor(server);
  nats::Connection connection(options);
  ASSERT_TRUE(connection.Connect("test").ok());
  ASSERT_TRUE(Eventually([&] { return connection.EnsureStream().ok(); }));
  for (int i = 0; i < 2; ++i) {
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = "collector-1-42";
    jsPubAck* ack = nullptr;
    ASSERT_EQ(
        js_Publish(&ack, connection.jetstream(), options.subject.c_str(), "x", 1, &po, nullptr),
        NATS_OK);
    EXPECT_EQ(ack->Duplicate, i == 1);
    jsPubAck_Destroy(ack);
  }
  EXPECT_EQ(StreamMessages(options), 1u);
}

TEST(NatsBuffer, FailedWritesAreNotAcknowledgedAndAreRetried) {
  NatsServer server;
  NatsOptions options = OptionsFor(server);
  NatsPublisher publisher(options);
  ASSERT_TRUE(publisher.Start().ok());
  IngestMetrics metrics("test", "nats_failing");
  SpanBatch batch = TracegenBatch(61);
  ASSERT_TRUE(publisher.Submit(batch, metrics).ok());
  Counter& failures = IngesterCounter("spoor_ingester_write_failures_total");
  Counter& redelivered = IngesterCounter("spoor_ingester_messages_redelivered_total");
  uint64_t failures_before = failures.value();
  uint64_t redelivered_before = redelivered.value();
  GatedStorage storage;
  storage.FailNextWrites(3);
  NatsIngester ingester(options, storage);
  ASSERT_TRUE(ingester.Start().ok());
  ASSERT_TRUE(Eventually([&] { return AllStored(storage, batch); }));
  ASSERT_TRUE(Eventually([&] { return StreamMessages(options) == 0; }));
  ingester.Stop();
  EXPECT_EQ(failures.value() - failures_before, 3u);
  EXPECT_GE(redelivered.value() - redelivered_before, 3u);
  ExpectStoredOnce(storage, batch);
}

TEST(NatsBuffer, IngestersShareTheStream) {
  NatsServer server;
  NatsOptions options = OptionsFor(server);
  options.fetch_batch = 1;
  NatsPublisher publisher(options);
  ASSERT_TRUE(publisher.Start().ok());
  IngestMetrics metrics("test", "nats_shared");
  // Both stores hold their writes until each ingester has taken a message:
  // neither can drain the stream alone however the two are scheduled.
  GatedStorage first_storage(/*gated=*/true);
  GatedStorage second_storage(/*gated=*/true);
  NatsIngester first(options, first_storage);
  NatsIngester second(options, second_storage);
  ASSERT_TRUE(first.Start().ok());
  ASSERT_TRUE(second.Start().ok());
  std::set<TraceId> sent;
  for (uint64_t seed = 100; seed < 140; ++seed) {
    SpanBatch batch = TracegenBatch(seed, 10);  // one trace each
    for (const TraceId& id : TraceIdsOf(batch)) sent.insert(id);
    ASSERT_TRUE(publisher.Submit(std::move(batch), metrics).ok());
  }
  ASSERT_TRUE(first_storage.WaitForWrites(1));
  ASSERT_TRUE(second_storage.WaitForWrites(1));
  first_storage.Release();
  second_storage.Release();
  auto stored_by = [&sent](GatedStorage& s) {
    size_t n = 0;
    for (const TraceId& id : sent) n += s.StoredSpans(id) > 0 ? 1 : 0;
    return n;
  };
  ASSERT_TRUE(
      Eventually([&] { return stored_by(first_storage) + stored_by(second_storage) >= 40; }));
  first.Stop();
  second.Stop();
  EXPECT_EQ(stored_by(first_storage) + stored_by(second_storage), 40u);  // none in both
  EXPECT_GT(stored_by(first_storage), 0u);
  EXPECT_GT(stored_by(second_storage), 0u);
}

TEST(NatsBuffer, AMessageThatIsNotOtlpIsTerminatedAndCounted) {
  NatsServer server;
  NatsOptions options = OptionsFor(server);
  nats::Connection connection(options);
  ASSERT_TRUE(connection.Connect("test").ok());
  ASSERT_TRUE(Eventually([&] { return connection.EnsureStream().ok(); }));
  const char garbage[] = "\x0a\xff\xff\xff\xff\x0f not protobuf";
  ASSERT_EQ(js_Publish(nullptr, connection.jetstream(), options.subject.c_str(), garbage,
                       sizeof garbage - 1, nullptr, nullptr),
            NATS_OK);
  NatsPublisher publisher(options);
  ASSERT_TRUE(publisher.Start().ok());
  IngestMetrics metrics("test", "nats_garbage");
  SpanBatch batch = TracegenBatch(71);
  ASSERT_TRUE(publisher.Submit(batch, metrics).ok());
  Counter& malformed = IngesterCounter("spoor_ingester_messages_malformed_total");
  uint64_t before = malformed.value();
  GatedStorage storage;
  NatsIngester ingester(options, storage);
  ASSERT_TRUE(ingester.Start().ok());
  ASSERT_TRUE(Eventually([&] { return AllStored(storage, batch); }));
  ASSERT_TRUE(Eventually([&] { return StreamMessages(options) == 0; }));
  ingester.Stop();
  EXPECT_EQ(malformed.value() - before, 1u);
}

}  // namespace
}  // namespace spoor
