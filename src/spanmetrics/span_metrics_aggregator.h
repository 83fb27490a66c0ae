// Span metrics in the pipeline: calls, errors and latency per service,
// operation and span kind, counted from every span that storage accepted,
// summed in 10 s buckets (by span start time) and handed to a
// SpanMetricsStore at each flush, also rolled up into 5 min buckets.
//
// Use: a writer observes a batch before it hands it to storage (Observe,
// into an Observation it owns) and commits the observation once the write
// succeeded, so a batch that is written again after a failure (the NATS
// ingester's redelivery) is counted once. A flusher takes the rows
// (TakeRows) every flush interval.
//
// Memory is bounded: at most max_services services and
// max_operations_per_service operations per service (span kinds counted
// apart); the spans of any further one are counted under the operation
// kOverflowOperation (or the service kOverflowService) and in
// spoor_span_metrics_overflow_spans_total.
//
// Optionally the cumulative counts are also served on /metrics with the
// names of the OpenTelemetry Collector's span-metrics connector
// (RenderPrometheus).
//
// Threading: Observe runs on the caller's thread without a lock; Commit,
// TakeRows, PutBack and RenderPrometheus take one mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/span.h"
#include "spanmetrics/span_metrics_store.h"

namespace spoor {

struct SpanMetricsOptions {
  bool enabled = true;      // --span-metrics.enabled
  bool prometheus = false;  // --span-metrics.prometheus: also on /metrics
  size_t max_services = 10000;
  size_t max_operations_per_service = 1000;
  uint64_t flush_interval_ns = 10ULL * 1000000000;         // --span-metrics.flush-interval
  uint64_t fine_retention_ns = 24ULL * 3600 * 1000000000;  // 10 s buckets kept this long
  uint64_t retention_ns = 7ULL * 24 * 3600 * 1000000000;   // 5 min buckets kept this long
};

inline constexpr std::string_view kOverflowOperation = "(other operations)";
inline constexpr std::string_view kOverflowService = "(other services)";

class SpanMetricsAggregator {
 public:
  // What one batch contributes; reused by its owner from batch to batch.
  class Observation {
   public:
    void clear() { spans_.clear(); }
    [[nodiscard]] size_t size() const { return spans_.size(); }

   private:
    friend class SpanMetricsAggregator;
    struct Entry {
      std::string_view service;    // interned, valid for the process
      std::string_view operation;  // interned
      SpanKind kind;
      SpanStatusCode status;
      uint64_t start_ns;
      uint64_t duration_ns;
    };
    std::vector<Entry> spans_;
  };

  explicit SpanMetricsAggregator(const SpanMetricsOptions& options);
  ~SpanMetricsAggregator();
  SpanMetricsAggregator(const SpanMetricsAggregator&) = delete;
  SpanMetricsAggregator& operator=(const SpanMetricsAggregator&) = delete;

  // Appends the batch's spans to *out (clear it first to reuse it).
  static void Observe(const SpanBatch& batch, Observation* out);
  // Counts the observed spans; `now_ns` places spans whose start time is
  // implausible (older than the retention or more than an hour ahead).
  void Commit(const Observation& observation, uint64_t now_ns);

  // The rows counted since the last call: 10 s rows and their 5 min
  // roll-ups. The caller stores them.
  [[nodiscard]] std::vector<SpanMetricsRow> TakeRows();
  // Returns rows a failed flush could not store, to go with the next
  // TakeRows (at most a million are kept; older ones are given up and
  // counted in spoor_span_metrics_dropped_rows_total).
  void PutBack(const std::vector<SpanMetricsRow>& rows);

  // The OpenTelemetry span-metrics series (calls, duration histogram in
  // milliseconds), appended in the Prometheus text format.
  void RenderPrometheus(std::string& out) const;
  // The same for several aggregators, each family once; the series of an
  // aggregator named with a tenant carry the label tenant="<name>".
  static void RenderPrometheus(
      const std::vector<std::pair<std::string, const SpanMetricsAggregator*>>& aggregators,
      std::string& out);

  // Distinct (service, operation, kind) keys held.
  [[nodiscard]] size_t key_count() const;

  [[nodiscard]] const SpanMetricsOptions& options() const { return options_; }

 private:
  // One family's series (calls, or the duration histogram).
  void RenderFamily(const std::string& tenant, bool durations, std::string& out) const;

  struct Impl;
  const SpanMetricsOptions options_;
  std::unique_ptr<Impl> impl_;
};

// Starts a thread that flushes `aggregator` into `store` every flush
// interval and applies the retention once an hour; Stop() flushes one last
// time. A failed flush's rows go with the next one (SpanMetricsAggregator::
// PutBack).
class SpanMetricsFlusher {
 public:
  SpanMetricsFlusher(SpanMetricsAggregator& aggregator, SpanMetricsStore& store);
  ~SpanMetricsFlusher();
  void Start();
  // Flushes now; the error of the store, if any.
  [[nodiscard]] Status Flush();
  [[nodiscard]] Status Stop();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace spoor
