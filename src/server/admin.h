// The admin server's handler (port 14269): "/" health, "/metrics"
// (Prometheus text) and "/version".
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "server/http.h"

namespace spoor {

struct AdminState {
  std::atomic<bool> ready{false};  // false while starting and shutting down
  uint64_t started_ns = 0;
};

// What /version answers: {"gitCommit", "gitVersion" ("v1.2.3"), "buildDate"},
// also injected into the Jaeger UI's index.html.
struct BuildInfo {
  std::string git_commit;
  std::string git_version;
  std::string build_date;
};
[[nodiscard]] const BuildInfo& SpoorBuildInfo();

// `state` must outlive the handler.
[[nodiscard]] HttpHandler NewAdminHandler(AdminState& state);

}  // namespace spoor
