// Tail sampling: the policies on traces whose fate is known, the
// configuration as the OpenTelemetry Collector writes it, and the sampler's
// waiting, cap, late spans and shutdown.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <mutex>
#include <set>

#include "common/time_format.h"
#include "model/string_table.h"
#include "tailsampling/tail_sampler.h"

namespace spoor {
namespace {

constexpr uint64_t kMs = 1000000;
constexpr uint64_t kSecond = 1000 * kMs;

std::shared_ptr<const Resource> ResourceOf(std::string_view service) {
  auto r = std::make_shared<Resource>();
  r->attributes.push_back({Intern("service.name"), AnyValue::String(service)});
  r->ResolveServiceName();
  return r;
}

Span MakeSpan(uint64_t trace, uint64_t id, uint64_t start_ms, uint64_t duration_ms,
              SpanStatusCode status = SpanStatusCode::kUnset) {
  Span s;
  s.trace_id = TraceId{0, trace};
  s.span_id = SpanId{id};
  s.name = Intern("op");
  s.start_time_ns = 1800000000ULL * kSecond + start_ms * kMs;
  s.end_time_ns = s.start_time_ns + duration_ms * kMs;
  s.status.code = status;
  return s;
}

TraceSpans Trace(std::vector<Span> spans, std::string_view service = "api") {
  TraceSpans out;
  auto resource = ResourceOf(service);
  auto scope = std::make_shared<Scope>();
  for (Span& s : spans) out.push_back({resource, scope, std::move(s), {}});
  return out;
}

SpanBatch Batch(std::vector<Span> spans) {
  SpanBatch b;
  ResourceSpans rs;
  rs.resource = ResourceOf("api");
  rs.scope_spans.push_back({std::make_shared<Scope>(), std::move(spans)});
  b.resource_spans.push_back(std::move(rs));
  return b;
}

TailSamplingOptions Parse(const std::string& yaml) {
  auto parsed = ParseTailSampling(YAML::Load(yaml));
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  return parsed.ok() ? *parsed : TailSamplingOptions{};
}

constexpr char kKeepErrorsSlowAndOnePercent[] = R"(
decision_wait: 2s
num_traces: 100
policies:
  - name: errors
    type: status_code
    status_code: {status_codes: [ERROR]}
  - name: slow
    type: latency
    latency: {threshold_ms: 500}
  - name: one-percent
    type: probabilistic
    probabilistic: {sampling_percentage: 1}
)";

TEST(TailSamplingConfig, ReadsTheCollectorsShape) {
  TailSamplingOptions o = Parse(kKeepErrorsSlowAndOnePercent);
  EXPECT_EQ(o.decision_wait_ns, 2 * kSecond);
  EXPECT_EQ(o.num_traces, 100u);
  ASSERT_EQ(o.policies.size(), 3u);
  EXPECT_EQ(o.policies[0].name, "errors");
  EXPECT_EQ(o.policies[1].threshold_ns, 500 * kMs);
  EXPECT_DOUBLE_EQ(o.policies[2].sampling_percentage, 1);
}

TEST(TailSamplingConfig, ErrorsNameTheKey) {
  struct Case {
    const char* yaml;
    const char* where;
  };
  for (const Case& c : std::vector<Case>{
           {"policies: []", "tail_sampling.policies"},
           {"policies: [{type: latency}]", "tail_sampling.policies[0].latency"},
           {"policies: [{type: latency, latency: {threshold_ms: soon}}]",
            "tail_sampling.policies[0].latency.threshold_ms"},
           {"policies: [{type: status_code, status_code: {status_codes: [BAD]}}]", "BAD"},
           {"policies: [{type: sometimes}]", "unknown policy type 'sometimes'"},
           {"policies: [{type: string_attribute, string_attribute: {key: k, values: ['('], "
            "enabled_regex_matching: true}}]",
            "not a regular expression"},
           {"decision_wait: never\npolicies: [{type: always_sample}]", "decision_wait"},
           {"policies: [{type: probabilistic, probabilistic: {sampling_percentage: 150}}]",
            "0 to 100"},
           {"policies: [{type: and, and: {}}]",
            "tail_sampling.policies[0].and.and_sub_policy: missing"},
           {"policies: [{type: composite, composite: {composite_sub_policy: [{type: "
            "always_sample}]}}]",
            "tail_sampling.policies[0].composite.max_total_spans_per_second"},
           {"policies: [{type: composite, composite: {max_total_spans_per_second: 10, "
            "policy_order: [x], composite_sub_policy: [{name: a, type: always_sample}]}}]",
            "no sub-policy named 'x'"},
           {"policies: [{type: composite, composite: {max_total_spans_per_second: 10, "
            "composite_sub_policy: [{name: a, type: always_sample}], rate_allocation: "
            "[{policy: b, percent: 5}]}}]",
            "rate_allocation[0].policy: no sub-policy named 'b'"},
           {"policies: [{type: and, and: {and_sub_policy: [{type: composite, composite: "
            "{max_total_spans_per_second: 1, composite_sub_policy: [{type: always_sample}]}}]}}]",
            "a composite cannot be a sub-policy"},
       }) {
    auto parsed = ParseTailSampling(YAML::Load(c.yaml));
    ASSERT_FALSE(parsed.ok()) << c.yaml;
    EXPECT_NE(parsed.status().message().find(c.where), std::string::npos)
        << parsed.status().message();
  }
}

TEST(TailPolicy, EachTypeOnTracesWhoseFateIsKnown) {
  TailSamplingOptions o = Parse(R"(
policies:
  - {name: ok, type: status_code, status_code: {status_codes: [ERROR]}}
  - {name: lat, type: latency, latency: {threshold_ms: 500, upper_threshold_ms: 2000}}
  - {name: str, type: string_attribute, string_attribute: {key: http.route, values: ['/api/.*'], enabled_regex_matching: true}}
  - {name: num, type: numeric_attribute, numeric_attribute: {key: http.status_code, min_value: 500, max_value: 599}}
  - {name: cnt, type: span_count, span_count: {min_spans: 3}}
  - {name: and, type: and, and: {and_sub_policy: [{type: latency, latency: {threshold_ms: 100}}, {type: span_count, span_count: {min_spans: 2}}]}}
  - {name: inv, type: string_attribute, string_attribute: {key: env, values: [test], invert_match: true}}
)");
  const auto& p = o.policies;
  TraceId id{0, 1};
  EXPECT_TRUE(PolicyKeeps(
      p[0], id, Trace({MakeSpan(1, 1, 0, 5), MakeSpan(1, 2, 1, 1, SpanStatusCode::kError)})));
  EXPECT_FALSE(PolicyKeeps(p[0], id, Trace({MakeSpan(1, 1, 0, 5, SpanStatusCode::kOk)})));
  // Trace duration: first start to last end, 600 ms here, though no span lasts 500.
  EXPECT_TRUE(PolicyKeeps(p[1], id, Trace({MakeSpan(1, 1, 0, 300), MakeSpan(1, 2, 300, 300)})));
  EXPECT_FALSE(PolicyKeeps(p[1], id, Trace({MakeSpan(1, 1, 0, 499)})));
  EXPECT_FALSE(PolicyKeeps(p[1], id, Trace({MakeSpan(1, 1, 0, 2001)})));
  Span route = MakeSpan(1, 1, 0, 1);
  route.attributes.push_back({Intern("http.route"), AnyValue::String("/api/cart")});
  EXPECT_TRUE(PolicyKeeps(p[2], id, Trace({route})));
  route.attributes[0].value = AnyValue::String("/health");
  EXPECT_FALSE(PolicyKeeps(p[2], id, Trace({route})));
  Span code = MakeSpan(1, 1, 0, 1);
  code.attributes.push_back({Intern("http.status_code"), AnyValue::Int(503)});
  EXPECT_TRUE(PolicyKeeps(p[3], id, Trace({code})));
  code.attributes[0].value = AnyValue::Int(200);
  EXPECT_FALSE(PolicyKeeps(p[3], id, Trace({code})));
  EXPECT_TRUE(PolicyKeeps(
      p[4], id, Trace({MakeSpan(1, 1, 0, 1), MakeSpan(1, 2, 0, 1), MakeSpan(1, 3, 0, 1)})));
  EXPECT_FALSE(PolicyKeeps(p[4], id, Trace({MakeSpan(1, 1, 0, 1)})));
  EXPECT_TRUE(PolicyKeeps(p[5], id, Trace({MakeSpan(1, 1, 0, 150), MakeSpan(1, 2, 0, 1)})));
  EXPECT_FALSE(PolicyKeeps(p[5], id, Trace({MakeSpan(1, 1, 0, 150)})));
  // Resource attributes count too (invert: kept unless env=test anywhere).
  TraceSpans test_env = Trace({MakeSpan(1, 1, 0, 1)});
  auto res = std::make_shared<Resource>(*test_env[0].resource);
  res->attributes.push_back({Intern("env"), AnyValue::String("test")});
  test_env[0].resource = res;
  EXPECT_FALSE(PolicyKeeps(p[6], id, test_env));
  EXPECT_TRUE(PolicyKeeps(p[6], id, Trace({MakeSpan(1, 1, 0, 1)})));
}

TEST(TailPolicy, ProbabilisticKeepsAboutThePercentageByTraceId) {
  TailSamplingOptions o =
      Parse("policies: [{type: probabilistic, probabilistic: {sampling_percentage: 10}}]");
  int kept = 0;
  for (uint64_t t = 1; t <= 20000; ++t) {
    kept += PolicyKeeps(o.policies[0], TraceId{t * 7919, t}, {}) ? 1 : 0;
  }
  // 10% of 20,000: 2,000, standard deviation 42; within 5 of them.
  EXPECT_NEAR(kept, 2000, 212);
  // The same trace, the same decision.
  EXPECT_EQ(PolicyKeeps(o.policies[0], TraceId{1, 2}, {}),
            PolicyKeeps(o.policies[0], TraceId{1, 2}, {}));
}

// A sink that keeps what it is given.
class Collecting final : public SpanSink {
 public:
  Status Submit(SpanBatch batch, IngestMetrics&) override {
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& rs : batch.resource_spans)
      for (const auto& ss : rs.scope_spans)
        for (const Span& s : ss.spans) spans.insert({s.trace_id.low, s.span_id.value});
    return Status::Ok();
  }
  std::set<std::pair<uint64_t, uint64_t>> Taken() {
    std::lock_guard<std::mutex> lock(mu);
    return spans;
  }
  std::mutex mu;
  std::set<std::pair<uint64_t, uint64_t>> spans;  // (trace, span)
};

