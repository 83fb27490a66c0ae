// The Zipkin JSON decoders on arbitrary bytes. The first byte chooses the
// decoder (bit 0: DecodeZipkinV1Json, else DecodeZipkinV2Json); the rest is
// the input. What decodes must survive the checks of batch_checks.h:
// re-encoded as OTLP/JSON it decodes to the same spans, and it renders as
// well-formed Jaeger JSON.

#include <cstddef>
#include <cstdint>

#include "formats/zipkin/zipkin_decode.h"
#include "fuzz/batch_checks.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using spoor::fuzz::AsText;
  if (size == 0) return 0;
  const bool v1 = (data[0] & 1) != 0;
  const std::string_view input = AsText(data + 1, size - 1);
  spoor::SpanBatch batch;
  spoor::DecodeStats stats;
  const spoor::Status status = v1 ? spoor::DecodeZipkinV1Json(input, &batch, &stats)
                                  : spoor::DecodeZipkinV2Json(input, &batch, &stats);
  if (!spoor::fuzz::CheckDecodeContract(status, batch, stats,
                                        v1 ? "zipkin v1 json: " : "zipkin json: ")) {
    return 0;
  }

  spoor::fuzz::CheckDecodedBatch(batch);
  return 0;
}
