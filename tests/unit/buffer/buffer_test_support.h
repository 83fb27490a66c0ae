// What the NATS buffer tests share: waiting for an outcome, options with
// names of their own per test, tracegen's requests as batches, and a sink
// that records what it was given.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "buffer/nats/nats_options.h"
#include "formats/otlp/otlp_decode.h"
#include "pipeline/span_sink.h"
#include "tests/unit/buffer/nats_server.h"
#include "tools/tracegen/workload.h"

namespace spoor::testenv {

// A generous bound for things that take milliseconds: only reached when
// the behaviour is broken.
inline bool Eventually(const std::function<bool()>& done) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

// Options for `server` with a stream, subject and consumer no other test
// of the process uses.
inline NatsOptions TestNatsOptions(const NatsServer& server) {
  static std::atomic<int> next{0};
  int n = next++;
  NatsOptions o;
  o.servers = {server.url()};
  o.stream = "test-" + std::to_string(n);
  o.subject = "test.spans." + std::to_string(n);
  o.consumer = "ingesters-" + std::to_string(n);
  o.publish_timeout_ns = 3'000'000'000;
  o.ack_wait_ns = 2'000'000'000;
  o.fetch_batch = 8;
  return o;
}

// tracegen's request `seed` (`spans` spans in traces of ten) as a batch.
inline SpanBatch TracegenBatch(uint64_t seed, int spans = tracegen::kSpansPerRequest) {
  std::string bytes = tracegen::MakeTracegenRequest(seed, tracegen::kDefaultRequestStartNs,
                                                    tracegen::kSpansPerTrace, spans);
  SpanBatch batch;
  DecodeStats stats;
  EXPECT_TRUE(DecodeOtlpProto(bytes, &batch, &stats).ok());
  return batch;
}

// Calls f(resource_spans, scope_spans, span) for each span of `batch`.
template <typename F>
void ForEachSpan(const SpanBatch& batch, F&& f) {
  for (const auto& rs : batch.resource_spans)
    for (const auto& ss : rs.scope_spans)
      for (const Span& s : ss.spans) f(rs, ss, s);
}

// A sink that records which spans it was given.
class RecordingSink final : public SpanSink {
 public:
  Status Submit(SpanBatch batch, IngestMetrics& metrics) override {
    std::lock_guard<std::mutex> lock(mu_);
    ForEachSpan(batch, [&](auto&, auto&, const Span& s) { ++spans_[s.trace_id]; });
    metrics.spans_accepted.Inc(batch.SpanCount());
    return Status::Ok();
  }
  std::map<TraceId, size_t> spans() {
    std::lock_guard<std::mutex> lock(mu_);
    return spans_;
  }

 private:
  std::mutex mu_;
  std::map<TraceId, size_t> spans_;
};

}  // namespace spoor::testenv
