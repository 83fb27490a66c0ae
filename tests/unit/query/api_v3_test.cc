// The /api/v3 routes over HTTP: response shapes and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/time_format.h"
#include "query_api_fixture.h"

namespace spoor::querytest {
namespace {

class ApiV3Test : public QueryApiTest {
 protected:
  // query.startTimeMin/Max covering every trace of the fixture.
  std::string Window() const {
    return "query.startTimeMin=" + Encode(FormatRfc3339(t0_ - kSecond, true)) +
           "&query.startTimeMax=" + Encode(FormatRfc3339(now_, true));
  }
};

std::vector<std::string> ResultTraceIds(simdjson::dom::element result) {
  std::vector<std::string> ids;
  for (auto rs : Arr(result["resourceSpans"])) {
    for (auto ss : Arr(rs["scopeSpans"])) {
      for (auto span : Arr(ss["spans"])) {
        std::string id = Str(span["traceId"].value());
        if (ids.empty() || ids.back() != id) ids.push_back(id);
      }
    }
  }
  return ids;
}

TEST_F(ApiV3Test, ServicesShape) {
  HttpResponse r = Get("/api/v3/services");
  ASSERT_EQ(r.status, 200) << r.body;
  Json json(r.body);
  EXPECT_EQ(Keys(json.root()), std::vector<std::string>{"services"});
  EXPECT_EQ(Strings(json["services"]), (std::vector<std::string>{"backend", "frontend"}));
}

TEST_F(ApiV3Test, OperationsAlwaysCarryNameAndSpanKind) {
  SpanBatch batch;
  Add(batch, "backend",
      {MakeSpan(TraceId{0, 9}, 1, 0, "no-kind", t0_, kMs, SpanKind::kUnspecified)});
  Write(batch);
  HttpResponse r = Get("/api/v3/operations?service=backend");
  ASSERT_EQ(r.status, 200) << r.body;
  Json json(r.body);
  EXPECT_EQ(Keys(json.root()), std::vector<std::string>{"operations"});
  ASSERT_EQ(Len(json["operations"]), 3u);
  std::vector<std::string> names;
  for (auto op : Arr(json["operations"])) {
    EXPECT_EQ(Keys(op), (std::vector<std::string>{"name", "spanKind"}));
    names.push_back(Str(op["name"].value()));
    if (names.back() == "no-kind") {
      // Jaeger's api_v3 reports an operation recorded without a kind as
      // internal.
      EXPECT_EQ(Str(op["spanKind"].value()), "internal");
    }
  }
  EXPECT_EQ(names, (std::vector<std::string>{"SELECT", "batch-job", "no-kind"}));
}

TEST_F(ApiV3Test, OperationsWithoutKindAreInternalOnce) {
  SpanBatch batch;
  Add(batch, "backend",
      {MakeSpan(TraceId{0, 9}, 1, 0, "work", t0_, kMs, SpanKind::kUnspecified),
       MakeSpan(TraceId{0, 9}, 2, 1, "work", t0_, kMs, SpanKind::kInternal)});
  Write(batch);
  for (const char* target : {"/api/v3/operations?service=backend",
                             "/api/v3/operations?service=backend&spanKind=internal"}) {
    SCOPED_TRACE(target);
    Json json(Get(target).body);
    int work = 0;
    for (auto op : Arr(json["operations"])) {
      if (Str(op["name"].value()) != "work") continue;
      ++work;
      EXPECT_EQ(Str(op["spanKind"].value()), "internal");
    }
    EXPECT_EQ(work, 1);
  }
  Json internal(Get("/api/v3/operations?service=backend&spanKind=internal").body);
  EXPECT_EQ(Len(internal["operations"]), 1u);
  // Jaeger's /api/operations keeps the kind as recorded.
  Json v2(Get("/api/operations?service=backend").body);
  int empty_kind = 0;
  for (auto op : Arr(v2["data"])) empty_kind += Str(op["spanKind"].value()).empty() ? 1 : 0;
  EXPECT_EQ(empty_kind, 1);
}

TEST_F(ApiV3Test, OperationsFilterBySpanKind) {
  Json json(Get("/api/v3/operations?service=backend&spanKind=client").body);
  ASSERT_EQ(Len(json["operations"]), 1u);
  EXPECT_EQ(Str(json["operations"].at(0)["name"].value()), "SELECT");
  EXPECT_EQ(Str(json["operations"].at(0)["spanKind"].value()), "client");
}

TEST_F(ApiV3Test, OperationsErrors) {
  ExpectV3Error(Get("/api/v3/operations"), 400, "service");
  ExpectV3Error(Get("/api/v3/operations?service=backend&spanKind=up"), 400, "up");
}

TEST_F(ApiV3Test, GetTraceIsOtlpJsonWithHexIds) {
  HttpResponse r = Get(std::string("/api/v3/traces/") + kCartHex);
  ASSERT_EQ(r.status, 200) << r.body;
  Json json(r.body);
  EXPECT_EQ(Keys(json.root()), std::vector<std::string>{"result"});
  auto result = json["result"];
  EXPECT_EQ(ResultTraceIds(result), std::vector<std::string>{"00000000000000000000000000000001"});
  size_t spans = 0;
  std::vector<std::string> services;
  for (auto rs : Arr(result["resourceSpans"])) {
    for (auto attr : Arr(rs["resource"]["attributes"])) {
      if (Str(attr["key"].value()) == "service.name") {
        services.push_back(Str(attr["value"]["stringValue"].value()));
      }
    }
    for (auto ss : Arr(rs["scopeSpans"])) spans += Len(ss["spans"].value());
  }
  EXPECT_EQ(spans, 2u);
  std::sort(services.begin(), services.end());
  EXPECT_EQ(services, (std::vector<std::string>{"backend", "frontend"}));
}

TEST_F(ApiV3Test, GetTraceErrors) {
  ExpectV3Error(Get("/api/v3/traces/abcdef"), 404, "");
  ExpectV3Error(Get("/api/v3/traces/xyz"), 400, "xyz");
  ExpectV3Error(Get(std::string("/api/v3/traces/") + kCartHex + "?startTime=yesterday"), 400,
                "startTime");
}

TEST_F(ApiV3Test, GetTraceRawTracesSkipsAdjusters) {
  SpanBatch batch;
  Add(batch, "dups", {MakeSpan(TraceId{0, 0x77}, 1, 0, "dup", t0_, kMs)});
  Write(batch);
  Write(batch);
  auto count_spans = [&](const std::string& target) {
    Json json(Get(target).body);
    size_t n = 0;
    for (auto rs : Arr(json["result"]["resourceSpans"])) {
      for (auto ss : Arr(rs["scopeSpans"])) n += Len(ss["spans"].value());
    }
    return n;
  };
  EXPECT_EQ(count_spans("/api/v3/traces/77"), 1u);
  EXPECT_EQ(count_spans("/api/v3/traces/77?rawTraces=true"), 2u);
}

TEST_F(ApiV3Test, SearchReturnsMatchingTracesMostRecentFirst) {
  HttpResponse r = Get("/api/v3/traces?query.serviceName=frontend&" + Window());
  ASSERT_EQ(r.status, 200) << r.body;
  Json json(r.body);
  EXPECT_EQ(Keys(json.root()), std::vector<std::string>{"result"});
  EXPECT_EQ(ResultTraceIds(json["result"]),
            (std::vector<std::string>{"00000000000000000000000000000002",
                                      "00000000000000000000000000000001"}));
}

TEST_F(ApiV3Test, SearchByAttributesAndSearchDepth) {
  Json tagged(Get("/api/v3/traces?query.serviceName=backend&" + Window() +
                  "&query.attributes=" + Encode(R"({"db.system":"postgres"})"))
                  .body);
  EXPECT_EQ(ResultTraceIds(tagged["result"]),
            std::vector<std::string>{"00000000000000000000000000000001"});
  Json one(Get("/api/v3/traces?query.serviceName=frontend&query.searchDepth=1&" + Window()).body);
  EXPECT_EQ(ResultTraceIds(one["result"]),
            std::vector<std::string>{"00000000000000000000000000000002"});
}

TEST_F(ApiV3Test, SearchWithoutMatchIs404) {
  ExpectV3Error(Get("/api/v3/traces?query.serviceName=nobody&" + Window()), 404, "");
}

TEST_F(ApiV3Test, SearchParameterErrorsAre400) {
  ExpectV3Error(Get("/api/v3/traces?query.serviceName=frontend"), 400, "startTimeMin");
  ExpectV3Error(
      Get("/api/v3/traces?query.serviceName=frontend&" + Window() + "&query.durationMin=fast"), 400,
      "query.durationMin");
  ExpectV3Error(Get("/api/v3/trace-summaries?query.serviceName=frontend"), 400, "startTimeMin");
}

TEST_F(ApiV3Test, TraceSummariesShape) {
  HttpResponse r = Get("/api/v3/trace-summaries?query.serviceName=backend&" + Window() +
                       "&query.operationName=SELECT");
  ASSERT_EQ(r.status, 200) << r.body;
  Json json(r.body);
  EXPECT_EQ(Keys(json.root()), std::vector<std::string>{"summaries"});
  ASSERT_EQ(Len(json["summaries"]), 1u);
  auto s = json["summaries"].at(0).value();
  EXPECT_EQ(Str(s["traceId"].value()), "00000000000000000000000000000001");
  EXPECT_EQ(Str(s["rootServiceName"].value()), "frontend");
  EXPECT_EQ(Str(s["rootOperationName"].value()), "GET /cart");
  EXPECT_EQ(Str(s["minStartTimeUnixNano"].value()), std::to_string(t0_));
  EXPECT_EQ(Str(s["maxEndTimeUnixNano"].value()), std::to_string(t0_ + 300 * kMs));
  EXPECT_EQ(Int(s["spanCount"].value()), 2);
  EXPECT_EQ(Int(s["errorSpanCount"].value()), 0);
  EXPECT_EQ(Int(s["orphanSpanCount"].value()), 0);
  ASSERT_EQ(Len(s["services"].value()), 2u);
  EXPECT_EQ(Str(s["services"].at(0)["name"].value()), "backend");
  EXPECT_EQ(Int(s["services"].at(0)["spanCount"].value()), 1);
}

TEST_F(ApiV3Test, TraceSummariesCountErrors) {
  Json json(Get("/api/v3/trace-summaries?query.serviceName=frontend&query.operationName=" +
                Encode("GET /home") + "&" + Window())
                .body);
  ASSERT_EQ(Len(json["summaries"]), 1u);
  EXPECT_EQ(Int(json["summaries"].at(0)["errorSpanCount"].value()), 1);
}

TEST_F(ApiV3Test, TraceSummariesWithoutMatchAreEmpty) {
  HttpResponse r = Get("/api/v3/trace-summaries?query.serviceName=nobody&" + Window());
  ASSERT_EQ(r.status, 200) << r.body;
  Json json(r.body);
  ASSERT_TRUE(json["summaries"].is_array());
  EXPECT_EQ(Len(json["summaries"]), 0u);
}

TEST_F(ApiV3Test, UnknownRouteAndWrongMethod) {
  ExpectV3Error(Get("/api/v3/nothing"), 404, "/api/v3/nothing");
  ExpectV3Error(Send(MakeRequest("POST", "/api/v3/services")), 405, "POST");
}

}  // namespace
}  // namespace spoor::querytest
