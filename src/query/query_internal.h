// Shared pieces of the query handlers (query_api.cc, api_v3.cc).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "query/query_api.h"
#include "server/http_util.h"

namespace spoor {

struct QueryContext {
  QueryApiOptions options;
  SpanReader& reader;
  DependencyReader& dependencies;
};

// Runs the adjusters unless `raw`.
void PrepareTraces(std::vector<Trace>& traces, bool raw, const QueryContext& ctx);

// Groups a batch's spans by trace ID (for /api/transform), in order of
// first appearance.
[[nodiscard]] std::vector<Trace> GroupByTrace(const SpanBatch& batch);

// api_v3's operations of `service` (required), of `span_kind` ("" = all;
// Jaeger's names): an operation recorded without a kind is internal.
// InvalidArgument for a missing service or an unknown kind.
[[nodiscard]] Result<std::vector<Operation>> V3Operations(SpanReader& reader,
                                                          const std::string& service,
                                                          const std::string& span_kind);

// /api/v3/...; `path` is relative to the base path ("/api/v3/services").
[[nodiscard]] HttpResponse HandleApiV3(const HttpRequest& req, std::string_view path,
                                       const QueryContext& ctx);

// /api/metrics/{metric}; `metric` is what follows /api/metrics/.
[[nodiscard]] HttpResponse HandleMetricsApi(const HttpRequest& req, std::string_view metric,
                                            const QueryContext& ctx);

// The deep dependency graph and quality metrics routes (analytics_api.cc).
[[nodiscard]] bool IsAnalyticsRoute(std::string_view path);
[[nodiscard]] HttpResponse HandleAnalyticsApi(const HttpRequest& req, std::string_view path,
                                              const QueryContext& ctx);

// Jaeger's envelope around JSON `data_json`, and its error form.
[[nodiscard]] HttpResponse JaegerData(std::string_view data_json, std::string route);
[[nodiscard]] HttpResponse JaegerError(int status, const std::string& msg, std::string route);

// HTTP status for a storage/parse status.
[[nodiscard]] int HttpStatusFor(const Status& status);

}  // namespace spoor
