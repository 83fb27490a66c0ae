// The benchmark process's resident memory, for the benchmarks that report
// bytes held per item.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <fstream>

namespace spoor::bench {

inline size_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0;
  size_t resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace spoor::bench
