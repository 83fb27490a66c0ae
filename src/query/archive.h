// The archive (--archive.span-storage.type; docs/operations.md, "Archive"):
// traces a user chose to keep, copied into a
// store of their own with its own retention (by default forever), and read
// from there once the main store no longer has them.
#pragma once

#include "common/status.h"
#include "model/span.h"
#include "storage/storage.h"

namespace spoor {

// `main`'s reads; a trace `main` does not have is looked up in `archive`.
// Both outlive the reader.
class ArchiveFallbackReader final : public SpanReader {
 public:
  ArchiveFallbackReader(SpanReader& main, SpanReader& archive) : main_(main), archive_(archive) {}

  [[nodiscard]] Result<Trace> GetTrace(const TraceId& id, const TraceTimeHint& hint) override;
  [[nodiscard]] Result<std::vector<Trace>> FindTraces(const TraceQuery& query) override {
    return main_.FindTraces(query);
  }
  [[nodiscard]] Result<std::vector<TraceId>> FindTraceIds(const TraceQuery& query) override {
    return main_.FindTraceIds(query);
  }
  [[nodiscard]] Result<std::vector<std::string>> GetServices() override {
    return main_.GetServices();
  }
  [[nodiscard]] Result<std::vector<Operation>> GetOperations(const std::string& service,
                                                             bool match_kind,
                                                             SpanKind kind) override {
    return main_.GetOperations(service, match_kind, kind);
  }

 private:
  SpanReader& main_;
  SpanReader& archive_;
};

// Copies trace `id` from `from` into `archive` and waits until the archive
// has it: NotFound when `from` does not have the trace (nor the archive),
// the archive's error when it cannot take it. Archiving a trace twice
// keeps one copy (stores drop exact duplicates of a span).
[[nodiscard]] Status ArchiveTrace(SpanReader& from, Storage& archive, const TraceId& id);

}  // namespace spoor
