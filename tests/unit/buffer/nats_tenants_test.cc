// Tenants on the NATS stream: each tenant's batches on subjects of its own,
// and ingesters writing each message to its tenant's store — against a real
// nats-server.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "buffer/nats/nats_ingester.h"
#include "buffer/nats/nats_publisher.h"
#include "buffer/nats/partitions.h"
#include "common/metrics.h"
#include "tests/unit/buffer/buffer_test_support.h"
#include "tests/unit/buffer/nats_server.h"
#include "tests/unit/gated_storage.h"

namespace spoor {
namespace {

using testenv::Eventually;
using testenv::NatsServer;
using testenv::TracegenBatch;

std::map<TraceId, size_t> SpansByTrace(const SpanBatch& batch) {
  std::map<TraceId, size_t> out;
  for (const auto& rs : batch.resource_spans)
    for (const auto& ss : rs.scope_spans)
      for (const Span& s : ss.spans) ++out[s.trace_id];
  return out;
}

TEST(NatsTenants, SubjectsNameTheTenant) {
  NatsOptions one;
  one.tenants = true;
  EXPECT_EQ(PublishSubject(one, "acme", 0), "spoor.spans.t.acme");
  EXPECT_EQ(PartitionSubject(one, 0), "spoor.spans.t.*");
  EXPECT_EQ(StreamSubject(one), "spoor.spans.t.*");
  EXPECT_EQ(TenantOfSubject(one, "spoor.spans.t.acme"), "acme");
  NatsOptions four = one;
  four.partitions = 4;
  EXPECT_EQ(PublishSubject(four, "acme", 3), "spoor.spans.t.acme.3");
  EXPECT_EQ(PartitionSubject(four, 3), "spoor.spans.t.*.3");
  EXPECT_EQ(StreamSubject(four), "spoor.spans.t.*.*");
  EXPECT_EQ(TenantOfSubject(four, "spoor.spans.t.beta.3"), "beta");
  EXPECT_EQ(TenantOfSubject(four, "spoor.spans.3"), "");
  // Without tenants nothing changes.
  EXPECT_EQ(PublishSubject(NatsOptions{}, "", 0), "spoor.spans");
  EXPECT_EQ(TenantOfSubject(NatsOptions{}, "spoor.spans.t.acme"), "");
}

class NatsTenantsOnAServer : public ::testing::TestWithParam<int> {};

TEST_P(NatsTenantsOnAServer, EachTenantsBatchesReachOnlyItsStore) {
  NatsServer server;
  NatsOptions options = testenv::TestNatsOptions(server);
  options.tenants = true;
  options.partitions = GetParam();
  NatsPublisher publisher(options);
  ASSERT_TRUE(publisher.Start().ok());
  NatsTenantSink acme_sink(publisher, "acme");
  NatsTenantSink beta_sink(publisher, "beta");
  NatsTenantSink refused_sink(publisher, "refused");
  IngestMetrics metrics("test", "nats_tenants");
  // The same trace IDs for both tenants (the same seed); acme sends twice
  // as many spans of them.
  SpanBatch acme_batch = TracegenBatch(31, 100);
  ASSERT_TRUE(acme_sink.Submit(TracegenBatch(31, 100), metrics).ok());
  ASSERT_TRUE(acme_sink.Submit(TracegenBatch(31, 100), metrics).ok());
  ASSERT_TRUE(beta_sink.Submit(TracegenBatch(31, 100), metrics).ok());
  ASSERT_TRUE(refused_sink.Submit(TracegenBatch(31, 100), metrics).ok());

  Counter& malformed =
      MetricsRegistry::Global().GetCounter("spoor_ingester_messages_malformed_total", "", {});
  uint64_t malformed_before = malformed.value();
  GatedStorage acme;
  GatedStorage beta;
  NatsIngester ingester(
      options,
      [&](const std::string& tenant) -> Result<NatsIngester::TenantTarget> {
        if (tenant == "acme") return NatsIngester::TenantTarget{&acme, nullptr};
        if (tenant == "beta") return NatsIngester::TenantTarget{&beta, nullptr};
        return InvalidArgument("unknown tenant '" + tenant + "'");
      },
      "test");
  ASSERT_TRUE(ingester.Start().ok());
  std::map<TraceId, size_t> expected = SpansByTrace(acme_batch);
  std::set<uint32_t> partitions;  // one refused message each
  for (const auto& [id, n] : expected) {
    partitions.insert(PartitionOf(id, static_cast<uint32_t>(GetParam())));
  }
  ASSERT_TRUE(Eventually([&] {
    for (const auto& [id, n] : expected) {
      if (acme.StoredSpans(id) < 2 * n || beta.StoredSpans(id) < n) return false;
    }
    return malformed.value() - malformed_before >= partitions.size();
  }));
  ingester.Stop();
  for (const auto& [id, n] : expected) {
    EXPECT_EQ(acme.StoredSpans(id), 2 * n);
    EXPECT_EQ(beta.StoredSpans(id), n);
  }
  // The refused tenant's messages, one per partition holding its spans,
  // were terminated and counted, not written anywhere.
  EXPECT_EQ(malformed.value() - malformed_before, partitions.size());
}

INSTANTIATE_TEST_SUITE_P(Partitions, NatsTenantsOnAServer, ::testing::Values(1, 4));

TEST(NatsTenants, AStreamMadeWithoutTenantsIsRefusedWithTheReason) {
  NatsServer server;
  NatsOptions options = testenv::TestNatsOptions(server);
  NatsPublisher plain(options);
  ASSERT_TRUE(plain.Start().ok());
  options.tenants = true;
  NatsPublisher tenants(options);
  Status s = tenants.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--multi-tenancy.enabled"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace spoor
