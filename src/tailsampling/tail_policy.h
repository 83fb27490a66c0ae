// Tail-sampling policies: what decides, once a trace has been seen whole,
// whether it is kept. Configured as the OpenTelemetry Collector's
// `tail_sampling` processor is (docs/tail-sampling.md): a trace is kept when
// any policy keeps it.
#pragma once

#include <cstdint>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "model/span.h"

namespace spoor {

enum class TailPolicyType {
  kAlwaysSample,
  kLatency,           // trace duration (first start to last end) in [threshold, upper]
  kStatusCode,        // a span's status is one of status_codes
  kStringAttribute,   // a span (or its resource) has key = one of values (or matching regexes)
  kNumericAttribute,  // a span (or its resource) has key in [min, max]
  kProbabilistic,     // sampling_percentage of traces, by trace ID
  kRateLimiting,      // at most spans_per_second spans of kept traces
  kSpanCount,         // min_spans <= spans (<= max_spans when set)
  kAnd,               // every sub-policy keeps it
  kComposite,         // the first sub-policy that keeps it, within its share of a rate
};

struct TailPolicy {
  std::string name;
  TailPolicyType type = TailPolicyType::kAlwaysSample;
  // latency
  uint64_t threshold_ns = 0;
  uint64_t upper_threshold_ns = 0;  // 0 = none
  // status_code
  std::vector<SpanStatusCode> status_codes;
  // string_attribute, numeric_attribute
  std::string key;
  std::vector<std::string> values;
  bool regex = false;
  bool invert = false;
  std::vector<std::regex> patterns;  // compiled `values` when regex
  double min_value = 0;
  double max_value = 0;
  // probabilistic
  double sampling_percentage = 0;
  // rate_limiting
  double spans_per_second = 0;
  // span_count
  uint64_t min_spans = 0;
  uint64_t max_spans = 0;  // 0 = none
  // and, composite (sub-policies in policy_order)
  std::vector<TailPolicy> sub_policies;
  // composite: spans per second kept at most, in all and by each sub-policy
  double max_total_spans_per_second = 0;
  std::vector<double> allocated_spans_per_second;  // by sub-policy index
};

// A trace as the policies see it: its spans with their resources.
using TraceSpans = std::vector<SpanRecord>;

// Whether `policy` keeps the trace. Rate limiting and composite are
// stateful and decided by the sampler (tail_sampler.h): here rate limiting
// keeps everything and a composite keeps what one of its sub-policies keeps,
// rates aside.
[[nodiscard]] bool PolicyKeeps(const TailPolicy& policy, const TraceId& id,
                               const TraceSpans& spans);

}  // namespace spoor
