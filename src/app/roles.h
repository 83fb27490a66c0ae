// The roles of the spoor binary, each a list of parts (parts.h):
//
//   all-in-one  receivers -> queue -> storage, query API and UI, sampling
//   collector   receivers -> queue -> storage, or -> the NATS stream
//               (--buffer.type=nats); sampling endpoints
//   ingester    the NATS stream -> storage
//   query       query API and UI over storage
//
// Every role serves admin (health, /metrics, /version).
#pragma once

#include "app/config.h"

namespace spoor {

// Runs config.role until SIGINT/SIGTERM; returns the process exit code.
// Startup failures (a port in use, storage that cannot open) are logged and
// give 1, as does a shutdown that lost spans. The caller must have blocked
// SIGINT and SIGTERM in every thread.
[[nodiscard]] int RunRole(const Config& config);

}  // namespace spoor
