// The adaptive sampling loop on a memory sampling store with a clock of
// the test's own: throughput saved and read back, one leader at a time,
// takeover when the leader stops or dies, the strategies served.
#include "sampling/adaptive/adaptive_sampler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>

#include "common/time_format.h"
#include "model/string_table.h"
#include "sampling/memory_sampling_store.h"

namespace spoor {
namespace {

constexpr uint64_t kSecond = 1000000000;
constexpr uint64_t kStart = 1800000000ULL * kSecond;

AdaptiveSamplingOptions Fast() {
  AdaptiveSamplingOptions o;
  o.calculation_interval_ns = 10 * kSecond;
  o.delay_ns = 10 * kSecond;
  o.leader_lease_refresh_interval_ns = 2 * kSecond;
  o.follower_lease_refresh_interval_ns = 6 * kSecond;
  o.initial_sampling_probability = 0.01;
  return o;
}

// One collector: its counter, the strategies it serves, its sampler.
struct Collector {
  Collector(const AdaptiveSamplingOptions& o, const std::string& name, SamplingStore& store)
      : strategies(AdaptiveStrategies(o, {}), ""), sampler(o, name, store, counter, strategies) {}

  // `requests` requests of svc/op, sampled at the probability served
  // (fractions carried over to the next call).
  void Receive(const std::string& op, double requests) {
    double p = Served(op);
    carry += requests * p;
    auto n = static_cast<size_t>(carry);
    carry -= static_cast<double>(n);
    std::vector<SampledRoot> roots(n, SampledRoot{Intern("svc"), Intern(op), true, p});
    counter.Record(roots);
  }

  double Served(const std::string& op) {
    Strategy s = StrategyFor(*strategies.Get(), "svc");
    for (const OperationStrategy& o : s.operation_strategies) {
      if (o.operation == op) return o.probability;
    }
    return s.param;
  }

