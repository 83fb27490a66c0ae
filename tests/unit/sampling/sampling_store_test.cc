// The SamplingStore contract, run against every implementation so that they
// cannot drift apart: throughput buckets and their bounds, collectors kept
// apart, the latest probabilities, leases (also under concurrency) and
// retention.
#include "sampling/sampling_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <functional>
#include <latch>
#include <limits>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "buffer/nats/nats_lease_store.h"
#include "sampling/clickhouse_sampling_store.h"
#include "sampling/embedded_sampling_store.h"
#include "sampling/memory_sampling_store.h"
#include "sampling_test_util.h"
#include "storage/clickhouse/client.h"
#include "tests/unit/buffer/nats_server.h"
#include "tests/unit/clickhouse_servers.h"

namespace spoor {
namespace {

using spoor::testenv::ClickHouseClusterServers;
using spoor::testenv::ClickHouseServers;

constexpr uint64_t kSecond = 1000000000;
constexpr uint64_t kMinute = 60 * kSecond;
constexpr uint64_t kBase = 1700000000 * kSecond;
constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

struct Backend {
  std::string name;
  std::function<std::unique_ptr<SamplingStore>(const std::string& directory)> open;
};

void PrintTo(const Backend& backend, std::ostream* os) {
  *os << backend.name;
}

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

// A database of its own for each test, on the test run's server or, with
// `cluster`, on its cluster of 2 shards x 2 replicas.
std::unique_ptr<SamplingStore> OpenClickHouse(bool cluster) {
  static std::atomic<int> counter{0};
  auto servers =
      clickhouse::ParseServers(cluster ? ClickHouseClusterServers() : ClickHouseServers());
  EXPECT_TRUE(servers.ok()) << servers.status().message();
  if (!servers.ok()) return nullptr;
  ClickHouseStoreOptions options;
  options.servers = *servers;
  options.database = "spoor_sampling_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  if (cluster) options.cluster = "spoor";
  auto store = OpenClickHouseSamplingStore(options);
  EXPECT_TRUE(store.ok()) << store.status().message();
  return store.ok() ? std::move(store).value() : nullptr;
}

// Throughput and probabilities in memory, leases in a NATS key-value
// bucket of its own on a nats-server started once for the test binary.
std::unique_ptr<SamplingStore> OpenNatsLeases() {
  static testenv::NatsServer server;  // stopped when the test process exits
  static std::atomic<int> counter{0};
  NatsOptions options;
  options.servers = {server.url()};
  auto store =
      OpenNatsLeaseStore(options, "leases-" + std::to_string(counter++), NewMemorySamplingStore());
  EXPECT_TRUE(store.ok()) << store.status().message();
  if (!store.ok()) return nullptr;
  // Connecting is asynchronous: wait until a lease call gets an answer.
  for (int i = 0; i < 500; ++i) {
    if ((*store)->LeaseHolder("probe", 1).ok()) break;
    usleep(10000);
  }
  return std::move(store).value();
}

class SamplingStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam().name == "ClickHouse" && ClickHouseServers().empty()) {
      GTEST_SKIP() << "SPOOR_CLICKHOUSE_SERVERS(_FILE) is not set (make test starts a server)";
    }
    if (GetParam().name == "ClickHouseCluster" && ClickHouseClusterServers().empty()) {
      GTEST_SKIP() << "SPOOR_CLICKHOUSE_CLUSTER_SERVERS_FILE is not set (make test starts a "
                      "cluster)";
    }
    store_ = GetParam().open(dir_.path());
    ASSERT_NE(store_, nullptr);
  }

  void Insert(const std::string& collector, uint64_t bucket_ns, const std::vector<Throughput>& t) {
    Status s = store_->InsertThroughput(collector, bucket_ns, t);
    ASSERT_TRUE(s.ok()) << s.message();
  }

  std::vector<ThroughputReport> Get(uint64_t start_ns, uint64_t end_ns) {
    auto r = store_->GetThroughput(start_ns, end_ns);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? r.value() : std::vector<ThroughputReport>{};
  }

  // The bucket starts GetThroughput returns, in order.
  std::vector<uint64_t> Buckets(uint64_t start_ns, uint64_t end_ns) {
    std::vector<uint64_t> out;
    for (const ThroughputReport& r : Get(start_ns, end_ns)) out.push_back(r.bucket_start_ns);
    return out;
  }

  bool Acquire(const std::string& holder, uint64_t ttl_ns, uint64_t now_ns,
               const std::string& name = "leader") {
    auto r = store_->AcquireLease(name, holder, ttl_ns, now_ns);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() && *r;
  }

  bool Release(const std::string& holder, const std::string& name = "leader") {
    auto r = store_->ReleaseLease(name, holder);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() && *r;
  }

  std::string Holder(uint64_t now_ns, const std::string& name = "leader") {
    auto r = store_->LeaseHolder(name, now_ns);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? r.value() : "<error>";
  }

  samplingtest::TempDir dir_;
  std::unique_ptr<SamplingStore> store_;
};

