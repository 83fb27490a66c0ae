// The storage backends the shared storage suites run against, each opened
// fresh for every test: memory, embedded (in a temporary directory) and
// clickhouse (a database of its own on the server named by
// $SPOOR_CLICKHOUSE_SERVERS, or in the file $SPOOR_CLICKHOUSE_SERVERS_FILE,
// dropped after the test; `make test` starts that server; without either
// variable the clickhouse cases are skipped).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "storage/clickhouse/client.h"
#include "storage/factory.h"
#include "tests/unit/clickhouse_servers.h"

namespace spoor::storagetest {

// One backend opened for one test; whatever it needs (a directory, a
// database) lives as long as the object.
class OpenedStore {
 public:
  virtual ~OpenedStore() = default;
  [[nodiscard]] virtual Storage* store() = 0;
  // Closes and opens the same data again (for restart tests); false when the
  // backend keeps nothing across a restart.
  [[nodiscard]] virtual bool Reopen() = 0;
};

struct Backend {
  std::string name;
  // nullptr and `skip` set when the backend cannot run here.
  std::function<std::unique_ptr<OpenedStore>(std::string* skip)> open;
};

inline void PrintTo(const Backend& backend, std::ostream* os) {
  *os << backend.name;
}

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

namespace internal {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "spoor-storage-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class Opened : public OpenedStore {
 public:
  explicit Opened(StorageOptions options, std::function<void()> cleanup = nullptr)
      : options_(std::move(options)), cleanup_(std::move(cleanup)) {
    options_.embedded.directory = dir_.path() + "/store";
  }
  ~Opened() override {
    if (store_ != nullptr) (void)store_->Close();
    store_.reset();
    if (cleanup_) cleanup_();
  }
  Status Open() {
    auto s = CreateStorage(options_);
    if (!s.ok()) return s.status();
    store_ = std::move(s).value();
    return Status::Ok();
  }
  Storage* store() override { return store_.get(); }
  bool Reopen() override {
    if (options_.type == "memory") return false;
    EXPECT_TRUE(store_->Close().ok());
    store_.reset();
    Status s = Open();
    EXPECT_TRUE(s.ok()) << s.message();
    return s.ok();
  }

 private:
  TempDir dir_;  // the embedded store's, unused by the others
  StorageOptions options_;
  std::function<void()> cleanup_;
  std::unique_ptr<Storage> store_;
};

inline std::unique_ptr<OpenedStore> Finish(std::unique_ptr<Opened> opened, std::string* skip) {
  Status s = opened->Open();
  if (!s.ok()) {
    *skip = "cannot open the store: " + s.message();
    ADD_FAILURE() << *skip;
    return nullptr;
  }
  return opened;
}

}  // namespace internal

// The server list of the ClickHouse the tests use, or "".
using spoor::testenv::ClickHouseServers;

inline std::vector<Backend> AllBackends() {
  std::vector<Backend> out;
  out.push_back({"memory", [](std::string* skip) -> std::unique_ptr<OpenedStore> {
                   StorageOptions o;
                   o.type = "memory";
                   return internal::Finish(std::make_unique<internal::Opened>(o), skip);
                 }});
  out.push_back({"embedded", [](std::string* skip) -> std::unique_ptr<OpenedStore> {
                   StorageOptions o;
                   o.type = "embedded";
                   return internal::Finish(std::make_unique<internal::Opened>(o), skip);
                 }});
  out.push_back({"clickhouse", [](std::string* skip) -> std::unique_ptr<OpenedStore> {
                   std::string servers = ClickHouseServers();
                   if (servers.empty()) {
                     *skip = "SPOOR_CLICKHOUSE_SERVERS is not set (make test starts a server)";
                     return nullptr;
                   }
                   static std::atomic<int> counter{0};
                   StorageOptions o;
                   o.type = "clickhouse";
                   auto parsed = clickhouse::ParseServers(servers);
                   if (!parsed.ok()) {
                     *skip = "SPOOR_CLICKHOUSE_SERVERS: " + parsed.status().message();
                     return nullptr;
                   }
                   o.clickhouse.servers = *parsed;
                   o.clickhouse.database =
                       "spoor_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
                   auto cleanup = [servers = *parsed, db = o.clickhouse.database] {
                     clickhouse::ClientOptions c;
                     c.servers = servers;
                     clickhouse::Client client(c);
                     (void)client.Query("DROP DATABASE IF EXISTS `" + db + "`");
                   };
                   cleanup();
                   return internal::Finish(std::make_unique<internal::Opened>(o, cleanup), skip);
                 }});
  return out;
}

// A test run once per backend, each time on a fresh store (skipped where
// the backend cannot run).
class BackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    std::string skip;
    opened_ = GetParam().open(&skip);
    if (opened_ == nullptr) GTEST_SKIP() << skip;
    store_ = opened_->store();
  }

  // Writes and waits until what was written is readable.
  void Write(const SpanBatch& batch) {
    Status s = store_->Write(batch);
    ASSERT_TRUE(s.ok()) << s.message();
    s = store_->Flush();
    ASSERT_TRUE(s.ok()) << s.message();
  }

  std::unique_ptr<OpenedStore> opened_;
  Storage* store_ = nullptr;
};

}  // namespace spoor::storagetest
