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
struct CacheSlot {
  uint64_t hash = 0;
  const char* data = nullptr;
  size_t size = 0;
};
constexpr size_t kCacheSlots = 1024;

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
  const uint64_t h = Hash(s);
  CacheSlot& slot = cache[h % kCacheSlots];
  if (slot.hash == h && slot.size == s.size() && std::memcmp(slot.data, s.data(), s.size()) == 0) {
    return {slot.data, slot.size};
  }
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
  slot = {h, view.data(), view.size()};
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
