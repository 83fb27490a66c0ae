// Recovery of the embedded store after a crash: the write-ahead entries
// are replayed, and spans already sealed into blocks are not added a second
// time, also when one entry's spans were only partly sealed (a batch across
// an hour boundary).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "model/string_table.h"
#include "storage/embedded/embedded_store.h"

namespace spoor {
namespace {

constexpr uint64_t kHour = 3600ULL * 1000000000;
constexpr uint64_t kBase = 1'700'000'000ULL * 1000000000 / kHour * kHour;  // an hour's start

EmbeddedStoreOptions Options(const std::string& dir) {
  EmbeddedStoreOptions o;
  o.directory = dir;
  o.span_ttl_ns = 0;
  o.block_spans = 10;
  o.block_max_age_ns = 3600ULL * 1000000000;
  return o;
}

// Adds `n` spans of trace `trace` starting at `start_ns` to `batch`.
void AddSpans(SpanBatch& batch, uint64_t trace, int n, uint64_t start_ns) {
  if (batch.resource_spans.empty()) {
    auto resource = std::make_shared<Resource>();
    resource->attributes.push_back({Intern("service.name"), AnyValue::String("replay")});
    resource->ResolveServiceName();
    batch.resource_spans.push_back({resource, {}});
    batch.resource_spans[0].scope_spans.push_back({std::make_shared<Scope>(), {}});
  }
  for (int i = 0; i < n; ++i) {
    Span s;
    s.trace_id = TraceId{7, trace};
    s.span_id = SpanId{trace * 100 + static_cast<uint64_t>(i) + 1};
    s.name = Intern("op");
    s.start_time_ns = start_ns + static_cast<uint64_t>(i);
    s.end_time_ns = s.start_time_ns + 1000;
    batch.resource_spans[0].scope_spans[0].spans.push_back(s);
  }
}

size_t SpansOf(Storage& store, uint64_t trace) {
  auto t = store.GetTrace(TraceId{7, trace}, {});
  return t.ok() ? t->spans.size() : 0;
}

class EmbeddedReplay : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("spoor-replay-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs `writes` in a child process that then exits without closing the
  // store, as a crash would leave it (its writes reached the operating
  // system; sync_writes is off).
  template <typename F>
  void WriteAndCrash(F writes) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto store = OpenEmbeddedStore(Options(dir_.string()));
      if (!store.ok()) _exit(3);
      _exit(writes(**store) ? 0 : 4);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
  }

  std::filesystem::path dir_;
};

TEST_F(EmbeddedReplay, SpansOfAPartlySealedEntryAreNotDuplicated) {
  WriteAndCrash([](Storage& store) {
    // Entry 1: trace 1 (5 spans) in hour A, trace 2 (1 span) in hour B.
    SpanBatch across;
    AddSpans(across, 1, 5, kBase + 10);
    AddSpans(across, 2, 1, kBase + kHour + 10);
    // Entry 2: 10 more spans in hour A, which seals A's block (10 spans a
    // block) while B's block, holding entry 1 too, stays open.
    SpanBatch more;
    AddSpans(more, 3, 10, kBase + 100);
    return store.Write(std::move(across)).ok() && store.Write(std::move(more)).ok() &&
           store.GetTrace(TraceId{7, 1}, {}).ok();
  });
  {
    auto store = OpenEmbeddedStore(Options(dir_.string()));
    ASSERT_TRUE(store.ok()) << store.status().message();
    EXPECT_EQ(SpansOf(**store, 1), 5u);  // not 10: sealed, and not replayed again
    EXPECT_EQ(SpansOf(**store, 2), 1u);
    EXPECT_EQ(SpansOf(**store, 3), 10u);
    ASSERT_TRUE((*store)->Close().ok());
  }
  // After a clean close everything is sealed; a second open finds the same.
  auto store = OpenEmbeddedStore(Options(dir_.string()));
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ(SpansOf(**store, 1), 5u);
  EXPECT_EQ(SpansOf(**store, 2), 1u);
  EXPECT_EQ(SpansOf(**store, 3), 10u);
}

TEST_F(EmbeddedReplay, UnsealedSpansAreRecovered) {
  WriteAndCrash([](Storage& store) {
    SpanBatch batch;
    AddSpans(batch, 4, 3, kBase + 10);
    AddSpans(batch, 5, 2, kBase + 2 * kHour);
    return store.Write(std::move(batch)).ok();
  });
  auto store = OpenEmbeddedStore(Options(dir_.string()));
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ(SpansOf(**store, 4), 3u);
  EXPECT_EQ(SpansOf(**store, 5), 2u);
}

}  // namespace
}  // namespace spoor
