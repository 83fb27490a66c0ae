#include "buffer/nats/nats_ingester.h"

#include <nats/nats.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string_view>
#include <tuple>

#include "buffer/nats/nats_connection.h"
#include "buffer/nats/nats_leases.h"
#include "buffer/nats/partition_owner.h"
#include "buffer/nats/partitions.h"
#include "common/log.h"
#include "common/time_format.h"
#include "formats/otlp/otlp_decode.h"

namespace spoor {
namespace {

constexpr int64_t kFetchWaitMs = 1000;
constexpr int64_t kMaxBackoffMs = 5000;

Counter& IngesterCounter(const char* name, const char* help) {
  return MetricsRegistry::Global().GetCounter(name, help, {});
}

}  // namespace

NatsIngester::NatsIngester(NatsOptions options, Storage& storage,
                           SpanMetricsAggregator* span_metrics, SpanSink* sink, std::string holder)
    : NatsIngester(std::move(options), &storage, span_metrics, sink, nullptr,
                   std::string(storage.name()), sink != nullptr, std::move(holder)) {}

NatsIngester::NatsIngester(NatsOptions options, TenantTargets targets,
                           const std::string& storage_name, bool tail_sampling, std::string holder)
    : NatsIngester(std::move(options), nullptr, nullptr, nullptr, std::move(targets), storage_name,
                   tail_sampling, std::move(holder)) {}

NatsIngester::NatsIngester(NatsOptions options, Storage* storage,
                           SpanMetricsAggregator* span_metrics, SpanSink* sink,
                           TenantTargets targets, const std::string& storage_name, bool exclusive,
                           std::string holder)
    : options_(std::move(options)),
      target_{storage, span_metrics},
      targets_(std::move(targets)),
      sink_(sink),
      exclusive_(exclusive),
      holder_(std::move(holder)),
      connection_(std::make_unique<nats::Connection>(options_)),
      messages_stored_(
          IngesterCounter("spoor_ingester_messages_stored_total",
                          "Batches from the stream written to storage and acknowledged")),
      spans_stored_(MetricsRegistry::Global().GetCounter(
          "spoor_spans_stored_total", "Spans written to storage", {{"storage", storage_name}})),
      messages_redelivered_(IngesterCounter(
          "spoor_ingester_messages_redelivered_total",
          "Batches received again (a write failed, or an ingester stopped before acknowledging)")),
      messages_malformed_(IngesterCounter(
          "spoor_ingester_messages_malformed_total",
          "Messages that are not OTLP ExportTraceServiceRequest (terminated, not stored)")),
      write_failures_(IngesterCounter(
          "spoor_ingester_write_failures_total",
          "Storage writes that failed; their batches stay in the stream and are retried")),
      write_latency_(MetricsRegistry::Global().GetHistogram(
          "spoor_storage_write_seconds", "Latency of one batch write to storage",
          {{"storage", storage_name}}, LatencyBucketsSeconds())),
      stream_delay_(MetricsRegistry::Global().GetHistogram(
          "spoor_ingester_delay_seconds",
          "From a batch entering the stream to its spans being stored (the oldest of each fetch)",
          {}, LatencyBucketsSeconds())) {}

NatsIngester::~NatsIngester() {
  Stop();
}

uint32_t NatsIngester::partitions_owned() const {
  return owner_ ? owner_->owned_count() : static_cast<uint32_t>(std::max(1, options_.partitions));
}

Status NatsIngester::Start() {
  if (Status s = connection_->Connect("spoor ingester"); !s.ok()) return s;
  // A stream that cannot work (made for another --nats.partitions) stops
  // the start; NATS unreachable does not (the loops wait for it).
  if (connection_->connected()) {
    Status s = connection_->EnsureStream();
    if (s.code() == StatusCode::kInvalidArgument) return s;
    stream_ready_ = s.ok();
  }
  auto partitions = static_cast<uint32_t>(std::max(1, options_.partitions));
  if (exclusive_) {
    leases_ = std::make_unique<NatsLeases>(options_, options_.stream + "-partitions");
    if (Status s = leases_->Connect("spoor ingester partitions"); !s.ok()) return s;
    owner_ = std::make_unique<PartitionOwner>(*leases_, holder_, partitions,
                                              options_.partition_lease_ns);
    owner_->Start();
  }
  // One loop per partition; with one partition, --ingester.parallelism
  // loops share its consumer.
  int per_partition = partitions == 1 ? std::max(1, options_.parallelism) : 1;
  for (uint32_t p = 0; p < partitions; ++p) {
    for (int i = 0; i < per_partition; ++i) loops_.emplace_back([this, p, i] { Loop(p, i); });
  }
  lag_watcher_ = std::thread([this] { WatchLag(); });
  return Status::Ok();
}

void NatsIngester::Stop() {
  stopping_ = true;
  for (std::thread& t : loops_) t.join();
  loops_.clear();
  if (lag_watcher_.joinable()) lag_watcher_.join();
  // After the loops: the partitions are given up once nothing reads them.
  if (owner_) owner_->Stop();
}

namespace {

// Sleeps `ms`, in steps, returning early once `stopping` is set.
void SleepUnless(const std::atomic<bool>& stopping, int64_t ms) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!stopping && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(ms, 50)));
  }
}

}  // namespace

