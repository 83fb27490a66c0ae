// GunzipLimited on arbitrary bytes with a small output limit: the limit
// holds and is exact, and what decompresses survives GzipCompress and back.

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/gzip.h"
#include "fuzz/fuzz_check.h"

namespace {

constexpr size_t kLimit = 64 * 1024;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view compressed = spoor::fuzz::AsText(data, size);
  std::string out;
  const spoor::Status status = spoor::GunzipLimited(compressed, kLimit, &out);
  SPOOR_FUZZ_CHECK(out.size() <= kLimit, std::to_string(out.size()) + " bytes out");
  if (!status.ok()) {
    SPOOR_FUZZ_CHECK(status.code() == spoor::StatusCode::kInvalidArgument ||
                         status.code() == spoor::StatusCode::kTooLarge,
                     status.message());
    return 0;
  }

  // The limit is exact: the decompressed size passes, one byte less fails.
  std::string again;
  const spoor::Status exact = spoor::GunzipLimited(compressed, out.size(), &again);
  SPOOR_FUZZ_CHECK(exact.ok() && again == out, "limit = output size: " + exact.message());
  if (!out.empty()) {
    const spoor::Status under = spoor::GunzipLimited(compressed, out.size() - 1, &again);
    SPOOR_FUZZ_CHECK(under.code() == spoor::StatusCode::kTooLarge,
                     "limit = output size - 1: " + under.message());
  }

  const std::string recompressed = spoor::GzipCompress(out);
  std::string back;
  const spoor::Status round_trip = spoor::GunzipLimited(recompressed, out.size(), &back);
  SPOOR_FUZZ_CHECK(round_trip.ok() && back == out,
                   "GzipCompress output does not decompress: " + round_trip.message());
  return 0;
}
