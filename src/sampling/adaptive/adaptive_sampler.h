// Adaptive sampling as a collector runs it (Jaeger's design; docs/sampling.md):
//
//  - every calculation interval, the collector saves the throughput it
//    counted (throughput_counter.h) in the sampling store, under its own
//    name and the time of saving;
//  - one collector at a time is the leader: it holds the lease
//    "adaptive-sampling" in the store, renewing it every leader interval
//    (the lease lasts one follower interval); the others try to take it
//    every follower interval, so a leader that died is replaced within two
//    follower intervals, one that stopped cleanly (it frees the lease)
//    within one;
//  - the leader reads everyone's throughput up to `delay` ago, computes the
//    probabilities (probability_calculation.h) and stores them; followers
//    read them back every follower interval;
//  - every collector serves the latest probabilities as per-operation
//    strategies (initial probability and the lower bound by default),
//    through the StrategiesHolder the sampling endpoints read.
//
// Tick() does one round at a given time (tests drive it with their own
// clock); Start() runs rounds on a thread of its own.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "common/status.h"
#include "sampling/adaptive/adaptive_options.h"
#include "sampling/adaptive/probability_calculation.h"
#include "sampling/adaptive/throughput_counter.h"
#include "sampling/sampling_http.h"
#include "sampling/sampling_store.h"

namespace spoor {

inline constexpr char kAdaptiveSamplingLease[] = "adaptive-sampling";

// The strategies adaptive sampling serves for `probabilities`.
[[nodiscard]] SamplingStrategies AdaptiveStrategies(const AdaptiveSamplingOptions& options,
                                                    const ServiceOperationProbabilities& p);

class AdaptiveSampler {
 public:
  // `store`, `counter` and `strategies` must outlive the sampler. `name`
  // identifies this collector in the store (host name and process).
  AdaptiveSampler(AdaptiveSamplingOptions options, std::string name, SamplingStore& store,
                  ThroughputCounter& counter, StrategiesHolder& strategies);
  ~AdaptiveSampler();
  AdaptiveSampler(const AdaptiveSampler&) = delete;
  AdaptiveSampler& operator=(const AdaptiveSampler&) = delete;

  // Loads the latest probabilities and serves them, then runs Tick() on a
  // thread until Stop().
  [[nodiscard]] Status Start();
  // Ends the thread, saves what was counted and frees the lease if held.
  void Stop();

  // One round at now_ns: what is due of saving throughput, the lease, the
  // calculation (leader) or reading the probabilities (follower). Returns
  // the first store error (the round goes on past it).
  Status Tick(uint64_t now_ns);

  // Read from any thread (the /metrics gauge).
  [[nodiscard]] bool is_leader() const { return leader_.load(std::memory_order_relaxed); }
  [[nodiscard]] const std::string& name() const { return name_; }

 private:
  Status SaveThroughput(uint64_t now_ns);
  Status UpdateLease(uint64_t now_ns);
  Status Calculate(uint64_t now_ns);
  Status LoadProbabilities();
  void Serve(const ServiceOperationProbabilities& p);

  const AdaptiveSamplingOptions options_;
  const std::string name_;
  SamplingStore& store_;
  ThroughputCounter& counter_;
  StrategiesHolder& strategies_;
  ProbabilityCalculation calculation_;
  ServiceOperationProbabilities probabilities_;

  std::atomic<bool> leader_{false};
  bool started_ = false;
  uint64_t next_save_ns_ = 0;
  uint64_t next_lease_ns_ = 0;
  uint64_t next_load_ns_ = 0;
  uint64_t last_checked_ns_ = 0;  // the end of the last bucket read

  struct Loop;
  std::unique_ptr<Loop> loop_;
};

}  // namespace spoor
