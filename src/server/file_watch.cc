#include "server/file_watch.h"

#include <sys/stat.h>

namespace spoor {

namespace {

int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string FileStamp(const std::string& path) {
  if (path.empty()) return "-";
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return "missing";
  return std::to_string(st.st_ino) + "/" + std::to_string(st.st_size) + "/" +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

}  // namespace

WatchedFiles::WatchedFiles(std::vector<std::string> paths, std::chrono::milliseconds interval)
    : paths_(std::move(paths)),
      interval_ns_(std::chrono::duration_cast<std::chrono::nanoseconds>(interval).count()),
      next_check_ns_(SteadyNs() + interval_ns_),
      stamp_(Stamp()) {}

std::string WatchedFiles::Stamp() const {
  std::string out;
  for (const std::string& p : paths_) out += FileStamp(p) + " ";
  return out;
}

bool WatchedFiles::Changed() {
  if (interval_ns_ <= 0) return false;
  int64_t now = SteadyNs();
  int64_t due = next_check_ns_.load(std::memory_order_relaxed);
  if (now < due || !next_check_ns_.compare_exchange_strong(due, now + interval_ns_)) return false;
  std::string stamp = Stamp();
  std::lock_guard<std::mutex> lock(mu_);
  if (stamp == stamp_) return false;
  stamp_ = std::move(stamp);
  return true;
}

}  // namespace spoor
