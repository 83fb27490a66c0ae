// The Jaeger Thrift decoders on arbitrary bytes. The first byte chooses the
// protocol (bit 0: compact) and the entry point (bit 1: an agent UDP packet,
// else a collector Batch body); the rest is the input. What decodes must
// survive the checks of batch_checks.h: re-encoded as OTLP/JSON it decodes
// to the same spans, and it renders as well-formed Jaeger JSON.

#include <cstddef>
#include <cstdint>

#include "formats/jaeger_thrift/jaeger_thrift_decode.h"
#include "fuzz/batch_checks.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using spoor::fuzz::AsText;
  if (size == 0) return 0;
  const auto protocol =
      (data[0] & 1) != 0 ? spoor::ThriftProtocol::kCompact : spoor::ThriftProtocol::kBinary;
  const bool packet = (data[0] & 2) != 0;
  const std::string_view input = AsText(data + 1, size - 1);

  spoor::SpanBatch batch;
  spoor::DecodeStats stats;
  const spoor::Status status =
      packet ? spoor::DecodeJaegerAgentPacket(input, protocol, &batch, &stats)
             : spoor::DecodeJaegerThriftBatch(input, protocol, &batch, &stats);
  if (!spoor::fuzz::CheckDecodeContract(status, batch, stats, "jaeger thrift: ")) return 0;
  SPOOR_FUZZ_CHECK(batch.resource_spans.size() <= 1, "more than one resource for one Batch");

  spoor::fuzz::CheckDecodedBatch(batch);
  return 0;
}
