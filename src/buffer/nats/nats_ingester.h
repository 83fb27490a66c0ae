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
//
// With tail sampling (a `sink` given), batches go to the sink (the tail
// sampler in front of the local pipeline) and are acknowledged once it took
// them; each partition of the stream (partitions.h) is read by one ingester
// at a time (partition_owner.h), so that the sampler sees whole traces. What
// the sampler holds is lost if the process dies, as in the all-in-one.
//
// With multi-tenancy (NatsOptions::tenants) each message's subject names its
// tenant (partitions.h), and the tenant's own store takes its spans (or,
// with tail sampling, its own sampler: partitions are then read exclusively
// as above, each holding every tenant's traces of that partition); a
// message whose tenant cannot be served is terminated and counted.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "buffer/nats/nats_options.h"
#include "common/metrics.h"
#include "common/status.h"
#include "pipeline/span_sink.h"
#include "spanmetrics/span_metrics_aggregator.h"
#include "storage/storage.h"

namespace spoor {

namespace nats {
class Connection;
}

class NatsLeases;
class PartitionOwner;

class NatsIngester {
 public:
  // `storage` (and `span_metrics`, optional: it counts every span written)
  // must outlive the ingester. `sink`, when given (and outliving the
  // ingester), takes the batches instead of `storage`, with partitions read
  // exclusively; `holder` then names this ingester among the others.
  NatsIngester(NatsOptions options, Storage& storage, SpanMetricsAggregator* span_metrics = nullptr,
               SpanSink* sink = nullptr, std::string holder = "");

  // Where a tenant's spans are written.
  struct TenantTarget {
    Storage* storage = nullptr;
    SpanMetricsAggregator* span_metrics = nullptr;  // null: not counted
    SpanSink* sink = nullptr;  // tail sampling: takes the batches instead of storage
  };
  // The tenant's target; InvalidArgument for a tenant never to be served
  // (its messages are terminated), Unavailable to try again later.
  using TenantTargets = std::function<Result<TenantTarget>(const std::string& tenant)>;
  // Multi-tenancy: every message is written to its tenant's target;
  // `storage_name` labels the storage metrics. `tail_sampling`: the targets
  // have sinks, and partitions are read exclusively (`holder` as above).
  NatsIngester(NatsOptions options, TenantTargets targets, const std::string& storage_name,
               bool tail_sampling, std::string holder = "");
  ~NatsIngester();
  NatsIngester(const NatsIngester&) = delete;
  NatsIngester& operator=(const NatsIngester&) = delete;

  // Connects and starts the loops. NATS unreachable is not an error: the
  // loops wait for it.
  [[nodiscard]] Status Start();
  // Stops fetching; the writes in progress finish and are acknowledged (or
  // negatively acknowledged). Returns when every loop has ended.
  void Stop();

  // Partitions read by this ingester now (all of them without a sink).
  [[nodiscard]] uint32_t partitions_owned() const;

  // The consumer's lag, read every second: batches in the stream not yet
  // delivered to an ingester, and delivered but not yet acknowledged.
  [[nodiscard]] int64_t pending_messages() const { return pending_messages_.load(); }
  [[nodiscard]] int64_t unacknowledged_messages() const { return unacknowledged_messages_.load(); }

 private:
  void Loop(uint32_t partition, int index);
  void WatchLag();
  // Hands a decoded batch to the sink or writes it; true when it may be
  // acknowledged.
  [[nodiscard]] bool Deliver(SpanBatch batch, const TenantTarget& target,
                             SpanMetricsAggregator::Observation& observed, std::string* error);

  NatsIngester(NatsOptions options, Storage* storage, SpanMetricsAggregator* span_metrics,
               SpanSink* sink, TenantTargets targets, const std::string& storage_name,
               bool exclusive, std::string holder);

  const NatsOptions options_;
  const TenantTarget target_;    // without tenants
  const TenantTargets targets_;  // with tenants
  SpanSink* const sink_;
  const bool exclusive_;  // partitions read by one ingester at a time (tail sampling)
  const std::string holder_;
  std::unique_ptr<nats::Connection> connection_;
  std::unique_ptr<NatsLeases> leases_;     // exclusive_
  std::unique_ptr<PartitionOwner> owner_;  // exclusive_
  IngestMetrics sink_metrics_{"nats", "otlp_proto"};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> stream_ready_{false};  // the stream was found (or made) at start
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
