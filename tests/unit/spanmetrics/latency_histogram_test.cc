#include "spanmetrics/latency_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace spoor {
namespace {

TEST(LatencyHistogram, BucketsTileTheRangeWithoutGaps) {
  for (uint32_t b = 0; b < LatencyHistogram::kMaxBucket; ++b) {
    ASSERT_EQ(LatencyHistogram::BucketUpper(b), LatencyHistogram::BucketLower(b + 1)) << b;
    ASSERT_LT(LatencyHistogram::BucketLower(b), LatencyHistogram::BucketUpper(b)) << b;
    ASSERT_EQ(LatencyHistogram::BucketOf(LatencyHistogram::BucketLower(b)), b);
    ASSERT_EQ(LatencyHistogram::BucketOf(LatencyHistogram::BucketUpper(b) - 1), b);
  }
  EXPECT_EQ(LatencyHistogram::BucketOf(UINT64_MAX), LatencyHistogram::kMaxBucket);
  EXPECT_EQ(LatencyHistogram::BucketOf(0), 0u);
}

TEST(LatencyHistogram, MidpointIsWithinTheStatedErrorOfEveryValueInItsBucket) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    uint64_t v = rng() >> (rng() % 64);
    if (v == 0) continue;
    double mid = LatencyHistogram::BucketMidpoint(LatencyHistogram::BucketOf(v));
    double err = std::abs(mid - static_cast<double>(v)) / static_cast<double>(v);
    ASSERT_LE(err, LatencyHistogram::kRelativeError) << v;
  }
}

TEST(LatencyHistogram, QuantilesMatchNearestRankWithinTheBound) {
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> dist(std::log(2e6), 1.5);  // around 2 ms
  std::vector<uint64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 10001; ++i) {
    auto v = static_cast<uint64_t>(dist(rng)) + 1;
    values.push_back(v);
    h.Add(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.0, 0.01, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0}) {
    size_t rank = std::max<size_t>(1, static_cast<size_t>(std::ceil(q * values.size())));
    auto exact = static_cast<double>(values[rank - 1]);
    double got = *h.QuantileNs(q);
    EXPECT_LE(std::abs(got - exact) / exact, LatencyHistogram::kRelativeError) << q;
  }
  EXPECT_EQ(h.count(), values.size());
}

TEST(LatencyHistogram, EmptyHasNoQuantile) {
  LatencyHistogram h;
  EXPECT_FALSE(h.QuantileNs(0.5).has_value());
}

TEST(LatencyHistogram, MergeEqualsAddingEverything) {
  LatencyHistogram a;
  LatencyHistogram b;
  LatencyHistogram all;
  for (uint64_t v : std::vector<uint64_t>{5, 1000, 70000}) {
    a.Add(v);
    all.Add(v);
  }
  for (uint64_t v : std::vector<uint64_t>{3, 1ULL << 40, 999}) {
    b.Add(v, 2);
    all.Add(v, 2);
  }
  a.Merge(b);
  EXPECT_EQ(a, all);
  EXPECT_EQ(a.count(), 9u);
  LatencyHistogram empty;
  empty.Merge(a);
  EXPECT_EQ(empty, all);
}

TEST(LatencyHistogram, EncodingRoundTrips) {
  LatencyHistogram h;
  for (uint64_t v : std::vector<uint64_t>{0, 15, 16, 123456, 1ULL << 50, UINT64_MAX}) {
    h.Add(v, v % 7 + 1);
  }
  std::string bytes;
  h.AppendEncoded(bytes);
  LatencyHistogram back;
  ASSERT_TRUE(back.Decode(bytes));
  EXPECT_EQ(back, h);
}

TEST(LatencyHistogram, MalformedEncodingIsRefusedAndLeavesTheHistogramUnchanged) {
  LatencyHistogram h;
  h.Add(1000);
  LatencyHistogram before = h;
  std::string good;
  h.AppendEncoded(good);
  for (const std::string& bad :
       {std::string(), std::string("\x01", 1), std::string("\x01\x05\x00", 3), good + "x",
        std::string("\x02\x05\x01\x00\x01", 5), std::string("\x01\xff\xff\xff\x0f\x01")}) {
    EXPECT_FALSE(h.Decode(bad));
    EXPECT_EQ(h, before);
  }
}

}  // namespace
}  // namespace spoor
