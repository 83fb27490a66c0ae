// The SpanMetricsStore contract on every backend that keeps span metrics:
// adds are additive, reads select services, kinds and buckets and come back
// ordered, retention drops old buckets, and (embedded) rows survive a
// restart.
#include "spanmetrics/span_metrics_store.h"

#include <gtest/gtest.h>

#include "tests/unit/storage/storage_backends.h"

namespace spoor::storagetest {
namespace {

constexpr uint64_t kSecond = 1000000000;
constexpr uint64_t kBase = 1800000000ULL * kSecond;

SpanMetricsRow Row(MetricsResolution r, uint64_t bucket, const std::string& service,
                   const std::string& op, SpanKind kind, uint64_t calls, uint64_t errors,
                   uint64_t latency_ns) {
  SpanMetricsRow row;
  row.resolution = r;
  row.bucket_start_ns = bucket;
  row.key = {service, op, kind};
  row.value.calls = calls;
  row.value.errors = errors;
  row.value.latency.Add(latency_ns, calls);
  return row;
}

class SpanMetricsStoreTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (store_ == nullptr) return;
    metrics_ = store_->span_metrics();
    if (metrics_ == nullptr) {
      if (GetParam().name == "memory" || GetParam().name == "embedded") {
        FAIL() << GetParam().name << " must keep span metrics";
      }
      GTEST_SKIP() << GetParam().name << " keeps no span metrics";
    }
  }

  std::vector<SpanMetricsRow> Read(SpanMetricsRead read) {
    auto rows = metrics_->ReadSpanMetrics(read);
    EXPECT_TRUE(rows.ok()) << rows.status().message();
    return rows.ok() ? *rows : std::vector<SpanMetricsRow>{};
  }

  static SpanMetricsRead All(const std::vector<std::string>& services,
                             MetricsResolution r = MetricsResolution::kFine) {
    SpanMetricsRead read;
    read.resolution = r;
    read.services = services;
    read.start_ns = 0;
    read.end_ns = UINT64_MAX;
    return read;
  }

  SpanMetricsStore* metrics_ = nullptr;
};

TEST_P(SpanMetricsStoreTest, AddsToWhatIsStored) {
  auto fine = MetricsResolution::kFine;
  ASSERT_TRUE(
      metrics_->AddSpanMetrics({Row(fine, kBase, "api", "GET", SpanKind::kServer, 3, 1, 1000)})
          .ok());
  ASSERT_TRUE(metrics_
                  ->AddSpanMetrics({Row(fine, kBase, "api", "GET", SpanKind::kServer, 2, 2, 5000),
                                    Row(fine, kBase, "api", "GET", SpanKind::kServer, 1, 0, 1000)})
                  .ok());
  auto rows = Read(All({"api"}));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].value.calls, 6u);
  EXPECT_EQ(rows[0].value.errors, 3u);
  EXPECT_EQ(rows[0].value.latency.count(), 6u);
  EXPECT_EQ(rows[0].key, (SpanMetricsKey{"api", "GET", SpanKind::kServer}));
  EXPECT_EQ(rows[0].bucket_start_ns, kBase);
}

