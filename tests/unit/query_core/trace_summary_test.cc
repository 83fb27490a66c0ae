// api_v3 trace summaries: root, counts, services and their JSON.
#include "query/trace_summary.h"

#include <gtest/gtest.h>

#include <string>

#include "common/json_writer.h"
#include "test_trace_builder.h"

namespace spoor {
namespace {

using testutil::MakeResource;
using testutil::MakeSpan;
using testutil::MakeTrace;

SpanRecord Named(SpanRecord record, std::string_view name) {
  record.span.name = name;
  return record;
}

std::string Json(const TraceSummary& summary) {
  std::string out;
  JsonWriter w(out);
  AppendTraceSummaryJson(summary, w);
  return out;
}

TEST(TraceSummary, RootIsTheSpanWithoutParentAndCountsCoverEverySpan) {
  auto front = MakeResource("frontend");
  auto back = MakeResource("backend");
  Trace trace = MakeTrace({
      Named(MakeSpan(2, 1, 150, 900, back), "query"),
      Named(MakeSpan(1, 0, 100, 1000, front), "GET /"),
      Named(MakeSpan(3, 2, 200, 1200, back), "scan"),
  });
  TraceSummary s = SummarizeTrace(trace);
  EXPECT_EQ(s.trace_id, testutil::kTestTrace);
  EXPECT_EQ(s.root_service_name, "frontend");
  EXPECT_EQ(s.root_operation_name, "GET /");
  EXPECT_EQ(s.min_start_time_ns, 100u);
  EXPECT_EQ(s.max_end_time_ns, 1200u);
  EXPECT_EQ(s.span_count, 3u);
  EXPECT_EQ(s.error_span_count, 0u);
  EXPECT_EQ(s.orphan_span_count, 0u);
  ASSERT_EQ(s.services.size(), 2u);
  EXPECT_EQ(s.services[0].name, "backend");  // sorted by name
  EXPECT_EQ(s.services[0].span_count, 2u);
  EXPECT_EQ(s.services[1].name, "frontend");
  EXPECT_EQ(s.services[1].span_count, 1u);
}

TEST(TraceSummary, ErrorSpansAreStatusErrorOrErrorAttributeTrue) {
  auto svc = MakeResource("svc");
  auto other = MakeResource("other");
  SpanRecord status_error = MakeSpan(1, 0, 0, 10, svc);
  status_error.span.status.code = SpanStatusCode::kError;
  SpanRecord bool_true = MakeSpan(2, 1, 0, 10, svc);
  bool_true.span.attributes = {{"error", AnyValue::Bool(true)}};
  SpanRecord string_true = MakeSpan(3, 1, 0, 10, other);
  string_true.span.attributes = {{"error", AnyValue::String("true")}};
  SpanRecord bool_false = MakeSpan(4, 1, 0, 10, other);
  bool_false.span.attributes = {{"error", AnyValue::Bool(false)}};
  SpanRecord string_false = MakeSpan(5, 1, 0, 10, other);
  string_false.span.attributes = {{"error", AnyValue::String("false")}};
  SpanRecord status_ok = MakeSpan(6, 1, 0, 10, other);
  status_ok.span.status.code = SpanStatusCode::kOk;
  TraceSummary s = SummarizeTrace(
      MakeTrace({status_error, bool_true, string_true, bool_false, string_false, status_ok}));
  EXPECT_EQ(s.error_span_count, 3u);
  ASSERT_EQ(s.services.size(), 2u);
  EXPECT_EQ(s.services[0].name, "other");
  EXPECT_EQ(s.services[0].span_count, 4u);
  EXPECT_EQ(s.services[0].error_span_count, 1u);
  EXPECT_EQ(s.services[1].name, "svc");
  EXPECT_EQ(s.services[1].span_count, 2u);
  EXPECT_EQ(s.services[1].error_span_count, 2u);
}

TEST(TraceSummary, OrphansAreSpansWhoseParentIsMissing) {
  Trace trace = MakeTrace({
      MakeSpan(1, 0, 0, 10),
      MakeSpan(2, 1, 0, 10),
      MakeSpan(3, 77, 0, 10),
      MakeSpan(4, 78, 0, 10),
  });
  EXPECT_EQ(SummarizeTrace(trace).orphan_span_count, 2u);
}

TEST(TraceSummary, WithoutAParentlessSpanTheEarliestOrphanIsTheRoot) {
  Trace trace = MakeTrace({
      Named(MakeSpan(3, 77, 300, 400, MakeResource("late")), "late-op"),
      Named(MakeSpan(4, 78, 200, 400, MakeResource("early")), "early-op"),
      Named(MakeSpan(5, 4, 100, 400, MakeResource("child")), "child-op"),  // has its parent
  });
  TraceSummary s = SummarizeTrace(trace);
  EXPECT_EQ(s.root_service_name, "early");
  EXPECT_EQ(s.root_operation_name, "early-op");
  EXPECT_EQ(s.orphan_span_count, 2u);
}

TEST(TraceSummary, ParentlessSpanWinsOverAnEarlierOrphan) {
  Trace trace = MakeTrace({
      Named(MakeSpan(3, 77, 100, 400, MakeResource("orphan")), "orphan-op"),
      Named(MakeSpan(1, 0, 500, 600, MakeResource("root")), "root-op"),
  });
  TraceSummary s = SummarizeTrace(trace);
  EXPECT_EQ(s.root_service_name, "root");
  EXPECT_EQ(s.root_operation_name, "root-op");
}

TEST(TraceSummary, EarliestOfSeveralParentlessSpansIsTheRoot) {
  Trace trace = MakeTrace({
      Named(MakeSpan(1, 0, 500, 600, MakeResource("b")), "second"),
      Named(MakeSpan(2, 0, 100, 600, MakeResource("a")), "first"),
  });
  EXPECT_EQ(SummarizeTrace(trace).root_operation_name, "first");
}

TEST(TraceSummary, TraceWithoutAnyRootHasEmptyRootNames) {
  // Every parent is present: a cycle, so nothing qualifies as root.
  Trace trace = MakeTrace({MakeSpan(1, 2, 0, 10), MakeSpan(2, 1, 0, 10)});
  TraceSummary s = SummarizeTrace(trace);
  EXPECT_EQ(s.root_service_name, "");
  EXPECT_EQ(s.root_operation_name, "");
  EXPECT_EQ(s.orphan_span_count, 0u);
  EXPECT_EQ(s.span_count, 2u);
}

TEST(TraceSummary, EmptyTraceSummarisesToZeros) {
  TraceSummary s = SummarizeTrace(MakeTrace({}));
  EXPECT_EQ(s.span_count, 0u);
  EXPECT_EQ(s.min_start_time_ns, 0u);
  EXPECT_EQ(s.max_end_time_ns, 0u);
  EXPECT_TRUE(s.services.empty());
}

TEST(TraceSummary, JsonHasThirtyTwoHexTraceIdDecimalStringTimesAndNumericCounts) {
  SpanRecord root = Named(MakeSpan(1, 0, 1'700'000'000'123'456'789, 1'700'000'000'987'654'321,
                                   MakeResource("frontend")),
                          "GET /");
  root.span.status.code = SpanStatusCode::kError;
  SpanRecord orphan =
      MakeSpan(2, 9, 1'700'000'000'200'000'000, 1'700'000'000'300'000'000, MakeResource("backend"));
  TraceSummary s = SummarizeTrace(MakeTrace({root, orphan}));
  EXPECT_EQ(
      Json(s),
      R"({"traceId":"00000000000000000000000000000abc","rootServiceName":"frontend",)"
      R"("rootOperationName":"GET /","minStartTimeUnixNano":"1700000000123456789",)"
      R"("maxEndTimeUnixNano":"1700000000987654321","spanCount":2,"errorSpanCount":1,)"
      R"("orphanSpanCount":1,"services":[{"name":"backend","spanCount":1,"errorSpanCount":0},)"
      R"({"name":"frontend","spanCount":1,"errorSpanCount":1}]})");
}

TEST(TraceSummary, JsonOfEmptySummaryKeepsEveryField) {
  TraceSummary s;
  EXPECT_EQ(Json(s),
            R"({"traceId":"00000000000000000000000000000000","rootServiceName":"",)"
            R"("rootOperationName":"","minStartTimeUnixNano":"0","maxEndTimeUnixNano":"0",)"
            R"("spanCount":0,"errorSpanCount":0,"orphanSpanCount":0,"services":[]})");
}

}  // namespace
}  // namespace spoor
