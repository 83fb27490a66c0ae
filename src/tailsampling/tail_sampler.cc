#include "tailsampling/tail_sampler.h"

#include <chrono>
#include <condition_variable>

#include "common/log.h"
#include "common/time_format.h"

namespace spoor {
namespace {

Counter& TraceCounter(const char* decision) {
  return MetricsRegistry::Global().GetCounter("spoor_tail_sampling_traces_total",
                                              "Traces decided by tail sampling",
                                              {{"decision", decision}});
}

Counter& LateCounter(const char* decision) {
  return MetricsRegistry::Global().GetCounter(
      "spoor_tail_sampling_late_spans_total",
      "Spans that arrived after their trace was decided, by the decision they followed",
      {{"decision", decision}});
}

Counter& PolicyCounter(const std::string& policy) {
  return MetricsRegistry::Global().GetCounter("spoor_tail_sampling_policy_kept_total",
                                              "Traces each tail-sampling policy kept",
                                              {{"policy", policy}});
}

// The kept spans as a batch: consecutive spans of one resource and scope
// share their groups.
SpanBatch AsBatch(TraceSpans spans) {
  SpanBatch batch;
  for (SpanRecord& r : spans) {
    if (batch.resource_spans.empty() || batch.resource_spans.back().resource != r.resource) {
      batch.resource_spans.push_back({r.resource, {}});
    }
    auto& scopes = batch.resource_spans.back().scope_spans;
    if (scopes.empty() || scopes.back().scope != r.scope) scopes.push_back({r.scope, {}});
    scopes.back().spans.push_back(std::move(r.span));
  }
  return batch;
}

}  // namespace

struct TailSampler::Loop {
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread thread;
};

TailSampler::TailSampler(TailSamplingOptions options, SpanSink& inner)
    : options_(std::move(options)),
      inner_(inner),
      kept_(TraceCounter("kept")),
      dropped_(TraceCounter("dropped")),
      early_(MetricsRegistry::Global().GetCounter(
          "spoor_tail_sampling_traces_decided_early_total",
          "Traces decided before their wait ended, to stay within num_traces")),
      late_kept_(LateCounter("kept")),
      late_dropped_(LateCounter("dropped")),
      lost_(MetricsRegistry::Global().GetCounter(
          "spoor_tail_sampling_spans_lost_total",
          "Spans of kept traces the pipeline refused (its queue full)")),
      loop_(std::make_unique<Loop>()) {
  for (const TailPolicy& p : options_.policies) policy_kept_.push_back(&PolicyCounter(p.name));
}

TailSampler::~TailSampler() {
  Stop();
}

Status TailSampler::Submit(SpanBatch batch, IngestMetrics& metrics) {
  size_t n = batch.SpanCount();
  if (n == 0) return Status::Ok();
  uint64_t now = NowNs();
  TraceSpans released;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (ResourceSpans& rs : batch.resource_spans) {
      for (ScopeSpans& ss : rs.scope_spans) {
        for (Span& span : ss.spans) {
          TraceId id = span.trace_id;
          if (auto d = decided_.find(id); d != decided_.end() && !held_.contains(id)) {
            if (d->second) {
              late_kept_.Inc();
              released.push_back({rs.resource, ss.scope, std::move(span), {}});
            } else {
              late_dropped_.Inc();
            }
            continue;
          }
          auto [it, inserted] = held_.try_emplace(id);
          if (inserted) {
            it->second.first_ns = now;
            arrival_.emplace_back(now, id);
            // Beyond the cap: the oldest held trace is decided now.
            while (held_.size() > options_.num_traces && !arrival_.empty()) {
              TraceId oldest = arrival_.front().second;
              arrival_.pop_front();
              if (oldest == id) {  // only the new trace is left to decide
                arrival_.emplace_back(now, id);
                break;
              }
              if (!held_.contains(oldest)) continue;
              early_.Inc();
              DecideLocked(oldest, now, &released);
            }
          }
          held_[id].spans.push_back({rs.resource, ss.scope, std::move(span), {}});
          held_count_.store(held_.size(), std::memory_order_relaxed);
        }
      }
    }
  }
  metrics.spans_accepted.Inc(n);
  if (!released.empty()) Release(std::move(released));
  return Status::Ok();
}

void TailSampler::StartSecond(uint64_t now_ns) {
  uint64_t second = now_ns / 1000000000;
  if (second == rate_second_) return;
  rate_second_ = second;
  rate_spans_.clear();
}

