#include "tailsampling/tail_sampling_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>

#include "common/strings.h"
#include "common/time_format.h"

namespace spoor {
namespace {

struct Bad {
  std::string message;
};

[[noreturn]] void Fail(const std::string& where, const std::string& what) {
  throw Bad{where + ": " + what};
}

double Number(const YAML::Node& n, const std::string& where) {
  if (!n.IsScalar()) Fail(where, "expected a number");
  auto d = ParseDouble(n.Scalar());
  if (!d || !std::isfinite(*d)) Fail(where, "expected a number, got '" + n.Scalar() + "'");
  return *d;
}

double NonNegative(const YAML::Node& n, const std::string& where) {
  double d = Number(n, where);
  if (d < 0) Fail(where, "expected a number of 0 or more");
  return d;
}

bool Boolean(const YAML::Node& n, const std::string& where) {
  if (!n.IsScalar()) Fail(where, "expected true or false");
  auto b = ParseBool(n.Scalar());
  if (!b) Fail(where, "expected true or false, got '" + n.Scalar() + "'");
  return *b;
}

std::vector<std::string> Strings(const YAML::Node& n, const std::string& where) {
  std::vector<std::string> out;
  if (!n) Fail(where, "missing");
  if (!n.IsSequence()) Fail(where, "expected a list");
  for (size_t i = 0; i < n.size(); ++i) {
    if (!n[i].IsScalar()) Fail(where + "[" + std::to_string(i) + "]", "expected a string");
    out.push_back(n[i].Scalar());
  }
  return out;
}

const YAML::Node Section(const YAML::Node& policy, const std::string& type,
                         const std::string& where) {
  YAML::Node s = policy[type];
  if (!s || !s.IsMap())
    Fail(where + "." + type, "expected the settings of the " + type + " policy");
  return s;
}

// `nested`: a sub-policy of `and` or `composite`, which cannot be a
// composite itself (as in the OpenTelemetry Collector).
TailPolicy ParsePolicy(const YAML::Node& n, const std::string& where, bool nested);

std::vector<TailPolicy> ParsePolicies(const YAML::Node& list, const std::string& where,
                                      bool nested) {
  if (!list) Fail(where, "missing");
  if (!list.IsSequence() || list.size() == 0) Fail(where, "expected a list of policies");
  std::vector<TailPolicy> out;
  for (size_t i = 0; i < list.size(); ++i) {
    out.push_back(ParsePolicy(list[i], where + "[" + std::to_string(i) + "]", nested));
  }
  return out;
}

// composite: {max_total_spans_per_second, policy_order, composite_sub_policy,
// rate_allocation: [{policy, percent}]}. Sub-policies are asked in
// policy_order (those it leaves out after, as listed). A sub-policy's share
// is its percent of the total (0: an equal share, as the Collector); those
// without an allocation share what the allocations leave.
void ParseComposite(const YAML::Node& s, const std::string& where, TailPolicy& p) {
  std::string at = where + ".composite.";
  if (!s["max_total_spans_per_second"]) Fail(at + "max_total_spans_per_second", "missing");
  p.max_total_spans_per_second =
      NonNegative(s["max_total_spans_per_second"], at + "max_total_spans_per_second");
  std::vector<TailPolicy> subs =
      ParsePolicies(s["composite_sub_policy"], at + "composite_sub_policy", true);
  auto index_of = [&](const std::string& name) -> size_t {
    for (size_t i = 0; i < subs.size(); ++i) {
      if (subs[i].name == name) return i;
    }
    return subs.size();
  };
  std::vector<size_t> order;
  if (s["policy_order"]) {
    for (const std::string& name : Strings(s["policy_order"], at + "policy_order")) {
      size_t i = index_of(name);
      if (i == subs.size()) Fail(at + "policy_order", "no sub-policy named '" + name + "'");
      if (std::find(order.begin(), order.end(), i) != order.end())
        Fail(at + "policy_order", "'" + name + "' is listed twice");
      order.push_back(i);
    }
  }
  for (size_t i = 0; i < subs.size(); ++i) {
    if (std::find(order.begin(), order.end(), i) == order.end()) order.push_back(i);
  }
  constexpr double kUnset = -1;
  std::vector<double> share(subs.size(), kUnset);
  double allocated = 0;
  if (s["rate_allocation"]) {
    const YAML::Node& list = s["rate_allocation"];
    if (!list.IsSequence()) Fail(at + "rate_allocation", "expected a list of {policy, percent}");
    for (size_t k = 0; k < list.size(); ++k) {
      std::string here = at + "rate_allocation[" + std::to_string(k) + "]";
      if (!list[k].IsMap() || !list[k]["policy"]) Fail(here + ".policy", "missing");
      std::string name = list[k]["policy"].Scalar();
      size_t i = index_of(name);
      if (i == subs.size()) Fail(here + ".policy", "no sub-policy named '" + name + "'");
      double percent = list[k]["percent"] ? NonNegative(list[k]["percent"], here + ".percent") : 0;
      if (percent > 100) Fail(here + ".percent", "expected 0 to 100");
      share[i] = percent > 0 ? percent / 100 * p.max_total_spans_per_second
                             : p.max_total_spans_per_second / static_cast<double>(subs.size());
      allocated += share[i];
    }
  }
  size_t unallocated = static_cast<size_t>(std::count(share.begin(), share.end(), kUnset));
  double rest = std::max(0.0, p.max_total_spans_per_second - allocated);
  for (size_t i : order) {
    double sps = share[i] == kUnset ? rest / static_cast<double>(unallocated) : share[i];
    // A rate-limiting sub-policy keeps no more than its own rate either.
    if (subs[i].type == TailPolicyType::kRateLimiting)
      sps = std::min(sps, subs[i].spans_per_second);
    p.sub_policies.push_back(std::move(subs[i]));
    p.allocated_spans_per_second.push_back(sps);
  }
}

TailPolicy ParsePolicy(const YAML::Node& n, const std::string& where, bool nested) {
  if (!n.IsMap()) Fail(where, "expected a policy: {name, type, <type>: {...}}");
  TailPolicy p;
  if (n["name"]) p.name = n["name"].Scalar();
  if (!n["type"] || !n["type"].IsScalar()) Fail(where + ".type", "missing");
  std::string type = n["type"].Scalar();
  if (p.name.empty()) p.name = type;
  if (type == "always_sample") {
    p.type = TailPolicyType::kAlwaysSample;
  } else if (type == "latency") {
    p.type = TailPolicyType::kLatency;
    YAML::Node s = Section(n, type, where);
    std::string at = where + ".latency.";
    if (!s["threshold_ms"]) Fail(at + "threshold_ms", "missing");
    p.threshold_ns =
        static_cast<uint64_t>(NonNegative(s["threshold_ms"], at + "threshold_ms") * 1e6);
    if (s["upper_threshold_ms"]) {
      p.upper_threshold_ns = static_cast<uint64_t>(
          NonNegative(s["upper_threshold_ms"], at + "upper_threshold_ms") * 1e6);
    }
  } else if (type == "status_code") {
    p.type = TailPolicyType::kStatusCode;
    YAML::Node s = Section(n, type, where);
    std::string at = where + ".status_code.status_codes";
    for (const std::string& code : Strings(s["status_codes"], at)) {
      std::string c = ToLower(code);
      if (c == "error") {
        p.status_codes.push_back(SpanStatusCode::kError);
      } else if (c == "ok") {
        p.status_codes.push_back(SpanStatusCode::kOk);
      } else if (c == "unset") {
        p.status_codes.push_back(SpanStatusCode::kUnset);
      } else {
        Fail(at, "expected ERROR, OK or UNSET, got '" + code + "'");
      }
    }
  } else if (type == "string_attribute") {
    p.type = TailPolicyType::kStringAttribute;
    YAML::Node s = Section(n, type, where);
    std::string at = where + ".string_attribute.";
    if (!s["key"] || s["key"].Scalar().empty()) Fail(at + "key", "missing");
    p.key = s["key"].Scalar();
    p.values = Strings(s["values"], at + "values");
    if (s["enabled_regex_matching"])
      p.regex = Boolean(s["enabled_regex_matching"], at + "enabled_regex_matching");
    if (s["invert_match"]) p.invert = Boolean(s["invert_match"], at + "invert_match");
    if (p.regex) {
      for (const std::string& v : p.values) {
        try {
          p.patterns.emplace_back(v, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
          Fail(at + "values", "not a regular expression: '" + v + "' (" + e.what() + ")");
        }
      }
    }
  } else if (type == "numeric_attribute") {
    p.type = TailPolicyType::kNumericAttribute;
    YAML::Node s = Section(n, type, where);
    std::string at = where + ".numeric_attribute.";
    if (!s["key"] || s["key"].Scalar().empty()) Fail(at + "key", "missing");
    p.key = s["key"].Scalar();
    p.min_value = s["min_value"] ? Number(s["min_value"], at + "min_value")
                                 : -std::numeric_limits<double>::infinity();
    p.max_value = s["max_value"] ? Number(s["max_value"], at + "max_value")
                                 : std::numeric_limits<double>::infinity();
    if (p.min_value > p.max_value) Fail(at + "max_value", "below min_value");
    if (s["invert_match"]) p.invert = Boolean(s["invert_match"], at + "invert_match");
  } else if (type == "probabilistic") {
    p.type = TailPolicyType::kProbabilistic;
    YAML::Node s = Section(n, type, where);
    std::string at = where + ".probabilistic.sampling_percentage";
    if (!s["sampling_percentage"]) Fail(at, "missing");
    p.sampling_percentage = NonNegative(s["sampling_percentage"], at);
    if (p.sampling_percentage > 100) Fail(at, "expected 0 to 100");
  } else if (type == "rate_limiting") {
    p.type = TailPolicyType::kRateLimiting;
    YAML::Node s = Section(n, type, where);
    std::string at = where + ".rate_limiting.spans_per_second";
    if (!s["spans_per_second"]) Fail(at, "missing");
    p.spans_per_second = NonNegative(s["spans_per_second"], at);
  } else if (type == "span_count") {
    p.type = TailPolicyType::kSpanCount;
    YAML::Node s = Section(n, type, where);
    std::string at = where + ".span_count.";
    if (!s["min_spans"]) Fail(at + "min_spans", "missing");
    p.min_spans = static_cast<uint64_t>(NonNegative(s["min_spans"], at + "min_spans"));
    if (s["max_spans"])
      p.max_spans = static_cast<uint64_t>(NonNegative(s["max_spans"], at + "max_spans"));
  } else if (type == "and") {
    p.type = TailPolicyType::kAnd;
    YAML::Node s = Section(n, type, where);
    p.sub_policies = ParsePolicies(s["and_sub_policy"], where + ".and.and_sub_policy", true);
  } else if (type == "composite") {
    if (nested) Fail(where + ".type", "a composite cannot be a sub-policy");
    p.type = TailPolicyType::kComposite;
    ParseComposite(Section(n, type, where), where, p);
  } else {
    Fail(where + ".type",
         "unknown policy type '" + type +
             "'; supported: always_sample, latency, status_code, string_attribute, "
             "numeric_attribute, probabilistic, rate_limiting, span_count, and, composite");
  }
  return p;
}

}  // namespace

Result<TailSamplingOptions> ParseTailSampling(const YAML::Node& node) {
  try {
    TailSamplingOptions o;
    o.enabled = true;
    if (!node.IsMap())
      Fail("tail_sampling", "expected a map with decision_wait, num_traces, policies");
    if (node["decision_wait"]) {
      auto ns = ParseGoDuration(node["decision_wait"].Scalar());
      if (!ns || *ns <= 0) Fail("tail_sampling.decision_wait", "expected a duration like 10s");
      o.decision_wait_ns = static_cast<uint64_t>(*ns);
    }
    if (node["num_traces"]) {
      double n = NonNegative(node["num_traces"], "tail_sampling.num_traces");
      if (n < 1) Fail("tail_sampling.num_traces", "expected at least 1");
      o.num_traces = static_cast<size_t>(n);
    }
    if (!node["policies"]) Fail("tail_sampling.policies", "missing");
    o.policies = ParsePolicies(node["policies"], "tail_sampling.policies", false);
    return o;
  } catch (const Bad& b) {
    return InvalidArgument(b.message);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string("tail_sampling: ") + e.what());
  }
}

}  // namespace spoor
