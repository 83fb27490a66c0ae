#include "model/string_table.h"

#include <array>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_set>

namespace spoor {
namespace {

// Sharded so that concurrent decoders rarely contend.
constexpr size_t kShards = 16;

struct Shard {
  std::mutex mu;
  std::unordered_set<std::string_view> index;
  std::deque<std::string> storage;  // deque: element addresses are stable
};

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
  Shard& shard = Shards()[std::hash<std::string_view>{}(s) % kShards];
  std::lock_guard lock(shard.mu);
  auto it = shard.index.find(s);
  if (it != shard.index.end()) return *it;
  const std::string& stored = shard.storage.emplace_back(s);
  std::string_view view(stored);
  shard.index.insert(view);
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
