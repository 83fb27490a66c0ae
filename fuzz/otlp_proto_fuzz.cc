// DecodeOtlpProto on arbitrary bytes. What decodes must survive the checks
// of batch_checks.h (OTLP/JSON round trip, Jaeger JSON), and every span of
// the request must be either decoded or counted as rejected.

#include <cstddef>
#include <cstdint>

#include "formats/otlp/otlp_decode.h"
#include "fuzz/batch_checks.h"
#include "fuzz/fuzz_check.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using spoor::fuzz::AsText;
  spoor::SpanBatch batch;
  spoor::DecodeStats stats;
  const spoor::Status status = spoor::DecodeOtlpProto(AsText(data, size), &batch, &stats);
  if (!spoor::fuzz::CheckDecodeContract(status, batch, stats)) return 0;

  opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest request;
  SPOOR_FUZZ_CHECK(request.ParseFromArray(data, static_cast<int>(size)),
                   "libprotobuf rejects what DecodeOtlpProto accepted");
  size_t spans = 0;
  for (const auto& rs : request.resource_spans()) {
    for (const auto& ss : rs.scope_spans()) spans += static_cast<size_t>(ss.spans_size());
  }
  SPOOR_FUZZ_CHECK(batch.SpanCount() + stats.rejected_spans == spans,
                   std::to_string(batch.SpanCount()) + " decoded + " +
                       std::to_string(stats.rejected_spans) +
                       " rejected != " + std::to_string(spans) + " spans in the request");

  spoor::fuzz::CheckDecodedBatch(batch);
  return 0;
}
