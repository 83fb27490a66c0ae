#include "sampling/adaptive/adaptive_sampler.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "common/log.h"
#include "common/time_format.h"

namespace spoor {

SamplingStrategies AdaptiveStrategies(const AdaptiveSamplingOptions& o,
                                      const ServiceOperationProbabilities& p) {
  SamplingStrategies s;
  Strategy base;
  base.type = StrategyType::kProbabilistic;
  base.param = o.initial_sampling_probability;
  base.per_operation = true;
  base.lower_bound_traces_per_second = o.min_samples_per_second;
  s.default_strategy = base;
  for (const auto& [service, ops] : p) {
    ServiceStrategy svc{service, base};
    for (const auto& [op, probability] : ops) {
      svc.strategy.operation_strategies.push_back({op, probability});
    }
    s.service_strategies.push_back(std::move(svc));
  }
  return s;
}

struct AdaptiveSampler::Loop {
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread thread;
};

AdaptiveSampler::AdaptiveSampler(AdaptiveSamplingOptions options, std::string name,
                                 SamplingStore& store, ThroughputCounter& counter,
                                 StrategiesHolder& strategies)
    : options_(options),
      name_(std::move(name)),
      store_(store),
      counter_(counter),
      strategies_(strategies),
      calculation_(options),
      loop_(std::make_unique<Loop>()) {}

AdaptiveSampler::~AdaptiveSampler() {
  Stop();
}

Status AdaptiveSampler::Start() {
  Serve({});
  if (Status s = LoadProbabilities(); !s.ok()) {
    LogWarn("adaptive sampling: ", s.message(), "; serving the initial probability for now");
  }
  started_ = true;
  loop_->thread = std::thread([this] {
    // Rounds at a tenth of the shortest interval: each step runs when due.
    uint64_t shortest =
        std::min({options_.calculation_interval_ns, options_.leader_lease_refresh_interval_ns,
                  options_.follower_lease_refresh_interval_ns});
    auto pause = std::chrono::nanoseconds(std::max<uint64_t>(shortest / 10, 1000000));
    std::unique_lock<std::mutex> lock(loop_->mu);
    while (!loop_->stopping) {
      lock.unlock();
      if (Status s = Tick(NowNs()); !s.ok()) LogWarn("adaptive sampling: ", s.message());
      lock.lock();
      loop_->cv.wait_for(lock, pause, [this] { return loop_->stopping; });
    }
  });
  return Status::Ok();
}

void AdaptiveSampler::Stop() {
  {
    std::lock_guard<std::mutex> lock(loop_->mu);
    if (loop_->stopping) return;
    loop_->stopping = true;
  }
  loop_->cv.notify_all();
  if (loop_->thread.joinable()) loop_->thread.join();
  if (!started_) return;
  if (Status s = SaveThroughput(NowNs()); !s.ok()) LogWarn("adaptive sampling: ", s.message());
  if (leader_) {
    auto released = store_.ReleaseLease(kAdaptiveSamplingLease, name_);
    if (!released.ok()) LogWarn("adaptive sampling: ", released.status().message());
    leader_ = false;
  }
}

Status AdaptiveSampler::Tick(uint64_t now) {
  Status first = Status::Ok();
  auto keep = [&first](Status s) {
    if (first.ok() && !s.ok()) first = std::move(s);
  };
  if (next_lease_ns_ <= now) keep(UpdateLease(now));
  if (next_save_ns_ == 0) {
    // The first round: start counting now, read from `delay` ago.
    next_save_ns_ = now + options_.calculation_interval_ns;
    last_checked_ns_ = now > options_.delay_ns ? now - options_.delay_ns : 0;
  } else if (next_save_ns_ <= now) {
    next_save_ns_ = now + options_.calculation_interval_ns;
    keep(SaveThroughput(now));
    if (leader_) keep(Calculate(now));
  }
  if (!leader_ && next_load_ns_ <= now) {
    next_load_ns_ = now + options_.follower_lease_refresh_interval_ns;
    keep(LoadProbabilities());
  }
  return first;
}

Status AdaptiveSampler::SaveThroughput(uint64_t now) {
  std::vector<Throughput> counted = counter_.Take();
  return store_.InsertThroughput(name_, now, counted);
}

Status AdaptiveSampler::UpdateLease(uint64_t now) {
  auto acquired = store_.AcquireLease(kAdaptiveSamplingLease, name_,
                                      options_.follower_lease_refresh_interval_ns, now);
  bool was_leader = leader_;
  if (!acquired.ok()) {
    // Unsure: stop calculating until the store answers again.
    leader_ = false;
    next_lease_ns_ = now + options_.leader_lease_refresh_interval_ns;
    return acquired.status();
  }
  leader_ = *acquired;
  next_lease_ns_ = now + (leader_ ? options_.leader_lease_refresh_interval_ns
                                  : options_.follower_lease_refresh_interval_ns);
  if (leader_ && !was_leader) {
    LogInfo("adaptive sampling: ", name_, " is the leader");
    // As Jaeger's new leader does: the last aggregation_buckets intervals
    // of stored throughput, so that operations with sparse traffic keep
    // their probabilities; the next calculation reads on from there.
    uint64_t end = now > options_.delay_ns ? now - options_.delay_ns : 0;
    uint64_t interval = options_.calculation_interval_ns;
    calculation_.Clear();
    for (int i = std::max(1, options_.aggregation_buckets); i >= 1; --i) {
      uint64_t back = interval * static_cast<uint64_t>(i);
      if (end < back) continue;
      auto reports = store_.GetThroughput(end - back, end - back + interval);
      if (!reports.ok()) return reports.status();
      if (!reports->empty()) calculation_.AddBucket(*reports, static_cast<double>(interval) / 1e9);
    }
    last_checked_ns_ = end;
    // Pick up from the previous leader's probabilities.
    if (Status s = LoadProbabilities(); !s.ok()) return s;
  } else if (!leader_ && was_leader) {
    LogInfo("adaptive sampling: ", name_, " is no longer the leader");
  }
  return Status::Ok();
}

Status AdaptiveSampler::Calculate(uint64_t now) {
  uint64_t end = now > options_.delay_ns ? now - options_.delay_ns : 0;
  if (end <= last_checked_ns_) return Status::Ok();
  auto reports = store_.GetThroughput(last_checked_ns_, end);
  if (!reports.ok()) return reports.status();
  calculation_.AddBucket(*reports, static_cast<double>(end - last_checked_ns_) / 1e9);
  last_checked_ns_ = end;
  CalculatedProbabilities result = calculation_.Calculate(probabilities_);
  result.host = name_;
  result.calculated_ns = now;
  probabilities_ = result.probabilities;
  Serve(probabilities_);
  return store_.InsertProbabilitiesAndQps(result);
}

Status AdaptiveSampler::LoadProbabilities() {
  auto latest = store_.GetLatestProbabilities();
  if (!latest.ok()) return latest.status();
  probabilities_ = latest->probabilities;
  Serve(probabilities_);
  return Status::Ok();
}

void AdaptiveSampler::Serve(const ServiceOperationProbabilities& p) {
  strategies_.Set(AdaptiveStrategies(options_, p));
}

}  // namespace spoor
