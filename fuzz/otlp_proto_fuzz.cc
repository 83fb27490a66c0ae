// DecodeOtlpProto (the wire-format reader) on arbitrary bytes, against
// DecodeOtlpProtoWithLibrary (the protobuf library's parser): both must
// accept or both refuse, and give the same batch and rejections. What
// decodes must survive the checks of batch_checks.h (OTLP/JSON round trip,
// Jaeger JSON), and every span of the request must be either decoded or
// counted as rejected.

#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>

#include "formats/otlp/otlp_decode.h"
#include "fuzz/batch_checks.h"
#include "fuzz/fuzz_check.h"
#include "model/same_batch.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using spoor::fuzz::AsText;
  static google::protobuf::LogSilencer* quiet = new google::protobuf::LogSilencer;
  (void)quiet;
  spoor::SpanBatch batch;
  spoor::DecodeStats stats;
  const spoor::Status status = spoor::DecodeOtlpProto(AsText(data, size), &batch, &stats);
  spoor::SpanBatch library_batch;
  spoor::DecodeStats library_stats;
  const spoor::Status library_status =
      spoor::DecodeOtlpProtoWithLibrary(AsText(data, size), &library_batch, &library_stats);
  SPOOR_FUZZ_CHECK(status.ok() == library_status.ok(), "the wire decoder says '" +
                                                           status.message() + "', the library '" +
                                                           library_status.message() + "'");
  if (!spoor::fuzz::CheckDecodeContract(status, batch, stats, "malformed OTLP protobuf: ")) {
    return 0;
  }
  SPOOR_FUZZ_CHECK(spoor::SameBatch(batch, library_batch),
                   "the wire decoder and the library give different batches");
  SPOOR_FUZZ_CHECK(stats.rejected_spans == library_stats.rejected_spans &&
                       stats.rejection_reason == library_stats.rejection_reason,
                   "rejections differ: '" + stats.rejection_reason + "' vs '" +
                       library_stats.rejection_reason + "'");

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
