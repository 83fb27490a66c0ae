#include "spanmetrics/metrics_query.h"

#include <gtest/gtest.h>

#include "spanmetrics/memory_span_metrics_store.h"
#include "spanmetrics/span_metrics_aggregator.h"
#include "tests/unit/spanmetrics/span_metrics_test_util.h"

namespace spoor {
namespace {

using namespace spanmetricstest;  // NOLINT(google-build-using-namespace)

constexpr uint64_t kMinute = 60 * kSecond;
constexpr uint64_t kFineRetention = 24 * 60 * kMinute;

class MetricsQueryTest : public ::testing::Test {
 protected:
  // Counts and stores the batch as the pipeline would.
  void Store(const SpanBatch& batch) {
    SpanMetricsAggregator agg(SpanMetricsOptions{});
    SpanMetricsAggregator::Observation o;
    SpanMetricsAggregator::Observe(batch, &o);
    agg.Commit(o, kBase);
    ASSERT_TRUE(store_->AddSpanMetrics(agg.TakeRows()).ok());
  }

  MetricFamilyResult Run(const MetricsQuery& q, uint64_t now = kBase + 60 * kMinute) {
    auto r = RunMetricsQuery(*store_, q, now, kFineRetention);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : MetricFamilyResult{};
  }

  std::unique_ptr<SpanMetricsStore> store_ = NewMemorySpanMetricsStore();
};

// 60 server calls of "GET /a" (one per second over the first minute, every
// third an error, durations 1..60 ms) and 30 of "GET /b" (10 ms), plus
// client spans that the default kind filter leaves out.
SpanBatch Workload() {
  SpanBatch batch;
  for (int i = 0; i < 60; ++i) {
    AddSpan(batch, {"api", "GET /a", SpanKind::kServer, kBase + i * kSecond,
                    static_cast<uint64_t>(i + 1) * kMs, i % 3 == 0});
  }
  for (int i = 0; i < 30; ++i) {
    AddSpan(batch, {"api", "GET /b", SpanKind::kServer, kBase + 2 * i * kSecond, 10 * kMs});
  }
  for (int i = 0; i < 50; ++i) {
    AddSpan(batch, {"api", "db", SpanKind::kClient, kBase + i * kSecond, 500 * kMs, true});
  }
  AddSpan(batch, {"other", "x", SpanKind::kServer, kBase, kMs});
  return batch;
}

MetricsQuery Query(MetricsQueryType type) {
  MetricsQuery q;
  q.type = type;
  q.services = {"api"};
  q.kinds = {SpanKind::kServer};
  q.end_ns = kBase + 3 * kMinute;
  q.lookback_ns = 3 * kMinute;
  q.step_ns = kMinute;
  q.rate_per_ns = 2 * kMinute;
  return q;
}

TEST_F(MetricsQueryTest, CallRateIsCallsInTheWindowPerSecondOfRatePer) {
  Store(Workload());
  MetricFamilyResult r = Run(Query(MetricsQueryType::kCalls));
  EXPECT_EQ(r.name, "service_call_rate");
  EXPECT_EQ(r.help, "calls/sec, grouped by service");
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_EQ(r.series[0].service, "api");
  // Points at base (window empty: left out), +1m, +2m, +3m (the window
  // [t - 2m, t) then starts after the spans).
  ASSERT_EQ(r.series[0].points.size(), 2u);
  EXPECT_EQ(r.series[0].points[0].first, kBase + kMinute);
  EXPECT_DOUBLE_EQ(r.series[0].points[0].second, 90.0 / 120);
  EXPECT_EQ(r.series[0].points[1].first, kBase + 2 * kMinute);
  EXPECT_DOUBLE_EQ(r.series[0].points[1].second, 90.0 / 120);
}

TEST_F(MetricsQueryTest, ErrorRateIsErrorsOverCalls) {
  Store(Workload());
  MetricsQuery q = Query(MetricsQueryType::kErrors);
  q.group_by_operation = true;
  MetricFamilyResult r = Run(q);
  EXPECT_EQ(r.name, "service_operation_error_rate");
  EXPECT_EQ(r.help,
            "error rate, computed as a fraction of errors/sec over calls/sec, grouped by service & "
            "operation");
  ASSERT_EQ(r.series.size(), 2u);
  EXPECT_EQ(r.series[0].operation, "GET /a");
  EXPECT_DOUBLE_EQ(r.series[0].points[0].second, 20.0 / 60);
  EXPECT_EQ(r.series[1].operation, "GET /b");
  EXPECT_DOUBLE_EQ(r.series[1].points[0].second, 0.0);  // calls but no errors: 0, not absent
}

TEST_F(MetricsQueryTest, LatencyQuantilesAreInMillisecondsWithinTheBound) {
  Store(Workload());
  MetricsQuery q = Query(MetricsQueryType::kLatencies);
  q.group_by_operation = true;
  for (auto [quantile, exact] : {std::pair{0.5, 30.0}, {0.95, 57.0}, {1.0, 60.0}}) {
    q.quantile = quantile;
    MetricFamilyResult r = Run(q);
    EXPECT_EQ(r.name, "service_operation_latencies");
    ASSERT_EQ(r.series.size(), 2u);
    double got = r.series[0].points[0].second;  // GET /a: durations 1..60 ms
    EXPECT_NEAR(got, exact, exact * LatencyHistogram::kRelativeError) << quantile;
    EXPECT_NEAR(r.series[1].points[0].second, 10.0, 10.0 * LatencyHistogram::kRelativeError);
  }
  q.quantile = 0.75;
  q.group_by_operation = false;
  EXPECT_EQ(Run(q).help, "0.75th quantile latency, grouped by service");
}

TEST_F(MetricsQueryTest, SpanKindsSelectWhatIsCounted) {
  Store(Workload());
  MetricsQuery q = Query(MetricsQueryType::kCalls);
  q.kinds = {SpanKind::kClient};
  MetricFamilyResult r = Run(q);
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_DOUBLE_EQ(r.series[0].points[0].second, 50.0 / 120);
  q.kinds = {};  // every kind
  EXPECT_DOUBLE_EQ(Run(q).series[0].points[0].second, 140.0 / 120);
}

TEST_F(MetricsQueryTest, SeveralServicesGiveOneSeriesEach) {
  Store(Workload());
  MetricsQuery q = Query(MetricsQueryType::kCalls);
  q.services = {"other", "api", "nobody"};
  MetricFamilyResult r = Run(q);
  ASSERT_EQ(r.series.size(), 2u);
  EXPECT_EQ(r.series[0].service, "api");
  EXPECT_EQ(r.series[1].service, "other");
}

TEST_F(MetricsQueryTest, OldWindowsAreReadFromFiveMinuteBuckets) {
  Store(Workload());
  MetricsQuery q = Query(MetricsQueryType::kCalls);
  q.end_ns = kBase + 10 * kMinute;
  q.lookback_ns = 10 * kMinute;
  q.step_ns = 5 * kMinute;
  q.rate_per_ns = 10 * kMinute;
  // Two days later the 10 s buckets are gone: the 5 min ones answer.
  MetricFamilyResult r = Run(q, kBase + 48 * 60 * kMinute);
  ASSERT_EQ(r.series.size(), 1u);
  ASSERT_EQ(r.series[0].points.size(), 2u);
  EXPECT_EQ(r.series[0].points[0].first, kBase + 5 * kMinute);
  EXPECT_DOUBLE_EQ(r.series[0].points[0].second, 90.0 / 600);
}

TEST_F(MetricsQueryTest, RefusesQueriesOutOfBounds) {
  MetricsQuery q = Query(MetricsQueryType::kCalls);
  q.services.clear();
  EXPECT_EQ(RunMetricsQuery(*store_, q, kBase, kFineRetention).status().code(),
            StatusCode::kInvalidArgument);
  q = Query(MetricsQueryType::kCalls);
  q.lookback_ns = 30ULL * 24 * 60 * kMinute;
  q.step_ns = kSecond;
  EXPECT_EQ(RunMetricsQuery(*store_, q, kBase, kFineRetention).status().code(),
            StatusCode::kInvalidArgument);
  q = Query(MetricsQueryType::kLatencies);
  q.quantile = 1.5;
  EXPECT_EQ(RunMetricsQuery(*store_, q, kBase, kFineRetention).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(MetricsQueryTest, WritesJaegersMetricFamilyJson) {
  MetricFamilyResult r;
  r.name = "service_operation_call_rate";
  r.help = "calls/sec, grouped by service & operation";
  r.group_by_operation = true;
  r.series.push_back({"api", "GET /a", {{kBase, 1.5}, {kBase + 1500 * kMs, 0}}});
  std::string json;
  AppendMetricFamilyJson(r, json);
  EXPECT_EQ(
      json,
      "{\"name\":\"service_operation_call_rate\",\"type\":\"GAUGE\",\"help\":\"calls/sec, "
      "grouped by service \\u0026 operation\",\"metrics\":[{\"labels\":[{\"name\":\"service_name\","
      "\"value\":\"api\"},{\"name\":\"operation\",\"value\":\"GET /a\"}],\"metricPoints\":[{"
      "\"gaugeValue\":{\"doubleValue\":1.5},\"timestamp\":\"2027-01-15T08:00:00Z\"},{"
      "\"gaugeValue\":{\"doubleValue\":0},\"timestamp\":\"2027-01-15T08:00:01.500Z\"}]}]}");
}

}  // namespace
}  // namespace spoor
