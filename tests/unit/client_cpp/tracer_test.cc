// Spoor's C++ tracer through the OpenTracing API: spans and what reaches
// the reporter, references, baggage, sampling and its tags.
#include "spoor/tracer.h"

#include <gtest/gtest.h>
#include <opentracing/tracer.h>

#include <thread>

namespace spoor {
namespace {

struct Fixture {
  std::shared_ptr<InMemoryReporter> reporter = std::make_shared<InMemoryReporter>();
  std::shared_ptr<opentracing::Tracer> tracer;

  explicit Fixture(std::shared_ptr<Sampler> sampler = nullptr, bool id128 = true) {
    TracerOptions o;
    o.service_name = "checkout";
    o.tags.emplace_back("region", TagValue::String("eu-1"));
    o.reporter = reporter;
    o.sampler = std::move(sampler);
    o.trace_id_128bit = id128;
    tracer = MakeTracer(std::move(o));
  }
};

const TagValue* FindTag(const std::vector<Tag>& tags, const std::string& key) {
  for (const Tag& t : tags) {
    if (t.first == key) return &t.second;
  }
  return nullptr;
}

TEST(Tracer, ASpanReachesTheReporterWithItsFields) {
  Fixture f;
  auto start = std::chrono::system_clock::now();
  auto span = f.tracer->StartSpan("GET /cart", {opentracing::SetTag("http.status_code", 200)});
  ASSERT_NE(span, nullptr);
  span->SetTag("error", true);
  span->SetTag("ratio", 0.5);
  span->SetTag("user", std::string("ada"));
  span->SetTag("list", opentracing::Values{1, "two"});
  span->Log({{"event", "cache miss"}, {"key", 42}});
  span->SetOperationName("GET /basket");
  span->Finish();
  std::vector<SpanData> spans = f.reporter->spans();
  ASSERT_EQ(spans.size(), 1u);
  const SpanData& s = spans[0];
  EXPECT_EQ(s.operation_name, "GET /basket");
  EXPECT_NE(s.trace_id_high, 0u);  // 128-bit by default
  EXPECT_NE(s.trace_id_low, 0u);
  EXPECT_NE(s.span_id, 0u);
  EXPECT_EQ(s.parent_span_id, 0u);
  EXPECT_EQ(s.flags & 1, 1);
  EXPECT_GE(
      s.start_time_ns,
      static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count()));
  EXPECT_EQ(*FindTag(s.tags, "http.status_code"), TagValue::Int64(200));
  EXPECT_EQ(*FindTag(s.tags, "error"), TagValue::Bool(true));
  EXPECT_EQ(*FindTag(s.tags, "ratio"), TagValue::Double(0.5));
  EXPECT_EQ(*FindTag(s.tags, "user"), TagValue::String("ada"));
  EXPECT_EQ(*FindTag(s.tags, "list"), TagValue::String("[1,\"two\"]"));
  // No sampler given: every trace, tagged as Jaeger's const sampler does.
  EXPECT_EQ(*FindTag(s.tags, "sampler.type"), TagValue::String("const"));
  EXPECT_EQ(*FindTag(s.tags, "sampler.param"), TagValue::Bool(true));
  ASSERT_EQ(s.logs.size(), 1u);
  EXPECT_EQ(*FindTag(s.logs[0].fields, "event"), TagValue::String("cache miss"));
  EXPECT_EQ(*FindTag(s.logs[0].fields, "key"), TagValue::Int64(42));
  ProcessData p = f.reporter->process();
  EXPECT_EQ(p.service_name, "checkout");
  EXPECT_NE(FindTag(p.tags, "hostname"), nullptr);
  EXPECT_EQ(*FindTag(p.tags, "jaeger.version"), TagValue::String(kClientVersion));
  EXPECT_EQ(*FindTag(p.tags, "region"), TagValue::String("eu-1"));
}

TEST(Tracer, ExplicitTimesGiveTheDuration) {
  Fixture f;
  auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1800000000));
  auto steady0 = std::chrono::steady_clock::now();
  auto span = f.tracer->StartSpan("batch", {opentracing::StartTimestamp(t0, steady0)});
  span->Finish({opentracing::FinishTimestamp(steady0 + std::chrono::milliseconds(250))});
  span->Finish();  // a second finish changes nothing
  std::vector<SpanData> spans = f.reporter->spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].start_time_ns, 1800000000ULL * 1000000000ULL);
  EXPECT_EQ(spans[0].duration_ns, 250000000u);
}

