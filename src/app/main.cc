// spoor: the command-line entry point.
#include <csignal>
#include <cstdio>
#include <iostream>

#include "app/config.h"
#include "app/roles.h"
#include "common/log.h"

int main(int argc, char** argv) {
  // Termination signals are taken synchronously by RunRole; block them
  // before any thread starts so that every thread inherits the mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  spoor::ParsedArgs args;
  try {
    args = spoor::ParseArgs(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const spoor::ConfigError& e) {
    std::fprintf(stderr, "spoor: %s\n", e.what());
    return 2;
  }
  if (args.help) {
    std::cout << spoor::HelpText(args.config.role);
    return 0;
  }
  if (args.version) {
    std::cout << "spoor " << SPOOR_VERSION << "\n";
    return 0;
  }
  spoor::LogLevel level = spoor::LogLevel::kInfo;
  if (spoor::ParseLogLevel(args.config.log_level, &level)) spoor::SetLogLevel(level);
  try {
    return spoor::RunRole(args.config);
  } catch (const spoor::ConfigError& e) {  // found while starting (e.g. unusable certificates)
    std::fprintf(stderr, "spoor: %s\n", e.what());
    return 2;
  }
}
