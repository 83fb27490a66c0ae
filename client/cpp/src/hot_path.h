// What every span pays for, made cheap: its memory (a per-thread pool of
// span-sized blocks), its lock (a spin lock: a span is rarely shared, so
// the lock is almost never contended), its IDs (a per-thread SplitMix64
// sequence) and its start time (one clock read). Internal.
#pragma once

#include <opentracing/span.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>

namespace spoor::internal {

// Blocks of one size, kept per thread. A block freed on another thread
// than the one that took it joins the freeing thread's list; each list is
// bounded, so a thread that only frees gives the rest back to malloc.
class BlockPool {
 public:
  // Larger requests go to malloc.
  static constexpr std::size_t kBlockSize = 512;
  [[nodiscard]] static void* Allocate(std::size_t size);
  static void Free(void* block, std::size_t size) noexcept;
};

// Threading: any thread; lock() spins, yielding, while another holds it.
class SpinLock {
 public:
  void lock() noexcept {
    while (held_.exchange(true, std::memory_order_acquire)) {
      while (held_.load(std::memory_order_relaxed)) std::this_thread::yield();
    }
  }
  void unlock() noexcept { held_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> held_{false};
};

// A random non-zero 64-bit number: SplitMix64 over a per-thread sequence
// seeded from std::random_device, so IDs neither repeat within a thread's
// 2^64 period nor follow a pattern across threads.
[[nodiscard]] uint64_t RandomId();

// The time now on both clocks from one clock read: the wall time is the
// steady time plus an offset each thread reads again once a second. A
// span's duration is never bent by a step of the wall clock; its start
// follows a step within a second.
void Now(opentracing::SystemTime* system, opentracing::SteadyTime* steady);

}  // namespace spoor::internal
