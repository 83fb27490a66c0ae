// Tenants on the NATS stream: each tenant's batches on subjects of its own,
// and ingesters writing each message to its tenant's store — against a real
// nats-server.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

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
using testenv::ForEachSpan;
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
      "test", /*tail_sampling=*/false);
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

// Tail sampling with tenants: each ingester hands each tenant's batches to
// that tenant's sampler (a sink here), and reads its partitions alone, so
// each tenant's trace is seen whole by one ingester.
TEST(NatsTenants, IngestersWithTenantSinksSeeEachTenantsTracesWhole) {
  NatsServer server;
  NatsOptions options = testenv::TestNatsOptions(server);
  options.tenants = true;
  options.partitions = 4;
  options.partition_lease_ns = 3'000'000'000;
  NatsPublisher publisher(options);
  ASSERT_TRUE(publisher.Start().ok());
  GatedStorage storage;
  using Sinks = std::map<std::string, testenv::RecordingSink>;
  Sinks first_sinks;
  Sinks second_sinks;
  auto targets = [&storage](Sinks& sinks) {
    return [&storage, &sinks](const std::string& tenant) -> Result<NatsIngester::TenantTarget> {
      if (tenant != "acme" && tenant != "beta") return InvalidArgument("unknown");
      return NatsIngester::TenantTarget{&storage, nullptr, &sinks[tenant]};
    };
  };
  first_sinks["acme"];  // made before the loops read the maps
  first_sinks["beta"];
  second_sinks["acme"];
  second_sinks["beta"];
  NatsIngester first(options, targets(first_sinks), "test", /*tail_sampling=*/true, "first");
  NatsIngester second(options, targets(second_sinks), "test", /*tail_sampling=*/true, "second");
  ASSERT_TRUE(first.Start().ok());
  ASSERT_TRUE(second.Start().ok());
  ASSERT_TRUE(Eventually([&] {
    return first.partitions_owned() == 2 && second.partitions_owned() == 2;
  })) << first.partitions_owned()
      << " and " << second.partitions_owned();
  // The same 30 traces of 10 spans for both tenants, each span in a message
  // of its own, traces interleaved; acme's spans are sent twice.
  IngestMetrics metrics("test", "nats_tenant_sinks");
  std::map<std::string, std::unique_ptr<NatsTenantSink>> senders;
  for (const char* tenant : {"acme", "beta"}) {
    senders[tenant] = std::make_unique<NatsTenantSink>(publisher, tenant);
  }
  std::map<TraceId, size_t> sent;
  std::vector<SpanBatch> singles;
  for (uint64_t seed = 300; seed < 330; ++seed) {
    ForEachSpan(TracegenBatch(seed, 10),
                [&](const ResourceSpans& rs, const ScopeSpans& ss, const Span& s) {
                  SpanBatch one;
                  one.resource_spans.push_back({rs.resource, {{ss.scope, {s}}}});
                  singles.push_back(std::move(one));
                  ++sent[s.trace_id];
                });
  }
  for (int copy = 0; copy < 2; ++copy) {
    for (const SpanBatch& one : singles) {
      ASSERT_TRUE(senders["acme"]->Submit(one, metrics).ok());
      if (copy == 0) {
        ASSERT_TRUE(senders["beta"]->Submit(one, metrics).ok());
      }
    }
  }
  auto count = [](Sinks& sinks, const std::string& tenant) {
    size_t n = 0;
    for (const auto& [id, c] : sinks[tenant].spans()) n += c;
    return n;
  };
  ASSERT_TRUE(Eventually([&] {
    return count(first_sinks, "acme") + count(second_sinks, "acme") >= 2 * singles.size() &&
           count(first_sinks, "beta") + count(second_sinks, "beta") >= singles.size();
  }));
  first.Stop();
  second.Stop();
  for (const auto& [tenant, copies] :
       {std::pair{"acme", size_t{2}}, std::pair{"beta", size_t{1}}}) {
    auto a = first_sinks[tenant].spans();
    auto b = second_sinks[tenant].spans();
    EXPECT_EQ(count(first_sinks, tenant) + count(second_sinks, tenant), copies * singles.size())
        << tenant;
    for (const auto& [id, n] : sent) {
      // Whole in one ingester's sampler of this tenant, never split.
      size_t in_a = a.contains(id) ? a[id] : 0;
      size_t in_b = b.contains(id) ? b[id] : 0;
      EXPECT_TRUE((in_a == copies * n && in_b == 0) || (in_a == 0 && in_b == copies * n))
          << tenant << " " << id.Hex32() << ": " << in_a << " + " << in_b << " of " << n;
    }
    EXPECT_GT(a.size(), 0u) << tenant;
    EXPECT_GT(b.size(), 0u) << tenant;
  }
  EXPECT_EQ(storage.writes(), 0);  // the samplers took them, not storage
}

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