Throughput T(std::string service, std::string operation, uint64_t count,
             std::vector<double> probabilities = {0.001}) {
  return Throughput{std::move(service), std::move(operation), count, std::move(probabilities)};
}

// --- Throughput --------------------------------------------------------------------

TEST_P(SamplingStoreTest, EmptyStoreHasNoThroughput) {
  EXPECT_TRUE(Get(0, kMax).empty());
}

TEST_P(SamplingStoreTest, ThroughputRoundTripsEveryField) {
  std::vector<Throughput> in = {
      T("frontend", "GET /", 12, {0.5, 0.001, 1e-5, 1.0, 0.0}),
      T("frontend", "", kMax, {}),
      T("b\xc3\xa4\x63kend", std::string("op\0x", 4), 0, {0.25}),
  };
  Insert("collector-1", kBase, in);
  EXPECT_EQ(Get(kBase, kBase + 1), (std::vector<ThroughputReport>{{kBase, "collector-1", in}}));
}

TEST_P(SamplingStoreTest, RangeIncludesItsStartAndExcludesItsEnd) {
  for (uint64_t b : {uint64_t{0}, kBase, kBase + kMinute, kBase + 2 * kMinute, kMax - 1}) {
    Insert("c", b, {T("s", "op", 1)});
  }
  EXPECT_EQ(Buckets(kBase, kBase + 2 * kMinute), (std::vector<uint64_t>{kBase, kBase + kMinute}));
  EXPECT_EQ(Buckets(kBase + 1, kBase + 2 * kMinute), (std::vector<uint64_t>{kBase + kMinute}));
  EXPECT_EQ(Buckets(kBase, kBase + 2 * kMinute + 1),
            (std::vector<uint64_t>{kBase, kBase + kMinute, kBase + 2 * kMinute}));
  EXPECT_EQ(Buckets(0, 1), (std::vector<uint64_t>{0}));
  EXPECT_EQ(Buckets(0, kMax),
            (std::vector<uint64_t>{0, kBase, kBase + kMinute, kBase + 2 * kMinute, kMax - 1}));
  EXPECT_TRUE(Buckets(kBase, kBase).empty());
  EXPECT_TRUE(Buckets(kBase + kMinute, kBase).empty());
  EXPECT_TRUE(Buckets(kBase + 1, kBase + kMinute).empty());
}

TEST_P(SamplingStoreTest, CollectorsAreKeptApartAndOrderedBytewise) {
  Insert("zeta", kBase, {T("s", "op", 3)});
  Insert("alpha", kBase, {T("s", "op", 5)});
  Insert("\xff-high", kBase, {T("s", "op", 7)});
  Insert("Beta", kBase, {T("s", "op", 11)});
  Insert("alpha", kBase + kMinute, {T("s", "op", 13)});
  std::vector<ThroughputReport> got = Get(kBase, kBase + 2 * kMinute);
  ASSERT_EQ(got.size(), 5u);
  std::vector<std::pair<std::string, uint64_t>> seen;
  for (const ThroughputReport& r : got) seen.emplace_back(r.collector, r.throughput.at(0).count);
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, uint64_t>>{
                      {"Beta", 11}, {"alpha", 5}, {"zeta", 3}, {"\xff-high", 7}, {"alpha", 13}}));
  EXPECT_EQ(got[4].bucket_start_ns, kBase + kMinute);
}

