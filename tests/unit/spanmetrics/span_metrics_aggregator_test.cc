#include "spanmetrics/span_metrics_aggregator.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "spanmetrics/memory_span_metrics_store.h"
#include "tests/unit/spanmetrics/span_metrics_test_util.h"

namespace spoor {
namespace {

using namespace spanmetricstest;  // NOLINT(google-build-using-namespace)

void Count(SpanMetricsAggregator& agg, const SpanBatch& batch, uint64_t now = kBase) {
  SpanMetricsAggregator::Observation o;
  SpanMetricsAggregator::Observe(batch, &o);
  agg.Commit(o, now);
}

const SpanMetricsRow* Find(const std::vector<SpanMetricsRow>& rows, MetricsResolution r,
                           uint64_t bucket, const std::string& op) {
  for (const auto& row : rows) {
    if (row.resolution == r && row.bucket_start_ns == bucket && row.key.operation == op)
      return &row;
  }
  return nullptr;
}

TEST(SpanMetricsAggregator, CountsCallsErrorsAndLatencyPerTenSecondBucketAndRollsUp) {
  SpanMetricsAggregator agg(SpanMetricsOptions{});
  SpanBatch batch;
  AddSpan(batch, {"api", "GET /", SpanKind::kServer, kBase + 1 * kSecond, 5 * kMs, false});
  AddSpan(batch, {"api", "GET /", SpanKind::kServer, kBase + 9 * kSecond, 7 * kMs, true});
  AddSpan(batch, {"api", "GET /", SpanKind::kServer, kBase + 12 * kSecond, 9 * kMs, false});
  AddSpan(batch, {"api", "GET /", SpanKind::kClient, kBase + 1 * kSecond, 1 * kMs, false});
  Count(agg, batch);
  std::vector<SpanMetricsRow> rows = agg.TakeRows();
  ASSERT_EQ(rows.size(), 5u);  // 2 fine server rows, 1 fine client row, 2 coarse rows
  int fine_server = 0;
  for (const auto& r : rows) {
    if (r.resolution == MetricsResolution::kFine && r.key.kind == SpanKind::kServer) {
      ++fine_server;
      if (r.bucket_start_ns == kBase) {
        EXPECT_EQ(r.value.calls, 2u);
        EXPECT_EQ(r.value.errors, 1u);
        EXPECT_NEAR(*r.value.latency.QuantileNs(1.0), 7e6, 7e6 * LatencyHistogram::kRelativeError);
      } else {
        EXPECT_EQ(r.bucket_start_ns, kBase + 10 * kSecond);
        EXPECT_EQ(r.value.calls, 1u);
        EXPECT_EQ(r.value.errors, 0u);
      }
    }
    if (r.resolution == MetricsResolution::kCoarse && r.key.kind == SpanKind::kServer) {
      EXPECT_EQ(r.bucket_start_ns, kBase);
      EXPECT_EQ(r.value.calls, 3u);
      EXPECT_EQ(r.value.errors, 1u);
      EXPECT_EQ(r.value.latency.count(), 3u);
    }
  }
  EXPECT_EQ(fine_server, 2);
  EXPECT_EQ(rows[0].key.service, "api");
  // Taken once: the next take is empty until more spans come.
  EXPECT_TRUE(agg.TakeRows().empty());
}

TEST(SpanMetricsAggregator, AnObservationNotCommittedCountsNothing) {
  SpanMetricsAggregator agg(SpanMetricsOptions{});
  SpanBatch batch;
  AddSpan(batch, {"api", "op"});
  SpanMetricsAggregator::Observation o;
  SpanMetricsAggregator::Observe(batch, &o);
  EXPECT_EQ(o.size(), 1u);
  EXPECT_TRUE(agg.TakeRows().empty());
}

TEST(SpanMetricsAggregator, OperationsBeyondTheLimitAreCountedAsOne) {
  SpanMetricsOptions options;
  options.max_operations_per_service = 2;
  SpanMetricsAggregator agg(options);
  SpanBatch batch;
  for (const char* op : {"a", "b", "c", "d", "a"}) AddSpan(batch, {"svc", op});
  Count(agg, batch);
  std::vector<SpanMetricsRow> rows = agg.TakeRows();
  ASSERT_NE(Find(rows, MetricsResolution::kFine, kBase, "a"), nullptr);
  EXPECT_EQ(Find(rows, MetricsResolution::kFine, kBase, "a")->value.calls, 2u);
  ASSERT_NE(Find(rows, MetricsResolution::kFine, kBase, "b"), nullptr);
  EXPECT_EQ(Find(rows, MetricsResolution::kFine, kBase, "c"), nullptr);
  const SpanMetricsRow* other =
      Find(rows, MetricsResolution::kFine, kBase, std::string(kOverflowOperation));
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->value.calls, 2u);  // c and d
  EXPECT_EQ(agg.key_count(), 3u);
}

TEST(SpanMetricsAggregator, ImplausibleStartTimesAreCountedAtArrival) {
  SpanMetricsAggregator agg(SpanMetricsOptions{});
  SpanBatch batch;
  AddSpan(batch, {"svc", "old", SpanKind::kServer, 1000});  // 1970
  AddSpan(batch, {"svc", "future", SpanKind::kServer, kBase + 48 * 3600 * kSecond});
  Count(agg, batch, kBase + 25 * kSecond);
  std::vector<SpanMetricsRow> rows = agg.TakeRows();
  EXPECT_NE(Find(rows, MetricsResolution::kFine, kBase + 20 * kSecond, "old"), nullptr);
  EXPECT_NE(Find(rows, MetricsResolution::kFine, kBase + 20 * kSecond, "future"), nullptr);
}

TEST(SpanMetricsAggregator, RowsPutBackGoWithTheNextTake) {
  SpanMetricsAggregator agg(SpanMetricsOptions{});
  SpanBatch batch;
  AddSpan(batch, {"svc", "op"});
  Count(agg, batch);
  std::vector<SpanMetricsRow> rows = agg.TakeRows();
  agg.PutBack(rows);
  Count(agg, batch);
  std::vector<SpanMetricsRow> again = agg.TakeRows();
  auto store = NewMemorySpanMetricsStore();
  ASSERT_TRUE(store->AddSpanMetrics(again).ok());
  SpanMetricsRead read;
  read.services = {"svc"};
  read.start_ns = kBase;
  read.end_ns = kBase + kSecond;
  auto got = store->ReadSpanMetrics(read);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].value.calls, 2u);
}

