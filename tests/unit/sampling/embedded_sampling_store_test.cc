// What only the embedded sampling store has: data that survives a reopen,
// and stored bytes that may be corrupt (rejected with an error, never a
// crash). Corruption is written straight into the RocksDB directory.
#include "sampling/embedded_sampling_store.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sampling_test_util.h"

namespace spoor {
namespace {

constexpr uint64_t kSecond = 1000000000;
constexpr uint64_t kMinute = 60 * kSecond;
constexpr uint64_t kBase = 1700000000 * kSecond;

// The column families of the store (docs/storage-embedded.md).
const std::vector<std::string> kFamilies = {"default", "meta", "throughput", "probabilities",
                                            "leases"};
enum Family { kMeta = 1, kThroughput = 2, kProbabilities = 3, kLeases = 4 };

std::string BucketKey(uint64_t bucket_ns) {
  std::string k;
  for (int i = 7; i >= 0; --i) k.push_back(static_cast<char>(bucket_ns >> (8 * i)));
  return k;
}

// The store's RocksDB opened directly, while the store is closed.
class RawDb {
 public:
  explicit RawDb(const std::string& directory) {
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const std::string& name : kFamilies)
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* db = nullptr;
    rocksdb::Status s =
        rocksdb::DB::Open(rocksdb::DBOptions(), directory, families, &handles_, &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db_.reset(db);
  }
  ~RawDb() {
    for (rocksdb::ColumnFamilyHandle* h : handles_) (void)db_->DestroyColumnFamilyHandle(h);
  }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  std::string Get(Family f, const std::string& key) {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[f], key, &value);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return value;
  }
  void Put(Family f, const std::string& key, const std::string& value) {
    rocksdb::Status s = db_->Put(rocksdb::WriteOptions(), handles_[f], key, value);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

// Ways a valid value can be damaged: strict prefixes (every one, or every
// stride-th and the longest), a wrong version, a trailing byte, a huge
// count right after the version.
std::vector<std::string> Corruptions(const std::string& valid, size_t stride = 1) {
  std::vector<std::string> out;
  for (size_t n = 0; n < valid.size(); n += stride) out.push_back(valid.substr(0, n));
  if ((valid.size() - 1) % stride != 0) out.push_back(valid.substr(0, valid.size() - 1));
  std::string version = valid;
  version[0] = 2;
  out.push_back(version);
  out.push_back(valid + '\0');
  out.push_back(std::string("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11));
  out.push_back(std::string("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 11));
  return out;
}

class EmbeddedSamplingStoreTest : public ::testing::Test {
 protected:
  void Open(bool sync_writes = false) {
    store_.reset();
    auto store = OpenEmbeddedSamplingStore(dir_.path(), sync_writes);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
  }

  samplingtest::TempDir dir_;
  std::unique_ptr<SamplingStore> store_;
};

TEST_F(EmbeddedSamplingStoreTest, DataSurvivesReopen) {
  Open(true);
  std::vector<Throughput> t1 = {{"frontend", "GET /", 42, {0.5, 0.001}}, {"backend", "q", 1, {}}};
  std::vector<Throughput> t2 = {{"frontend", "GET /", 7, {0.25}}};
  ASSERT_TRUE(store_->InsertThroughput("c1", kBase, t1).ok());
  ASSERT_TRUE(store_->InsertThroughput("c2", kBase, t2).ok());
  ASSERT_TRUE(store_->InsertThroughput("c1", kBase + 5 * kMinute, t2).ok());
  ASSERT_TRUE(store_->InsertThroughput("c1", kBase - kMinute, t2).ok());
  ASSERT_TRUE(store_->ExpireBefore(kBase).ok());
  CalculatedProbabilities p{
      "c1", kBase, {{"frontend", {{"GET /", 0.125}}}}, {{"frontend", {{"GET /", 1.5}}}}};
  ASSERT_TRUE(store_->InsertProbabilitiesAndQps(p).ok());
  ASSERT_TRUE(store_->AcquireLease("leader", "c1", 10 * kSecond, kBase).value());
  ASSERT_TRUE(store_->AcquireLease("released", "c2", 10 * kSecond, kBase).value());
  ASSERT_TRUE(store_->ReleaseLease("released", "c2").value());

  Open(false);
  auto got = store_->GetThroughput(0, UINT64_MAX);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, (std::vector<ThroughputReport>{
                      {kBase, "c1", t1}, {kBase, "c2", t2}, {kBase + 5 * kMinute, "c1", t2}}));
  auto latest = store_->GetLatestProbabilities();
  ASSERT_TRUE(latest.ok()) << latest.status().message();
  EXPECT_EQ(*latest, p);
  EXPECT_EQ(store_->LeaseHolder("leader", kBase + 10 * kSecond - 1).value(), "c1");
  EXPECT_EQ(store_->LeaseHolder("leader", kBase + 10 * kSecond).value(), "");
  EXPECT_FALSE(store_->AcquireLease("leader", "c2", 10 * kSecond, kBase + kSecond).value());
  EXPECT_EQ(store_->LeaseHolder("released", kBase).value(), "");
}

TEST_F(EmbeddedSamplingStoreTest, CorruptThroughputIsAnError) {
  Open();
  ASSERT_TRUE(store_->InsertThroughput("c", kBase, {{"svc", "op", 300, {0.5, 0.25}}}).ok());
  store_.reset();
  std::vector<std::string> bad;
  {
    RawDb raw(dir_.path());
    bad = Corruptions(raw.Get(kThroughput, BucketKey(kBase) + "c"));
    for (size_t i = 0; i < bad.size(); ++i)
      raw.Put(kThroughput, BucketKey(kBase + 1 + i) + "c", bad[i]);
    raw.Put(kThroughput, BucketKey(kBase + 1000), "");  // a key without a collector
    raw.Put(kThroughput, std::string("\x01\x02", 2), "");
  }
  Open();
  auto valid = store_->GetThroughput(kBase, kBase + 1);
  ASSERT_TRUE(valid.ok()) << valid.status().message();
  EXPECT_EQ(valid->size(), 1u);
  for (size_t i = 0; i < bad.size(); ++i) {
    auto r = store_->GetThroughput(kBase + 1 + i, kBase + 2 + i);
    EXPECT_EQ(r.status().code(), StatusCode::kInternal) << "corruption " << i;
  }
  EXPECT_EQ(store_->GetThroughput(kBase + 1000, kBase + 1001).status().code(),
            StatusCode::kInternal);
  EXPECT_EQ(store_->GetThroughput(uint64_t{1} << 56, uint64_t{2} << 56).status().code(),
            StatusCode::kInternal);
  // Expiry removes corrupt buckets like any other.
  ASSERT_TRUE(store_->ExpireBefore(kBase + 1001).ok());
  auto all = store_->GetThroughput(0, UINT64_MAX);
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_TRUE(all->empty());
}

TEST_F(EmbeddedSamplingStoreTest, CorruptLeaseIsAnError) {
  Open();
  ASSERT_TRUE(store_->AcquireLease("leader", "collector-1", kMinute, kBase).value());
  store_.reset();
  std::vector<std::string> bad;
  {
    RawDb raw(dir_.path());
    bad = Corruptions(raw.Get(kLeases, "leader"));
    bad.push_back(std::string("\x01\x00\x05", 3));  // empty holder
    for (size_t i = 0; i < bad.size(); ++i) raw.Put(kLeases, "lease-" + std::to_string(i), bad[i]);
  }
  Open();
  EXPECT_EQ(store_->LeaseHolder("leader", kBase).value(), "collector-1");
  for (size_t i = 0; i < bad.size(); ++i) {
    std::string name = "lease-" + std::to_string(i);
    EXPECT_EQ(store_->LeaseHolder(name, kBase).status().code(), StatusCode::kInternal) << i;
    EXPECT_EQ(store_->AcquireLease(name, "c", kMinute, kBase).status().code(),
              StatusCode::kInternal)
        << i;
    EXPECT_EQ(store_->ReleaseLease(name, "c").status().code(), StatusCode::kInternal) << i;
  }
}

TEST_F(EmbeddedSamplingStoreTest, CorruptProbabilitiesAreAnError) {
  Open();
  CalculatedProbabilities p{"h",
                            kBase,
                            {{"svc-a", {{"op-x", 0.5}, {"op-y", 0.1}}}, {"svc-b", {}}},
                            {{"svc-a", {{"op-x", 2}}}}};
  ASSERT_TRUE(store_->InsertProbabilitiesAndQps(p).ok());
  store_.reset();
  std::string valid = RawDb(dir_.path()).Get(kProbabilities, "latest");
  // One reopen per case: a sample of the prefixes keeps the test short.
  std::vector<std::string> bad = Corruptions(valid, 8);
  // Services and operations out of order, or repeated.
  std::string swapped = valid;
  std::swap(swapped[swapped.find("svc-a") + 4], swapped[swapped.find("svc-b") + 4]);
  bad.push_back(swapped);
  std::string repeated = valid;
  repeated[repeated.find("op-y") + 3] = 'x';
  bad.push_back(repeated);
  for (size_t i = 0; i < bad.size(); ++i) {
    RawDb(dir_.path()).Put(kProbabilities, "latest", bad[i]);
    Open();
    EXPECT_EQ(store_->GetLatestProbabilities().status().code(), StatusCode::kInternal) << i;
    // A new calculation overwrites the damage.
    ASSERT_TRUE(store_->InsertProbabilitiesAndQps(p).ok());
    EXPECT_EQ(store_->GetLatestProbabilities().value(), p);
    store_.reset();
  }
}

TEST_F(EmbeddedSamplingStoreTest, UnknownFormatIsRefused) {
  Open();
  store_.reset();
  RawDb(dir_.path()).Put(kMeta, "format", "spoor-embedded-1");
  auto store = OpenEmbeddedSamplingStore(dir_.path(), false);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("unknown format"), std::string::npos)
      << store.status().message();
}

TEST_F(EmbeddedSamplingStoreTest, UnusableDirectoryIsAnError) {
  std::string file = dir_.path() + "/file";
  std::ofstream(file) << "x";
  auto store = OpenEmbeddedSamplingStore(file + "/store", false);
  EXPECT_FALSE(store.ok());
}

}  // namespace
}  // namespace spoor
