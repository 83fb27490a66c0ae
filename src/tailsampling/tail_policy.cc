#include "tailsampling/tail_policy.h"

#include <algorithm>
#include <limits>

#include "common/hash.h"

namespace spoor {
namespace {

template <typename F>
bool AnyAttribute(const TraceSpans& spans, const std::string& key, F&& matches) {
  for (const SpanRecord& r : spans) {
    if (const AnyValue* v = FindAttribute(r.span.attributes, key); v != nullptr && matches(*v)) {
      return true;
    }
    if (const AnyValue* v = FindAttribute(r.resource->attributes, key);
        v != nullptr && matches(*v)) {
      return true;
    }
  }
  return false;
}

bool StringMatches(const TailPolicy& p, const AnyValue& v) {
  if (v.type != ValueType::kString) return false;
  if (p.regex) {
    return std::any_of(p.patterns.begin(), p.patterns.end(),
                       [&](const std::regex& re) { return std::regex_match(v.string_value, re); });
  }
  return std::find(p.values.begin(), p.values.end(), v.string_value) != p.values.end();
}

bool NumberIn(const TailPolicy& p, const AnyValue& v) {
  double d = 0;
  if (v.type == ValueType::kInt) {
    d = static_cast<double>(v.int_value);
  } else if (v.type == ValueType::kDouble) {
    d = v.double_value;
  } else {
    return false;
  }
  return d >= p.min_value && d <= p.max_value;
}

}  // namespace

bool PolicyKeeps(const TailPolicy& p, const TraceId& id, const TraceSpans& spans) {
  switch (p.type) {
    case TailPolicyType::kAlwaysSample: return true;
    case TailPolicyType::kLatency: {
      uint64_t first = std::numeric_limits<uint64_t>::max();
      uint64_t last = 0;
      for (const SpanRecord& r : spans) {
        first = std::min(first, r.span.start_time_ns);
        last = std::max(last, r.span.end_time_ns);
      }
      uint64_t duration = last > first ? last - first : 0;
      return duration >= p.threshold_ns &&
             (p.upper_threshold_ns == 0 || duration <= p.upper_threshold_ns);
    }
    case TailPolicyType::kStatusCode:
      return std::any_of(spans.begin(), spans.end(), [&](const SpanRecord& r) {
        return std::find(p.status_codes.begin(), p.status_codes.end(), r.span.status.code) !=
               p.status_codes.end();
      });
    case TailPolicyType::kStringAttribute: {
      bool found =
          AnyAttribute(spans, p.key, [&](const AnyValue& v) { return StringMatches(p, v); });
      return p.invert ? !found : found;
    }
    case TailPolicyType::kNumericAttribute: {
      bool found = AnyAttribute(spans, p.key, [&](const AnyValue& v) { return NumberIn(p, v); });
      return p.invert ? !found : found;
    }
    case TailPolicyType::kProbabilistic: {
      // The same traces whatever the process: by a hash of the trace ID.
      uint64_t h = HashAvalanche(HashMix(id.high, id.low));
      double unit = static_cast<double>(h >> 11) / static_cast<double>(1ULL << 53);
      return unit * 100 < p.sampling_percentage;
    }
    case TailPolicyType::kRateLimiting: return true;
    case TailPolicyType::kSpanCount:
      return spans.size() >= p.min_spans && (p.max_spans == 0 || spans.size() <= p.max_spans);
    case TailPolicyType::kComposite:
      return std::any_of(p.sub_policies.begin(), p.sub_policies.end(),
                         [&](const TailPolicy& sub) { return PolicyKeeps(sub, id, spans); });
    case TailPolicyType::kAnd:
      return std::all_of(p.sub_policies.begin(), p.sub_policies.end(),
                         [&](const TailPolicy& sub) { return PolicyKeeps(sub, id, spans); });
  }
  return false;
}

}  // namespace spoor
