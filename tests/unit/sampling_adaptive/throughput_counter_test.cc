#include "sampling/adaptive/throughput_counter.h"

#include <gtest/gtest.h>

#include "model/string_table.h"
#include "sampling/adaptive/tenant_adaptive_sampling.h"
#include "sampling/memory_sampling_store.h"

namespace spoor {
namespace {

SpanBatch Batch(std::vector<std::pair<Span, std::string>> spans_and_services) {
  SpanBatch batch;
  for (auto& [span, service] : spans_and_services) {
    auto resource = std::make_shared<Resource>();
    resource->attributes.push_back({Intern("service.name"), AnyValue::String(service)});
    resource->ResolveServiceName();
    ResourceSpans rs;
    rs.resource = resource;
    rs.scope_spans.push_back({std::make_shared<Scope>(), {span}});
    batch.resource_spans.push_back(std::move(rs));
  }
  return batch;
}

Span Root(std::string_view op, std::string_view type, AnyValue param, uint64_t parent = 0) {
  Span s;
  s.trace_id = TraceId{1, 2};
  s.span_id = SpanId{7};
  s.parent_span_id = SpanId{parent};
  s.name = Intern(op);
  s.attributes.push_back({Intern("sampler.type"), AnyValue::String(type)});
  s.attributes.push_back({Intern("sampler.param"), std::move(param)});
  return s;
}

TEST(ThroughputCounter, CountsProbabilisticRootsAndKnowsTheOthers) {
  SpanBatch batch = Batch({
      {Root("GET /a", "probabilistic", AnyValue::Double(0.25)), "api"},
      {Root("GET /a", "probabilistic", AnyValue::String("0.5")), "api"},
      {Root("GET /a", "probabilistic", AnyValue::Double(0.25)), "api"},
      {Root("GET /b", "lowerbound", AnyValue::Double(0.001)), "api"},
      {Root("GET /c", "probabilistic", AnyValue::Double(1), /*parent=*/9), "api"},  // not a root
      {Root("GET /d", "remote", AnyValue::Double(1)), "api"},                       // unknown type
  });
  Span untagged;
  untagged.name = Intern("GET /e");
  SpanBatch more = Batch({{untagged, "api"}});
  std::vector<SampledRoot> roots;
  FindSampledRoots(batch, &roots);
  FindSampledRoots(more, &roots);
  ASSERT_EQ(roots.size(), 4u);
  ThroughputCounter counter;
  counter.Record(roots);
  // One entry per probability, so that each count is known with the
  // probability it was sampled with.
  std::vector<Throughput> got = counter.Take();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].service, "api");
  EXPECT_EQ(got[0].operation, "GET /a");
  EXPECT_EQ(got[0].count, 2u);
  EXPECT_EQ(got[0].probabilities, std::vector<double>{0.25});
  EXPECT_EQ(got[1].operation, "GET /a");
  EXPECT_EQ(got[1].count, 1u);
  EXPECT_EQ(got[1].probabilities, std::vector<double>{0.5});
  EXPECT_EQ(got[2].operation, "GET /b");
  EXPECT_EQ(got[2].count, 0u);  // known, not counted
  EXPECT_TRUE(counter.Take().empty());
}

// A sink that takes or refuses everything.
class FixedSink final : public SpanSink {
 public:
  explicit FixedSink(Status answer) : answer_(std::move(answer)) {}
  Status Submit(SpanBatch, IngestMetrics&) override { return answer_; }

 private:
  Status answer_;
};

TEST(ThroughputCountingSink, CountsOnlyWhatTheSinkTook) {
  IngestMetrics metrics("test", "test");
  ThroughputCounter counter;
  FixedSink refusing(Unavailable("full"));
  ThroughputCountingSink a(refusing, counter);
  EXPECT_FALSE(
      a.Submit(Batch({{Root("op", "probabilistic", AnyValue::Double(0.1)), "s"}}), metrics).ok());
  EXPECT_TRUE(counter.Take().empty());
  FixedSink taking(Status::Ok());
  ThroughputCountingSink b(taking, counter);
  EXPECT_TRUE(
      b.Submit(Batch({{Root("op", "probabilistic", AnyValue::Double(0.1)), "s"}}), metrics).ok());
  auto got = counter.Take();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].count, 1u);
}

// Per tenant: each tenant's roots are counted into its own store, through
// its own counting sink; a tenant never seen has no strategies of its own.
TEST(TenantAdaptiveSampling, CountsEachTenantIntoItsOwnStore) {
  AdaptiveSamplingOptions options;
  std::vector<std::string> opened;
  TenantAdaptiveSampling sampling(options, "test", [&opened](const std::string& tenant) {
    opened.push_back(tenant);
    if (tenant == "broken") return Result<std::unique_ptr<SamplingStore>>(Unavailable("down"));
    return Result<std::unique_ptr<SamplingStore>>(NewMemorySamplingStore());
  });
  EXPECT_EQ(sampling.StrategiesOf("acme"), nullptr);
  IngestMetrics metrics("test", "test");
  FixedSink taking(Status::Ok());
  auto acme = sampling.CountingSink("acme", taking);
  ASSERT_TRUE(acme.ok());
  auto again = sampling.CountingSink("acme", taking);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(acme.value(), again.value());  // one sink, one store per tenant
  auto beta = sampling.CountingSink("beta", taking);
  ASSERT_TRUE(beta.ok());
  EXPECT_NE(acme.value(), beta.value());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        acme.value()
            ->Submit(Batch({{Root("op", "probabilistic", AnyValue::Double(0.1)), "s"}}), metrics)
            .ok());
  }
  EXPECT_NE(sampling.StrategiesOf("acme"), nullptr);
  EXPECT_FALSE(sampling.CountingSink("broken", taking).ok());
  EXPECT_EQ(opened, (std::vector<std::string>{"acme", "beta", "broken"}));
  sampling.Stop();  // each sampler saves what it counted
  std::map<std::string, uint64_t> counted;
  sampling.ForEach([&counted](const TenantAdaptiveSampling::Tenant& t) {
    auto reports = t.store->GetThroughput(0, UINT64_MAX);
    ASSERT_TRUE(reports.ok());
    for (const ThroughputReport& r : reports.value()) {
      for (const Throughput& tp : r.throughput) counted[t.name] += tp.count;
    }
  });
  EXPECT_EQ(counted["acme"], 3u);
  EXPECT_EQ(counted["beta"], 0u);
  EXPECT_FALSE(sampling.Open("gamma").ok());  // stopped
}

}  // namespace
}  // namespace spoor
