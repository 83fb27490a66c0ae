#include "buffer/nats/nats_publisher.h"

#include <nats/nats.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

#include "buffer/nats/nats_connection.h"
#include "buffer/nats/partitions.h"
#include "common/log.h"
#include "formats/otlp/otlp_proto_encode.h"

namespace spoor {
namespace {

using Clock = std::chrono::steady_clock;

int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// Moves every span after the first `keep` spans of `batch` into the batch
// returned; resources and scopes are shared by both halves.
SpanBatch SplitAfter(SpanBatch& batch, size_t keep) {
  SpanBatch rest;
  size_t seen = 0;
  for (ResourceSpans& rs : batch.resource_spans) {
    ResourceSpans moved{rs.resource, {}};
    for (ScopeSpans& ss : rs.scope_spans) {
      if (seen >= keep) {
        moved.scope_spans.push_back(std::move(ss));
        ss.spans.clear();
        continue;
      }
      size_t take = std::min(ss.spans.size(), keep - seen);
      seen += take;
      if (take < ss.spans.size()) {
        ScopeSpans tail{ss.scope, {}};
        tail.spans.assign(std::make_move_iterator(ss.spans.begin() + static_cast<ptrdiff_t>(take)),
                          std::make_move_iterator(ss.spans.end()));
        ss.spans.resize(take);
        moved.scope_spans.push_back(std::move(tail));
      }
    }
    std::erase_if(rs.scope_spans, [](const ScopeSpans& ss) { return ss.spans.empty(); });
    if (!moved.scope_spans.empty()) rest.resource_spans.push_back(std::move(moved));
  }
  std::erase_if(batch.resource_spans,
                [](const ResourceSpans& rs) { return rs.scope_spans.empty(); });
  return rest;
}

std::string RandomIdPrefix() {
  std::random_device random;
  uint64_t r = (static_cast<uint64_t>(random()) << 32) ^ random() ^ static_cast<uint64_t>(getpid());
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx-", static_cast<unsigned long long>(r));
  return buf;
}

}  // namespace

NatsPublisher::NatsPublisher(NatsOptions options)
    : options_(std::move(options)),
      connection_(std::make_unique<nats::Connection>(options_)),
      id_prefix_(RandomIdPrefix()),
      messages_published_(MetricsRegistry::Global().GetCounter(
          "spoor_nats_published_messages_total", "Batches JetStream acknowledged", {})),
      bytes_published_(MetricsRegistry::Global().GetCounter(
          "spoor_nats_published_bytes_total", "Bytes of the batches JetStream acknowledged", {})),
      publish_retries_(MetricsRegistry::Global().GetCounter(
          "spoor_nats_publish_retries_total",
          "Publishes tried again (NATS unreachable, no acknowledgement in time)", {})),
      publish_failures_(MetricsRegistry::Global().GetCounter(
          "spoor_nats_publish_failures_total",
          "Batches not acknowledged by the deadline (the client was answered UNAVAILABLE)", {})),
      spans_too_large_(MetricsRegistry::Global().GetCounter(
          "spoor_nats_spans_too_large_total",
          "Spans refused because one alone exceeds the NATS max_payload", {})),
      publish_latency_(MetricsRegistry::Global().GetHistogram(
          "spoor_nats_publish_seconds", "Time from publish to JetStream acknowledgement", {},
          LatencyBucketsSeconds())) {}

NatsPublisher::~NatsPublisher() {
  Stop();
}

Status NatsPublisher::Start() {
  if (Status s = connection_->Connect("spoor collector"); !s.ok()) return s;
  if (!connection_->connected()) return Status::Ok();  // the stream is checked on first use
  Status s = connection_->EnsureStream();
  if (s.ok()) {
    stream_ready_ = true;
  } else if (s.code() == StatusCode::kUnavailable) {
    LogWarn(s.message(), "; will retry");
  } else {
    return s;
  }
  return Status::Ok();
}

void NatsPublisher::Stop() {
  stopped_ = true;
}

Status NatsPublisher::Submit(SpanBatch batch, IngestMetrics& metrics) {
  return SubmitFor("", std::move(batch), metrics);
}

Status NatsPublisher::SubmitFor(const std::string& tenant, SpanBatch batch,
                                IngestMetrics& metrics) {
  size_t spans = batch.SpanCount();
  if (spans == 0) return Status::Ok();
  if (stopped_) {
    metrics.spans_refused_unavailable.Inc(spans);
    return Unavailable("shutting down");
  }
  int64_t deadline_ns = SteadyNs() + options_.publish_timeout_ns;
  Status s = Status::Ok();
  if (options_.partitions <= 1) {
    s = PublishBatch(std::move(batch), PublishSubject(options_, tenant, 0), deadline_ns);
  } else {
    // A trace's spans go to its partition. Parts published before one that
    // failed are published again when the client retries: the readers
    // remove exact duplicates.
    std::vector<SpanBatch> parts =
        SplitByPartition(std::move(batch), static_cast<uint32_t>(options_.partitions));
    for (uint32_t p = 0; p < parts.size() && s.ok(); ++p) {
      if (parts[p].resource_spans.empty()) continue;
      s = PublishBatch(std::move(parts[p]), PublishSubject(options_, tenant, p), deadline_ns);
    }
  }
  if (s.ok()) {
    metrics.spans_accepted.Inc(spans);
  } else {
    metrics.spans_refused_unavailable.Inc(spans);
  }
  return s;
}

Status NatsPublisher::PublishBatch(SpanBatch batch, const std::string& subject,
                                   int64_t deadline_ns) {
  thread_local std::string bytes;
  EncodeOtlpProto(batch, &bytes);
  auto limit = static_cast<size_t>(connection_->max_payload());
  if (bytes.size() <= limit) {
    Status s = Publish(bytes, subject, deadline_ns);
    if (bytes.capacity() > 2 * limit) std::string().swap(bytes);
    return s;
  }
  size_t spans = batch.SpanCount();
  if (spans == 1) {
    spans_too_large_.Inc();
    return {StatusCode::kTooLarge, "a span of " + std::to_string(bytes.size()) +
                                       " bytes (OTLP protobuf) exceeds the NATS max_payload of " +
                                       std::to_string(limit) + " bytes"};
  }
  SpanBatch second = SplitAfter(batch, spans / 2);
  if (Status s = PublishBatch(std::move(batch), subject, deadline_ns); !s.ok()) return s;
  return PublishBatch(std::move(second), subject, deadline_ns);
}

Status NatsPublisher::Publish(const std::string& bytes, const std::string& subject,
                              int64_t deadline_ns) {
  const std::string id = id_prefix_ + std::to_string(next_id_.fetch_add(1));
  const int64_t started = SteadyNs();
  Status last = Status::Ok();
  for (int attempt = 0;; ++attempt) {
    if (attempt > 0) {
      int64_t left = deadline_ns - SteadyNs();
      if (left <= 0 || stopped_) break;
      publish_retries_.Inc();
      std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<int64_t>(left, 100'000'000)));
    }
    if (!stream_ready_) {
      last = connection_->EnsureStream();
      if (!last.ok()) {
        if (last.code() != StatusCode::kUnavailable) return last;
        continue;
      }
      stream_ready_ = true;
    }
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = id.c_str();
    po.ExpectStream = options_.stream.c_str();
    po.MaxWait = std::max<int64_t>(1, (deadline_ns - SteadyNs()) / 1'000'000);
    jsPubAck* ack = nullptr;
    jsErrCode err = static_cast<jsErrCode>(0);
    natsStatus s = js_Publish(&ack, connection_->jetstream(), subject.c_str(), bytes.data(),
                              static_cast<int>(bytes.size()), &po, &err);
    if (s == NATS_OK) {
      jsPubAck_Destroy(ack);
      messages_published_.Inc();
      bytes_published_.Inc(bytes.size());
      publish_latency_.Observe(static_cast<double>(SteadyNs() - started) / 1e9);
      return Status::Ok();
    }
    last = nats::FromNats(s, err, "NATS: publish to stream " + options_.stream);
    // The stream may be gone (a NATS restarted without its store): make it
    // again before the next attempt.
    if (s == NATS_NO_RESPONDERS || err == nats::kJsStreamNotFound) stream_ready_ = false;
    if (last.code() != StatusCode::kUnavailable) break;
  }
  publish_failures_.Inc();
  LogDebug("publish failed: ", last.message());
  return last.ok() ? Unavailable("shutting down") : Unavailable(last.message());
}

}  // namespace spoor
