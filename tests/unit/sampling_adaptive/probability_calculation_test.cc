// Adaptive sampling's calculation against worked examples, and a
// simulation of operations at very different rates converging to the
// target.
#include "sampling/adaptive/probability_calculation.h"

#include <gtest/gtest.h>

#include <cmath>

namespace spoor {
namespace {

AdaptiveSamplingOptions Defaults() {
  return AdaptiveSamplingOptions{};  // target 1/s, tolerance 0.3, initial 0.001, min 1e-5
}

ThroughputReport Report(const std::string& collector,
                        std::vector<std::pair<std::string, uint64_t>> op_counts) {
  ThroughputReport r;
  r.collector = collector;
  for (auto& [op, n] : op_counts) r.throughput.push_back({"svc", op, n, {}});
  return r;
}

TEST(BucketWeights, AreFourthPowersNewestFirstNormalised) {
  EXPECT_EQ(BucketWeights(1), std::vector<double>{1.0});
  auto w2 = BucketWeights(2);
  EXPECT_DOUBLE_EQ(w2[0], 16.0 / 17);
  EXPECT_DOUBLE_EQ(w2[1], 1.0 / 17);
  auto w3 = BucketWeights(3);
  EXPECT_DOUBLE_EQ(w3[0], 81.0 / 98);
  EXPECT_DOUBLE_EQ(w3[2], 1.0 / 98);
}

TEST(NextProbability, WorkedExamples) {
  AdaptiveSamplingOptions o = Defaults();
  // Steady traffic within 30% of the target: unchanged.
  EXPECT_DOUBLE_EQ(NextProbability(o, 0.1, 1.2), 0.1);
  EXPECT_DOUBLE_EQ(NextProbability(o, 0.1, 0.75), 0.1);
  // Too many samples: down at once, by target / rate.
  EXPECT_DOUBLE_EQ(NextProbability(o, 0.1, 10), 0.01);
  // Too few: up by target / rate, at most doubling.
  EXPECT_NEAR(NextProbability(o, 0.1, 0.6), 0.1 / 0.6, 1e-12);
  EXPECT_DOUBLE_EQ(NextProbability(o, 0.1, 0.1), 0.2);
  // Nothing sampled: doubled, so that the operation samples at all.
  EXPECT_DOUBLE_EQ(NextProbability(o, 0.1, 0), 0.2);
  // The floor and the ceiling.
  EXPECT_DOUBLE_EQ(NextProbability(o, 1e-5, 1000), 1e-5);
  EXPECT_DOUBLE_EQ(NextProbability(o, 0.8, 0), 1.0);
  // Another target.
  o.target_samples_per_second = 10;
  EXPECT_DOUBLE_EQ(NextProbability(o, 0.5, 100), 0.05);
}

TEST(ProbabilityCalculation, ANewOperationStartsFromTheInitialProbability) {
  ProbabilityCalculation calc(Defaults());
  // 6,000 sampled in 60 s at 0.001: 100/s sampled; far too many.
  calc.AddBucket({Report("a", {{"hot", 6000}})}, 60);
  CalculatedProbabilities r = calc.Calculate({});
  EXPECT_DOUBLE_EQ(r.qps["svc"]["hot"], 100);
  EXPECT_DOUBLE_EQ(r.probabilities["svc"]["hot"], 1e-5);  // 0.001 / 100, at the floor
}

TEST(ProbabilityCalculation, CollectorsReportsAreAddedUp) {
  ProbabilityCalculation calc(Defaults());
  calc.AddBucket({Report("a", {{"op", 30}}), Report("b", {{"op", 30}, {"other", 60}})}, 60);
  CalculatedProbabilities r = calc.Calculate({{"svc", {{"op", 0.5}, {"other", 0.5}}}});
  EXPECT_DOUBLE_EQ(r.qps["svc"]["op"], 1.0);
  EXPECT_DOUBLE_EQ(r.probabilities["svc"]["op"], 0.5);  // on target
  EXPECT_DOUBLE_EQ(r.qps["svc"]["other"], 1.0);
}

TEST(ProbabilityCalculation, ABurstIsCorrectedAtOnceAndRecoveryIsCapped) {
  ProbabilityCalculation calc(Defaults());
  ServiceOperationProbabilities p = {{"svc", {{"op", 0.1}}}};
  calc.AddBucket({Report("a", {{"op", 60}})}, 60);  // 1/s: on target
  p = calc.Calculate(p).probabilities;
  EXPECT_DOUBLE_EQ(p["svc"]["op"], 0.1);
  calc.AddBucket({Report("a", {{"op", 1200}})}, 60);  // a burst: 20/s
  p = calc.Calculate(p).probabilities;
  EXPECT_DOUBLE_EQ(p["svc"]["op"], 0.005);
  calc.AddBucket({Report("a", {{"op", 3}})}, 60);  // back to normal: 0.05/s at 0.005
  p = calc.Calculate(p).probabilities;
  EXPECT_DOUBLE_EQ(p["svc"]["op"], 0.01);  // +100% at most
}

TEST(ProbabilityCalculation, TrafficThatStops) {
  AdaptiveSamplingOptions o = Defaults();
  o.aggregation_buckets = 3;
  ProbabilityCalculation calc(o);
  ServiceOperationProbabilities p = {{"svc", {{"op", 0.1}}}};
  // Only lower-bound samples (a count of 0): the probability doubles.
  calc.AddBucket({Report("a", {{"op", 0}})}, 60);
  p = calc.Calculate(p).probabilities;
  EXPECT_DOUBLE_EQ(p["svc"]["op"], 0.2);
  // Nothing at all any more: the last rate seen still holds...
  calc.AddBucket({}, 60);
  p = calc.Calculate(p).probabilities;
  EXPECT_DOUBLE_EQ(p["svc"]["op"], 0.4);
  calc.AddBucket({}, 60);
  // ...until the buckets that saw it are gone: then the operation is
  // dropped (and served the default again).
  calc.AddBucket({}, 60);
  EXPECT_TRUE(calc.Calculate(p).probabilities.empty());
}

TEST(ProbabilityCalculation, RatesAreReadWithTheProbabilityTheyWereSampledWith) {
  ProbabilityCalculation calc(Defaults());
  // 1,000 requests a second: 600 sampled in 60 s at 0.01 (reported with
  // it), while the probability served is already 0.001.
  ThroughputReport r;
  r.collector = "a";
  r.throughput.push_back({"svc", "op", 600, {0.01}});
  calc.AddBucket({r}, 60);
  CalculatedProbabilities got = calc.Calculate({{"svc", {{"op", 0.001}}}});
  EXPECT_DOUBLE_EQ(got.qps["svc"]["op"], 1.0);              // what 0.001 gives
  EXPECT_DOUBLE_EQ(got.probabilities["svc"]["op"], 0.001);  // not corrected twice
  // Two collectors still serving different probabilities.
  ThroughputReport a;
  a.collector = "a";
  a.throughput.push_back({"svc", "op", 300, {0.01}});  // 500 requests/s at 0.01
  ThroughputReport b;
  b.collector = "b";
  b.throughput.push_back({"svc", "op", 30, {0.001}});  // 500 requests/s at 0.001
  calc.AddBucket({a, b}, 60);
  got = calc.Calculate({{"svc", {{"op", 0.001}}}});
  EXPECT_DOUBLE_EQ(got.qps["svc"]["op"], 1.0);
}

TEST(ProbabilityCalculation, RecentBucketsWeighMore) {
  AdaptiveSamplingOptions o = Defaults();
  o.buckets_for_calculation = 2;
  ProbabilityCalculation calc(o);
  calc.AddBucket({Report("a", {{"op", 60 * 17}})}, 60);  // older: 17/s
  calc.AddBucket({Report("a", {{"op", 0}})}, 60);        // newest: 0/s
  CalculatedProbabilities r = calc.Calculate({{"svc", {{"op", 0.5}}}});
  EXPECT_DOUBLE_EQ(r.qps["svc"]["op"], 1.0);  // 0 * 16/17 + 17 * 1/17
}

// Operations receiving 1,000, 50 and 1 requests a second, sampled at the
// probability served: every interval the leader sees rate x p sampled
// traces per second. Within 10 intervals each is within the tolerance of
// the target (1/s): 1,000/s at once (0.001 is the initial probability),
// 50/s after 4 (doubling from 0.001 to 0.016), 1/s after 10.
TEST(ProbabilityCalculation, OperationsAtVeryDifferentRatesConverge) {
  AdaptiveSamplingOptions o = Defaults();
  ProbabilityCalculation calc(o);
  const std::map<std::string, double> rates = {{"fast", 1000}, {"medium", 50}, {"slow", 1}};
  ServiceOperationProbabilities p;
  auto probability = [&](const std::string& op) {
    auto it = p["svc"].find(op);
    return it == p["svc"].end() ? o.initial_sampling_probability : it->second;
  };
  for (int interval = 1; interval <= 10; ++interval) {
    ThroughputReport report;
    report.collector = "a";
    for (const auto& [op, rate] : rates) {
      report.throughput.push_back(
          {"svc", op, static_cast<uint64_t>(std::llround(rate * 60 * probability(op))), {}});
    }
    calc.AddBucket({report}, 60);
    p = calc.Calculate(p).probabilities;
  }
  for (const auto& [op, rate] : rates) {
    double sampled = rate * probability(op);
    SCOPED_TRACE(op);
    EXPECT_LT(std::abs(sampled - 1) / 1, o.delta_tolerance) << probability(op);
  }
  EXPECT_NEAR(probability("fast"), 0.001, 0.0005);
  EXPECT_NEAR(probability("medium"), 0.02, 0.0061);
  EXPECT_GT(probability("slow"), 0.7);
}

}  // namespace
}  // namespace spoor