TEST_P(SamplingStoreTest, SameCollectorAndBucketReplaces) {
  Insert("c1", kBase, {T("s", "a", 1), T("s", "b", 2)});
  Insert("c2", kBase, {T("s", "a", 100)});
  Insert("c1", kBase, {T("s", "a", 4)});
  EXPECT_EQ(Get(kBase, kBase + 1), (std::vector<ThroughputReport>{
                                       {kBase, "c1", {T("s", "a", 4)}},
                                       {kBase, "c2", {T("s", "a", 100)}},
                                   }));
}

TEST_P(SamplingStoreTest, EmptyReportIsStored) {
  Insert("c1", kBase, {});
  EXPECT_EQ(Get(kBase, kBase + 1), (std::vector<ThroughputReport>{{kBase, "c1", {}}}));
}

TEST_P(SamplingStoreTest, EmptyCollectorIsRefused) {
  Status s = store_->InsertThroughput("", kBase, {T("s", "op", 1)});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Get(0, kMax).empty());
}

TEST_P(SamplingStoreTest, ConcurrentInsertsAreAllKept) {
  constexpr int kThreads = 4;
  constexpr int kBuckets = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBuckets; ++b) {
        Status s = store_->InsertThroughput("c" + std::to_string(t), kBase + b * kMinute,
                                            {T("s", "op", static_cast<uint64_t>(t * 1000 + b))});
        EXPECT_TRUE(s.ok()) << s.message();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::vector<ThroughputReport> got = Get(0, kMax);
  ASSERT_EQ(got.size(), size_t{kThreads * kBuckets});
  for (size_t i = 0; i < got.size(); ++i) {
    uint64_t b = i / kThreads;
    uint64_t t = i % kThreads;
    EXPECT_EQ(got[i].bucket_start_ns, kBase + b * kMinute);
    EXPECT_EQ(got[i].collector, "c" + std::to_string(t));
    EXPECT_EQ(got[i].throughput.at(0).count, t * 1000 + b);
  }
}

// --- Retention ---------------------------------------------------------------------

TEST_P(SamplingStoreTest, ExpireBeforeDropsOnlyOlderBuckets) {
  for (int b = 0; b < 5; ++b) {
    Insert("c1", kBase + b * kMinute, {T("s", "op", 1)});
    Insert("c2", kBase + b * kMinute, {T("s", "op", 2)});
  }
  ASSERT_TRUE(store_->InsertProbabilitiesAndQps({"h", kBase, {{"s", {{"op", 0.5}}}}, {}}).ok());
  ASSERT_TRUE(Acquire("h", kMinute, kBase));
  ASSERT_TRUE(store_->ExpireBefore(0).ok());
  EXPECT_EQ(Get(0, kMax).size(), 10u);
  ASSERT_TRUE(store_->ExpireBefore(kBase + 2 * kMinute).ok());
  EXPECT_EQ(Buckets(0, kMax),
            (std::vector<uint64_t>{kBase + 2 * kMinute, kBase + 2 * kMinute, kBase + 3 * kMinute,
                                   kBase + 3 * kMinute, kBase + 4 * kMinute, kBase + 4 * kMinute}));
  ASSERT_TRUE(store_->ExpireBefore(kMax).ok());
  EXPECT_TRUE(Get(0, kMax).empty());
  // Probabilities and leases are not throughput.
  auto latest = store_->GetLatestProbabilities();
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->host, "h");
  EXPECT_EQ(Holder(kBase), "h");
  // The store keeps working after expiry.
  Insert("c1", kBase, {T("s", "op", 9)});
  EXPECT_EQ(Buckets(0, kMax), std::vector<uint64_t>{kBase});
}

