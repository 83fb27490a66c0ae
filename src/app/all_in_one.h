// The all-in-one role: receivers, pipeline, storage, query and admin
// servers in one process, until SIGINT/SIGTERM.
#pragma once

#include "app/config.h"

namespace spoor {

// Runs until a termination signal; returns the process exit code. Startup
// failures (a port in use, storage that cannot open) are logged and give 1.
// The caller must have blocked SIGINT and SIGTERM in every thread.
[[nodiscard]] int RunAllInOne(const Config& config);

}  // namespace spoor
