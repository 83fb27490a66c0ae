// DecodeZipkinV1Thrift (zipkinCore.thrift list<Span>, binary protocol) on
// arbitrary bytes. What decodes must survive the checks of batch_checks.h:
// re-encoded as OTLP/JSON it decodes to the same spans, and it renders as
// well-formed Jaeger JSON.

#include <cstddef>
#include <cstdint>

#include "formats/zipkin/zipkin_decode.h"
#include "fuzz/batch_checks.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using spoor::fuzz::AsText;
  spoor::SpanBatch batch;
  spoor::DecodeStats stats;
  const spoor::Status status = spoor::DecodeZipkinV1Thrift(AsText(data, size), &batch, &stats);
  if (!spoor::fuzz::CheckDecodeContract(status, batch, stats, "zipkin thrift: ")) return 0;

  spoor::fuzz::CheckDecodedBatch(batch);
  return 0;
}
