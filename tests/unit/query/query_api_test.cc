// The Jaeger /api routes for services, operations and search, driven with
// in-process requests against a memory store.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "query_api_fixture.h"

namespace spoor::querytest {
namespace {

// --- Envelope, services and operations ------------------------------------------

TEST_F(QueryApiTest, ServicesAreSortedInTheJaegerEnvelope) {
  HttpResponse r = Get("/api/services");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  Json json(r.body);
  EXPECT_EQ(Keys(json.root()), kEnvelopeKeys);
  EXPECT_EQ(Strings(json["data"]), (std::vector<std::string>{"backend", "frontend"}));
  EXPECT_EQ(Int(json["total"]), 2);
  EXPECT_EQ(Int(json["limit"]), 0);
  EXPECT_EQ(Int(json["offset"]), 0);
  EXPECT_TRUE(json["errors"].is_null());
}

TEST_F(QueryApiTest, ServicesOfAnEmptyStoreIsAnEmptyArrayNotNull) {
  store_ = NewMemoryStore(MemoryStoreOptions{});
  Json json(Get("/api/services").body);
  ASSERT_TRUE(json["data"].is_array());
  EXPECT_EQ(Len(json["data"]), 0u);
  EXPECT_EQ(Int(json["total"]), 0);
}

TEST_F(QueryApiTest, ServiceOperationsListsNamesOfAllKindsOnce) {
  SpanBatch batch;
  Add(batch, "frontend", {MakeSpan(TraceId{0, 9}, 1, 0, "GET /cart", t0_, kMs, SpanKind::kClient)});
  ASSERT_TRUE(store_->Write(batch).ok());
  HttpResponse r = Get("/api/services/frontend/operations");
  ASSERT_EQ(r.status, 200) << r.body;
  Json json(r.body);
  EXPECT_EQ(Strings(json["data"]), (std::vector<std::string>{"GET /cart", "GET /home"}));
  EXPECT_EQ(Int(json["total"]), 2);
}

TEST_F(QueryApiTest, ServiceOperationsDecodesTheServiceName) {
  SpanBatch batch;
  Add(batch, "my svc/v2", {MakeSpan(TraceId{0, 9}, 1, 0, "op", t0_, kMs)});
  ASSERT_TRUE(store_->Write(batch).ok());
  Json json(Get("/api/services/" + Encode("my svc") + "/v2/operations").body);
  EXPECT_EQ(Strings(json["data"]), std::vector<std::string>{"op"});
}

TEST_F(QueryApiTest, OperationsOfUnknownServiceIsEmpty) {
  Json json(Get("/api/services/nobody/operations").body);
  EXPECT_EQ(Len(json["data"]), 0u);
}

TEST_F(QueryApiTest, OperationsRouteGivesNameAndSpanKind) {
  HttpResponse r = Get("/api/operations?service=backend");
  ASSERT_EQ(r.status, 200) << r.body;
  Json json(r.body);
  ASSERT_EQ(Len(json["data"]), 2u);
  EXPECT_EQ(Int(json["total"]), 2);
  auto first = json["data"].at(0).value();
  EXPECT_EQ(Keys(first), (std::vector<std::string>{"name", "spanKind"}));
  EXPECT_EQ(Str(first["name"].value()), "SELECT");
  EXPECT_EQ(Str(first["spanKind"].value()), "client");
  EXPECT_EQ(Str(json["data"].at(1)["name"].value()), "batch-job");
  EXPECT_EQ(Str(json["data"].at(1)["spanKind"].value()), "server");
}

TEST_F(QueryApiTest, OperationsRouteFiltersBySpanKind) {
  Json json(Get("/api/operations?service=backend&spanKind=server").body);
  ASSERT_EQ(Len(json["data"]), 1u);
  EXPECT_EQ(Str(json["data"].at(0)["name"].value()), "batch-job");
  Json none(Get("/api/operations?service=backend&spanKind=producer").body);
  EXPECT_EQ(Len(none["data"]), 0u);
}

TEST_F(QueryApiTest, OperationsRouteRequiresService) {
  ExpectErrorEnvelope(Get("/api/operations"), 400, "service");
  ExpectErrorEnvelope(Get("/api/operations?service="), 400, "service");
  ExpectErrorEnvelope(Get("/api/operations?service=backend&spanKind=sideways"), 400, "sideways");
}

// --- Search ----------------------------------------------------------------------

TEST_F(QueryApiTest, SearchReturnsWholeTracesMostRecentFirst) {
  HttpResponse r = Get("/api/traces?service=frontend");
  ASSERT_EQ(r.status, 200) << r.body;
  Json json(r.body);
  EXPECT_EQ(Keys(json.root()), kEnvelopeKeys);
  EXPECT_EQ(TraceIds(json["data"]), (std::vector<std::string>{kHomeHex, kCartHex}));
  EXPECT_EQ(Int(json["total"]), 0);
  EXPECT_TRUE(json["errors"].is_null());
  // The cart trace comes with its backend span and both processes.
  auto cart = json["data"].at(1).value();
  EXPECT_EQ(Len(cart["spans"].value()), 2u);
  EXPECT_EQ(Keys(cart["processes"].value()), (std::vector<std::string>{"p1", "p2"}));
}

TEST_F(QueryApiTest, SearchHonoursLimit) {
  Json json(Get("/api/traces?service=frontend&limit=1").body);
  EXPECT_EQ(TraceIds(json["data"]), std::vector<std::string>{kHomeHex});
}

TEST_F(QueryApiTest, SearchByOperation) {
  Json json(Get("/api/traces?service=frontend&operation=" + Encode("GET /cart")).body);
  EXPECT_EQ(TraceIds(json["data"]), std::vector<std::string>{kCartHex});
}

TEST_F(QueryApiTest, SearchByTagsJsonMatchesNonStringValuesByText) {
  Json json(
      Get("/api/traces?service=frontend&tags=" + Encode(R"({"http.status_code":"200"})")).body);
  EXPECT_EQ(TraceIds(json["data"]), std::vector<std::string>{kCartHex});
  Json number(
      Get("/api/traces?service=frontend&tags=" + Encode(R"({"http.status_code":200})")).body);
  EXPECT_EQ(TraceIds(number["data"]), std::vector<std::string>{kCartHex});
}

TEST_F(QueryApiTest, SearchByDerivedErrorTag) {
  Json json(Get("/api/traces?service=frontend&tag=error:true").body);
  EXPECT_EQ(TraceIds(json["data"]), std::vector<std::string>{kHomeHex});
}

TEST_F(QueryApiTest, SearchConditionsMustHoldOnOneSpan) {
  // db.system is on the backend span; the frontend service is on the root.
  Json json(Get("/api/traces?service=frontend&tag=db.system:postgres").body);
  EXPECT_EQ(Len(json["data"]), 0u);
  Json backend(Get("/api/traces?service=backend&tag=db.system:postgres").body);
  EXPECT_EQ(TraceIds(backend["data"]), std::vector<std::string>{kCartHex});
}

TEST_F(QueryApiTest, SearchByDuration) {
  Json json(Get("/api/traces?service=frontend&minDuration=100ms").body);
  EXPECT_EQ(TraceIds(json["data"]), std::vector<std::string>{kCartHex});
  Json max(Get("/api/traces?service=frontend&maxDuration=20ms").body);
  EXPECT_EQ(TraceIds(max["data"]), std::vector<std::string>{kHomeHex});
}

TEST_F(QueryApiTest, SearchByTimeWindowInMicroseconds) {
  uint64_t start_us = (t0_ + 4 * kSecond) / 1000;
  uint64_t end_us = (t0_ + 6 * kSecond) / 1000;
  Json json(Get("/api/traces?service=frontend&start=" + std::to_string(start_us) +
                "&end=" + std::to_string(end_us))
                .body);
  EXPECT_EQ(TraceIds(json["data"]), std::vector<std::string>{kHomeHex});
}

TEST_F(QueryApiTest, SearchDefaultWindowExcludesTracesOlderThan48Hours) {
  SpanBatch batch;
  Add(batch, "frontend",
      {MakeSpan(TraceId{0, 0x99}, 1, 0, "old", now_ - 49 * 3600 * kSecond, kMs)});
  ASSERT_TRUE(store_->Write(batch).ok());
  Json json(Get("/api/traces?service=frontend").body);
  EXPECT_EQ(TraceIds(json["data"]), (std::vector<std::string>{kHomeHex, kCartHex}));
}

TEST_F(QueryApiTest, SearchWithBadParametersIs400NamingTheParameter) {
  ExpectErrorEnvelope(Get("/api/traces"), 400, "service");
  ExpectErrorEnvelope(Get("/api/traces?service=frontend&limit=x"), 400, "limit");
  ExpectErrorEnvelope(Get("/api/traces?service=frontend&minDuration=2s&maxDuration=1s"), 400,
                      "maxDuration");
  ExpectErrorEnvelope(Get("/api/traces?service=frontend&tags=" + Encode("{bad")), 400, "tags");
}

TEST_F(QueryApiTest, SearchByTraceIdsReportsMissingOnesInErrors) {
  HttpResponse r = Get(std::string("/api/traces?traceID=1&traceID=dead&traceID=") + kWideHex);
  EXPECT_EQ(r.status, 200) << r.body;
  Json json(r.body);
  EXPECT_EQ(Keys(json.root()), kEnvelopeKeys);
  EXPECT_EQ(TraceIds(json["data"]), (std::vector<std::string>{kCartHex, kWideHex}));
  ASSERT_EQ(Len(json["errors"]), 1u);
  auto error = json["errors"].at(0).value();
  EXPECT_EQ(Int(error["code"].value()), 404);
  EXPECT_EQ(Str(error["msg"].value()), "trace not found");
  EXPECT_EQ(Str(error["traceID"].value()), "000000000000dead");
}

TEST_F(QueryApiTest, SearchByTraceIdsWithNoneFoundStillAnswersWithEmptyData) {
  Json json(Get("/api/traces?traceID=abc&traceID=def").body);
  ASSERT_TRUE(json["data"].is_array());
  EXPECT_EQ(Len(json["data"]), 0u);
  EXPECT_EQ(Len(json["errors"]), 2u);
}

TEST_F(QueryApiTest, SearchByMalformedTraceIdIs400) {
  ExpectErrorEnvelope(Get("/api/traces?traceID=xyz"), 400, "traceID");
}

// A trace holding the same span twice, as a retried delivery leaves it.
TEST_F(QueryApiTest, SearchRunsAdjustersUnlessRaw) {
  SpanBatch batch;
  Span dup = MakeSpan(TraceId{0, 0x77}, 1, 0, "dup", t0_ + 20 * kSecond, kMs);
  Add(batch, "dups", {dup});
  Write(batch);
  Write(batch);
  Json adjusted(Get("/api/traces?service=dups").body);
  ASSERT_EQ(Len(adjusted["data"]), 1u);
  EXPECT_EQ(Len(adjusted["data"].at(0)["spans"].value()), 1u);
  Json raw(Get("/api/traces?service=dups&raw=true").body);
  ASSERT_EQ(Len(raw["data"]), 1u);
  EXPECT_EQ(Len(raw["data"].at(0)["spans"].value()), 2u);
}

TEST_F(QueryApiTest, SearchedSpanCarriesJaegerFields) {
  Json json(Get("/api/traces?service=frontend&operation=" + Encode("GET /home")).body);
  ASSERT_EQ(Len(json["data"]), 1u);
  auto trace = json["data"].at(0).value();
  EXPECT_EQ(Str(trace["traceID"].value()), kHomeHex);
  EXPECT_TRUE(trace["warnings"].is_null());
  EXPECT_EQ(Str(trace["processes"]["p1"]["serviceName"].value()), "frontend");
  auto span = trace["spans"].at(0).value();
  EXPECT_EQ(Str(span["spanID"].value()), "0000000000000001");
  EXPECT_EQ(Str(span["operationName"].value()), "GET /home");
  EXPECT_EQ(Str(span["processID"].value()), "p1");
  EXPECT_EQ(static_cast<uint64_t>(Int(span["startTime"].value())), (t0_ + 5 * kSecond) / 1000);
  EXPECT_EQ(Int(span["duration"].value()), 20000);
  bool has_error_tag = false;
  for (auto tag : Arr(span["tags"])) {
    if (Str(tag["key"].value()) == "error") has_error_tag = tag["value"].get_bool().value();
  }
  EXPECT_TRUE(has_error_tag);
}

}  // namespace
}  // namespace spoor::querytest
