// The routes of the Jaeger UI's deep dependency graph (/api/deep-dependencies,
// and /analytics/v1/dependencies where release 2.19 asks) and quality
// metrics (/api/quality-metrics, and the older /qualitymetrics-v2), over
// the most recent traces of a service (analytics.h).
#include "common/strings.h"
#include "common/time_format.h"
#include "query/analytics.h"
#include "query/query_internal.h"
#include "query/query_params.h"

namespace spoor {
namespace {

constexpr uint64_t kMsNs = 1000000;
constexpr uint64_t kHourNs = 3600ULL * 1000000000;

HttpResponse JsonBody(std::string body, std::string route) {
  HttpResponse r;
  r.route = std::move(route);
  r.body = std::move(body);
  return r;
}

Status ParseCount(const QueryParams& params, const char* name, uint64_t max, uint64_t* out) {
  auto v = params.Get(name);
  if (!v || v->empty()) return Status::Ok();
  auto n = ParseUint64(*v);
  if (!n || *n == 0 || *n > max) {
    return InvalidArgument("unable to parse param '" + std::string(name) + "': expected 1 to " +
                           std::to_string(max) + ", got '" + *v + "'");
  }
  *out = *n;
  return Status::Ok();
}

HttpResponse DeepDependencies(const QueryParams& params, const QueryContext& ctx,
                              std::string route) {
  std::string service = params.Get("service").value_or("");
  if (service.empty()) return JaegerError(400, "parameter 'service' is required", route);
  TraceQuery q;
  q.service = service;
  q.operation = params.Get("operation").value_or("");
  uint64_t now = NowNs();
  uint64_t start_ms = 0;
  uint64_t end_ms = 0;
  uint64_t limit = 200;
  for (auto [name, field] : {std::pair{"start", &start_ms}, {"end", &end_ms}}) {
    auto v = params.Get(name);
    if (!v || v->empty()) continue;
    auto n = ParseUint64(*v);
    if (!n || *n > UINT64_MAX / kMsNs) {
      return JaegerError(400,
                         "unable to parse param '" + std::string(name) +
                             "': expected milliseconds since the epoch, got '" + *v + "'",
                         route);
    }
    *field = *n;
  }
  if (Status s = ParseCount(params, "limit", kMaxSearchLimit, &limit); !s.ok()) {
    return JaegerError(400, s.message(), route);
  }
  // The UI sends start=0&end=0: the last day.
  q.start_time_max_ns = end_ms == 0 ? now : end_ms * kMsNs;
  q.start_time_min_ns = start_ms != 0                        ? start_ms * kMsNs
                        : q.start_time_max_ns > 24 * kHourNs ? q.start_time_max_ns - 24 * kHourNs
                                                             : 0;
  if (q.start_time_min_ns > q.start_time_max_ns) {
    return JaegerError(400, "'start' must not be after 'end'", route);
  }
  q.limit = limit;
  auto traces = ctx.reader.FindTraces(q);
  if (!traces.ok()) {
    return JaegerError(HttpStatusFor(traces.status()), traces.status().message(), route);
  }
  std::string body;
  AppendDeepDependenciesJson(DeepDependencyPaths(*traces, q.service, q.operation), body);
  return JsonBody(std::move(body), route);
}

HttpResponse QualityMetrics(const QueryParams& params, const QueryContext& ctx, std::string route) {
  std::string service = params.Get("service").value_or("");
  if (service.empty()) return JaegerError(400, "parameter 'service' is required", route);
  uint64_t hours = 48;
  uint64_t limit = 500;
  // Release 2.19 sends hours=; older releases lookback= (also hours).
  if (Status s = ParseCount(params, params.Has("hours") ? "hours" : "lookback", 24 * 365, &hours);
      !s.ok()) {
    return JaegerError(400, s.message(), route);
  }
  if (Status s = ParseCount(params, "limit", kMaxSearchLimit, &limit); !s.ok()) {
    return JaegerError(400, s.message(), route);
  }
  TraceQuery q;
  q.service = service;
  uint64_t now = NowNs();
  q.start_time_max_ns = now;
  q.start_time_min_ns = now > hours * kHourNs ? now - hours * kHourNs : 0;
  q.limit = limit;
  auto traces = ctx.reader.FindTraces(q);
  if (!traces.ok()) {
    return JaegerError(HttpStatusFor(traces.status()), traces.status().message(), route);
  }
  std::string banner = "Computed from the " + std::to_string(traces->size()) +
                       " most recent traces of " + service + " in the last " +
                       std::to_string(hours) + " hours.";
  std::string body;
  AppendQualityMetricsJson(ComputeQualityMetrics(*traces, service), banner, body);
  return JsonBody(std::move(body), route);
}

}  // namespace

bool IsAnalyticsRoute(std::string_view path) {
  return path == "/api/deep-dependencies" || path == "/analytics/v1/dependencies" ||
         path == "/api/quality-metrics" || path == "/qualitymetrics-v2";
}

HttpResponse HandleAnalyticsApi(const HttpRequest& req, std::string_view path,
                                const QueryContext& ctx) {
  std::string route(path);
  if (req.method != "GET" && req.method != "HEAD") {
    return JaegerError(405, "method " + req.method + " not allowed", route);
  }
  QueryParams params(req.query);
  if (path == "/api/deep-dependencies" || path == "/analytics/v1/dependencies") {
    return DeepDependencies(params, ctx, route);
  }
  return QualityMetrics(params, ctx, route);
}

}  // namespace spoor
