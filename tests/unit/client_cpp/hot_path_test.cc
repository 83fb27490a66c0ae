// What each span pays for: pooled blocks, IDs, and one-read clocks.
#include "client/cpp/src/hot_path.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

namespace spoor::internal {
namespace {

TEST(BlockPool, AFreedBlockIsTakenAgainByItsThread) {
  void* a = BlockPool::Allocate(100);
  std::memset(a, 0xab, BlockPool::kBlockSize);  // the whole block is usable
  BlockPool::Free(a, 100);
  void* b = BlockPool::Allocate(200);
  EXPECT_EQ(a, b);
  BlockPool::Free(b, 200);
}

TEST(BlockPool, LargerRequestsGoToMalloc) {
  void* pooled = BlockPool::Allocate(8);
  BlockPool::Free(pooled, 8);  // the thread's list holds it
  void* big = BlockPool::Allocate(BlockPool::kBlockSize + 1);
  std::memset(big, 0, BlockPool::kBlockSize + 1);
  BlockPool::Free(big, BlockPool::kBlockSize + 1);
  void* small = BlockPool::Allocate(8);
  EXPECT_EQ(small, pooled);  // the large block did not join the list
  BlockPool::Free(small, 8);
}

TEST(BlockPool, BlocksFreedOnAnotherThreadAndThreadsThatExit) {
  // Taken on one thread, freed on another (more than a list keeps), and the
  // freeing threads exit with their lists: nothing leaks or is freed twice
  // (the sanitizer builds check).
  for (int round = 0; round < 4; ++round) {
    std::vector<void*> blocks;
    for (int i = 0; i < 1000; ++i) blocks.push_back(BlockPool::Allocate(64));
    std::set<void*> distinct(blocks.begin(), blocks.end());
    EXPECT_EQ(distinct.size(), blocks.size());
    std::thread([&] {
      for (void* b : blocks) BlockPool::Free(b, 64);
      void* again = BlockPool::Allocate(64);
      EXPECT_TRUE(distinct.count(again) == 1);  // from this thread's list
      BlockPool::Free(again, 64);
    }).join();
  }
}

TEST(RandomId, NonZeroAndDistinctWithinAndAcrossThreads) {
  std::vector<uint64_t> a(10000), b(10000);
  std::thread t([&] {
    for (auto& v : b) v = RandomId();
  });
  for (auto& v : a) v = RandomId();
  t.join();
  std::set<uint64_t> all(a.begin(), a.end());
  all.insert(b.begin(), b.end());
  EXPECT_EQ(all.size(), 20000u);
  EXPECT_EQ(all.count(0), 0u);
  // Spread over the whole range: the probabilistic sampler compares them
  // with a boundary. About half lie below 2^63.
  size_t low = 0;
  for (uint64_t v : a) low += v < (uint64_t{1} << 63) ? 1 : 0;
  EXPECT_GT(low, 4500u);
  EXPECT_LT(low, 5500u);
}

TEST(Now, TheWallTimeFollowsTheSystemClock) {
  opentracing::SystemTime system;
  opentracing::SteadyTime steady;
  auto before = opentracing::SystemClock::now();
  Now(&system, &steady);
  auto after = opentracing::SystemClock::now();
  // Derived from the steady clock with an offset read at most a second
  // ago (here: just now, the thread's first read).
  EXPECT_GE(system, before - std::chrono::milliseconds(1));
  EXPECT_LE(system, after + std::chrono::milliseconds(1));
  opentracing::SystemTime system2;
  opentracing::SteadyTime steady2;
  Now(&system2, &steady2);
  EXPECT_GE(steady2, steady);
  EXPECT_EQ(system2 - system, std::chrono::duration_cast<opentracing::SystemClock::duration>(
                                  steady2 - steady));  // one clock between reads
}

}  // namespace
}  // namespace spoor::internal
