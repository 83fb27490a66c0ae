// The `tail_sampling` section of the --config-file YAML, in the
// OpenTelemetry Collector's shape, so that its policies move over as they
// are:
//
//   tail_sampling:
//     decision_wait: 10s
//     num_traces: 50000
//     policies:
//       - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
//       - {name: slow, type: latency, latency: {threshold_ms: 500}}
//       - {name: rest, type: probabilistic, probabilistic: {sampling_percentage: 1}}
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "tailsampling/tail_policy.h"

namespace YAML {
class Node;
}

namespace spoor {

struct TailSamplingOptions {
  bool enabled = false;
  uint64_t decision_wait_ns = 30ULL * 1000000000;  // the Collector's default
  size_t num_traces = 50000;
  std::vector<TailPolicy> policies;
};

// InvalidArgument naming the offending key ("tail_sampling.policies[1]
// .latency.threshold_ms: expected a number of milliseconds").
[[nodiscard]] Result<TailSamplingOptions> ParseTailSampling(const YAML::Node& node);

}  // namespace spoor
