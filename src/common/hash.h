// A fast, stable 64-bit hash of byte strings: eight bytes at a time,
// little-endian whatever the machine, each word multiplied in and folded.
// Stable across builds and machines, so it may be persisted (the embedded
// store's block filters use it); not for untrusted keys of hash tables
// that an attacker could flood (it is not keyed).
#pragma once

#include <cstdint>
#include <string_view>

namespace spoor {

inline uint64_t HashLoad64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}

inline uint64_t HashMix(uint64_t h, uint64_t v) {
  const __uint128_t m = static_cast<__uint128_t>(h ^ v) * 0x9E3779B97F4A7C15ULL;
  return static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
}

// Folds the bytes of `s` into `h`.
inline uint64_t HashBytes(uint64_t h, std::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
  for (; n >= 8; p += 8, n -= 8) h = HashMix(h, HashLoad64(p));
  uint64_t tail = 0;
  for (size_t i = 0; i < n; ++i) tail |= uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return HashMix(h, tail ^ (uint64_t{n} << 56));
}

// Spreads the bits of a hash (the finalizer of MurmurHash3).
inline uint64_t HashAvalanche(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

}  // namespace spoor
