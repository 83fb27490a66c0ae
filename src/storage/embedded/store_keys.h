// The keys of the embedded store's RocksDB column families (layout in
// docs/storage-embedded.md, "Layout"). Internal to the store.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/encoding.h"
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
using encoding::GetBigEndian64;
using encoding::PutBigEndian64;

inline std::string WalKey(uint64_t seq) {
  std::string k;
  PutBigEndian64(k, seq);
  return k;
}

inline std::string SealedPartKey(uint64_t seq) {
  std::string k(1, kSealedPartPrefix);
  PutBigEndian64(k, seq);
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
    PutBigEndian64(k, bucket);
    PutBigEndian64(k, seq);
    return k;
  }
  static BlockKey Decode(std::string_view k) {
    return {GetBigEndian64(k), GetBigEndian64(k.substr(8))};
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
