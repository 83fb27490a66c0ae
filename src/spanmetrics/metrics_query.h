// The /api/metrics computations over a SpanMetricsStore, with the meaning
// Jaeger gives them when it reads the OpenTelemetry span-metrics from
// Prometheus (rate(), histogram_quantile() at every step of a range query).
//
// At each evaluation time t = end - lookback + k * step (k = 0, 1, ...,
// t <= end), the window is the buckets that start in [t - ratePer, t):
//   calls      calls in the window / ratePer in seconds
//   errors     errors in the window / calls in the window (0..1)
//   latencies  the quantile of the durations in the window, milliseconds,
//              within LatencyHistogram::kRelativeError of the exact value
// A point is given only where the window holds at least one span. The
// window is counted in whole buckets: 10 s ones while they are kept
// (fine_retention), else 5 min ones, whose rates are then over the window
// rounded to 5 minutes.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "spanmetrics/span_metrics_store.h"

namespace spoor {

enum class MetricsQueryType { kLatencies, kCalls, kErrors };

struct MetricsQuery {
  MetricsQueryType type = MetricsQueryType::kCalls;
  std::vector<std::string> services;  // at least one
  bool group_by_operation = false;
  double quantile = 0.95;       // latencies only, in [0, 1]
  std::vector<SpanKind> kinds;  // empty = every kind
  uint64_t end_ns = 0;
  uint64_t lookback_ns = 3600ULL * 1000000000;
  uint64_t step_ns = 5ULL * 1000000000;
  uint64_t rate_per_ns = 600ULL * 1000000000;
};

// At most this many points per series (Prometheus' limit for a range query).
inline constexpr uint64_t kMaxMetricPoints = 11000;

struct MetricSeries {
  std::string service;
  std::string operation;                            // when grouped by operation
  std::vector<std::pair<uint64_t, double>> points;  // (time ns, value)
};

struct MetricFamilyResult {
  std::string name;  // service_latencies, service_operation_call_rate, ...
  std::string help;
  bool group_by_operation = false;
  std::vector<MetricSeries> series;  // by service, then operation
};

// InvalidArgument for a query out of bounds (no service, a zero step or
// ratePer, too many points, a quantile outside [0, 1]); the store's error
// otherwise. `now_ns` and `fine_retention_ns` choose the resolution.
[[nodiscard]] Result<MetricFamilyResult> RunMetricsQuery(SpanMetricsStore& store,
                                                         const MetricsQuery& query, uint64_t now_ns,
                                                         uint64_t fine_retention_ns);

// Jaeger's MetricFamily JSON of the result.
void AppendMetricFamilyJson(const MetricFamilyResult& result, std::string& out);

}  // namespace spoor
