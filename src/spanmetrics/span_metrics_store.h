// The span metrics contract: calls, errors and a latency histogram per
// service, operation and span kind, summed over fixed time buckets, as the
// pipeline's aggregator (span_metrics_aggregator.h) writes them and the
// query service's /api/metrics routes read them.
//
// A store is additive: AddSpanMetrics adds each row's counts to what the
// store holds for the same (resolution, bucket, key), so that several
// writers (ingesters, collectors) may report the same bucket. Rows come at
// two resolutions: fine (10 s buckets, kept a short while) and coarse
// (5 min buckets, kept as long as spans); the aggregator writes both.
//
// Threading: every method may be called concurrently from any thread.
// Time: nanoseconds since the Unix epoch; a bucket is named by its start,
// a multiple of its resolution's width. The store never reads a clock.
// Errors: InvalidArgument for a malformed request, Unavailable or Internal
// for storage failures (nothing or part of the rows may then be added).
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/span.h"
#include "spanmetrics/latency_histogram.h"

namespace spoor {

enum class MetricsResolution : uint8_t { kFine = 0, kCoarse = 1 };

inline constexpr uint64_t kFineBucketNs = 10ULL * 1000000000;
inline constexpr uint64_t kCoarseBucketNs = 300ULL * 1000000000;

[[nodiscard]] inline uint64_t BucketWidthNs(MetricsResolution r) {
  return r == MetricsResolution::kFine ? kFineBucketNs : kCoarseBucketNs;
}

struct SpanMetricsKey {
  std::string service;
  std::string operation;
  SpanKind kind = SpanKind::kUnspecified;
  auto operator<=>(const SpanMetricsKey&) const = default;
  bool operator==(const SpanMetricsKey&) const = default;
};

struct SpanMetricsValue {
  uint64_t calls = 0;
  uint64_t errors = 0;       // spans with status ERROR
  LatencyHistogram latency;  // span durations
  void Merge(const SpanMetricsValue& o) {
    calls += o.calls;
    errors += o.errors;
    latency.Merge(o.latency);
  }
  bool operator==(const SpanMetricsValue&) const = default;
};

struct SpanMetricsRow {
  MetricsResolution resolution = MetricsResolution::kFine;
  uint64_t bucket_start_ns = 0;
  SpanMetricsKey key;
  SpanMetricsValue value;
  bool operator==(const SpanMetricsRow&) const = default;
};

struct SpanMetricsRead {
  MetricsResolution resolution = MetricsResolution::kFine;
  std::vector<std::string> services;  // at least one
  std::vector<SpanKind> kinds;        // empty = every kind
  uint64_t start_ns = 0;              // buckets starting in [start_ns, end_ns)
  uint64_t end_ns = 0;
};

class SpanMetricsStore {
 public:
  virtual ~SpanMetricsStore() = default;

  // Adds every row to the store (see above). InvalidArgument, adding
  // nothing, when a bucket start is not a multiple of its width.
  [[nodiscard]] virtual Status AddSpanMetrics(const std::vector<SpanMetricsRow>& rows) = 0;

  // The summed rows of the requested services and kinds, one per (key,
  // bucket), ordered by key, then bucket start. InvalidArgument when no
  // service is given.
  [[nodiscard]] virtual Result<std::vector<SpanMetricsRow>> ReadSpanMetrics(
      const SpanMetricsRead& read) = 0;

  // Retention: drops fine rows of buckets starting before fine_cutoff_ns
  // and coarse rows before coarse_cutoff_ns. A backend that drops whole
  // days (ClickHouse: partitions) keeps the rows of the cutoff's day (UTC).
  [[nodiscard]] virtual Status ExpireSpanMetrics(uint64_t fine_cutoff_ns,
                                                 uint64_t coarse_cutoff_ns) = 0;
};

// Checks what every implementation checks first.
[[nodiscard]] Status ValidateSpanMetricsRows(const std::vector<SpanMetricsRow>& rows);
[[nodiscard]] Status ValidateSpanMetricsRead(const SpanMetricsRead& read);

}  // namespace spoor
