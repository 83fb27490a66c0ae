// The value encodings of the persistent sampling stores (embedded and
// ClickHouse): a version byte, then varints, length-prefixed strings and
// little-endian doubles. Decoders bound every count by the bytes left and
// return false on anything malformed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sampling/sampling_store.h"

namespace spoor::sampling_codec {

[[nodiscard]] std::string EncodeThroughput(const std::vector<Throughput>& list);
[[nodiscard]] bool DecodeThroughput(std::string_view in, std::vector<Throughput>* list);

[[nodiscard]] std::string EncodeProbabilities(const CalculatedProbabilities& p);
[[nodiscard]] bool DecodeProbabilities(std::string_view in, CalculatedProbabilities* p);

struct Lease {
  std::string holder;
  uint64_t expires_ns = 0;
};
[[nodiscard]] std::string EncodeLease(const Lease& lease);
[[nodiscard]] bool DecodeLease(std::string_view in, Lease* lease);

}  // namespace spoor::sampling_codec
