#include "query/critical_path.h"

#include <gtest/gtest.h>

#include <memory>
#include <tuple>
#include <vector>

#include "model/string_table.h"

namespace spoor {
namespace {

constexpr uint64_t kMs = 1'000'000;

// (span ID, parent ID, start ms, end ms) each.
Trace MakeTrace(const std::vector<std::tuple<uint64_t, uint64_t, uint64_t, uint64_t>>& spans) {
  Trace t;
  auto resource = std::make_shared<Resource>();
  auto scope = std::make_shared<Scope>();
  for (auto [id, parent, start, end] : spans) {
    SpanRecord r;
    r.resource = resource;
    r.scope = scope;
    r.span.trace_id = TraceId{0, 1};
    r.span.span_id = SpanId{id};
    r.span.parent_span_id = SpanId{parent};
    r.span.start_time_ns = start * kMs;
    r.span.end_time_ns = end * kMs;
    t.spans.push_back(std::move(r));
  }
  return t;
}

// (span ID, start ms, end ms) of each segment.
std::vector<std::tuple<uint64_t, uint64_t, uint64_t>> Path(const Trace& t) {
  std::vector<std::tuple<uint64_t, uint64_t, uint64_t>> out;
  for (const CriticalSegment& s : CriticalPath(t)) {
    out.emplace_back(t.spans[s.span].span.span_id.value, s.start_ns / kMs, s.end_ns / kMs);
  }
  return out;
}

using Segments = std::vector<std::tuple<uint64_t, uint64_t, uint64_t>>;

TEST(CriticalPath, NestedCallsGiveEachSpanTheTimeNoChildCovers) {
  Trace t = MakeTrace({{1, 0, 0, 100}, {2, 1, 10, 90}, {3, 2, 20, 70}});
  EXPECT_EQ(Path(t), (Segments{{1, 0, 10}, {2, 10, 20}, {3, 20, 70}, {2, 70, 90}, {1, 90, 100}}));
}

TEST(CriticalPath, ParallelChildrenTheLastToFinishWinsThenTheOnesBeforeItStarted) {
  // 2 and 3 run in parallel; 3 finishes last. 4 ended before 3 began.
  Trace t = MakeTrace({{1, 0, 0, 100}, {2, 1, 30, 60}, {3, 1, 40, 80}, {4, 1, 5, 35}});
  EXPECT_EQ(Path(t), (Segments{{1, 0, 5}, {4, 5, 35}, {1, 35, 40}, {3, 40, 80}, {1, 80, 100}}));
}

TEST(CriticalPath, ChildrenAreClippedToTheirParent) {
  // 2 outlives its parent (async work); 3 starts before it.
  Trace t = MakeTrace({{1, 0, 10, 50}, {2, 1, 40, 90}, {3, 1, 0, 20}});
  EXPECT_EQ(Path(t), (Segments{{3, 10, 20}, {1, 20, 40}, {2, 40, 50}}));
}

TEST(CriticalPath, OrphansAndCyclesDoNotBreakIt) {
  // 5's parent is missing; 6 and 7 are each other's parent (bad data).
  Trace t = MakeTrace({{1, 0, 0, 10}, {5, 99, 2, 4}, {6, 7, 1, 2}, {7, 6, 1, 3}});
  EXPECT_EQ(Path(t), (Segments{{1, 0, 10}}));
  EXPECT_TRUE(CriticalPath(Trace{}).empty());
}

}  // namespace
}  // namespace spoor
