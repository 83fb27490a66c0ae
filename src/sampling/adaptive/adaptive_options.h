// The options of adaptive sampling, with Jaeger's flag names and defaults
// (--sampling.*; docs/sampling.md).
#pragma once

#include <cstdint>

namespace spoor {

struct AdaptiveSamplingOptions {
  // Sampled traces per second wanted for each operation.
  double target_samples_per_second = 1.0;
  // An operation within this fraction of the target keeps its probability.
  double delta_tolerance = 0.3;
  // How many of the most recent buckets an operation's rate is averaged
  // over (weighted towards the newest).
  int buckets_for_calculation = 1;
  // How often throughput is saved and probabilities recalculated.
  uint64_t calculation_interval_ns = 60ULL * 1000000000;
  // Buckets of throughput the leader keeps in memory.
  int aggregation_buckets = 10;
  // How far behind now the calculation reads throughput, so that every
  // collector has saved its counts for that time.
  uint64_t delay_ns = 120ULL * 1000000000;
  // The probability of an operation not yet calculated.
  double initial_sampling_probability = 0.001;
  double min_sampling_probability = 1e-5;
  // The lower bound clients apply per operation (traces per second).
  double min_samples_per_second = 1.0 / 60;
  // How often the leader renews its lease, and how often a follower
  // tries to take it and re-reads the probabilities.
  uint64_t leader_lease_refresh_interval_ns = 5ULL * 1000000000;
  uint64_t follower_lease_refresh_interval_ns = 60ULL * 1000000000;
};

}  // namespace spoor
