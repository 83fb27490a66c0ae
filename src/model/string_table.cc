#include "model/string_table.h"

#include <array>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_set>

#include "common/hash.h"

namespace spoor {
namespace {

// Sharded so that concurrent decoders rarely contend.
constexpr size_t kShards = 16;

uint64_t Hash(std::string_view s) {
  return HashAvalanche(HashBytes(s.size(), s));
}

struct FastHash {
  size_t operator()(std::string_view s) const { return static_cast<size_t>(Hash(s)); }
};

struct Shard {
  std::mutex mu;
  std::unordered_set<std::string_view, FastHash> index;
  std::deque<std::string> storage;  // deque: element addresses are stable
};

// Each thread remembers the strings it interned last, one per slot by
// hash, so that the names every request repeats (attribute keys, span
// names) are found without taking a shard's lock. Interned strings live
// forever, so a remembered view stays valid.
//
// The slot is chosen by a cheaper hash than the shards' (the length and
// the first and last eight bytes): a string that shares them with another
// only misses the cache, since a hit compares the bytes.
struct CacheSlot {
  uint64_t hash = 0;
  const char* data = nullptr;
  size_t size = 0;
};
constexpr size_t kCacheSlots = 1024;

uint64_t CacheHash(std::string_view s) {
  const char* p = s.data();
  const size_t n = s.size();
  uint64_t head = 0;
  uint64_t tail = 0;
  if (n >= 8) {
    std::memcpy(&head, p, 8);
    std::memcpy(&tail, p + n - 8, 8);
  } else if (n >= 4) {
    uint32_t h32 = 0;
    uint32_t t32 = 0;
    std::memcpy(&h32, p, 4);
    std::memcpy(&t32, p + n - 4, 4);
    head = h32;
    tail = t32;
  } else {  // 1 to 3 bytes
    head = uint64_t{static_cast<unsigned char>(p[0])} |
           uint64_t{static_cast<unsigned char>(p[n / 2])} << 8 |
           uint64_t{static_cast<unsigned char>(p[n - 1])} << 16;
  }
  return HashMix(head ^ (uint64_t{n} << 56), tail);
}

std::array<Shard, kShards>& Shards() {
  static auto* shards = new std::array<Shard, kShards>();  // never destroyed
  return *shards;
}

}  // namespace

StringTable& StringTable::Global() {
  static StringTable table;
  return table;
}

std::string_view StringTable::Intern(std::string_view s) {
  if (s.empty()) return {};
  thread_local std::array<CacheSlot, kCacheSlots> cache;
  const uint64_t key = CacheHash(s);
  CacheSlot& slot = cache[key % kCacheSlots];
  if (slot.hash == key && slot.size == s.size() &&
      std::memcmp(slot.data, s.data(), s.size()) == 0) {
    return {slot.data, slot.size};
  }
  const uint64_t h = Hash(s);
  Shard& shard = Shards()[(h >> 32) % kShards];
  std::string_view view;
  {
    std::lock_guard lock(shard.mu);
    auto it = shard.index.find(s);
    if (it != shard.index.end()) {
      view = *it;
    } else {
      view = shard.storage.emplace_back(s);
      shard.index.insert(view);
    }
  }
  slot = {key, view.data(), view.size()};
  return view;
}

size_t StringTable::size() const {
  size_t n = 0;
  for (Shard& shard : Shards()) {
    std::lock_guard lock(shard.mu);
    n += shard.index.size();
  }
  return n;
}

}  // namespace spoor
