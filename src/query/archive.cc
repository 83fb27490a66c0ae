#include "query/archive.h"

#include <utility>

namespace spoor {

Result<Trace> ArchiveFallbackReader::GetTrace(const TraceId& id, const TraceTimeHint& hint) {
  auto found = main_.GetTrace(id, hint);
  if (found.ok() || found.status().code() != StatusCode::kNotFound) return found;
  // Archived traces keep their times; the hint still narrows the lookup.
  auto archived = archive_.GetTrace(id, hint);
  return archived.ok() ? archived : found;
}

Status ArchiveTrace(SpanReader& from, Storage& archive, const TraceId& id) {
  auto trace = from.GetTrace(id, {});
  if (!trace.ok()) {
    if (trace.status().code() != StatusCode::kNotFound) return trace.status();
    // Already archived (and gone from the main store): nothing to copy.
    auto archived = archive.GetTrace(id, {});
    return archived.ok() ? Status::Ok() : trace.status();
  }
  const std::vector<SpanRecord>& spans = trace.value().spans;
  SpanBatch batch = BatchOfRecords(spans.data(), spans.data() + spans.size());
  if (Status s = archive.Write(std::move(batch)); !s.ok()) return s;
  return archive.Flush();
}

}  // namespace spoor
