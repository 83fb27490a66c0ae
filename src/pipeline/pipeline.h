// The local sink: receivers Submit() decoded batches; writer threads drain
// the bounded queue into storage.
//
// Every span is counted exactly once as accepted (queued), refused (the
// sender was told) or, after acceptance, either stored or dropped (storage
// failed). See docs/operations.md for the metric names.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/metrics.h"
#include "common/status.h"
#include "pipeline/span_queue.h"
#include "pipeline/span_sink.h"
#include "spanmetrics/span_metrics_aggregator.h"
#include "storage/storage.h"

namespace spoor {

struct PipelineOptions {
  size_t queue_size_spans = 100000;
  // One by default: the stores serialize most of a write (the memory
  // store entirely), so a second writer mostly adds thread switches
  // (docs/performance.md).
  int num_workers = 1;
  // Submit() returns only once the batch is written (and reports a failed
  // write to the sender): acknowledged then means stored, which with a
  // store that syncs its writes means on disk.
  bool ack_after_write = false;
  // A writer takes every batch queued (up to Pipeline::kGroupSpans spans)
  // into one storage write. group_linger is how long it first waits for more
  // to arrive (--collector.write-linger): fewer wake-ups under light, steady
  // load, at the cost of spans becoming searchable that much later. 0 by
  // default: measured, waiting costs more in cold caches than it saves under
  // OTLP load (docs/performance.md). Batches someone waits for
  // (ack_after_write) are written at once.
  std::chrono::microseconds group_linger{0};
};

class Pipeline final : public SpanSink {
 public:
  // `span_metrics` (optional, outliving the pipeline) counts every span
  // written.
  Pipeline(const PipelineOptions& options, Storage& storage,
           SpanMetricsAggregator* span_metrics = nullptr);
  ~Pipeline() override;
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Queues the batch. Unavailable when the queue is full or shutting down
  // (the spans are counted as refused in `metrics`). With ack_after_write,
  // waits for the write and returns its outcome.
  [[nodiscard]] Status Submit(SpanBatch batch, IngestMetrics& metrics) override;

  // The most spans one storage write takes from the queue.
  static constexpr size_t kGroupSpans = 2000;

  // Stops accepting, writes everything queued, joins the writers.
  void Shutdown();

  [[nodiscard]] const SpanQueue& queue() const { return queue_; }

 private:
  void WriterLoop();

  Storage& storage_;
  SpanMetricsAggregator* const span_metrics_;
  SpanQueue queue_;
  std::vector<std::thread> writers_;
  Counter& spans_stored_;
  Counter& spans_dropped_;
  Histogram& write_latency_;
  const bool ack_after_write_;
  const std::chrono::microseconds linger_;
  bool shut_down_ = false;
};

}  // namespace spoor
