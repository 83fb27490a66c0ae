// Spoor's trace query language (docs/query-language.md): TraceQL's form
// where TraceQL has one. A filter selects traces by conditions on spans
// ({ kind = server && duration > 300ms }), on attributes
// ({ span.http.status_code >= 500 }, { resource.service.name = "api" }),
// on the trace ({ traceDuration > 2s }, { rootServiceName = "frontend" }),
// across spans ({A} && {B}, {A} || {B}), on structure ({A} > {B} child,
// {A} >> {B} descendant) and on counts ({A} | count() > 3).
//
// Parse() checks the text once; Matches() then decides a whole trace.
// NarrowSearch() gives storage a search that every matching trace also
// matches (a superset), so that a backend can find candidates with its
// indexes before the filter decides.
//
// Threading: a parsed filter is immutable; Matches() may be called from
// any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "model/span.h"
#include "storage/storage.h"

namespace spoor {

namespace querylang {
struct Pipeline;
}

class QueryFilter {
 public:
  // The most characters a filter may have.
  static constexpr size_t kMaxLength = 8192;

  // InvalidArgument saying what is wrong and where: "at 14: expected a
  // value after '>'" (the 1-based character position in `text`).
  [[nodiscard]] static Result<std::shared_ptr<const QueryFilter>> Parse(std::string_view text);

  ~QueryFilter();
  QueryFilter(const QueryFilter&) = delete;
  QueryFilter& operator=(const QueryFilter&) = delete;

  // Whether `trace` (all of its spans) matches.
  [[nodiscard]] bool Matches(const Trace& trace) const;

  // Adds to `query` conditions that some span of every matching trace
  // meets (service, operation, kind, duration bounds, tags), where the
  // filter implies them; leaves the rest of `query` as it was.
  void NarrowSearch(TraceQuery* query) const;

  // Whether a condition reads a span's attributes (span.<key> or .<key>):
  // when not, Matches() needs only the other fields of the spans
  // (TraceQuery::spans_without_attributes).
  [[nodiscard]] bool ReadsSpanAttributes() const;

  [[nodiscard]] const std::string& text() const { return text_; }

 private:
  QueryFilter(std::string text, std::unique_ptr<querylang::Pipeline> root);

  const std::string text_;
  const std::unique_ptr<querylang::Pipeline> root_;
};

}  // namespace spoor