bool TailSampler::RateLimitAllows(const TailPolicy& p, size_t spans, uint64_t now_ns) {
  StartSecond(now_ns);
  double& used = rate_spans_[&p];
  if (used + static_cast<double>(spans) > p.spans_per_second) return false;
  used += static_cast<double>(spans);
  return true;
}

bool TailSampler::CompositeKeeps(const TailPolicy& p, const TraceId& id, const TraceSpans& spans,
                                 uint64_t now_ns) {
  StartSecond(now_ns);
  auto n = static_cast<double>(spans.size());
  for (size_t i = 0; i < p.sub_policies.size(); ++i) {
    const TailPolicy& sub = p.sub_policies[i];
    if (!PolicyKeeps(sub, id, spans)) continue;
    // The first sub-policy that keeps the trace decides: within its share
    // and the total, kept; beyond, dropped (a smaller trace may still fit
    // later in the second).
    double& used = rate_spans_[&sub];
    double& total = rate_spans_[&p];
    if (used + n > p.allocated_spans_per_second[i] || total + n > p.max_total_spans_per_second) {
      return false;
    }
    used += n;
    total += n;
    return true;
  }
  return false;
}

void TailSampler::DecideLocked(const TraceId& id, uint64_t now_ns, TraceSpans* kept_spans) {
  auto it = held_.find(id);
  if (it == held_.end()) return;
  TraceSpans spans = std::move(it->second.spans);
  held_.erase(it);
  held_count_.store(held_.size(), std::memory_order_relaxed);
  bool kept = false;
  const auto& policies = options_.policies;
  for (size_t i = 0; i < policies.size(); ++i) {
    if (policies[i].type == TailPolicyType::kRateLimiting) continue;
    if (policies[i].type == TailPolicyType::kComposite
            ? CompositeKeeps(policies[i], id, spans, now_ns)
            : PolicyKeeps(policies[i], id, spans)) {
      policy_kept_[i]->Inc();
      kept = true;
    }
  }
  if (!kept) {
    for (size_t i = 0; i < policies.size(); ++i) {
      if (policies[i].type != TailPolicyType::kRateLimiting) continue;
      if (RateLimitAllows(policies[i], spans.size(), now_ns)) {
        policy_kept_[i]->Inc();
        kept = true;
        break;
      }
    }
  }
  Remember(id, kept);
  (kept ? kept_ : dropped_).Inc();
  if (!kept) return;
  for (SpanRecord& r : spans) kept_spans->push_back(std::move(r));
}

void TailSampler::Remember(const TraceId& id, bool kept) {
  if (decided_.insert_or_assign(id, kept).second) decided_order_.push_back(id);
  while (decided_order_.size() > 2 * options_.num_traces) {
    decided_.erase(decided_order_.front());
    decided_order_.pop_front();
  }
}

size_t TailSampler::DecideDue(uint64_t now_ns) {
  TraceSpans released;
  size_t decided = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    while (!arrival_.empty() && arrival_.front().first + options_.decision_wait_ns <= now_ns) {
      TraceId id = arrival_.front().second;
      arrival_.pop_front();
      if (!held_.contains(id)) continue;
      DecideLocked(id, now_ns, &released);
      ++decided;
    }
  }
  if (!released.empty()) Release(std::move(released));
  return decided;
}

void TailSampler::Release(TraceSpans kept) {
  size_t n = kept.size();
  Status s = inner_.Submit(AsBatch(std::move(kept)), released_);
  if (!s.ok()) {
    lost_.Inc(n);
    LogWarn("tail sampling: ", n, " spans of kept traces refused: ", s.message());
  }
}

void TailSampler::Start() {
  loop_->thread = std::thread([this] {
    std::unique_lock<std::mutex> lock(loop_->mu);
    while (!loop_->stopping) {
      loop_->cv.wait_for(lock, std::chrono::milliseconds(100), [this] { return loop_->stopping; });
      if (loop_->stopping) break;
      lock.unlock();
      DecideDue(NowNs());
      lock.lock();
    }
  });
}

void TailSampler::Stop() {
  {
    std::lock_guard<std::mutex> lock(loop_->mu);
    if (loop_->stopping) return;
    loop_->stopping = true;
  }
  loop_->cv.notify_all();
  if (loop_->thread.joinable()) loop_->thread.join();
  // What is held is decided now rather than lost.
  DecideDue(UINT64_MAX);
}

}  // namespace spoor
