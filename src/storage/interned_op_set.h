// A set of (service, operation, kind) keyed by the addresses of interned
// names (model/string_table.h): finding one costs a hash of two pointers and
// no string is built. The stores use it in front of their operation lists,
// which are keyed by content, so that a span of a known operation costs
// next to nothing. Not thread-safe; bounded by the caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <unordered_set>

#include "model/span.h"

namespace spoor {

class InternedOpSet {
 public:
  // `service` and `name` must be interned.
  [[nodiscard]] bool Contains(std::string_view service, std::string_view name,
                              SpanKind kind) const {
    return set_.contains(Key{service.data(), name.data(), name.size(), kind});
  }
  void Insert(std::string_view service, std::string_view name, SpanKind kind) {
    set_.insert(Key{service.data(), name.data(), name.size(), kind});
  }
  [[nodiscard]] size_t size() const { return set_.size(); }

 private:
  struct Key {
    const char* service;
    const char* name;
    size_t name_size;
    SpanKind kind;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      uint64_t h = reinterpret_cast<uintptr_t>(k.service) * 0x9E3779B97F4A7C15ULL;
      h ^= reinterpret_cast<uintptr_t>(k.name) + 0x632BE59BD9B4E019ULL + (h << 6) + (h >> 2);
      return static_cast<size_t>(h ^ static_cast<uint64_t>(k.kind));
    }
  };
  std::unordered_set<Key, KeyHash> set_;
};

}  // namespace spoor
