// Handlers built once per object (a tenant's sink or store) on its first
// request, and kept: later requests find theirs under a shared lock.
//
// Threading: Get() may be called from any thread; `make` runs at most once
// per object, under the exclusive lock. The objects must outlive the cache.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <utility>

#include "server/http.h"

namespace spoor {

template <typename T>
class HandlerCache {
 public:
  explicit HandlerCache(std::function<HttpHandler(T&)> make) : make_(std::move(make)) {}

  [[nodiscard]] HttpHandler Get(T& object) {
    {
      std::shared_lock<std::shared_mutex> lock(mu_);
      if (auto it = handlers_.find(&object); it != handlers_.end()) return it->second;
    }
    std::unique_lock<std::shared_mutex> lock(mu_);
    auto [it, added] = handlers_.try_emplace(&object);
    if (added) it->second = make_(object);
    return it->second;
  }

 private:
  const std::function<HttpHandler(T&)> make_;
  std::shared_mutex mu_;
  std::map<T*, HttpHandler> handlers_;
};

}  // namespace spoor