// --- Probabilities -----------------------------------------------------------------

TEST_P(SamplingStoreTest, LatestProbabilitiesAreEmptyBeforeTheFirstInsert) {
  auto latest = store_->GetLatestProbabilities();
  ASSERT_TRUE(latest.ok()) << latest.status().message();
  EXPECT_EQ(*latest, CalculatedProbabilities{});
}

TEST_P(SamplingStoreTest, LatestProbabilitiesRoundTrip) {
  CalculatedProbabilities p{
      "collector-7",
      kBase,
      {{"frontend", {{"GET /", 0.25}, {"POST /", 1e-5}}}, {"backend", {{"", 1.0}}}},
      {{"frontend", {{"GET /", 3.5}, {"POST /", 0.0}}}, {"empty", {}}}};
  ASSERT_TRUE(store_->InsertProbabilitiesAndQps(p).ok());
  auto latest = store_->GetLatestProbabilities();
  ASSERT_TRUE(latest.ok()) << latest.status().message();
  EXPECT_EQ(*latest, p);
}

TEST_P(SamplingStoreTest, NewerInsertReplacesTheLatestProbabilities) {
  ASSERT_TRUE(store_
                  ->InsertProbabilitiesAndQps(
                      {"a", kBase, {{"s", {{"op1", 0.5}, {"op2", 0.1}}}}, {{"s", {{"op1", 2}}}}})
                  .ok());
  // Last write wins, whatever its time.
  CalculatedProbabilities newer{"b", kBase - kMinute, {{"t", {{"op3", 0.2}}}}, {}};
  ASSERT_TRUE(store_->InsertProbabilitiesAndQps(newer).ok());
  auto latest = store_->GetLatestProbabilities();
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(*latest, newer);
}

// --- Leases ------------------------------------------------------------------------

TEST_P(SamplingStoreTest, FreeLeaseHasNoHolder) {
  EXPECT_EQ(Holder(kBase), "");
  EXPECT_FALSE(Release("a"));
}

TEST_P(SamplingStoreTest, SameHolderAcquiresAndExtends) {
  ASSERT_TRUE(Acquire("a", 5 * kSecond, kBase));
  EXPECT_EQ(Holder(kBase), "a");
  EXPECT_EQ(Holder(kBase + 5 * kSecond - 1), "a");
  EXPECT_EQ(Holder(kBase + 5 * kSecond), "");
  // Extended from the time of the new acquire.
  ASSERT_TRUE(Acquire("a", 5 * kSecond, kBase + 4 * kSecond));
  EXPECT_EQ(Holder(kBase + 9 * kSecond - 1), "a");
  EXPECT_EQ(Holder(kBase + 9 * kSecond), "");
  // A shorter ttl shortens the lease.
  ASSERT_TRUE(Acquire("a", kSecond, kBase + 5 * kSecond));
  EXPECT_EQ(Holder(kBase + 6 * kSecond), "");
}

TEST_P(SamplingStoreTest, AnotherHolderIsRefusedUntilExpiry) {
  ASSERT_TRUE(Acquire("a", 5 * kSecond, kBase));
  EXPECT_FALSE(Acquire("b", 5 * kSecond, kBase));
  EXPECT_FALSE(Acquire("b", 60 * kSecond, kBase + 5 * kSecond - 1));
  // The refusals changed nothing: a still holds until its own expiry.
  EXPECT_EQ(Holder(kBase + 5 * kSecond - 1), "a");
  EXPECT_TRUE(Acquire("b", 5 * kSecond, kBase + 5 * kSecond));
  EXPECT_EQ(Holder(kBase + 5 * kSecond), "b");
  // Now a is the one refused.
  EXPECT_FALSE(Acquire("a", 5 * kSecond, kBase + 6 * kSecond));
  EXPECT_EQ(Holder(kBase + 6 * kSecond), "b");
}

