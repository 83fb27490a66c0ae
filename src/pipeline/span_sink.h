// Where receivers hand decoded batches: the local pipeline (a bounded queue
// drained by storage writers, pipeline.h) or a buffer's publisher
// (buffer/nats/nats_publisher.h). Receivers never see which.
//
// Threading: Submit() is called concurrently from every receiver thread.
// Outcome: OK means the sink answers for the spans from now on (queued,
// written, or acknowledged by the buffer) and counted them as accepted in
// `metrics`. Unavailable means it did not take them (queue full, buffer
// unreachable or full, shutting down): they are counted as refused, and
// the sender should retry. TooLarge means a span can never be taken (over
// the buffer's message size): refused and counted too, and the receivers
// tell the sender not to retry (HTTP 413, gRPC INVALID_ARGUMENT). With an
// acknowledging sink, Submit() waits for the acknowledgement.
#pragma once

#include <cstddef>

#include "common/status.h"
#include "model/span.h"
#include "pipeline/ingest_metrics.h"

namespace spoor {

class SpanSink {
 public:
  virtual ~SpanSink() = default;
  [[nodiscard]] virtual Status Submit(SpanBatch batch, IngestMetrics& metrics) = 0;
};

// The step every receiver takes after decoding a request: counts the spans
// received (those in `batch` plus the `rejected_spans` its decoder left
// out, also counted as refused), then submits the batch.
[[nodiscard]] inline Status SubmitDecoded(SpanSink& sink, SpanBatch batch, size_t rejected_spans,
                                          IngestMetrics& metrics) {
  metrics.spans_received.Inc(batch.SpanCount() + rejected_spans);
  metrics.spans_refused_invalid.Inc(rejected_spans);
  return sink.Submit(std::move(batch), metrics);
}

}  // namespace spoor
