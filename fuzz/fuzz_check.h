// The check macro and input helpers of the fuzz targets. A failed check
// prints what was wrong and aborts, so that libFuzzer keeps the input as a
// crash reproducer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace spoor::fuzz {

// The fuzzer's input as text (bytes, not necessarily UTF-8).
inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Prints the failed condition and `what` to stderr and aborts.
[[noreturn]] inline void Fail(const char* condition, const char* file, int line,
                              const std::string& what) {
  std::fprintf(stderr, "\n%s:%d: check failed: %s\n%s\n", file, line, condition, what.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace spoor::fuzz

// Fails (see Fail) unless `condition` holds. `what` is only evaluated on
// failure, so it may be expensive to build.
#define SPOOR_FUZZ_CHECK(condition, what)                                     \
  do {                                                                        \
    if (!(condition)) {                                                       \
      ::spoor::fuzz::Fail(#condition, __FILE__, __LINE__, std::string(what)); \
    }                                                                         \
  } while (false)
