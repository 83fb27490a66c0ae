// Handlers built once per object (a tenant's sink or store) on its first
// request, and kept: later requests find theirs under a shared lock.
//
// Threading: Get() may be called from any thread; `make` runs at most once
// per key, under the exclusive lock. The objects must outlive the cache.
#pragma once

#include <map>
#include <mutex>
#include <shared_mutex>

#include "server/http.h"

namespace spoor {

class HandlerCache {
 public:
  // The handler kept for `key`, made by `make()` on the first call for it.
  template <typename Make>
  [[nodiscard]] HttpHandler Get(const void* key, const Make& make) {
    {
      std::shared_lock<std::shared_mutex> lock(mu_);
      if (auto it = handlers_.find(key); it != handlers_.end()) return it->second;
    }
    std::unique_lock<std::shared_mutex> lock(mu_);
    auto [it, added] = handlers_.try_emplace(key);
    if (added) it->second = make();
    return it->second;
  }

 private:
  std::shared_mutex mu_;
  std::map<const void*, HttpHandler> handlers_;
};

}  // namespace spoor