TEST_P(SamplingStoreTest, ReleaseFreesOnlyTheHoldersLease) {
  ASSERT_TRUE(Acquire("a", 5 * kSecond, kBase));
  EXPECT_FALSE(Release("b"));
  EXPECT_EQ(Holder(kBase), "a");
  EXPECT_TRUE(Release("a"));
  EXPECT_EQ(Holder(kBase), "");
  EXPECT_FALSE(Release("a"));
  EXPECT_TRUE(Acquire("b", 5 * kSecond, kBase + 1));
  EXPECT_EQ(Holder(kBase + 1), "b");
}

TEST_P(SamplingStoreTest, ExpiredLeaseCanStillBeReleasedByItsHolder) {
  ASSERT_TRUE(Acquire("a", kSecond, kBase));
  EXPECT_TRUE(Release("a"));
  ASSERT_TRUE(Acquire("a", kSecond, kBase));
  ASSERT_TRUE(Acquire("b", kSecond, kBase + kSecond));
  EXPECT_FALSE(Release("a"));
  EXPECT_EQ(Holder(kBase + kSecond), "b");
}

TEST_P(SamplingStoreTest, LeasesAreIndependentByName) {
  ASSERT_TRUE(Acquire("a", 5 * kSecond, kBase, "sampling"));
  EXPECT_TRUE(Acquire("b", 5 * kSecond, kBase, "other"));
  EXPECT_EQ(Holder(kBase, "sampling"), "a");
  EXPECT_EQ(Holder(kBase, "other"), "b");
  EXPECT_TRUE(Release("b", "other"));
  EXPECT_EQ(Holder(kBase, "sampling"), "a");
}

TEST_P(SamplingStoreTest, LeaseExpirySaturates) {
  ASSERT_TRUE(Acquire("a", kMax, kBase));
  EXPECT_EQ(Holder(kMax - 1), "a");
  EXPECT_EQ(Holder(kMax), "");
  EXPECT_FALSE(Acquire("b", kSecond, kMax - 1));
  EXPECT_TRUE(Acquire("b", kSecond, kMax));
}

TEST_P(SamplingStoreTest, MalformedLeaseRequestsAreRefused) {
  EXPECT_EQ(store_->AcquireLease("", "a", kSecond, kBase).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AcquireLease("leader", "", kSecond, kBase).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AcquireLease("leader", "a", 0, kBase).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Holder(kBase), "");
}

TEST_P(SamplingStoreTest, ConcurrentAcquirersGetExactlyOneHolder) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    const std::string name = "lease-" + std::to_string(round);
    const uint64_t now_ns = kBase + round * kMinute;
    std::latch start(kThreads);
    std::atomic<int> winners{0};
    std::vector<std::string> won(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        std::string holder = "collector-" + std::to_string(t);
        start.arrive_and_wait();
        auto r = store_->AcquireLease(name, holder, kMinute, now_ns);
        EXPECT_TRUE(r.ok()) << r.status().message();
        if (r.ok() && *r) {
          winners.fetch_add(1);
          won[static_cast<size_t>(t)] = holder;
        }
      });
    }
    for (std::thread& t : threads) t.join();
    ASSERT_EQ(winners.load(), 1) << "round " << round;
    std::string holder = Holder(now_ns, name);
    EXPECT_NE(holder, "");
    EXPECT_NE(std::find(won.begin(), won.end(), holder), won.end());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Backends, SamplingStoreTest,
    ::testing::Values(
        Backend{"Memory", [](const std::string&) { return NewMemorySamplingStore(); }},
        Backend{"Embedded",
                [](const std::string& directory) -> std::unique_ptr<SamplingStore> {
                  auto store = OpenEmbeddedSamplingStore(directory, false);
                  EXPECT_TRUE(store.ok()) << store.status().message();
                  return store.ok() ? std::move(store).value() : nullptr;
                }},
        Backend{"NatsLeases", [](const std::string&) { return OpenNatsLeases(); }},
        Backend{"ClickHouse", [](const std::string&) { return OpenClickHouse(false); }},
        Backend{"ClickHouseCluster", [](const std::string&) { return OpenClickHouse(true); }}),
    BackendName);

}  // namespace
}  // namespace spoor
