// tracegen: a load generator for tracing collectors. See --help and
// tools/tracegen/README.md.
#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <string_view>
#include <vector>

#include "load_run.h"
#include "options.h"

namespace {

// Set by SIGINT/SIGTERM: the run ends early and still reports.
std::atomic<bool> stop_requested{false};
void RequestStop(int) {
  stop_requested.store(true);
}

int Run(int argc, char** argv) {
  using namespace spoor::tracegen;
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  spoor::Result<Options> options = ParseOptions(args);
  if (!options.ok()) {
    std::cerr << "tracegen: " << options.status().message() << "\n";
    return 2;
  }
  if (options->help) {
    std::cout << HelpText();
    return 0;
  }
  if (!options->seed) {
    options->seed =
        static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  }
  static_assert(std::atomic<bool>::is_always_lock_free);  // safe in a signal handler
  std::signal(SIGPIPE, SIG_IGN);  // a closed connection is an error to report, not a signal
  std::signal(SIGINT, RequestStop);
  std::signal(SIGTERM, RequestStop);
  const RunTotals totals = RunLoad(*options, std::cout, stop_requested);
  std::cout << FormatReport(*options, totals);
  return totals.requests_failed == 0 && totals.spans_failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {  // threads that cannot start, memory exhausted
    std::cerr << "tracegen: " << e.what() << "\n";
    return 1;
  }
}