TEST(Tracer, ChildrenShareTheTraceAndReferencesAreKept) {
  Fixture f;
  auto root = f.tracer->StartSpan("root");
  auto child = f.tracer->StartSpan("child", {opentracing::ChildOf(&root->context())});
  auto other = f.tracer->StartSpan("other");
  auto follower = f.tracer->StartSpan("follower", {opentracing::FollowsFrom(&other->context()),
                                                   opentracing::ChildOf(&child->context())});
  follower->Finish();
  child->Finish();
  other->Finish();
  root->Finish();
  std::vector<SpanData> spans = f.reporter->spans();
  ASSERT_EQ(spans.size(), 4u);
  const SpanData& fo = spans[0];
  const SpanData& ch = spans[1];
  const SpanData& ot = spans[2];
  const SpanData& ro = spans[3];
  EXPECT_EQ(ch.trace_id_low, ro.trace_id_low);
  EXPECT_EQ(ch.trace_id_high, ro.trace_id_high);
  EXPECT_EQ(ch.parent_span_id, ro.span_id);
  EXPECT_TRUE(ch.references.empty());
  EXPECT_EQ(FindTag(ch.tags, "sampler.type"), nullptr);  // only roots carry sampler tags
  // The child-of reference is the parent, though listed second.
  EXPECT_EQ(fo.parent_span_id, ch.span_id);
  EXPECT_EQ(fo.trace_id_low, ro.trace_id_low);
  ASSERT_EQ(fo.references.size(), 1u);
  EXPECT_EQ(fo.references[0].type, ReferenceType::kFollowsFrom);
  EXPECT_EQ(fo.references[0].span_id, ot.span_id);
  EXPECT_EQ(fo.references[0].trace_id_low, ot.trace_id_low);
  // Follows-from alone: the parent, and still a follows-from reference.
  auto after = f.tracer->StartSpan("after", {opentracing::FollowsFrom(&root->context())});
  after->Finish();
  SpanData af = f.reporter->spans().back();
  EXPECT_EQ(af.parent_span_id, ro.span_id);
  ASSERT_EQ(af.references.size(), 1u);
  EXPECT_EQ(af.references[0].type, ReferenceType::kFollowsFrom);
}

TEST(Tracer, BaggageGoesToDescendants) {
  Fixture f;
  auto root = f.tracer->StartSpan("root");
  root->SetBaggageItem("user", "ada");
  auto child = f.tracer->StartSpan("child", {opentracing::ChildOf(&root->context())});
  EXPECT_EQ(child->BaggageItem("user"), "ada");
  EXPECT_EQ(child->BaggageItem("absent"), "");
  int items = 0;
  child->context().ForeachBaggageItem([&](const std::string& k, const std::string& v) {
    items += k == "user" && v == "ada" ? 1 : 0;
    return true;
  });
  EXPECT_EQ(items, 1);
}

TEST(Tracer, UnsampledTracesReportNothingAndSamplingPriorityForcesDebug) {
  Fixture f(NewConstSampler(false));
  auto root = f.tracer->StartSpan("root");
  auto child = f.tracer->StartSpan("child", {opentracing::ChildOf(&root->context())});
  child->Finish();
  root->Finish();
  EXPECT_TRUE(f.reporter->spans().empty());
  auto forced = f.tracer->StartSpan("forced", {opentracing::SetTag("sampling.priority", 1)});
  forced->Finish();
  std::vector<SpanData> spans = f.reporter->spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].flags, 3);  // sampled and debug
}

TEST(Tracer, SixtyFourBitTraceIdsOnRequest) {
  Fixture f(nullptr, false);
  f.tracer->StartSpan("root")->Finish();
  ASSERT_EQ(f.reporter->spans().size(), 1u);
  EXPECT_EQ(f.reporter->spans()[0].trace_id_high, 0u);
}

TEST(Tracer, SpansFinishFromManyThreads) {
  Fixture f;
  auto root = f.tracer->StartSpan("root");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 250; ++i) {
        auto s = f.tracer->StartSpan("work", {opentracing::ChildOf(&root->context())});
        s->SetTag("i", i);
        root->SetTag("shared", i);
        s->Finish();
      }
    });
  }
  for (auto& t : threads) t.join();
  root->Finish();
  EXPECT_EQ(f.reporter->spans().size(), 1001u);
}

TEST(Samplers, DecideAndTagAsJaegerClients) {
  auto never = NewConstSampler(false);
  EXPECT_FALSE(never->Sample(1, "op").sampled);
  auto half = NewProbabilisticSampler(0.5);
  // The low 63 bits against half of 2^63 - 1.
  EXPECT_TRUE(half->Sample(0x3fffffffffffffffULL, "op").sampled);
  EXPECT_FALSE(half->Sample(0x4000000000000001ULL, "op").sampled);
  EXPECT_TRUE(half->Sample(0xbfffffffffffffffULL, "op").sampled);  // the top bit is ignored
  SamplingDecision d = half->Sample(1, "op");
  EXPECT_EQ(d.type, "probabilistic");
  EXPECT_DOUBLE_EQ(d.param, 0.5);
  int kept = 0;
  auto tenth = NewProbabilisticSampler(0.1);
  for (uint64_t i = 1; i <= 100000; ++i)
    kept += tenth->Sample(i * 0x9E3779B97F4A7C15ULL, "op").sampled;
  EXPECT_NEAR(kept, 10000, 500);
  // A rate limit allows a burst of max(1, rate), then one trace per
  // 1 / rate seconds: at one trace in 1,000 s, the second waits.
  auto limited = NewRateLimitingSampler(0.001);
  EXPECT_TRUE(limited->Sample(1, "op").sampled);
  EXPECT_FALSE(limited->Sample(2, "op").sampled);
  EXPECT_EQ(limited->Sample(3, "op").type, "ratelimiting");
}

}  // namespace
}  // namespace spoor
