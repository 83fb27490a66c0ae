// Head sampling: whether a new trace is recorded. The decision travels with
// the trace (the sampled flag); a root span sampled here carries the tags
// Jaeger clients set, sampler.type and sampler.param.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace spoor {

struct SamplingDecision {
  bool sampled = false;
  std::string type;  // "const", "probabilistic", "ratelimiting", "lowerbound"
  double param = 0;
};

// Threading: Sample() may be called from any thread.
class Sampler {
 public:
  virtual ~Sampler() = default;
  [[nodiscard]] virtual SamplingDecision Sample(uint64_t trace_id_low,
                                                const std::string& operation) = 0;
  virtual void Close() {}
};

// Every trace (true) or none (false).
[[nodiscard]] std::unique_ptr<Sampler> NewConstSampler(bool sample);
// A fraction of traces, decided by the trace ID as Jaeger clients decide it
// (the same trace, the same decision in every process).
[[nodiscard]] std::unique_ptr<Sampler> NewProbabilisticSampler(double probability);
// At most `traces_per_second` traces a second (a token bucket of that
// rate and a burst of max(1, rate)).
[[nodiscard]] std::unique_ptr<Sampler> NewRateLimitingSampler(double traces_per_second);

}  // namespace spoor
