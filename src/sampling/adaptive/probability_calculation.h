// Adaptive sampling's calculation, as Jaeger's leader runs it: from the
// root-span throughput every collector counted, the sampling probability
// of each operation that brings its sampled traces per second to the
// target.
//
// For each operation: its request rate in each of the newest
// buckets_for_calculation buckets that saw it — each count divided by the
// probability the clients reported it was sampled with, over the bucket's
// length — is averaged with weights i^4 (newest heaviest, normalised).
// From it, the sampled rate the operation's current probability gives
// (initial_sampling_probability when new) decides, as Jaeger's
// calculation does with the sampled rate it observes:
//   - within delta_tolerance of the target: unchanged;
//   - a rate of 0: doubled (so that the operation samples at all);
//   - else: scaled by target / rate, an increase capped at +100% per
//     calculation (a decrease is applied at once, to stop oversampling);
// and clamped to [min_sampling_probability, 1]. Dividing by the reported
// probability matters because the throughput read is `delay` old and
// collectors may serve different probabilities for a while: the rate
// sampled under an older probability would otherwise be corrected twice.
// Counts reported without a probability are taken as sampled with the
// current one.
//
// Not thread-safe: the leader's loop owns it.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "sampling/adaptive/adaptive_options.h"
#include "sampling/sampling_store.h"

namespace spoor {

// The weights of n buckets, newest first: i^4 for i = n..1, normalised.
[[nodiscard]] std::vector<double> BucketWeights(size_t n);

// The next probability of one operation (see above).
[[nodiscard]] double NextProbability(const AdaptiveSamplingOptions& options, double previous,
                                     double qps);

class ProbabilityCalculation {
 public:
  explicit ProbabilityCalculation(AdaptiveSamplingOptions options) : options_(options) {}

  // Adds a bucket of `seconds` (every collector's reports for it),
  // keeping the newest aggregation_buckets.
  void AddBucket(const std::vector<ThroughputReport>& reports, double seconds);

  // The probabilities and weighted rates of every operation seen in the
  // kept buckets, given the previous probabilities.
  [[nodiscard]] CalculatedProbabilities Calculate(
      const ServiceOperationProbabilities& previous) const;

  [[nodiscard]] size_t bucket_count() const { return buckets_.size(); }
  void Clear() { buckets_.clear(); }

 private:
  struct OperationCounts {
    double requests = 0;   // counts divided by their probability
    uint64_t unknown = 0;  // counts without a usable probability
  };
  struct Bucket {
    std::map<std::string, std::map<std::string, OperationCounts>> counts;  // service -> operation
    double seconds = 0;
  };
  const AdaptiveSamplingOptions options_;
  std::deque<Bucket> buckets_;  // newest first
};

}  // namespace spoor
