// DecodeWalEntry on arbitrary bytes: the form of the embedded store's
// write-ahead entries and of the ClickHouse store's `spans` rows, read back
// from disk or from a server. A failure is InvalidArgument and leaves the
// output as it was; what decodes is encoded again and decodes to the same
// spans, grouped the same way.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "model/same_batch.h"
#include "storage/embedded/wal_codec.h"

namespace {

// The records as a batch: one resource and scope group per run of records
// that share them, as the decoder hands them out.
spoor::SpanBatch AsBatch(const std::vector<spoor::SpanRecord>& records, size_t from) {
  spoor::SpanBatch batch;
  for (size_t i = from; i < records.size(); ++i) {
    const spoor::SpanRecord& r = records[i];
    if (batch.resource_spans.empty() || batch.resource_spans.back().resource != r.resource) {
      batch.resource_spans.push_back(spoor::ResourceSpans{r.resource, {}});
    }
    auto& scopes = batch.resource_spans.back().scope_spans;
    if (scopes.empty() || scopes.back().scope != r.scope) {
      scopes.push_back(spoor::ScopeSpans{r.scope, {}});
    }
    scopes.back().spans.push_back(r.span);
  }
  return batch;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view entry = spoor::fuzz::AsText(data, size);
  // The output already holds a record: a decode appends to it, or leaves it.
  std::vector<spoor::SpanRecord> out(1);
  const spoor::Status status = spoor::DecodeWalEntry(entry, &out);
  if (!status.ok()) {
    SPOOR_FUZZ_CHECK(status.code() == spoor::StatusCode::kInvalidArgument, status.message());
    SPOOR_FUZZ_CHECK(out.size() == 1 && out[0].resource == nullptr,
                     "a failed decode changed its output");
    return 0;
  }
  for (size_t i = 1; i < out.size(); ++i) {
    SPOOR_FUZZ_CHECK(out[i].resource != nullptr && out[i].scope != nullptr,
                     "a decoded span without its resource or scope");
  }
  const spoor::SpanBatch batch = AsBatch(out, 1);
  std::string again;
  spoor::EncodeWalEntry(batch, &again);
  std::vector<spoor::SpanRecord> back;
  const spoor::Status second = spoor::DecodeWalEntry(again, &back);
  SPOOR_FUZZ_CHECK(second.ok(), "the re-encoded entry does not decode: " + second.message());
  SPOOR_FUZZ_CHECK(spoor::SameBatch(AsBatch(back, 0), batch),
                   "the re-encoded entry decodes to other spans");
  return 0;
}
