// The query HTTP server's handler (port 16686): Jaeger's /api routes used by
// its UI and Grafana, /api/v3 over HTTP, and the web UI, all under an
// optional base path. See ../shared/REFERENCE.md for the contracts and
// docs/api.md for what Spoor adds.
#pragma once

#include <memory>
#include <string>

#include "query/adjusters.h"
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
};

// `reader` and `dependencies` must outlive the handler.
[[nodiscard]] HttpHandler NewQueryHandler(const QueryApiOptions& options, SpanReader& reader,
                                          DependencyReader& dependencies);

}  // namespace spoor