TEST(SpanMetricsAggregator, RendersTheOpenTelemetrySpanMetricsSeries) {
  SpanMetricsOptions options;
  options.prometheus = true;
  SpanMetricsAggregator agg(options);
  SpanBatch batch;
  AddSpan(batch, {"shop \"eu\"", "GET /cart", SpanKind::kServer, kBase, 3 * kMs, false});
  AddSpan(batch, {"shop \"eu\"", "GET /cart", SpanKind::kServer, kBase, 60 * kMs, true});
  AddSpan(batch, {"shop \"eu\"", "GET /cart", SpanKind::kServer, kBase, 1 * kMs, false});
  Count(agg, batch);
  std::string out;
  agg.RenderPrometheus(out);
  const std::string labels =
      "service_name=\"shop \\\"eu\\\"\",span_name=\"GET /cart\",span_kind=\"SPAN_KIND_SERVER\"";
  EXPECT_NE(out.find("# TYPE traces_span_metrics_calls_total counter"), std::string::npos);
  EXPECT_NE(out.find("traces_span_metrics_calls_total{" + labels +
                     ",status_code=\"STATUS_CODE_UNSET\"} 2\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("traces_span_metrics_calls_total{" + labels +
                     ",status_code=\"STATUS_CODE_ERROR\"} 1\n"),
            std::string::npos);
  EXPECT_NE(out.find("traces_span_metrics_duration_milliseconds_bucket{" + labels +
                     ",status_code=\"STATUS_CODE_UNSET\",le=\"2\"} 1\n"),
            std::string::npos);
  EXPECT_NE(out.find("traces_span_metrics_duration_milliseconds_bucket{" + labels +
                     ",status_code=\"STATUS_CODE_UNSET\",le=\"4\"} 2\n"),
            std::string::npos);
  EXPECT_NE(out.find("traces_span_metrics_duration_milliseconds_bucket{" + labels +
                     ",status_code=\"STATUS_CODE_ERROR\",le=\"50\"} 0\n"),
            std::string::npos);
  EXPECT_NE(out.find("traces_span_metrics_duration_milliseconds_sum{" + labels +
                     ",status_code=\"STATUS_CODE_UNSET\"} 4\n"),
            std::string::npos);
  EXPECT_NE(out.find("traces_span_metrics_duration_milliseconds_count{" + labels +
                     ",status_code=\"STATUS_CODE_ERROR\"} 1\n"),
            std::string::npos);
}

TEST(SpanMetricsAggregator, RendersNothingWithoutTheFlag) {
  SpanMetricsAggregator agg(SpanMetricsOptions{});
  SpanBatch batch;
  AddSpan(batch, {"svc", "op"});
  Count(agg, batch);
  std::string out;
  agg.RenderPrometheus(out);
  EXPECT_TRUE(out.empty());
}

TEST(SpanMetricsAggregator, TenantsShareEachFamilyAndCarryTheirLabel) {
  SpanMetricsOptions options;
  options.prometheus = true;
  SpanMetricsAggregator acme(options);
  SpanMetricsAggregator beta(options);
  SpanBatch two;
  AddSpan(two, {"shop", "op"});
  AddSpan(two, {"shop", "op"});
  Count(acme, two);
  SpanBatch one;
  AddSpan(one, {"shop", "op"});
  Count(beta, one);
  std::string out;
  SpanMetricsAggregator::RenderPrometheus({{"acme", &acme}, {"beta", &beta}}, out);
  auto count = [&out](const std::string& s) {
    size_t n = 0;
    for (size_t at = out.find(s); at != std::string::npos; at = out.find(s, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("# TYPE traces_span_metrics_calls_total"), 1u) << out;
  EXPECT_EQ(count("# TYPE traces_span_metrics_duration_milliseconds"), 1u) << out;
  const std::string labels =
      "service_name=\"shop\",span_name=\"op\",span_kind=\"SPAN_KIND_SERVER\","
      "status_code=\"STATUS_CODE_UNSET\"";
  EXPECT_NE(out.find("traces_span_metrics_calls_total{" + labels + ",tenant=\"acme\"} 2\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("traces_span_metrics_calls_total{" + labels + ",tenant=\"beta\"} 1\n"),
            std::string::npos);
  // Every calls line before the first histogram line: one family, together.
  EXPECT_LT(out.rfind("traces_span_metrics_calls_total{"),
            out.find("traces_span_metrics_duration_milliseconds_bucket"));
}

TEST(SpanMetricsFlusher, StopWritesWhatWasCountedIntoTheStore) {
  SpanMetricsAggregator agg(SpanMetricsOptions{});
  auto store = NewMemorySpanMetricsStore();
  SpanMetricsFlusher flusher(agg, *store);
  flusher.Start();
  SpanBatch batch;
  AddSpan(batch, {"svc", "op", SpanKind::kServer, kBase + 3 * kSecond});
  Count(agg, batch, kBase + 4 * kSecond);
  ASSERT_TRUE(flusher.Stop().ok());
  for (MetricsResolution r : {MetricsResolution::kFine, MetricsResolution::kCoarse}) {
    SpanMetricsRead read;
    read.resolution = r;
    read.services = {"svc"};
    read.start_ns = kBase;
    read.end_ns = kBase + 600 * kSecond;
    auto got = store->ReadSpanMetrics(read);
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->size(), 1u);
    EXPECT_EQ((*got)[0].value.calls, 1u);
  }
}

}  // namespace
}  // namespace spoor
