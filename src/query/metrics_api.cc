// Jaeger's service performance monitoring routes: /api/metrics/latencies,
// calls, errors and minstep, answered from the span metrics in storage
// (spanmetrics/metrics_query.h).
#include "common/strings.h"
#include "common/time_format.h"
#include "query/query_internal.h"
#include "spanmetrics/metrics_query.h"

namespace spoor {
namespace {

constexpr uint64_t kMsNs = 1000000;
constexpr const char* kNoSpanMetrics =
    "span metrics are not available: counting is off (--span-metrics.enabled=false) or the "
    "storage keeps none";

// A duration or time parameter in milliseconds; `fallback` when absent.
Status ParseMs(const QueryParams& params, const char* name, uint64_t fallback, bool positive,
               uint64_t* out) {
  auto v = params.Get(name);
  if (!v || v->empty()) {
    *out = fallback;
    return Status::Ok();
  }
  auto n = ParseInt64(*v);
  if (!n || *n < 0 || (positive && *n == 0) || static_cast<uint64_t>(*n) > UINT64_MAX / kMsNs) {
    return InvalidArgument("unable to parse param '" + std::string(name) + "': expected " +
                           (positive ? "a positive" : "a") + " number of milliseconds, got '" + *v +
                           "'");
  }
  *out = static_cast<uint64_t>(*n) * kMsNs;
  return Status::Ok();
}

// "server", "SPAN_KIND_SERVER" (any case) and the other kinds.
bool ParseMetricsSpanKind(std::string value, SpanKind* kind) {
  value = ToLower(value);
  if (StartsWith(value, "span_kind_")) value.erase(0, 10);
  if (value == "unspecified") {
    *kind = SpanKind::kUnspecified;
    return true;
  }
  return !value.empty() && ParseSpanKind(value, kind);
}

Result<MetricsQuery> ParseMetricsQuery(MetricsQueryType type, const QueryParams& params) {
  MetricsQuery q;
  q.type = type;
  // The Jaeger UI joins several services as "service=a,service=b".
  for (const std::string& v : params.GetAll("service")) {
    size_t from = 0;
    while (true) {
      size_t at = v.find(",service=", from);
      std::string name = v.substr(from, at == std::string::npos ? std::string::npos : at - from);
      if (!name.empty()) q.services.push_back(name);
      if (at == std::string::npos) break;
      from = at + 9;
    }
  }
  if (q.services.empty()) {
    return InvalidArgument(
        "unable to parse param 'service': please provide at least one service name");
  }
  if (auto v = params.Get("groupByOperation"); v && !v->empty()) {
    auto b = ParseBool(*v);
    if (!b) {
      return InvalidArgument(
          "unable to parse param 'groupByOperation': expected true or false, got '" + *v + "'");
    }
    q.group_by_operation = *b;
  }
  if (type == MetricsQueryType::kLatencies) {
    auto v = params.Get("quantile");
    auto d = v ? ParseDouble(*v) : std::nullopt;
    if (!d || !(*d >= 0 && *d <= 1)) {
      return InvalidArgument(
          "unable to parse param 'quantile': expected a number between 0 and 1, got '" +
          v.value_or("") + "'");
    }
    q.quantile = *d;
  }
  std::vector<std::string> kinds = params.GetAll("spanKind");
  if (kinds.empty()) kinds.push_back("server");
  for (const std::string& k : kinds) {
    SpanKind kind;
    if (!ParseMetricsSpanKind(k, &kind)) {
      return InvalidArgument("unable to parse param 'spanKind': unsupported span kind: '" + k +
                             "'");
    }
    q.kinds.push_back(kind);
  }
  uint64_t now = NowNs();
  if (Status s = ParseMs(params, "endTs", now - now % kMsNs, false, &q.end_ns); !s.ok()) return s;
  if (Status s = ParseMs(params, "lookback", 3600 * 1000 * kMsNs, false, &q.lookback_ns); !s.ok())
    return s;
  if (Status s = ParseMs(params, "step", 5000 * kMsNs, true, &q.step_ns); !s.ok()) return s;
  if (Status s = ParseMs(params, "ratePer", 600 * 1000 * kMsNs, true, &q.rate_per_ns); !s.ok())
    return s;
  return q;
}

}  // namespace

HttpResponse HandleMetricsApi(const HttpRequest& req, std::string_view metric,
                              const QueryContext& ctx) {
  std::string route = "/api/metrics/" + std::string(metric);
  QueryParams params(req.query);
  MetricsQueryType type;
  if (metric == "latencies") {
    type = MetricsQueryType::kLatencies;
  } else if (metric == "calls") {
    type = MetricsQueryType::kCalls;
  } else if (metric == "errors") {
    type = MetricsQueryType::kErrors;
  } else if (metric == "minstep") {
    if (ctx.options.span_metrics == nullptr) {
      return JaegerError(501, kNoSpanMetrics, route);
    }
    // The finest step that shows a change: one bucket.
    return JaegerData(std::to_string(kFineBucketNs / kMsNs), route);
  } else {
    return JaegerError(404,
                       "unknown metric '" + std::string(metric) +
                           "'; expected latencies, calls, errors or minstep",
                       "/api/metrics/{metric}");
  }
  auto query = ParseMetricsQuery(type, params);
  if (!query.ok()) return JaegerError(400, query.status().message(), route);
  if (ctx.options.span_metrics == nullptr) {
    return JaegerError(501, kNoSpanMetrics, route);
  }
  auto result = RunMetricsQuery(*ctx.options.span_metrics, *query, NowNs(),
                                ctx.options.span_metrics_fine_retention_ns);
  if (!result.ok()) {
    return JaegerError(HttpStatusFor(result.status()), result.status().message(), route);
  }
  HttpResponse r;
  r.route = route;
  AppendMetricFamilyJson(*result, r.body);
  return r;
}

}  // namespace spoor
