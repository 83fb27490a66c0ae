// Constants of the block format shared by its encoder and decoder
// (docs/storage-embedded.md, "Block format").
#pragma once

#include <cstdint>

namespace spoor::block_internal {

inline constexpr uint8_t kBlockVersion = 1;

// Parent column: 0 = no parent, 1 = a span outside the trace's spans in this
// block (its ID in the parent_raw stream), else 2 + zigzag(i - j) where j is
// the index within the trace of the first span with the parent's ID.
inline constexpr uint64_t kParentNone = 0;
inline constexpr uint64_t kParentRaw = 1;
inline constexpr uint64_t kParentLocal = 2;

// Link trace column: 0 = the span's own trace, 1 = raw in link_trace_raw.
inline constexpr uint64_t kLinkSameTrace = 0;
inline constexpr uint64_t kLinkOtherTrace = 1;

// Resource and scope columns: 0 = null, else 1 + index in the block's table.
inline constexpr uint64_t kNullRef = 0;

inline constexpr uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline constexpr int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

}  // namespace spoor::block_internal