TEST(TailSampler, KeepsErrorsAndSlowTracesWholeAfterTheWait) {
  Collecting sink;
  TailSampler sampler(Parse(kKeepErrorsSlowAndOnePercent), sink);
  IngestMetrics metrics("test", "tail");
  // Trace 1: an error in its second span, arriving in two batches.
  ASSERT_TRUE(sampler.Submit(Batch({MakeSpan(1, 1, 0, 10)}), metrics).ok());
  ASSERT_TRUE(sampler.Submit(Batch({MakeSpan(1, 2, 1, 5, SpanStatusCode::kError)}), metrics).ok());
  // Trace 2: slow (700 ms). Trace 3: fast and fine (dropped, unless in the 1%).
  ASSERT_TRUE(sampler.Submit(Batch({MakeSpan(2, 1, 0, 700), MakeSpan(3, 1, 0, 20)}), metrics).ok());
  EXPECT_EQ(metrics.spans_accepted.value(), 4u);
  EXPECT_EQ(sampler.held_traces(), 3u);
  EXPECT_EQ(sampler.DecideDue(NowNs()), 0u);  // not yet: the wait is 2 s
  EXPECT_TRUE(sink.Taken().empty());
  EXPECT_EQ(sampler.DecideDue(NowNs() + 3 * kSecond), 3u);
  std::set<std::pair<uint64_t, uint64_t>> kept = sink.Taken();
  EXPECT_TRUE(kept.contains({1, 1}) && kept.contains({1, 2}));  // whole trace
  EXPECT_TRUE(kept.contains({2, 1}));
  bool third = PolicyKeeps(Parse(kKeepErrorsSlowAndOnePercent).policies[2], TraceId{0, 3}, {});
  EXPECT_EQ(kept.contains({3, 1}), third);
  // A late span follows its trace's decision.
  ASSERT_TRUE(sampler.Submit(Batch({MakeSpan(1, 3, 2, 1), MakeSpan(3, 2, 2, 1)}), metrics).ok());
  kept = sink.Taken();
  EXPECT_TRUE(kept.contains({1, 3}));
  EXPECT_EQ(kept.contains({3, 2}), third);
  EXPECT_EQ(sampler.held_traces(), 0u);
}

