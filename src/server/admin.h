// The admin server's handler (port 14269): "/" health, "/metrics"
// (Prometheus text) and "/version".
#pragma once

#include <atomic>
#include <cstdint>

#include "server/http.h"

namespace spoor {

struct AdminState {
  std::atomic<bool> ready{false};  // false while starting and shutting down
  uint64_t started_ns = 0;
};

// `state` must outlive the handler.
[[nodiscard]] HttpHandler NewAdminHandler(AdminState& state);

}  // namespace spoor
