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
  SpanBatch batch;
  for (SpanRecord& r : trace.value().spans) {
    if (batch.resource_spans.empty() || batch.resource_spans.back().resource != r.resource) {
      batch.resource_spans.push_back({r.resource, {}});
    }
    ResourceSpans& rs = batch.resource_spans.back();
    if (rs.scope_spans.empty() || rs.scope_spans.back().scope != r.scope) {
      rs.scope_spans.push_back({r.scope, {}});
    }
    rs.scope_spans.back().spans.push_back(std::move(r.span));
  }
  if (Status s = archive.Write(std::move(batch)); !s.ok()) return s;
  return archive.Flush();
}

}  // namespace spoor