TEST(TailSampler, BeyondTheCapTheOldestTraceIsDecidedEarly) {
  TailSamplingOptions o =
      Parse("num_traces: 2\ndecision_wait: 1h\npolicies: [{type: always_sample}]");
  Collecting sink;
  TailSampler sampler(o, sink);
  IngestMetrics metrics("test", "tail_cap");
  for (uint64_t t = 1; t <= 5; ++t) {
    ASSERT_TRUE(sampler.Submit(Batch({MakeSpan(t, 1, 0, 1)}), metrics).ok());
    EXPECT_LE(sampler.held_traces(), 2u);
  }
  // Traces 1 to 3 were decided (kept) to make room; 4 and 5 wait.
  std::set<std::pair<uint64_t, uint64_t>> kept = sink.Taken();
  EXPECT_EQ(kept, (std::set<std::pair<uint64_t, uint64_t>>{{1, 1}, {2, 1}, {3, 1}}));
  sampler.Stop();  // decides what is held
  EXPECT_EQ(sink.Taken().size(), 5u);
}

TEST(TailSampler, RateLimitingKeepsWhatFitsEachSecond) {
  TailSamplingOptions o =
      Parse("policies: [{type: rate_limiting, rate_limiting: {spans_per_second: 3}}]");
  Collecting sink;
  TailSampler sampler(o, sink);
  IngestMetrics metrics("test", "tail_rate");
  for (uint64_t t = 1; t <= 4; ++t) {
    ASSERT_TRUE(sampler.Submit(Batch({MakeSpan(t, 1, 0, 1), MakeSpan(t, 2, 0, 1)}), metrics).ok());
  }
  // Decided in one second: one trace of two spans fits in 3, the next not.
  sampler.DecideDue(NowNs() + 60 * kSecond);
  EXPECT_EQ(sink.Taken().size(), 2u);
}