bool NatsIngester::Deliver(SpanBatch batch, const TenantTarget& target,
                           SpanMetricsAggregator::Observation& observed, std::string* error) {
  size_t spans = batch.SpanCount();
  if (spans == 0) return true;
  if (SpanSink* sink = target.sink != nullptr ? target.sink : sink_) {
    sink_metrics_.spans_received.Inc(spans);
    Status s = sink->Submit(std::move(batch), sink_metrics_);
    if (!s.ok()) *error = s.message();
    return s.ok();
  }
  if (target.span_metrics != nullptr) {
    observed.clear();
    SpanMetricsAggregator::Observe(batch, &observed);
  }
  auto start = std::chrono::steady_clock::now();
  Status written = target.storage->Write(std::move(batch));
  if (written.ok()) written = target.storage->Flush();
  write_latency_.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  if (!written.ok()) {
    *error = written.message();
    return false;
  }
  spans_stored_.Inc(spans);
  if (target.span_metrics != nullptr) target.span_metrics->Commit(observed, NowNs());
  return true;
}

void NatsIngester::Loop(uint32_t partition, int index) {
  const std::string consumer = PartitionConsumer(options_, partition);
  const std::string subject = PartitionSubject(options_, partition);
  const bool logs = index == 0;
  natsSubscription* sub = nullptr;
  int64_t backoff_ms = 100;
  bool warned = false;
  SpanMetricsAggregator::Observation observed;
  bool written_ok = true;
  while (!stopping_) {
    if (owner_ && !owner_->BeginRead(partition)) {
      SleepUnless(stopping_, 100);
      continue;
    }
    // Until the end of this round: the partition stays ours while read.
    struct Reading {
      PartitionOwner* owner;
      uint32_t partition;
      ~Reading() {
        if (owner != nullptr) owner->EndRead(partition);
      }
    } reading{owner_.get(), partition};
    if (sub == nullptr) {
      Status s = stream_ready_ ? Status::Ok() : connection_->EnsureStream();
      if (s.ok()) s = connection_->EnsureConsumer(partition);
      if (s.ok()) {
        jsSubOptions so;
        jsSubOptions_Init(&so);
        so.Stream = options_.stream.c_str();
        so.Consumer = consumer.c_str();  // bind: the consumer outlives us
        so.ManualAck = true;
        jsErrCode err = static_cast<jsErrCode>(0);
        natsStatus st = js_PullSubscribe(&sub, connection_->jetstream(), subject.c_str(), nullptr,
                                         nullptr, &so, &err);
        if (st != NATS_OK) {
          sub = nullptr;
          s = nats::FromNats(st, err, "NATS: cannot subscribe to " + consumer);
        }
      }
      if (!s.ok()) {
        stream_ready_ = false;  // checked again (made again, if gone) next time
        if (!warned && logs) LogWarn(s.message(), "; retrying");
        warned = true;
        SleepUnless(stopping_, 500);
        continue;
      }
      if (warned && logs) LogInfo("NATS: consuming ", options_.stream, " as ", consumer);
      warned = false;
    }
    natsMsgList list{nullptr, 0};
    jsErrCode err = static_cast<jsErrCode>(0);
    natsStatus st = natsSubscription_Fetch(&list, sub, options_.fetch_batch, kFetchWaitMs, &err);
    if (st == NATS_TIMEOUT) continue;
    if (st != NATS_OK) {
      // The connection is down, or the consumer went away (a NATS restarted
      // without its store): subscribe again once it is back.
      LogDebug(nats::FromNats(st, err, "NATS: fetch").message());
      natsSubscription_Destroy(sub);
      sub = nullptr;
      stream_ready_ = false;
      SleepUnless(stopping_, 200);
      continue;
    }
    // The fetched messages by tenant ("" without tenants), each group one
    // write to its tenant's store.
    struct Group {
      SpanBatch batch;
      TenantTarget target;
      std::vector<int> messages;
    };
    std::map<std::string, Group> groups;
    int64_t oldest_ns = 0;  // when the oldest message fetched entered the stream
    auto drop = [&list](int i) {
      std::ignore = natsMsg_Term(list.Msgs[i], nullptr);
      natsMsg_Destroy(list.Msgs[i]);
      list.Msgs[i] = nullptr;
    };
    for (int i = 0; i < list.Count; ++i) {
      natsMsg* msg = list.Msgs[i];
      std::string tenant;
      if (targets_) {
        const char* subject = natsMsg_GetSubject(msg);
        tenant = TenantOfSubject(options_, subject != nullptr ? subject : "");
      }
      auto [it, added] = groups.try_emplace(tenant);
      Group& group = it->second;
      if (added) group.target = target_;
      if (added && targets_) {
        auto target = targets_(tenant);
        if (target.ok()) {
          group.target = target.value();
        } else if (target.status().code() == StatusCode::kUnavailable) {
          group.target.storage = nullptr;  // its messages wait in the stream
        } else {
          messages_malformed_.Inc();
          LogWarn("NATS: dropped a message for tenant '", tenant, "': ", target.status().message());
          groups.erase(it);
          drop(i);
          continue;
        }
      }
      std::string_view data(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
      DecodeStats stats;
      if (Status d = DecodeOtlpProto(data, &group.batch, &stats); !d.ok()) {
        messages_malformed_.Inc();
        LogWarn("NATS: dropped a message of ", data.size(),
                " bytes that is not an OTLP ExportTraceServiceRequest: ", d.message());
        drop(i);
        continue;
      }
      group.messages.push_back(i);
      jsMsgMetaData* meta = nullptr;
      if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
        if (meta->NumDelivered > 1) messages_redelivered_.Inc();
        if (oldest_ns == 0 || meta->Timestamp < oldest_ns) oldest_ns = meta->Timestamp;
        jsMsgMetaData_Destroy(meta);
      }
    }
    written_ok = true;
    for (auto& [tenant, group] : groups) {
      size_t spans = group.batch.SpanCount();
      std::string error = "the tenant's store is unavailable";
      bool delivered = (sink_ != nullptr || group.target.storage != nullptr) &&
                       Deliver(std::move(group.batch), group.target, observed, &error);
      if (delivered) {
        for (int i : group.messages) {
          std::ignore = natsMsg_Ack(list.Msgs[i], nullptr);
          messages_stored_.Inc();
        }
        continue;
      }
      write_failures_.Inc();
      LogWarn(exclusive_ ? "tail sampling refused " : "storage write of ", spans,
              " spans from the stream", tenant.empty() ? "" : " for tenant " + tenant, " (", error,
              "); they stay in the stream, retrying in ", backoff_ms, " ms");
      for (int i : group.messages) {
        std::ignore = natsMsg_NakWithDelay(list.Msgs[i], backoff_ms, nullptr);
      }
      written_ok = false;
    }
    if (written_ok) {
      backoff_ms = 100;
      if (oldest_ns > 0) {
        stream_delay_.Observe(static_cast<double>(static_cast<int64_t>(NowNs()) - oldest_ns) / 1e9);
      }
    }
    natsMsgList_Destroy(&list);
    if (!written_ok) {
      SleepUnless(stopping_, backoff_ms);
      backoff_ms = std::min(backoff_ms * 2, kMaxBackoffMs);
    }
  }
  if (sub != nullptr) natsSubscription_Destroy(sub);  // the durable consumer stays
}

void NatsIngester::WatchLag() {
  auto partitions = static_cast<uint32_t>(std::max(1, options_.partitions));
  while (!stopping_) {
    int64_t pending = 0;
    int64_t unacknowledged = 0;
    bool read = connection_->connected();
    for (uint32_t p = 0; read && p < partitions; ++p) {
      jsConsumerInfo* info = nullptr;
      jsErrCode err = static_cast<jsErrCode>(0);
      read = js_GetConsumerInfo(&info, connection_->jetstream(), options_.stream.c_str(),
                                PartitionConsumer(options_, p).c_str(), nullptr, &err) == NATS_OK;
      if (!read) break;
      pending += static_cast<int64_t>(info->NumPending);
      unacknowledged += info->NumAckPending;
      jsConsumerInfo_Destroy(info);
    }
    if (read) {
      pending_messages_ = pending;
      unacknowledged_messages_ = unacknowledged;
    }
    SleepUnless(stopping_, 1000);
  }
}

}  // namespace spoor
