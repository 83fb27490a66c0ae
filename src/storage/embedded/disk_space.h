// The embedded store's free-space reserve: writes are refused while the file
// system holding the store has less free space than 20% of its size or
// 256 MiB, whichever is smaller (plus twice what is about to be written), so
// that RocksDB itself never runs out of space.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace spoor {

// Unavailable, with a message naming the directory, when a write of
// `incoming_bytes` would cut into the reserve; OK when it fits or the file
// system cannot be asked.
[[nodiscard]] Status CheckDiskSpace(const std::string& directory, uint64_t incoming_bytes);

}  // namespace spoor