constexpr char kComposite[] = R"(
decision_wait: 1s
policies:
  - name: composite
    type: composite
    composite:
      max_total_spans_per_second: 10
      policy_order: [errors, slow, everything]
      composite_sub_policy:
        - {name: everything, type: always_sample}
        - {name: slow, type: latency, latency: {threshold_ms: 500}}
        - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
      rate_allocation:
        - {policy: errors, percent: 50}
        - {policy: slow, percent: 30}
)";

TEST(TailSamplingConfig, CompositeOrdersSubPoliciesAndSharesTheRate) {
  TailSamplingOptions o = Parse(kComposite);
  ASSERT_EQ(o.policies.size(), 1u);
  const TailPolicy& c = o.policies[0];
  EXPECT_EQ(c.type, TailPolicyType::kComposite);
  EXPECT_DOUBLE_EQ(c.max_total_spans_per_second, 10);
  ASSERT_EQ(c.sub_policies.size(), 3u);
  EXPECT_EQ(c.sub_policies[0].name, "errors");
  EXPECT_EQ(c.sub_policies[1].name, "slow");
  EXPECT_EQ(c.sub_policies[2].name, "everything");
  // 50% and 30% of 10; the unallocated always_sample gets what is left.
  EXPECT_EQ(c.allocated_spans_per_second, (std::vector<double>{5, 3, 2}));
  // percent 0 is an equal share; a rate-limiting sub-policy keeps its own cap.
  TailSamplingOptions equal = Parse(R"(
policies:
  - type: composite
    composite:
      max_total_spans_per_second: 90
      composite_sub_policy:
        - {name: a, type: always_sample}
        - {name: b, type: rate_limiting, rate_limiting: {spans_per_second: 4}}
        - {name: c, type: always_sample}
      rate_allocation: [{policy: a, percent: 0}, {policy: b, percent: 50}]
)");
  EXPECT_EQ(equal.policies[0].allocated_spans_per_second, (std::vector<double>{30, 4, 15}));
}

TEST(TailSampler, CompositeKeepsByTheFirstSubPolicyWithinItsShare) {
  Collecting sink;
  TailSampler sampler(Parse(kComposite), sink);
  IngestMetrics metrics("test", "tail_composite");
  // Traces 1-3: an error, two spans each (errors may keep 5 spans a second:
  // two traces). Traces 4-5: slow, two spans each (3 a second: one trace).
  // Traces 6-8: neither, one span each (the rest, 2 a second: two traces).
  for (uint64_t t = 1; t <= 3; ++t) {
    ASSERT_TRUE(
        sampler
            .Submit(Batch({MakeSpan(t, 1, 0, 10), MakeSpan(t, 2, 0, 5, SpanStatusCode::kError)}),
                    metrics)
            .ok());
  }
  for (uint64_t t = 4; t <= 5; ++t) {
    ASSERT_TRUE(
        sampler.Submit(Batch({MakeSpan(t, 1, 0, 700), MakeSpan(t, 2, 0, 10)}), metrics).ok());
  }
  for (uint64_t t = 6; t <= 8; ++t) {
    ASSERT_TRUE(sampler.Submit(Batch({MakeSpan(t, 1, 0, 10)}), metrics).ok());
  }
  // All decided within one second.
  uint64_t now = (NowNs() / kSecond + 60) * kSecond;
  EXPECT_EQ(sampler.DecideDue(now), 8u);
  std::set<uint64_t> traces;
  for (const auto& [trace, span] : sink.Taken()) traces.insert(trace);
  // Trace 3 is an error beyond the errors' share: dropped, though
  // always_sample (after it in order) had room. Trace 5 likewise.
  EXPECT_EQ(traces, (std::set<uint64_t>{1, 2, 4, 6, 7}));
  // The next second starts afresh.
  ASSERT_TRUE(
      sampler
          .Submit(Batch({MakeSpan(9, 1, 0, 10), MakeSpan(9, 2, 0, 5, SpanStatusCode::kError)}),
                  metrics)
          .ok());
  EXPECT_EQ(sampler.DecideDue(now + 5 * kSecond), 1u);
  traces.clear();
  for (const auto& [trace, span] : sink.Taken()) traces.insert(trace);
  EXPECT_TRUE(traces.contains(9));
}

}  // namespace
}  // namespace spoor
