// Building blocks of the block codec (block_codec.h): varints, a bounds-checked
// reader, compressed byte streams and integer columns. Internal to the codec;
// the byte layouts are documented in docs/storage-embedded.md.
//
// A stream is `mode:u8 raw_len:varint [stored_len:varint] bytes` with mode 0
// (stored as is) or 1 (one zstd frame). A column is a sequence of uint64
// values stored as `count:varint base:varint width:u8` followed by `width`
// streams, the byte planes of (value - base), lowest byte first; width 0
// means every value equals base.
//
// Not thread-safe: each thread uses its own writer and reader.
#pragma once

#include <cstdint>
#include <cstring>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/encoding.h"
#include "common/status.h"

namespace spoor::block_internal {

// Order-preserving map between int64 and uint64, so that signed values use
// frame-of-reference columns well.
inline uint64_t FromSigned(int64_t v) {
  return static_cast<uint64_t>(v) ^ (uint64_t{1} << 63);
}
inline int64_t ToSigned(uint64_t v) {
  return static_cast<int64_t>(v ^ (uint64_t{1} << 63));
}

using encoding::PutFixed32;
using encoding::PutFixed64;
using encoding::PutVarint;

inline uint64_t LoadFixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}

// Reads from a byte range; every read checks the bounds and returns false
// (leaving the output unset) past the end or on a malformed varint.
class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(std::string_view data) : p_(data.data()), end_(data.data() + data.size()) {}

  [[nodiscard]] size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  [[nodiscard]] bool Byte(uint8_t* v) {
    if (p_ == end_) return false;
    *v = static_cast<uint8_t>(*p_++);
    return true;
  }
  [[nodiscard]] bool Varint(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64 && p_ != end_; shift += 7) {
      uint64_t b = static_cast<unsigned char>(*p_++);
      if (shift == 63 && b > 1) return false;
      result |= (b & 0x7f) << shift;
      if (b < 0x80) {
        *v = result;
        return true;
      }
    }
    return false;
  }
  [[nodiscard]] bool Fixed64(uint64_t* v) {
    if (remaining() < 8) return false;
    *v = LoadFixed64(p_);
    p_ += 8;
    return true;
  }
  [[nodiscard]] bool Fixed32(uint32_t* v) {
    if (remaining() < 4) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i) *v |= uint32_t{static_cast<unsigned char>(p_[i])} << (8 * i);
    p_ += 4;
    return true;
  }
  [[nodiscard]] bool Bytes(uint64_t n, std::string_view* out) {
    if (n > remaining()) return false;
    *out = std::string_view(p_, static_cast<size_t>(n));
    p_ += n;
    return true;
  }

 private:
  const char* p_ = nullptr;
  const char* end_ = nullptr;
};

// Writes streams and columns, compressing with zstd at `level` (0 stores
// everything uncompressed).
class ColumnWriter {
 public:
  explicit ColumnWriter(int level);
  ~ColumnWriter();
  ColumnWriter(const ColumnWriter&) = delete;
  ColumnWriter& operator=(const ColumnWriter&) = delete;

  // `compress` false stores the bytes as they are (for random IDs).
  void PutStream(std::string& out, std::string_view data, bool compress = true);
  // `min_width` forces at least that many planes, so that the column's count
  // is backed by stored bytes (see ColumnReader::Read).
  void PutColumn(std::string& out, std::span<const uint64_t> values, int min_width = 0);

 private:
  int level_;
  void* cctx_ = nullptr;  // ZSTD_CCtx
  std::string plane_;
  std::string compressed_;
};

// Reads streams and columns. Decompressed bytes are owned by the reader and
// stay valid (as do the views ReadStream returns) until it is destroyed.
class ColumnReader {
 public:
  // A decompressed stream may not exceed this many bytes.
  static constexpr uint64_t kMaxStreamBytes = uint64_t{1} << 30;
  // Per compressed byte, zstd cannot produce more than this (an RLE block is
  // 4 bytes for 128 KiB).
  static constexpr uint64_t kMaxExpansion = 32768;
  // `Read`'s expected count when the caller does not know it.
  static constexpr uint64_t kAnyCount = ~uint64_t{0};

  ColumnReader();
  ~ColumnReader();
  ColumnReader(const ColumnReader&) = delete;
  ColumnReader& operator=(const ColumnReader&) = delete;

  // Frees the decompressed bytes (invalidating the views handed out) but
  // keeps the decompression context for reuse.
  void Clear() { buffers_.clear(); }

  [[nodiscard]] Status ReadStream(ByteReader& in, std::string_view* out);
  // Reads a column of `expected` values, or of any count when `expected` is
  // kAnyCount, in which case the column must have at least one plane so that
  // its count is bounded by stored bytes. Nothing is allocated before the
  // count is known to be sound.
  [[nodiscard]] Status Read(ByteReader& in, uint64_t expected, std::vector<uint64_t>* out);

 private:
  [[nodiscard]] Status Decompress(std::string_view src, uint64_t raw_len, std::string* dst);

  void* dctx_ = nullptr;  // ZSTD_DCtx
  std::deque<std::string> buffers_;
  std::string plane_;
};

// Payload of a block section: `len:varint crc32:u32le payload`.
void PutSection(std::string& out, std::string_view payload);
// Reads one section header and payload without checking the CRC.
[[nodiscard]] bool ReadSection(ByteReader& in, std::string_view* payload, uint32_t* crc);
[[nodiscard]] uint32_t Crc32(std::string_view data);

}  // namespace spoor::block_internal
