// The embedded store's cache of decoded blocks, for searches that read the
// same recent blocks again and again.
//
// A block read again moves to the front; a block just decoded enters at the
// back, where the next one decoded replaces it unless it was read again
// meanwhile. A search that decodes more blocks than the cache holds thus
// leaves the blocks that every search reads (mostly the most recent ones)
// cached, where plain LRU evicted them all and the next search missed on
// every block. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "model/span.h"

namespace spoor {

using DecodedBlock = std::shared_ptr<const std::vector<SpanRecord>>;

class DecodedBlockCache {
 public:
  explicit DecodedBlockCache(size_t capacity) : capacity_(capacity) {}

  // The block under `key`, moved to the front; null when not cached.
  [[nodiscard]] DecodedBlock Get(const std::string& key, bool touch = true) {
    std::lock_guard lock(mu_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->first != key) continue;
      if (touch) entries_.splice(entries_.begin(), entries_, it);
      return it->second;
    }
    return nullptr;
  }

  // Adds a block just decoded at the back, in place of the last one there.
  void Add(std::string key, DecodedBlock block) {
    DecodedBlock evicted;  // freed after the lock is released
    std::lock_guard lock(mu_);
    if (entries_.size() >= capacity_ && !entries_.empty()) {
      evicted = std::move(entries_.back().second);
      entries_.pop_back();
    }
    entries_.emplace_back(std::move(key), std::move(block));
  }

  // Drops the blocks whose key `drop` selects.
  void RemoveIf(const std::function<bool(const std::string&)>& drop) {
    std::list<std::pair<std::string, DecodedBlock>> removed;  // freed unlocked
    std::lock_guard lock(mu_);
    for (auto it = entries_.begin(); it != entries_.end();) {
      auto next = std::next(it);
      if (drop(it->first)) removed.splice(removed.end(), entries_, it);
      it = next;
    }
  }

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::list<std::pair<std::string, DecodedBlock>> entries_;
};

}  // namespace spoor
