#include "spoor/sampler.h"

#include <algorithm>
#include <chrono>
#include <mutex>

namespace spoor {
namespace {

class ConstSampler final : public Sampler {
 public:
  explicit ConstSampler(bool sample) : sample_(sample) {}
  SamplingDecision Sample(uint64_t, const std::string&) override {
    return {sample_, "const", sample_ ? 1.0 : 0.0};
  }

 private:
  const bool sample_;
};

// As Jaeger clients decide: sampled when the low 63 bits of the trace ID
// are at most probability x (2^63 - 1).
class ProbabilisticSampler final : public Sampler {
 public:
  explicit ProbabilisticSampler(double probability)
      : probability_(std::clamp(probability, 0.0, 1.0)),
        boundary_(static_cast<uint64_t>(static_cast<double>(kMax) * probability_)) {}
  SamplingDecision Sample(uint64_t trace_id_low, const std::string&) override {
    return {boundary_ >= (trace_id_low & kMax), "probabilistic", probability_};
  }

 private:
  static constexpr uint64_t kMax = (uint64_t{1} << 63) - 1;
  const double probability_;
  const uint64_t boundary_;
};

class RateLimitingSampler final : public Sampler {
 public:
  explicit RateLimitingSampler(double rate)
      : rate_(std::max(0.0, rate)), max_balance_(std::max(1.0, rate_)), balance_(max_balance_) {}
  SamplingDecision Sample(uint64_t, const std::string&) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto now = std::chrono::steady_clock::now();
    double elapsed = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    balance_ = std::min(max_balance_, balance_ + elapsed * rate_);
    bool sampled = balance_ >= 1.0;
    if (sampled) balance_ -= 1.0;
    return {sampled, "ratelimiting", rate_};
  }

 private:
  const double rate_;
  const double max_balance_;
  std::mutex mu_;
  double balance_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace

std::unique_ptr<Sampler> NewConstSampler(bool sample) {
  return std::make_unique<ConstSampler>(sample);
}

std::unique_ptr<Sampler> NewProbabilisticSampler(double probability) {
  return std::make_unique<ProbabilisticSampler>(probability);
}

std::unique_ptr<Sampler> NewRateLimitingSampler(double traces_per_second) {
  return std::make_unique<RateLimitingSampler>(traces_per_second);
}

}  // namespace spoor
