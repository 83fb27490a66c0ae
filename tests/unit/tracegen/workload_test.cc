#include "tools/tracegen/workload.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

namespace spoor::tracegen {
namespace {

std::set<std::string> TraceIds(const ExportRequest& request) {
  std::set<std::string> ids;
  for (const auto& rs : request.resource_spans()) {
    for (const auto& span : rs.scope_spans(0).spans()) ids.insert(span.trace_id());
  }
  return ids;
}

TEST(Workload, SameSeedAndStartGiveTheSameBytes) {
  EXPECT_EQ(MakeTracegenRequest(7, 123), MakeTracegenRequest(7, 123));
  EXPECT_NE(MakeTracegenRequest(7, 123), MakeTracegenRequest(8, 123));
}

TEST(Workload, ReusedRequestObjectGivesTheSameBytes) {
  ExportRequest reused;
  BuildTracegenRequest(9, 1000, kSpansPerTrace, 250, &reused);  // larger than the next
  BuildTracegenRequest(4, 2000, kSpansPerTrace, kSpansPerRequest, &reused);
  EXPECT_EQ(reused.SerializeAsString(), MakeTracegenRequest(4, 2000));
}

TEST(Workload, SamplerTagsMarkTheFirstSpanOfEachTrace) {
  ExportRequest tagged;
  BuildTracegenRequest(3, 1000, kSpansPerTrace, kSpansPerRequest, &tagged, true);
  std::map<std::string, int> tagged_per_trace;
  int tagged_spans = 0;
  for (const auto& rs : tagged.resource_spans()) {
    for (const auto& span : rs.scope_spans(0).spans()) {
      int found = 0;
      for (const auto& kv : span.attributes()) {
        if (kv.key() == "sampler.type" && kv.value().string_value() == "probabilistic") ++found;
        if (kv.key() == "sampler.param" && kv.value().double_value() == 0.001) ++found;
      }
      EXPECT_TRUE(found == 0 || found == 2);
      if (found == 2) {
        ++tagged_spans;
        ++tagged_per_trace[span.trace_id()];
      }
    }
  }
  EXPECT_EQ(tagged_spans, kSpansPerRequest / kSpansPerTrace);
  for (const auto& [trace, n] : tagged_per_trace) EXPECT_EQ(n, 1);
  // Without the flag, the bytes the benchmarks were measured on.
  ExportRequest plain;
  BuildTracegenRequest(3, 1000, kSpansPerTrace, kSpansPerRequest, &plain, false);
  EXPECT_EQ(plain.SerializeAsString(), MakeTracegenRequest(3, 1000));
}

// The benchmarks' figures (bench/RESULTS.md) were measured on exactly these
// bytes: a change to the generator shows here first.
TEST(Workload, BytesOfSeedOneAreUnchanged) {
  const std::string bytes = MakeTracegenRequest(1);
  uint64_t fnv = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) fnv = (fnv ^ c) * 0x100000001b3ULL;
  EXPECT_EQ(bytes.size(), 39746u);
  EXPECT_EQ(fnv, 0xca83404a5ee0a1caULL);
}

TEST(Workload, RequestHasTheDocumentedShape) {
  const ExportRequest request = BuildTracegenRequest(1);
  ASSERT_EQ(request.resource_spans_size(), kServices);
  int spans = 0;
  int events = 0;
  std::map<std::string, int> per_trace;
  for (const auto& rs : request.resource_spans()) {
    EXPECT_EQ(rs.resource().attributes(0).key(), "service.name");
    for (const auto& span : rs.scope_spans(0).spans()) {
      ++spans;
      events += span.events_size();
      ++per_trace[span.trace_id()];
      EXPECT_EQ(span.attributes_size(), kAttributesPerSpan);
      EXPECT_EQ(span.end_time_unix_nano() - span.start_time_unix_nano(), 500000u);
      EXPECT_EQ(span.trace_id().size(), 16u);
      EXPECT_EQ(span.span_id().size(), 8u);
    }
  }
  EXPECT_EQ(spans, kSpansPerRequest);
  EXPECT_EQ(events, kSpansPerRequest / 10);
  EXPECT_EQ(per_trace.size(), static_cast<size_t>(kSpansPerRequest / kSpansPerTrace));
  for (const auto& [id, count] : per_trace) EXPECT_EQ(count, kSpansPerTrace);
}

TEST(Workload, SpansStartAtTheGivenTime) {
  const ExportRequest request = BuildTracegenRequest(1, 5'000'000'000);
  EXPECT_EQ(request.resource_spans(0).scope_spans(0).spans(0).start_time_unix_nano(),
            5'000'000'000u);
}

TEST(Workload, SpansPerRequestIsHonoured) {
  const ExportRequest request = BuildTracegenRequest(1, kDefaultRequestStartNs, kSpansPerTrace, 7);
  int spans = 0;
  for (const auto& rs : request.resource_spans()) spans += rs.scope_spans(0).spans_size();
  EXPECT_EQ(spans, 7);
}

TEST(Workload, DifferentRequestNumbersGiveDifferentTraceIds) {
  std::set<std::string> all;
  for (uint64_t run_seed : {1, 2}) {
    for (uint64_t n = 0; n < 50; ++n) {
      for (const std::string& id : TraceIds(BuildTracegenRequest(RequestSeed(run_seed, n)))) {
        EXPECT_TRUE(all.insert(id).second) << "seed " << run_seed << " request " << n;
      }
    }
  }
  EXPECT_EQ(all.size(), 2u * 50 * kSpansPerRequest / kSpansPerTrace);
}

TEST(Workload, RequestSeedIsAFunctionOfItsArguments) {
  EXPECT_EQ(RequestSeed(3, 9), RequestSeed(3, 9));
  EXPECT_NE(RequestSeed(3, 9), RequestSeed(3, 10));
  EXPECT_NE(RequestSeed(3, 9), RequestSeed(4, 9));
}

}  // namespace
}  // namespace spoor::tracegen