  double carry = 0;
  ThroughputCounter counter;
  StrategiesHolder strategies;
  AdaptiveSampler sampler;
};

TEST(AdaptiveSampler, ExactlyOneLeaderAndItsProbabilitiesReachEveryCollector) {
  auto store = NewMemorySamplingStore();
  AdaptiveSamplingOptions o = Fast();
  Collector a(o, "a", *store);
  Collector b(o, "b", *store);
  uint64_t now = kStart;
  ASSERT_TRUE(a.sampler.Tick(now).ok());
  ASSERT_TRUE(b.sampler.Tick(now).ok());
  EXPECT_TRUE(a.sampler.is_leader());
  EXPECT_FALSE(b.sampler.is_leader());
  // 1,000 requests a second, half through each collector, sampled at the
  // probability each serves: 10 sampled a second at the initial 0.01.
  for (int second = 1; second <= 60; ++second) {
    now = kStart + static_cast<uint64_t>(second) * kSecond;
    a.Receive("op", 500);
    b.Receive("op", 500);
    ASSERT_TRUE(a.sampler.Tick(now).ok());
    ASSERT_TRUE(b.sampler.Tick(now).ok());
    ASSERT_NE(a.sampler.is_leader(), b.sampler.is_leader()) << second;
  }
  // 10 sampled per second against a target of 1: 0.01 -> 0.001 once the
  // leader's delayed read covered a counted interval; then 1 a second, on
  // target.
  EXPECT_NEAR(a.Served("op"), 0.001, 1e-12);
  auto latest = store->GetLatestProbabilities();
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->host, "a");
  EXPECT_NEAR(latest->qps["svc"]["op"], 1, 1e-9);
  // The follower reads them at its next refresh.
  EXPECT_NEAR(b.Served("op"), 0.001, 1e-12);
}

TEST(AdaptiveSampler, AFollowerTakesOverWhenTheLeaderStopsOrDies) {
  auto store = NewMemorySamplingStore();
  AdaptiveSamplingOptions o = Fast();
  auto a = std::make_unique<Collector>(o, "a", *store);
  Collector b(o, "b", *store);
  uint64_t now = kStart;
  ASSERT_TRUE(a->sampler.Tick(now).ok());
  ASSERT_TRUE(b.sampler.Tick(now).ok());
  ASSERT_TRUE(a->sampler.is_leader());
  // The leader dies (no more ticks, the lease is not freed): b leads
  // within two follower intervals.
  uint64_t died = now;
  while (!b.sampler.is_leader() && now < died + 3 * o.follower_lease_refresh_interval_ns) {
    now += kSecond;
    ASSERT_TRUE(b.sampler.Tick(now).ok());
  }
  ASSERT_TRUE(b.sampler.is_leader());
  EXPECT_LE(now - died, 2 * o.follower_lease_refresh_interval_ns);
  EXPECT_GT(now - died, o.leader_lease_refresh_interval_ns);  // not before the lease ran out
  // A third collector, started now, follows.
  Collector c(o, "c", *store);
  ASSERT_TRUE(c.sampler.Tick(now).ok());
  EXPECT_FALSE(c.sampler.is_leader());
}

TEST(AdaptiveSampler, ANewLeaderKeepsOperationsWithSparseTraffic) {
  auto store = NewMemorySamplingStore();
  AdaptiveSamplingOptions o = Fast();
  auto a = std::make_unique<Collector>(o, "a", *store);
  Collector b(o, "b", *store);
  uint64_t now = kStart;
  ASSERT_TRUE(a->sampler.Tick(now).ok());
  ASSERT_TRUE(b.sampler.Tick(now).ok());
  ASSERT_TRUE(a->sampler.is_leader());
  // "sparse" is seen once, early; "busy" all along.
  for (int second = 1; second <= 60; ++second) {
    now = kStart + static_cast<uint64_t>(second) * kSecond;
    if (second == 2) a->Receive("sparse", 10000);
    a->Receive("busy", 500);
    ASSERT_TRUE(a->sampler.Tick(now).ok());
    ASSERT_TRUE(b.sampler.Tick(now).ok());
  }
  double sparse = a->Served("sparse");
  ASSERT_NE(sparse, o.initial_sampling_probability);  // calculated
  // a stops cleanly; b leads from the stored counts of the last
  // aggregation_buckets intervals, which still hold "sparse".
  a->sampler.Stop();
  a.reset();
  for (int second = 61; second <= 75 && !b.sampler.is_leader(); ++second) {
    now = kStart + static_cast<uint64_t>(second) * kSecond;
    b.Receive("busy", 500);
    ASSERT_TRUE(b.sampler.Tick(now).ok());
  }
  ASSERT_TRUE(b.sampler.is_leader());
  for (int second = 76; second <= 100; ++second) {
    now = kStart + static_cast<uint64_t>(second) * kSecond;
    b.Receive("busy", 500);
    ASSERT_TRUE(b.sampler.Tick(now).ok());
  }
  EXPECT_DOUBLE_EQ(b.Served("sparse"), sparse);
}

TEST(AdaptiveSampler, ALeaderThatStopsFreesTheLease) {
  auto store = NewMemorySamplingStore();
  AdaptiveSamplingOptions o = Fast();
  Collector a(o, "a", *store);
  Collector b(o, "b", *store);
  ASSERT_TRUE(a.sampler.Start().ok());  // its thread takes the lease at once
  for (int i = 0; i < 200 && !a.sampler.is_leader(); ++i) usleep(10000);
  ASSERT_TRUE(a.sampler.is_leader());
  a.sampler.Stop();
  auto holder = store->LeaseHolder(kAdaptiveSamplingLease, NowNs());
  ASSERT_TRUE(holder.ok());
  EXPECT_EQ(*holder, "");
  ASSERT_TRUE(b.sampler.Tick(NowNs()).ok());
  EXPECT_TRUE(b.sampler.is_leader());
}

TEST(AdaptiveStrategies, ServePerOperationProbabilitiesWithTheLowerBound) {
  AdaptiveSamplingOptions o;
  SamplingStrategies s = AdaptiveStrategies(o, {{"svc", {{"GET /a", 0.25}}}});
  std::string json = StrategyResponseJson(s, "svc");
  EXPECT_NE(json.find("\"strategyType\":\"PROBABILISTIC\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"defaultSamplingProbability\":0.001"), std::string::npos) << json;
  EXPECT_NE(json.find("\"defaultLowerBoundTracesPerSecond\":0.016666666666666666"),
            std::string::npos)
      << json;
  EXPECT_NE(
      json.find("{\"operation\":\"GET /a\",\"probabilisticSampling\":{\"samplingRate\":0.25}}"),
      std::string::npos)
      << json;
  // A service not calculated yet: the initial probability, per operation.
  std::string other = StrategyResponseJson(s, "other");
  EXPECT_NE(other.find("\"perOperationStrategies\":[]"), std::string::npos) << other;
}

}  // namespace
}  // namespace spoor