TEST_P(SpanMetricsStoreTest, ReadsSelectServicesKindsBucketsAndResolution) {
  auto fine = MetricsResolution::kFine;
  auto coarse = MetricsResolution::kCoarse;
  ASSERT_TRUE(metrics_
                  ->AddSpanMetrics({
                      Row(fine, kBase + 10 * kSecond, "api", "b", SpanKind::kServer, 1, 0, 10),
                      Row(fine, kBase, "api", "b", SpanKind::kServer, 2, 0, 10),
                      Row(fine, kBase, "api", "a", SpanKind::kClient, 3, 0, 10),
                      Row(fine, kBase, "api", "a", SpanKind::kServer, 4, 0, 10),
                      Row(fine, kBase + 20 * kSecond, "api", "a", SpanKind::kServer, 5, 0, 10),
                      Row(fine, kBase, "apigw", "a", SpanKind::kServer, 6, 0, 10),
                      Row(fine, kBase, "ap", "a", SpanKind::kServer, 7, 0, 10),
                      Row(coarse, kBase, "api", "a", SpanKind::kServer, 8, 0, 10),
                  })
                  .ok());
  auto rows = Read(All({"api"}));
  ASSERT_EQ(rows.size(), 5u);
  // By key (service, operation, kind), then bucket.
  std::vector<std::pair<uint64_t, uint64_t>> calls_and_bucket;
  for (const auto& r : rows) calls_and_bucket.emplace_back(r.value.calls, r.bucket_start_ns);
  EXPECT_EQ(calls_and_bucket,
            (std::vector<std::pair<uint64_t, uint64_t>>{{4, kBase},
                                                        {5, kBase + 20 * kSecond},
                                                        {3, kBase},
                                                        {2, kBase},
                                                        {1, kBase + 10 * kSecond}}));
  SpanMetricsRead read = All({"api", "ap"});
  read.kinds = {SpanKind::kServer};
  read.start_ns = kBase;
  read.end_ns = kBase + 20 * kSecond;  // excludes the bucket starting there
  rows = Read(read);
  std::vector<uint64_t> calls;
  for (const auto& r : rows) calls.push_back(r.value.calls);
  EXPECT_EQ(calls, (std::vector<uint64_t>{7, 4, 2, 1}));
  rows = Read(All({"api"}, coarse));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].value.calls, 8u);
  EXPECT_TRUE(Read(All({"nobody"})).empty());
}

TEST_P(SpanMetricsStoreTest, RefusesMisalignedBucketsAndReadsWithoutService) {
  auto bad = Row(MetricsResolution::kCoarse, kBase + 10 * kSecond, "api", "a", SpanKind::kServer, 1,
                 0, 10);
  EXPECT_EQ(metrics_->AddSpanMetrics({bad}).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Read(All({"api"}, MetricsResolution::kCoarse)).empty());
  EXPECT_EQ(metrics_->ReadSpanMetrics(SpanMetricsRead{}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_P(SpanMetricsStoreTest, RetentionDropsOldBucketsPerResolution) {
  auto fine = MetricsResolution::kFine;
  auto coarse = MetricsResolution::kCoarse;
  constexpr uint64_t kTwoDays = 2 * 86400 * kSecond;
  ASSERT_TRUE(
      metrics_
          ->AddSpanMetrics({Row(fine, kBase - kTwoDays, "a", "x", SpanKind::kServer, 1, 0, 10),
                            Row(fine, kBase + 10 * kSecond, "a", "x", SpanKind::kServer, 2, 0, 10),
                            Row(fine, kBase - kTwoDays, "b", "x", SpanKind::kServer, 3, 0, 10),
                            Row(coarse, kBase - kTwoDays, "a", "x", SpanKind::kServer, 4, 0, 10),
                            Row(coarse, kBase, "a", "x", SpanKind::kServer, 5, 0, 10)})
          .ok());
  ASSERT_TRUE(metrics_->ExpireSpanMetrics(kBase + 10 * kSecond, kBase).ok());
  auto rows = Read(All({"a", "b"}));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].value.calls, 2u);
  rows = Read(All({"a"}, coarse));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].value.calls, 5u);
}

TEST_P(SpanMetricsStoreTest, SurvivesARestartWhereStorageDoes) {
  ASSERT_TRUE(metrics_
                  ->AddSpanMetrics({Row(MetricsResolution::kFine, kBase, "api", "GET",
                                        SpanKind::kServer, 3, 1, 1000)})
                  .ok());
  if (!opened_->Reopen()) GTEST_SKIP() << "nothing survives a restart of this backend";
  metrics_ = opened_->store()->span_metrics();
  ASSERT_NE(metrics_, nullptr);
  auto rows = Read(All({"api"}));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].value.calls, 3u);
  EXPECT_EQ(rows[0].value.errors, 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, SpanMetricsStoreTest, ::testing::ValuesIn(AllBackends()),
                         BackendName);

}  // namespace
}  // namespace spoor::storagetest
