// The keys of the embedded store's RocksDB column families (layout in
// docs/storage-embedded.md, "Layout"). Internal to the store.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "model/span.h"

namespace spoor::embedded_keys {

// Column families.
enum Family { kDefault = 0, kMeta, kWal, kBlocks, kIndex, kMetrics, kFamilies };
inline const char* const kFamilyNames[kFamilies] = {"default", "meta",  "wal",
                                                    "blocks",  "index", "metrics"};

inline constexpr char kFormatKey[] = "format";
inline constexpr char kFormatValue[] = "spoor-embedded-1";
inline constexpr char kOperationPrefix = 'o';
// Marks a write-ahead entry some of whose spans are sealed already: the
// value lists those buckets (8 bytes each), whose spans replay skips.
inline constexpr char kSealedPartPrefix = 'w';
inline void PutBigEndian(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
}

inline uint64_t GetBigEndian(std::string_view s) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < s.size(); ++i) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}

inline std::string WalKey(uint64_t seq) {
  std::string k;
  PutBigEndian(k, seq);
  return k;
}

inline std::string SealedPartKey(uint64_t seq) {
  std::string k(1, kSealedPartPrefix);
  PutBigEndian(k, seq);
  return k;
}

// Blocks sort by time bucket, then by sealing order.
struct BlockKey {
  uint64_t bucket = 0;
  uint64_t seq = 0;
  // NOLINTNEXTLINE(modernize-use-nullptr): see model/ids.h
  auto operator<=>(const BlockKey&) const = default;
  [[nodiscard]] std::string Encode() const {
    std::string k;
    PutBigEndian(k, bucket);
    PutBigEndian(k, seq);
    return k;
  }
  static BlockKey Decode(std::string_view k) {
    return {GetBigEndian(k), GetBigEndian(k.substr(8))};
  }
};

inline std::string OperationKey(std::string_view service, std::string_view op, SpanKind kind) {
  std::string k(1, kOperationPrefix);
  k.append(service);
  k.push_back('\0');
  k.push_back(static_cast<char>('0' + static_cast<int>(kind)));
  k.append(op);
  return k;
}

}  // namespace spoor::embedded_keys
