// Tail-based sampling in front of the local pipeline: spans are held per
// trace for decision_wait after the trace's first span arrived, then the
// policies (tail_policy.h) decide on the whole trace; kept traces go on to
// the pipeline, the others are dropped and counted.
//
// Bounds and rules (docs/tail-sampling.md):
//  - at most num_traces traces are held; a new trace beyond that has the
//    oldest held trace decided early, on what arrived of it so far
//    (spoor_tail_sampling_traces_decided_early_total);
//  - late spans of a trace already decided follow the decision, from a
//    cache of the last 2 x num_traces decisions; later than that, a span
//    starts a new trace;
//  - rate_limiting policies are asked last, only for traces no other
//    policy kept, and keep them while the spans kept this second fit;
//  - a composite asks its sub-policies in order; the first that keeps the
//    trace decides, within that sub-policy's share of the composite's rate.
//
// Submit() answers for the spans once they are held (they are counted as
// accepted then); kept spans re-enter the pipeline counted under transport
// "tail_sampling". What is held is lost if the process dies.
//
// Threading: Submit() from any thread; a thread of its own decides.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/metrics.h"
#include "pipeline/span_sink.h"
#include "tailsampling/tail_sampling_config.h"

namespace spoor {

class TailSampler final : public SpanSink {
 public:
  // `inner` must outlive the sampler.
  TailSampler(TailSamplingOptions options, SpanSink& inner);
  ~TailSampler() override;
  TailSampler(const TailSampler&) = delete;
  TailSampler& operator=(const TailSampler&) = delete;

  [[nodiscard]] Status Submit(SpanBatch batch, IngestMetrics& metrics) override;

  void Start();
  // Decides every trace held (as if its wait were over) and stops.
  void Stop();

  // Decides the traces whose wait ended by now_ns; returns how many.
  size_t DecideDue(uint64_t now_ns);

  // Lock-free (read by the /metrics gauge, which holds the registry's lock).
  [[nodiscard]] size_t held_traces() const { return held_count_.load(std::memory_order_relaxed); }

 private:
  struct Held {
    uint64_t first_ns = 0;
    TraceSpans spans;
  };
  // Decides `id` (held) under mu_, moving its spans into *kept when kept.
  void DecideLocked(const TraceId& id, uint64_t now_ns, TraceSpans* kept);
  void StartSecond(uint64_t now_ns);  // a new second resets the rates' counts
  bool RateLimitAllows(const TailPolicy& p, size_t spans, uint64_t now_ns);
  bool CompositeKeeps(const TailPolicy& p, const TraceId& id, const TraceSpans& spans,
                      uint64_t now_ns);
  void Remember(const TraceId& id, bool kept);
  void Release(TraceSpans kept);

  const TailSamplingOptions options_;
  SpanSink& inner_;
  mutable std::mutex mu_;
  std::unordered_map<TraceId, Held, TraceIdHash> held_;
  std::atomic<size_t> held_count_{0};                 // held_.size(), for reading without mu_
  std::deque<std::pair<uint64_t, TraceId>> arrival_;  // first arrival order
  std::unordered_map<TraceId, bool, TraceIdHash> decided_;
  std::deque<TraceId> decided_order_;
  // rate_limiting and composite: spans kept in the current second, per
  // policy (a composite: in all, and per sub-policy).
  uint64_t rate_second_ = 0;
  std::unordered_map<const TailPolicy*, double> rate_spans_;

  IngestMetrics released_{"tail_sampling", "kept"};
  // Metrics are looked up before any lock of ours is taken: the registry's
  // lock is held while /metrics reads our gauge.
  std::vector<Counter*> policy_kept_;  // by policy index
  Counter& kept_;
  Counter& dropped_;
  Counter& early_;
  Counter& late_kept_;
  Counter& late_dropped_;
  Counter& lost_;

  struct Loop;
  std::unique_ptr<Loop> loop_;
};

}  // namespace spoor
