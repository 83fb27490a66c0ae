// A tracegen run: `connections` threads, each with its own Sender, take
// request numbers from one shared counter until the count or the duration
// is reached; with a rate, request n is not sent before n * spans / rate
// seconds after the start, so the rate holds across all connections.
#pragma once

#include <atomic>
#include <cstdint>
#include <ostream>
#include <string>

#include "options.h"

namespace spoor::tracegen {

struct RunTotals {
  uint64_t requests_sent = 0;
  uint64_t requests_acked = 0;
  uint64_t requests_failed = 0;
  uint64_t spans_sent = 0;
  uint64_t spans_acked = 0;
  uint64_t spans_failed = 0;
  std::string first_error;
  double elapsed_s = 0;
};

// Runs the load; with options.progress, writes one line per second to
// `progress`. Setting `*stop` (from a signal handler, say) ends the run
// after the requests in flight.
[[nodiscard]] RunTotals RunLoad(const Options& options, std::ostream& progress,
                                const std::atomic<bool>& stop);

// The end-of-run report, several lines.
[[nodiscard]] std::string FormatReport(const Options& options, const RunTotals& totals);

}  // namespace spoor::tracegen
