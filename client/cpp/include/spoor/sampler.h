// Head sampling: whether a new trace is recorded. The decision travels with
// the trace (the sampled flag); a root span sampled here carries the tags
// Jaeger clients set, sampler.type and sampler.param.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "spoor/tls.h"

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

struct RemoteSamplerOptions {
  std::string service_name;
  // Spoor's (and Jaeger's) sampling endpoint; ?service=<name> is added.
  std::string sampling_server_url = "http://127.0.0.1:5778/sampling";
  double initial_probability = 0.001;  // until the first strategy arrives
  std::chrono::milliseconds refresh_interval{60000};
  size_t max_operations = 2000;  // per-operation samplers kept at most; others use the default
  std::chrono::milliseconds timeout{5000};
  TlsOptions tls;  // for an https:// sampling_server_url
};

// Follows the strategy the sampling endpoint gives the service, fetched at
// start and every refresh_interval: probabilistic, rate limiting, or per
// operation (each operation's probability, with the lower bound of traces
// per second guaranteed by a rate limiter, as Jaeger clients do — sampled
// by the lower bound, a root is tagged sampler.type = "lowerbound"). What
// cannot be fetched or read keeps the strategy in force.
class RemoteSampler : public Sampler {
 public:
  // Fetches now; true when a strategy was read and applied.
  virtual bool Refresh() = 0;
  // Strategies applied since start.
  [[nodiscard]] virtual uint64_t updates() const = 0;
};

// Throws std::invalid_argument for a URL that is not http://host:port/path.
[[nodiscard]] std::unique_ptr<RemoteSampler> NewRemoteSampler(RemoteSamplerOptions options);

}  // namespace spoor
