#include "spanmetrics/metrics_query.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "common/json_writer.h"
#include "common/time_format.h"

namespace spoor {
namespace {

struct Bucket {
  uint64_t start_ns = 0;
  SpanMetricsValue value;
};

std::string Help(const MetricsQuery& q) {
  std::string help;
  switch (q.type) {
    case MetricsQueryType::kLatencies: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.2f", q.quantile);
      help = std::string(buf) + "th quantile latency, grouped by service";
      break;
    }
    case MetricsQueryType::kCalls: help = "calls/sec, grouped by service"; break;
    case MetricsQueryType::kErrors:
      help = "error rate, computed as a fraction of errors/sec over calls/sec, grouped by service";
      break;
  }
  if (q.group_by_operation) help += " & operation";
  return help;
}

std::string Name(const MetricsQuery& q) {
  std::string prefix = q.group_by_operation ? "service_operation_" : "service_";
  switch (q.type) {
    case MetricsQueryType::kLatencies: return prefix + "latencies";
    case MetricsQueryType::kCalls: return prefix + "call_rate";
    case MetricsQueryType::kErrors: return prefix + "error_rate";
  }
  return prefix;
}

// The points of one series from its buckets (ordered by start).
std::vector<std::pair<uint64_t, double>> Evaluate(const MetricsQuery& q,
                                                  const std::vector<Bucket>& buckets) {
  std::vector<std::pair<uint64_t, double>> points;
  uint64_t first = q.end_ns > q.lookback_ns ? q.end_ns - q.lookback_ns : 0;
  double rate_seconds = static_cast<double>(q.rate_per_ns) / 1e9;
  size_t lo = 0;
  size_t hi = 0;
  uint64_t calls = 0;
  uint64_t errors = 0;
  for (uint64_t t = first; t <= q.end_ns; t += q.step_ns) {
    uint64_t from = t > q.rate_per_ns ? t - q.rate_per_ns : 0;
    // Slide the window [from, t) over the buckets.
    while (hi < buckets.size() && buckets[hi].start_ns < t) {
      calls += buckets[hi].value.calls;
      errors += buckets[hi].value.errors;
      ++hi;
    }
    while (lo < hi && buckets[lo].start_ns < from) {
      calls -= buckets[lo].value.calls;
      errors -= buckets[lo].value.errors;
      ++lo;
    }
    if (calls > 0) {
      double v = 0;
      switch (q.type) {
        case MetricsQueryType::kCalls: v = static_cast<double>(calls) / rate_seconds; break;
        case MetricsQueryType::kErrors:
          v = static_cast<double>(errors) / static_cast<double>(calls);
          break;
        case MetricsQueryType::kLatencies: {
          LatencyHistogram merged;
          for (size_t i = lo; i < hi; ++i) merged.Merge(buckets[i].value.latency);
          v = merged.QuantileNs(q.quantile).value_or(0) / 1e6;
          break;
        }
      }
      points.emplace_back(t, v);
    }
    if (q.end_ns - t < q.step_ns) break;  // t + step would pass end (or overflow)
  }
  return points;
}

std::string Timestamp(uint64_t ns) {
  std::string s = FormatRfc3339(ns - ns % 1000000000, false);
  uint64_t ms = ns / 1000000 % 1000;
  if (ms != 0 && !s.empty() && s.back() == 'Z') {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%03llu", static_cast<unsigned long long>(ms));
    s.insert(s.size() - 1, buf);
  }
  return s;
}

}  // namespace

Result<MetricFamilyResult> RunMetricsQuery(SpanMetricsStore& store, const MetricsQuery& q,
                                           uint64_t now_ns, uint64_t fine_retention_ns) {
  if (q.services.empty()) return InvalidArgument("please provide at least one service name");
  if (q.step_ns == 0) return InvalidArgument("step must be positive");
  if (q.rate_per_ns == 0) return InvalidArgument("ratePer must be positive");
  if (q.type == MetricsQueryType::kLatencies && !(q.quantile >= 0 && q.quantile <= 1)) {
    return InvalidArgument("quantile must be between 0 and 1");
  }
  if (q.lookback_ns / q.step_ns >= kMaxMetricPoints) {
    return InvalidArgument(
        "exceeded maximum resolution of 11,000 points per timeseries; "
        "try decreasing the lookback or increasing the step");
  }
  uint64_t first = q.end_ns > q.lookback_ns ? q.end_ns - q.lookback_ns : 0;
  uint64_t window_start = first > q.rate_per_ns ? first - q.rate_per_ns : 0;
  uint64_t fine_oldest = now_ns > fine_retention_ns ? now_ns - fine_retention_ns : 0;
  SpanMetricsRead read;
  read.resolution =
      window_start >= fine_oldest ? MetricsResolution::kFine : MetricsResolution::kCoarse;
  uint64_t width = BucketWidthNs(read.resolution);
  read.services = q.services;
  read.kinds = q.kinds;
  read.start_ns = window_start - window_start % width;
  read.end_ns = q.end_ns + 1;
  auto rows = store.ReadSpanMetrics(read);
  if (!rows.ok()) return rows.status();

  // Series key -> bucket start -> summed value.
  std::map<std::pair<std::string, std::string>, std::map<uint64_t, SpanMetricsValue>> series;
  for (SpanMetricsRow& row : rows.value()) {
    std::string op = q.group_by_operation ? row.key.operation : "";
    series[{row.key.service, op}][row.bucket_start_ns].Merge(row.value);
  }
  MetricFamilyResult result;
  result.name = Name(q);
  result.help = Help(q);
  result.group_by_operation = q.group_by_operation;
  for (auto& [key, by_bucket] : series) {
    std::vector<Bucket> buckets;
    buckets.reserve(by_bucket.size());
    for (auto& [start, value] : by_bucket) buckets.push_back({start, std::move(value)});
    MetricSeries s{key.first, key.second, Evaluate(q, buckets)};
    if (!s.points.empty()) result.series.push_back(std::move(s));
  }
  return result;
}

void AppendMetricFamilyJson(const MetricFamilyResult& result, std::string& out) {
  JsonWriter w(out);
  w.BeginObject().Field("name", result.name).Field("type", "GAUGE").Field("help", result.help);
  w.Key("metrics").BeginArray();
  for (const MetricSeries& s : result.series) {
    w.BeginObject().Key("labels").BeginArray();
    w.BeginObject().Field("name", "service_name").Field("value", s.service).EndObject();
    if (result.group_by_operation) {
      w.BeginObject().Field("name", "operation").Field("value", s.operation).EndObject();
    }
    w.EndArray().Key("metricPoints").BeginArray();
    for (const auto& [t, v] : s.points) {
      w.BeginObject().Key("gaugeValue").BeginObject().Key("doubleValue").Double(v).EndObject();
      w.Field("timestamp", Timestamp(t)).EndObject();
    }
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
}

}  // namespace spoor
