// The clock-skew adjuster: children on other hosts are moved into their
// parent, within --query.max-clock-skew-adjustment.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "query/adjusters.h"
#include "test_trace_builder.h"

namespace spoor {
namespace {

using testutil::FindSpan;
using testutil::MakeResource;
using testutil::MakeSpan;
using testutil::MakeTrace;
using testutil::OnHost;

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kSecond = 1'000 * kMs;

AdjusterOptions MaxSkew(uint64_t ns) {
  AdjusterOptions options;
  options.max_clock_skew_adjustment_ns = ns;
  return options;
}

// Parent on host A over [1s, 1.1s]; its child on host B claims
// [0.95s, 0.97s], i.e. it starts before its parent: B's clock is behind.
// Centred in the parent it starts at 1s + (100ms - 20ms) / 2 = 1.04s, a
// correction of +90ms. The grandchild, also on B, was stamped by the same
// clock and gets the same correction.
Trace SkewedTrace() {
  SpanRecord parent = MakeSpan(1, 0, kSecond, kSecond + 100 * kMs, OnHost("front", "a"));
  SpanRecord child = MakeSpan(2, 1, 950 * kMs, 970 * kMs, OnHost("back", "b"));
  Event event;
  event.time_ns = 960 * kMs;
  event.name = "cache miss";
  child.span.events = {event};
  SpanRecord grandchild = MakeSpan(3, 2, 955 * kMs, 965 * kMs, OnHost("back", "b"));
  return MakeTrace({parent, child, grandchild});
}

TEST(ClockSkew, ChildOnAnotherHostIsCentredInItsParent) {
  Trace trace = SkewedTrace();
  AdjustTrace(trace, MaxSkew(kSecond));
  const SpanRecord* child = FindSpan(trace, 2);
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(child->span.start_time_ns, 1040 * kMs);
  EXPECT_EQ(child->span.end_time_ns, 1060 * kMs);
  ASSERT_EQ(child->span.events.size(), 1u);
  EXPECT_EQ(child->span.events[0].time_ns, 1050 * kMs);
  ASSERT_EQ(child->warnings.size(), 1u);
  EXPECT_EQ(child->warnings[0], "This span's timestamps were adjusted by 90ms");

  const SpanRecord* parent = FindSpan(trace, 1);
  EXPECT_EQ(parent->span.start_time_ns, kSecond);
  EXPECT_TRUE(parent->warnings.empty());
}

TEST(ClockSkew, ChildOnTheSameHostInheritsItsParentsCorrection) {
  Trace trace = SkewedTrace();
  AdjustTrace(trace, MaxSkew(kSecond));
  const SpanRecord* grandchild = FindSpan(trace, 3);
  ASSERT_NE(grandchild, nullptr);
  EXPECT_EQ(grandchild->span.start_time_ns, 1045 * kMs);
  EXPECT_EQ(grandchild->span.end_time_ns, 1055 * kMs);
  ASSERT_EQ(grandchild->warnings.size(), 1u);
  EXPECT_EQ(grandchild->warnings[0], "This span's timestamps were adjusted by 90ms");
}

TEST(ClockSkew, CorrectionBeyondTheMaximumIsReportedButNotApplied) {
  Trace trace = SkewedTrace();
  AdjustTrace(trace, MaxSkew(50 * kMs));
  for (uint64_t id : {2, 3}) {
    const SpanRecord* span = FindSpan(trace, id);
    ASSERT_NE(span, nullptr);
    ASSERT_EQ(span->warnings.size(), 1u) << id;
    EXPECT_EQ(span->warnings[0],
              "max clock skew adjustment delta of 50ms exceeded; not applying calculated delta of "
              "90ms");
  }
  EXPECT_EQ(FindSpan(trace, 2)->span.start_time_ns, 950 * kMs);
  EXPECT_EQ(FindSpan(trace, 2)->span.events[0].time_ns, 960 * kMs);
  EXPECT_EQ(FindSpan(trace, 3)->span.start_time_ns, 955 * kMs);
}

TEST(ClockSkew, CorrectionEqualToTheMaximumIsApplied) {
  Trace trace = SkewedTrace();
  AdjustTrace(trace, MaxSkew(90 * kMs));
  EXPECT_EQ(FindSpan(trace, 2)->span.start_time_ns, 1040 * kMs);
}

TEST(ClockSkew, ZeroMaximumDisablesTheAdjusterWithoutWarnings) {
  Trace trace = SkewedTrace();
  AdjustTrace(trace, MaxSkew(0));
  for (const SpanRecord& span : trace.spans) EXPECT_TRUE(span.warnings.empty());
  EXPECT_EQ(FindSpan(trace, 2)->span.start_time_ns, 950 * kMs);
  EXPECT_EQ(FindSpan(trace, 3)->span.start_time_ns, 955 * kMs);
}

TEST(ClockSkew, ChildAfterItsParentIsMovedBackWithNegativeCorrection) {
  SpanRecord parent = MakeSpan(1, 0, kSecond, kSecond + 100 * kMs, OnHost("front", "a"));
  SpanRecord child = MakeSpan(2, 1, 1200 * kMs, 1220 * kMs, OnHost("back", "b"));
  Trace trace = MakeTrace({parent, child});
  AdjustTrace(trace, MaxSkew(kSecond));
  const SpanRecord* c = FindSpan(trace, 2);
  EXPECT_EQ(c->span.start_time_ns, 1040 * kMs);
  EXPECT_EQ(c->span.end_time_ns, 1060 * kMs);
  ASSERT_EQ(c->warnings.size(), 1u);
  EXPECT_EQ(c->warnings[0], "This span's timestamps were adjusted by -160ms");
}

TEST(ClockSkew, ChildThatFitsItsParentIsNotMoved) {
  SpanRecord parent = MakeSpan(1, 0, kSecond, kSecond + 100 * kMs, OnHost("front", "a"));
  SpanRecord child = MakeSpan(2, 1, 1010 * kMs, 1090 * kMs, OnHost("back", "b"));
  Trace trace = MakeTrace({parent, child});
  AdjustTrace(trace, MaxSkew(kSecond));
  EXPECT_EQ(FindSpan(trace, 2)->span.start_time_ns, 1010 * kMs);
  EXPECT_TRUE(FindSpan(trace, 2)->warnings.empty());
}

TEST(ClockSkew, LongerChildStartingBeforeParentIsMovedToTheParentsStart) {
  SpanRecord parent = MakeSpan(1, 0, kSecond, kSecond + 100 * kMs, OnHost("front", "a"));
  SpanRecord child = MakeSpan(2, 1, 900 * kMs, 1300 * kMs, OnHost("back", "b"));
  Trace trace = MakeTrace({parent, child});
  AdjustTrace(trace, MaxSkew(kSecond));
  const SpanRecord* c = FindSpan(trace, 2);
  EXPECT_EQ(c->span.start_time_ns, kSecond);
  EXPECT_EQ(c->span.end_time_ns, 1400 * kMs);
  ASSERT_EQ(c->warnings.size(), 1u);
  EXPECT_EQ(c->warnings[0], "This span's timestamps were adjusted by 100ms");
}

TEST(ClockSkew, LongerChildStartingAfterParentIsNotMoved) {
  SpanRecord parent = MakeSpan(1, 0, kSecond, kSecond + 100 * kMs, OnHost("front", "a"));
  SpanRecord child = MakeSpan(2, 1, 1050 * kMs, 1500 * kMs, OnHost("back", "b"));
  Trace trace = MakeTrace({parent, child});
  AdjustTrace(trace, MaxSkew(kSecond));
  EXPECT_EQ(FindSpan(trace, 2)->span.start_time_ns, 1050 * kMs);
  EXPECT_TRUE(FindSpan(trace, 2)->warnings.empty());
}

TEST(ClockSkew, ChildOnTheSameHostIsNeverMovedOnItsOwn) {
  SpanRecord parent = MakeSpan(1, 0, kSecond, kSecond + 100 * kMs, OnHost("front", "a"));
  SpanRecord child = MakeSpan(2, 1, 1200 * kMs, 1220 * kMs, OnHost("worker", "a"));
  Trace trace = MakeTrace({parent, child});
  AdjustTrace(trace, MaxSkew(kSecond));
  EXPECT_EQ(FindSpan(trace, 2)->span.start_time_ns, 1200 * kMs);
  EXPECT_TRUE(FindSpan(trace, 2)->warnings.empty());
}

TEST(ClockSkew, HostIsTakenFromTheFirstPresentOfIpHostIpHostNameHostname) {
  // Same "ip", different host.name: "ip" decides, so the hosts are equal.
  auto a = MakeResource(
      "front", {{"host.name", AnyValue::String("a")}, {"ip", AnyValue::String("10.0.0.1")}});
  auto b = MakeResource(
      "back", {{"host.name", AnyValue::String("b")}, {"ip", AnyValue::String("10.0.0.1")}});
  Trace same = MakeTrace(
      {MakeSpan(1, 0, kSecond, kSecond + 100 * kMs, a), MakeSpan(2, 1, 1200 * kMs, 1220 * kMs, b)});
  AdjustTrace(same, MaxSkew(kSecond));
  EXPECT_EQ(FindSpan(same, 2)->span.start_time_ns, 1200 * kMs);

  // Equal "hostname", different "host.ip": "host.ip" comes first, hosts differ.
  auto c = MakeResource(
      "front", {{"hostname", AnyValue::String("h")}, {"host.ip", AnyValue::String("10.0.0.1")}});
  auto d = MakeResource(
      "back", {{"hostname", AnyValue::String("h")}, {"host.ip", AnyValue::String("10.0.0.2")}});
  Trace different = MakeTrace(
      {MakeSpan(1, 0, kSecond, kSecond + 100 * kMs, c), MakeSpan(2, 1, 1200 * kMs, 1220 * kMs, d)});
  AdjustTrace(different, MaxSkew(kSecond));
  EXPECT_EQ(FindSpan(different, 2)->span.start_time_ns, 1040 * kMs);
}

TEST(ClockSkew, SpansWithUnknownHostsAreTreatedAsDifferentHostsAsJaegerDoes) {
  SpanRecord parent = MakeSpan(1, 0, kSecond, kSecond + 100 * kMs, MakeResource("front"));
  SpanRecord child = MakeSpan(2, 1, 1200 * kMs, 1220 * kMs, MakeResource("back"));
  Trace trace = MakeTrace({parent, child});
  AdjustTrace(trace, MaxSkew(kSecond));
  EXPECT_EQ(FindSpan(trace, 2)->span.start_time_ns, 1040 * kMs);
}

TEST(ClockSkew, SpanWithParentOutsideTheTraceIsARootAndNotMoved) {
  SpanRecord orphan = MakeSpan(2, 99, 500 * kMs, 600 * kMs, OnHost("back", "b"));
  SpanRecord child = MakeSpan(3, 2, 700 * kMs, 720 * kMs, OnHost("db", "c"));
  Trace trace = MakeTrace({orphan, child});
  AdjustTrace(trace, MaxSkew(kSecond));
  EXPECT_EQ(FindSpan(trace, 2)->span.start_time_ns, 500 * kMs);
  EXPECT_TRUE(FindSpan(trace, 2)->warnings.empty());
  // Its child is still corrected relative to it: 500ms + (100 - 20) / 2.
  EXPECT_EQ(FindSpan(trace, 3)->span.start_time_ns, 540 * kMs);
}

TEST(ClockSkew, CyclesInParentLinksTerminateAndLeaveTheCycleUntouched) {
  SpanRecord a = MakeSpan(1, 2, 100 * kMs, 200 * kMs, OnHost("a", "a"));
  SpanRecord b = MakeSpan(2, 1, 500 * kMs, 510 * kMs, OnHost("b", "b"));
  // A span that names itself as parent is a root; its child is corrected.
  SpanRecord self = MakeSpan(3, 3, kSecond, kSecond + 100 * kMs, OnHost("c", "c"));
  SpanRecord child = MakeSpan(4, 3, 1200 * kMs, 1220 * kMs, OnHost("d", "d"));
  Trace trace = MakeTrace({a, b, self, child});
  AdjustTrace(trace, MaxSkew(kSecond));
  ASSERT_EQ(trace.spans.size(), 4u);
  EXPECT_EQ(FindSpan(trace, 1)->span.start_time_ns, 100 * kMs);
  EXPECT_EQ(FindSpan(trace, 2)->span.start_time_ns, 500 * kMs);
  EXPECT_EQ(FindSpan(trace, 3)->span.start_time_ns, kSecond);
  EXPECT_EQ(FindSpan(trace, 4)->span.start_time_ns, 1040 * kMs);
}

TEST(ClockSkew, DeepChainIsHandledWithoutRecursion) {
  std::vector<SpanRecord> spans;
  constexpr uint64_t kDepth = 100'000;
  for (uint64_t i = 1; i <= kDepth; ++i) {
    spans.push_back(MakeSpan(i, i - 1, kSecond + i, 2 * kSecond - i, OnHost("s", "a")));
  }
  Trace trace = MakeTrace(std::move(spans));
  AdjustTrace(trace, MaxSkew(kSecond));
  EXPECT_EQ(trace.spans.size(), kDepth);
  for (const SpanRecord& span : trace.spans) ASSERT_TRUE(span.warnings.empty());
}

TEST(ClockSkew, SharedServerSpanIsCorrectedAgainstItsClientHalf) {
  // After the shared-ID fix the server half is a child of the client half,
  // so a server clock running 1s ahead is corrected.
  SpanRecord client = MakeSpan(0x10, 0, kSecond, kSecond + 100 * kMs, OnHost("front", "a"));
  client.span.kind = SpanKind::kClient;
  SpanRecord server =
      MakeSpan(0x10, 0, 2 * kSecond + 10 * kMs, 2 * kSecond + 90 * kMs, OnHost("back", "b"));
  server.span.kind = SpanKind::kServer;
  Trace trace = MakeTrace({client, server});
  AdjustTrace(trace, MaxSkew(2 * kSecond));
  ASSERT_EQ(trace.spans.size(), 2u);
  const SpanRecord& s = trace.spans[1];
  EXPECT_EQ(s.span.kind, SpanKind::kServer);
  EXPECT_EQ(s.span.start_time_ns, kSecond + 10 * kMs);
  ASSERT_EQ(s.warnings.size(), 2u);
  EXPECT_EQ(s.warnings[1], "This span's timestamps were adjusted by -1s");
}

}  // namespace
}  // namespace spoor
