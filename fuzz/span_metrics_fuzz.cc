// The span metrics rows of the embedded store (key and value,
// spanmetrics/span_metrics_codec.h) on arbitrary bytes, as read back from
// disk. The first byte splits the input into a key and a value. A failed
// decode leaves its output as it was; what decodes encodes again to the
// same key, and to a value that decodes to the same counts.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_check.h"
#include "spanmetrics/span_metrics_codec.h"

namespace codec = spoor::span_metrics_codec;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in = spoor::fuzz::AsText(data, size);
  if (in.empty()) return 0;
  size_t key_size = static_cast<unsigned char>(in[0]) % in.size();
  std::string_view key = in.substr(1, key_size);
  std::string_view value = in.substr(1 + key_size);

  spoor::SpanMetricsRow row;
  row.key.service = "untouched";
  if (codec::DecodeKey(key, &row)) {
    std::string again = codec::EncodeKey(row.resolution, row.key.service, row.bucket_start_ns,
                                         row.key.kind, row.key.operation);
    SPOOR_FUZZ_CHECK(again == key, "a decoded key encodes to other bytes");
  } else {
    SPOOR_FUZZ_CHECK(row.key.service == "untouched" && row.bucket_start_ns == 0,
                     "a failed key decode changed its output");
  }

  spoor::SpanMetricsValue v;
  v.calls = 7;
  if (!codec::DecodeValue(value, &v)) {
    SPOOR_FUZZ_CHECK(v.calls == 7 && v.errors == 0 && v.latency.empty(),
                     "a failed value decode changed its output");
    return 0;
  }
  uint64_t total = 0;
  v.latency.ForEachBucket([&](uint32_t bucket, uint64_t n) {
    SPOOR_FUZZ_CHECK(bucket <= spoor::LatencyHistogram::kMaxBucket, "a bucket out of range");
    total += n;
  });
  SPOOR_FUZZ_CHECK(total == v.latency.count(), "the histogram's count is not its buckets' sum");
  SPOOR_FUZZ_CHECK(v.latency.empty() || v.latency.QuantileNs(0.5).has_value(),
                   "a non-empty histogram has no median");
  std::string encoded;
  codec::EncodeValue(v, encoded);
  spoor::SpanMetricsValue back;
  SPOOR_FUZZ_CHECK(codec::DecodeValue(encoded, &back), "a re-encoded value does not decode");
  SPOOR_FUZZ_CHECK(back == v, "a re-encoded value decodes to other counts");
  return 0;
}
