#include "hot_path.h"

#include <new>
#include <random>

namespace spoor::internal {

namespace {

constexpr std::size_t kBlockSize = BlockPool::kBlockSize;
constexpr std::size_t kMaxFree = 256;  // blocks kept per thread

struct FreeList {
  struct Node {
    Node* next;
  };
  Node* head = nullptr;
  std::size_t count = 0;
  ~FreeList() {
    while (head != nullptr) {
      Node* n = head;
      head = n->next;
      ::operator delete(n);
    }
  }
};

FreeList& Blocks() {
  thread_local FreeList list;
  return list;
}

}  // namespace

void* BlockPool::Allocate(std::size_t size) {
  if (size <= kBlockSize) {
    FreeList& list = Blocks();
    if (list.head != nullptr) {
      FreeList::Node* n = list.head;
      list.head = n->next;
      --list.count;
      return n;
    }
    return ::operator new(kBlockSize);
  }
  return ::operator new(size);
}

void BlockPool::Free(void* block, std::size_t size) noexcept {
  if (block == nullptr) return;
  if (size <= kBlockSize) {
    FreeList& list = Blocks();
    if (list.count < kMaxFree) {
      auto* n = static_cast<FreeList::Node*>(block);
      n->next = list.head;
      list.head = n;
      ++list.count;
      return;
    }
  }
  ::operator delete(block);
}

uint64_t RandomId() {
  thread_local uint64_t state = [] {
    std::random_device device;
    return (static_cast<uint64_t>(device()) << 32) ^ device();
  }();
  for (;;) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    if (z != 0) return z;
  }
}

void Now(opentracing::SystemTime* system, opentracing::SteadyTime* steady) {
  struct Offset {
    opentracing::SteadyTime read_at;
    std::chrono::nanoseconds offset{0};
    bool set = false;
  };
  thread_local Offset o;
  *steady = opentracing::SteadyClock::now();
  if (!o.set || *steady - o.read_at > std::chrono::seconds(1)) {
    auto wall = opentracing::SystemClock::now().time_since_epoch();
    o.offset = std::chrono::duration_cast<std::chrono::nanoseconds>(wall) -
               std::chrono::duration_cast<std::chrono::nanoseconds>(steady->time_since_epoch());
    o.read_at = *steady;
    o.set = true;
  }
  *system = opentracing::SystemTime(std::chrono::duration_cast<opentracing::SystemClock::duration>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(steady->time_since_epoch()) + o.offset));
}

}  // namespace spoor::internal
