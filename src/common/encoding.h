// Little-endian fixed-width, varint and length-prefixed appends, shared by
// spoor's own binary encodings (the embedded store's blocks and write-ahead
// entries, the memory store's spans, the sampling stores' values, the
// ClickHouse store's RowBinary rows).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace spoor::encoding {

inline void PutVarint(std::string& out, uint64_t v) {
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out.append(buf, n);
}

// A varint length, then the bytes (protobuf's length-delimited form, and
// ClickHouse's RowBinary String).
inline void PutLengthPrefixed(std::string& out, std::string_view bytes) {
  PutVarint(out, bytes.size());
  out.append(bytes);
}

inline void PutFixed64(std::string& out, uint64_t v) {
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(v >> (8 * i));
  out.append(buf, 8);
}

inline void PutFixed32(std::string& out, uint32_t v) {
  char buf[4];
  for (int i = 0; i < 4; ++i) buf[i] = static_cast<char>(v >> (8 * i));
  out.append(buf, 4);
}

inline void PutFixed16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>(v >> 8));
}

// Big-endian 8 bytes: keys that sort by the number (RocksDB keys).
inline void PutBigEndian64(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
}

// Reads what PutBigEndian64 wrote: the first 8 bytes of `s` (a shorter `s`
// gives the number of its bytes alone).
inline uint64_t GetBigEndian64(std::string_view s) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < s.size(); ++i) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}

}  // namespace spoor::encoding
