// The ingester: consumes span batches from the NATS stream and writes them
// to storage.
//
// Ingesters share one durable pull consumer (--nats.consumer), so the
// stream's load is spread across them. Each of --ingester.parallelism loops
// fetches up to --nats.fetch-batch messages, writes their spans to storage
// in one write, waits until storage has them (Storage::Flush), and only
// then acknowledges the messages. A failed write negatively acknowledges
// them (redelivered after a back-off), and a crash before the
// acknowledgement lets --nats.ack-wait expire: either way the spans stay in
// the stream and nothing is lost. A span written twice that way is shown
// once (the readers remove exact duplicates).
//
// A message that is not an OTLP ExportTraceServiceRequest can never be
// stored: it is terminated (not redelivered) and counted.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "buffer/nats/nats_options.h"
#include "common/metrics.h"
#include "common/status.h"
#include "spanmetrics/span_metrics_aggregator.h"
#include "storage/storage.h"

namespace spoor {

namespace nats {
class Connection;
}

class NatsIngester {
 public:
  // `storage` (and `span_metrics`, optional: it counts every span written)
  // must outlive the ingester.
  NatsIngester(NatsOptions options, Storage& storage,
               SpanMetricsAggregator* span_metrics = nullptr);
  ~NatsIngester();
  NatsIngester(const NatsIngester&) = delete;
  NatsIngester& operator=(const NatsIngester&) = delete;

  // Connects and starts the loops. NATS unreachable is not an error: the
  // loops wait for it.
  [[nodiscard]] Status Start();
  // Stops fetching; the writes in progress finish and are acknowledged (or
  // negatively acknowledged). Returns when every loop has ended.
  void Stop();

  // The consumer's lag, read every second: batches in the stream not yet
  // delivered to an ingester, and delivered but not yet acknowledged.
  [[nodiscard]] int64_t pending_messages() const { return pending_messages_.load(); }
  [[nodiscard]] int64_t unacknowledged_messages() const { return unacknowledged_messages_.load(); }

 private:
  void Loop(int index);
  void WatchLag();

  const NatsOptions options_;
  Storage& storage_;
  SpanMetricsAggregator* const span_metrics_;
  std::unique_ptr<nats::Connection> connection_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> loops_;
  std::thread lag_watcher_;

  // Set by WatchLag.
  std::atomic<int64_t> pending_messages_{0};
  std::atomic<int64_t> unacknowledged_messages_{0};

  Counter& messages_stored_;
  Counter& spans_stored_;
  Counter& messages_redelivered_;
  Counter& messages_malformed_;
  Counter& write_failures_;
  Histogram& write_latency_;
  Histogram& stream_delay_;
};

}  // namespace spoor
