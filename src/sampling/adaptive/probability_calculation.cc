#include "sampling/adaptive/probability_calculation.h"

#include <algorithm>
#include <cmath>

namespace spoor {

std::vector<double> BucketWeights(size_t n) {
  std::vector<double> weights;
  weights.reserve(n);
  double sum = 0;
  for (size_t i = n; i > 0; --i) {
    double w = std::pow(static_cast<double>(i), 4);
    weights.push_back(w);
    sum += w;
  }
  for (double& w : weights) w /= sum;
  return weights;
}

double NextProbability(const AdaptiveSamplingOptions& o, double previous, double qps) {
  double target = o.target_samples_per_second;
  if (std::abs(qps - target) / target < o.delta_tolerance) return previous;
  double next;
  if (qps == 0) {
    next = previous * 2;
  } else {
    double factor = target / qps;
    next = previous * factor;
    // Up slowly (at most doubling), down at once.
    if (factor > 1 && (next - previous) / previous > 1.0) next = previous * 2;
  }
  return std::clamp(next, o.min_sampling_probability, 1.0);
}

void ProbabilityCalculation::AddBucket(const std::vector<ThroughputReport>& reports,
                                       double seconds) {
  Bucket b;
  b.seconds = seconds;
  for (const ThroughputReport& report : reports) {
    for (const Throughput& t : report.throughput) {
      OperationCounts& c = b.counts[t.service][t.operation];
      // One probability per entry (throughput_counter.h keeps them apart).
      if (t.probabilities.size() == 1 && t.probabilities[0] > 0 && t.probabilities[0] <= 1) {
        c.requests += static_cast<double>(t.count) / t.probabilities[0];
      } else {
        c.unknown += t.count;
      }
    }
  }
  buckets_.push_front(std::move(b));
  while (buckets_.size() > static_cast<size_t>(std::max(1, options_.aggregation_buckets))) {
    buckets_.pop_back();
  }
}

CalculatedProbabilities ProbabilityCalculation::Calculate(
    const ServiceOperationProbabilities& previous) const {
  struct Rates {
    std::vector<double> requests;  // per second, newest bucket first
    std::vector<double> unknown;
  };
  std::map<std::string, std::map<std::string, Rates>> rates;  // service -> operation
  size_t max_rates = static_cast<size_t>(std::max(1, options_.buckets_for_calculation));
  for (const Bucket& b : buckets_) {
    if (b.seconds <= 0) continue;
    for (const auto& [service, ops] : b.counts) {
      for (const auto& [op, c] : ops) {
        Rates& r = rates[service][op];
        if (r.requests.size() >= max_rates) continue;
        r.requests.push_back(c.requests / b.seconds);
        r.unknown.push_back(static_cast<double>(c.unknown) / b.seconds);
      }
    }
  }
  CalculatedProbabilities out;
  for (const auto& [service, ops] : rates) {
    for (const auto& [op, r] : ops) {
      std::vector<double> weights = BucketWeights(r.requests.size());
      double requests = 0;
      double unknown = 0;
      for (size_t i = 0; i < weights.size(); ++i) {
        requests += r.requests[i] * weights[i];
        unknown += r.unknown[i] * weights[i];
      }
      double old = options_.initial_sampling_probability;
      if (auto s = previous.find(service); s != previous.end()) {
        if (auto p = s->second.find(op); p != s->second.end()) old = p->second;
      }
      // The sampled rate the current probability gives.
      double qps = requests * old + unknown;
      out.qps[service][op] = qps;
      out.probabilities[service][op] = NextProbability(options_, old, qps);
    }
  }
  return out;
}

}  // namespace spoor
