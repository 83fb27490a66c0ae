// The collector's sink with --buffer.type=nats: each batch is published to
// the JetStream stream as an OTLP ExportTraceServiceRequest, and Submit()
// returns once JetStream acknowledged it (stored in the stream).
//
// - A publish not acknowledged is retried with the same message ID until
//   --nats.publish-timeout; JetStream's duplicate window drops a repeat.
// - With --nats.partitions > 1, a batch is split by trace ID and each part
//   published to its partition's subject (partitions.h).
// - A batch whose encoding exceeds the server's max_payload is split into
//   messages that fit; a single span too large for any is refused.
// - NATS unreachable, or the stream full: Unavailable (the receivers answer
//   503 / UNAVAILABLE), counted; the connection recovers by itself.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "buffer/nats/nats_options.h"
#include "common/metrics.h"
#include "pipeline/span_sink.h"

namespace spoor {

namespace nats {
class Connection;
}

class NatsPublisher final : public SpanSink {
 public:
  explicit NatsPublisher(NatsOptions options);
  ~NatsPublisher() override;

  // Connects (in the background while NATS is unreachable) and makes sure
  // the stream exists once it is reachable.
  [[nodiscard]] Status Start();
  // Refuses further batches; publishes in progress finish or time out.
  void Stop();

  [[nodiscard]] Status Submit(SpanBatch batch, IngestMetrics& metrics) override;
  // Submit() of a tenant's batch, published on its subjects (partitions.h);
  // "" for none (without multi-tenancy).
  [[nodiscard]] Status SubmitFor(const std::string& tenant, SpanBatch batch,
                                 IngestMetrics& metrics);

 private:
  // Publishes `bytes` as one message to `subject`, retrying until
  // `deadline_ns`.
  [[nodiscard]] Status Publish(const std::string& bytes, const std::string& subject,
                               int64_t deadline_ns);
  // Encodes and publishes, splitting what does not fit in one message.
  [[nodiscard]] Status PublishBatch(SpanBatch batch, const std::string& subject,
                                    int64_t deadline_ns);

  const NatsOptions options_;
  std::unique_ptr<nats::Connection> connection_;
  std::atomic<bool> stream_ready_{false};
  std::atomic<bool> stopped_{false};
  std::string id_prefix_;  // unique per process: message IDs are id_prefix_ + a counter
  std::atomic<uint64_t> next_id_{0};

  Counter& messages_published_;
  Counter& bytes_published_;
  Counter& publish_retries_;
  Counter& publish_failures_;
  Counter& spans_too_large_;
  Histogram& publish_latency_;
};

// One tenant's sink: its batches published on its subjects.
class NatsTenantSink final : public SpanSink {
 public:
  NatsTenantSink(NatsPublisher& publisher, std::string tenant)
      : publisher_(publisher), tenant_(std::move(tenant)) {}
  [[nodiscard]] Status Submit(SpanBatch batch, IngestMetrics& metrics) override {
    return publisher_.SubmitFor(tenant_, std::move(batch), metrics);
  }

 private:
  NatsPublisher& publisher_;
  const std::string tenant_;
};

}  // namespace spoor
