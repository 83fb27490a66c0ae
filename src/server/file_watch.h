// Files that a listener reads again when they change (certificates, token
// lists): a cheap check, made at most once per interval by whichever
// caller comes first, of each file's inode, size and modification time.
//
// Threading: Changed() may be called from any thread; when several call it
// at once, one of them does the check and the others get false.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace spoor {

class WatchedFiles {
 public:
  // interval 0: never looked at again.
  WatchedFiles(std::vector<std::string> paths, std::chrono::milliseconds interval);

  // True once after any of the files changed (appeared, vanished, was
  // replaced or written) since the last time it returned true, or since
  // construction.
  [[nodiscard]] bool Changed();

 private:
  [[nodiscard]] std::string Stamp() const;

  const std::vector<std::string> paths_;
  const int64_t interval_ns_;
  std::atomic<int64_t> next_check_ns_;
  std::mutex mu_;
  std::string stamp_;
};

}  // namespace spoor
