#include "storage/embedded/disk_space.h"

#include <sys/statvfs.h>

#include <algorithm>

namespace spoor {

Status CheckDiskSpace(const std::string& directory, uint64_t incoming_bytes) {
  // statvfs costs about a microsecond: checked on every write (a batch of
  // spans), so that a burst cannot run past the reserve.
  struct statvfs fs {};
  if (statvfs(directory.c_str(), &fs) != 0) return Status::Ok();
  const uint64_t total = static_cast<uint64_t>(fs.f_blocks) * fs.f_frsize;
  const uint64_t free = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  const uint64_t reserve = std::min<uint64_t>(256ULL << 20, total / 5);
  if (free >= reserve + 2 * incoming_bytes) return Status::Ok();
  return Unavailable("embedded store: the disk holding '" + directory +
                     "' is nearly full; writes are refused until space is freed");
}

}  // namespace spoor
