#include "pipeline/pipeline.h"

#include <chrono>

#include "common/log.h"
#include "common/time_format.h"

namespace spoor {
Pipeline::Pipeline(const PipelineOptions& options, Storage& storage,
                   SpanMetricsAggregator* span_metrics)
    : storage_(storage),
      span_metrics_(span_metrics),
      queue_(options.queue_size_spans),
      spans_stored_(MetricsRegistry::Global().GetCounter(
          "spoor_spans_stored_total", "Spans written to storage",
          {{"storage", std::string(storage.name())}})),
      spans_dropped_(MetricsRegistry::Global().GetCounter(
          "spoor_spans_dropped_total", "Accepted spans lost because the storage write failed",
          {{"storage", std::string(storage.name())}})),
      write_latency_(MetricsRegistry::Global().GetHistogram(
          "spoor_storage_write_seconds", "Latency of one batch write to storage",
          {{"storage", std::string(storage.name())}}, LatencyBucketsSeconds())),
      ack_after_write_(options.ack_after_write),
      linger_(options.group_linger) {
  for (int i = 0; i < std::max(1, options.num_workers); ++i) {
    writers_.emplace_back([this] { WriterLoop(); });
  }
}

Pipeline::~Pipeline() {
  Shutdown();
}

Status Pipeline::Submit(SpanBatch batch, IngestMetrics& metrics) {
  size_t spans = batch.SpanCount();
  if (spans == 0) return Status::Ok();
  auto done = ack_after_write_ ? std::make_shared<WriteCompletion>() : nullptr;
  if (!queue_.TryPush(batch, spans, done)) {
    metrics.spans_refused_queue_full.Inc(spans);
    return Unavailable("the span queue is full (" + std::to_string(queue_.capacity_spans()) +
                       " spans); retry later");
  }
  metrics.spans_accepted.Inc(spans);
  return done ? done->Wait() : Status::Ok();
}

void Pipeline::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  queue_.Close();
  for (auto& t : writers_) t.join();
  writers_.clear();
}

void Pipeline::WriterLoop() {
  std::vector<SpanBatch> group;
  std::vector<std::shared_ptr<WriteCompletion>> done;
  SpanMetricsAggregator::Observation observed;
  while (queue_.PopGroup(kGroupSpans, linger_, &group, &done)) {
    if (group.empty()) continue;
    // One write for the whole group: its batches' resources side by side.
    SpanBatch batch = std::move(group[0]);
    for (size_t i = 1; i < group.size(); ++i) {
      for (ResourceSpans& rs : group[i].resource_spans) {
        batch.resource_spans.push_back(std::move(rs));
      }
    }
    group.clear();
    size_t spans = batch.SpanCount();
    if (span_metrics_ != nullptr) {
      observed.clear();
      SpanMetricsAggregator::Observe(batch, &observed);
    }
    auto start = std::chrono::steady_clock::now();
    Status status = storage_.Write(std::move(batch));
    write_latency_.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (status.ok()) {
      spans_stored_.Inc(spans);
      if (span_metrics_ != nullptr) span_metrics_->Commit(observed, NowNs());
    } else {
      spans_dropped_.Inc(spans);
      LogError("storage write of ", spans, " spans failed: ", status.message());
    }
    for (auto& d : done) {
      d->Complete(status.ok() ? status : Unavailable("storage write failed: " + status.message()));
    }
    done.clear();
  }
}

}  // namespace spoor
