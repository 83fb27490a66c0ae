// The query HTTP server's handler (port 16686): Jaeger's /api routes used by
// its UI and Grafana, /api/v3 over HTTP, and the web UI, all under an
// optional base path. See ../shared/REFERENCE.md for the contracts and
// docs/api.md for what Spoor adds.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "query/adjusters.h"
#include "query/query_params.h"
#include "query/static_files.h"
#include "server/http.h"
#include "storage/storage.h"

namespace spoor {

struct QueryApiOptions {
  std::string base_path = "/";  // --query.base-path
  AdjusterOptions adjusters;
  // The web UI's files, loaded for `base_path`; null = no UI, and `/` shows
  // a start page that says how to build it.
  std::shared_ptr<const StaticFiles> ui;
  // The span metrics behind /api/metrics (not owned; outlives the
  // handler); null answers 501, as Jaeger without a metrics store.
  SpanMetricsStore* span_metrics = nullptr;
  // The sampling strategy served to clients of a service (Jaeger's
  // SamplingStrategyResponse JSON), and whether it is adaptive; null when
  // this process serves none (a query node): /api/sampling answers 501.
  std::function<std::string(const std::string& service)> sampling_strategy;
  bool sampling_adaptive = false;
  // How long 10 s span metrics buckets are kept (older windows are read in
  // 5 min buckets).
  uint64_t span_metrics_fine_retention_ns = 24ULL * 3600 * 1000000000;
  QueryLimits limits;
  // The archive store (--archive.span-storage.type; not owned): POST
  // /api/archive/{id} copies a trace into it, and trace reads fall back to
  // it. Null: archiving answers 501.
  Storage* archive = nullptr;
};

// The path prefixes of the routes that read spans or what is computed from
// them, under `base` (the base path, ending in '/'): what a query token and
// a tenant guard. The rest (the UI's files) is open.
[[nodiscard]] std::vector<std::string> QueryDataPrefixes(const std::string& base);

// `reader` and `dependencies` must outlive the handler.
[[nodiscard]] HttpHandler NewQueryHandler(const QueryApiOptions& options, SpanReader& reader,
                                          DependencyReader& dependencies);

}  // namespace spoor
