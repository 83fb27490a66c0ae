// The Jaeger /api routes for single traces, dependencies, transform and
// archive; unknown routes, methods, storage failures and the base path.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "query_api_fixture.h"

namespace spoor::querytest {
namespace {

// --- /api/traces/{id} ------------------------------------------------------------

TEST_F(QueryApiTest, GetTraceReturnsOneTraceInTheEnvelope) {
  HttpResponse r = Get(std::string("/api/traces/") + kCartHex);
  ASSERT_EQ(r.status, 200) << r.body;
  Json json(r.body);
  EXPECT_EQ(Keys(json.root()), kEnvelopeKeys);
  EXPECT_EQ(TraceIds(json["data"]), std::vector<std::string>{kCartHex});
  EXPECT_EQ(Len(json["data"].at(0)["spans"].value()), 2u);
  EXPECT_EQ(Int(json["total"]), 0);
  EXPECT_TRUE(json["errors"].is_null());
}

TEST_F(QueryApiTest, GetTraceAcceptsShortAndLongIds) {
  Json short_id(Get("/api/traces/1").body);
  EXPECT_EQ(TraceIds(short_id["data"]), std::vector<std::string>{kCartHex});
  Json padded(Get("/api/traces/00000000000000000000000000000001").body);
  EXPECT_EQ(TraceIds(padded["data"]), std::vector<std::string>{kCartHex});
  Json wide(Get(std::string("/api/traces/") + kWideHex).body);
  EXPECT_EQ(TraceIds(wide["data"]), std::vector<std::string>{kWideHex});
}

TEST_F(QueryApiTest, GetTraceOfUnknownIdIs404TraceNotFound) {
  HttpResponse r = Get("/api/traces/abcdef");
  ExpectErrorEnvelope(r, 404, "trace not found");
  Json json(r.body);
  EXPECT_EQ(Str(json["errors"].at(0)["msg"].value()), "trace not found");
}

TEST_F(QueryApiTest, GetTraceWithMalformedIdIs400) {
  ExpectErrorEnvelope(Get("/api/traces/not-a-trace"), 400, "not-a-trace");
  ExpectErrorEnvelope(Get("/api/traces/" + std::string(33, '1')), 400, "traceID");
}

TEST_F(QueryApiTest, GetTraceWithMalformedTimeHintIs400) {
  ExpectErrorEnvelope(Get(std::string("/api/traces/") + kCartHex + "?start=noon"), 400, "start");
}

TEST_F(QueryApiTest, GetTraceRawSkipsTheAdjusters) {
  SpanBatch batch;
  Add(batch, "dups", {MakeSpan(TraceId{0, 0x77}, 1, 0, "dup", t0_, kMs)});
  Write(batch);
  Write(batch);
  Json adjusted(Get("/api/traces/77").body);
  EXPECT_EQ(Len(adjusted["data"].at(0)["spans"].value()), 1u);
  Json raw(Get("/api/traces/77?raw=true").body);
  EXPECT_EQ(Len(raw["data"].at(0)["spans"].value()), 2u);
}

// --- /api/dependencies -----------------------------------------------------------

TEST_F(QueryApiTest, DependenciesDefaultToTheLastDay) {
  HttpResponse r = Get("/api/dependencies");
  ASSERT_EQ(r.status, 200) << r.body;
  Json json(r.body);
  EXPECT_EQ(Keys(json.root()), kEnvelopeKeys);
  ASSERT_EQ(Len(json["data"]), 1u);
  auto link = json["data"].at(0).value();
  EXPECT_EQ(Keys(link), (std::vector<std::string>{"parent", "child", "callCount"}));
  EXPECT_EQ(Str(link["parent"].value()), "frontend");
  EXPECT_EQ(Str(link["child"].value()), "backend");
  EXPECT_EQ(Int(link["callCount"].value()), 1);
  EXPECT_EQ(Int(json["total"]), 0);
}

TEST_F(QueryApiTest, DependenciesWindowIsEndTsAndLookbackInMilliseconds) {
  uint64_t before_ms = (t0_ - 10 * kSecond) / kMs;
  Json empty(Get("/api/dependencies?endTs=" + std::to_string(before_ms) + "&lookback=60000").body);
  ASSERT_TRUE(empty["data"].is_array());
  EXPECT_EQ(Len(empty["data"]), 0u);
  uint64_t after_ms = (t0_ + kSecond) / kMs;
  Json found(Get("/api/dependencies?endTs=" + std::to_string(after_ms) + "&lookback=5000").body);
  EXPECT_EQ(Len(found["data"]), 1u);
}

TEST_F(QueryApiTest, DependenciesFilterByService) {
  Json match(Get("/api/dependencies?service=backend").body);
  EXPECT_EQ(Len(match["data"]), 1u);
  Json other(Get("/api/dependencies?service=nobody").body);
  EXPECT_EQ(Len(other["data"]), 0u);
}

TEST_F(QueryApiTest, DependenciesWithMalformedParametersAre400) {
  ExpectErrorEnvelope(Get("/api/dependencies?endTs=now"), 400, "endTs");
  ExpectErrorEnvelope(Get("/api/dependencies?lookback=1h"), 400, "lookback");
}

// --- /api/transform and /api/archive ---------------------------------------------

constexpr const char* kOtlpJson = R"({"resourceSpans":[{
  "resource":{"attributes":[{"key":"service.name","value":{"stringValue":"uploader"}},
                            {"key":"host.name","value":{"stringValue":"h1"}}]},
  "scopeSpans":[{"scope":{"name":"lib","version":"1.0"},"spans":[
    {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000002",
     "parentSpanId":"0000000000000001","name":"child","kind":3,
     "startTimeUnixNano":"1700000000500000000","endTimeUnixNano":"1700000000600000000"},
    {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000001","name":"root",
     "kind":2,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001000000000"},
    {"traceId":"00000000000000000000000000000abc","spanId":"0000000000000003","name":"other",
     "startTimeUnixNano":"1700000002000000000","endTimeUnixNano":"1700000002000001000"}]}]}]})";

TEST_F(QueryApiTest, TransformTurnsOtlpJsonIntoJaegerTraces) {
  HttpResponse r = Send(MakeRequest("POST", "/api/transform", kOtlpJson));
  ASSERT_EQ(r.status, 200) << r.body;
  Json json(r.body);
  EXPECT_EQ(Keys(json.root()), kEnvelopeKeys);
  ASSERT_EQ(TraceIds(json["data"]),
            (std::vector<std::string>{"0102030405060708090a0b0c0d0e0f10", "0000000000000abc"}));
  auto trace = json["data"].at(0).value();
  auto process = trace["processes"]["p1"].value();
  EXPECT_EQ(Str(process["serviceName"].value()), "uploader");
  ASSERT_EQ(Len(process["tags"].value()), 1u);
  EXPECT_EQ(Str(process["tags"].at(0)["key"].value()), "host.name");
  // Adjusted: sorted by start time, so the root comes first.
  auto spans = trace["spans"].value();
  ASSERT_EQ(Len(spans), 2u);
  EXPECT_EQ(Str(spans.at(0)["operationName"].value()), "root");
  EXPECT_EQ(Int(spans.at(0)["startTime"].value()), 1700000000000000);
  EXPECT_EQ(Int(spans.at(0)["duration"].value()), 1000000);
  auto child = spans.at(1).value();
  EXPECT_EQ(Str(child["operationName"].value()), "child");
  ASSERT_EQ(Len(child["references"].value()), 1u);
  EXPECT_EQ(Str(child["references"].at(0)["refType"].value()), "CHILD_OF");
  EXPECT_EQ(Str(child["references"].at(0)["spanID"].value()), "0000000000000001");
  // Nothing was stored.
  EXPECT_EQ(store_->GetTrace(TraceId{0, 0xabc}, {}).status().code(), StatusCode::kNotFound);
}

TEST_F(QueryApiTest, TransformOfMalformedBodyIs400) {
  ExpectErrorEnvelope(Send(MakeRequest("POST", "/api/transform", "{not json")), 400, "");
}

TEST_F(QueryApiTest, ArchiveCopiesTheTraceIntoTheArchiveStore) {
  std::unique_ptr<Storage> archive = NewMemoryStore(MemoryStoreOptions{});
  options_.archive = archive.get();
  HttpResponse r = Send(MakeRequest("POST", std::string("/api/archive/") + kCartHex));
  ASSERT_EQ(r.status, 200) << r.body;
  Json json(r.body);
  EXPECT_EQ(Keys(json.root()), kEnvelopeKeys);
  ASSERT_TRUE(json["data"].is_array());
  EXPECT_EQ(Len(json["data"]), 0u);
  auto archived = archive->GetTrace(kCart, {});
  ASSERT_TRUE(archived.ok());
  EXPECT_EQ(archived->spans.size(), 2u);
  ExpectErrorEnvelope(Send(MakeRequest("POST", "/api/archive/fff")), 404, "");
  ExpectErrorEnvelope(Send(MakeRequest("POST", "/api/archive/zzz")), 400, "zzz");
}

TEST_F(QueryApiTest, ATraceGoneFromTheMainStoreIsReadFromTheArchive) {
  std::unique_ptr<Storage> archive = NewMemoryStore(MemoryStoreOptions{});
  SpanBatch batch;
  Add(batch, "archived", {MakeSpan(TraceId{0, 0xa1}, 1, 0, "kept", t0_, kMs)});
  ASSERT_TRUE(archive->Write(batch).ok());
  EXPECT_EQ(Get("/api/traces/00000000000000a1").status, 404);  // no archive configured
  options_.archive = archive.get();
  HttpResponse r = Get("/api/traces/00000000000000a1");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"kept\""), std::string::npos);
  EXPECT_EQ(Get("/api/v3/traces/00000000000000a1").status, 200);
  // Searches cover the main store only.
  EXPECT_EQ(Get("/api/traces?service=archived").body.find("kept"), std::string::npos);
}

TEST_F(QueryApiTest, ArchivingWithoutAnArchiveStoreIs501) {
  ExpectErrorEnvelope(Send(MakeRequest("POST", std::string("/api/archive/") + kCartHex)), 501,
                      "--archive.span-storage.type");
}

// --- Unknown routes, methods and storage failures --------------------------------

TEST_F(QueryApiTest, UnknownApiRouteIs404Json) {
  ExpectErrorEnvelope(Get("/api/nothing-here"), 404, "/api/nothing-here");
  ExpectErrorEnvelope(Get("/api/services/frontend"), 404, "");
  ExpectErrorEnvelope(Get("/api"), 404, "");
}

TEST_F(QueryApiTest, MetricsRoutesAreNotImplemented) {
  ExpectErrorEnvelope(Get("/api/metrics/latencies?service=frontend&quantile=0.95"), 501, "");
}

TEST_F(QueryApiTest, WrongMethodIs405) {
  ExpectErrorEnvelope(Send(MakeRequest("DELETE", "/api/services")), 405, "DELETE");
  ExpectErrorEnvelope(Send(MakeRequest("POST", "/api/services")), 405, "POST");
}

TEST_F(QueryApiTest, PathsOutsideTheApiServeTheHomePage) {
  HttpResponse r = Get("/search");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("/api/services"), std::string::npos);
}

// Every /api/... route that reads storage.
constexpr const char* kStorageRoutes[] = {
    "/api/services",         "/api/services/s/operations", "/api/operations?service=s",
    "/api/traces?service=s", "/api/traces?traceID=1",      "/api/traces/1",
    "/api/dependencies"};

// A storage whose every read fails with `status`.
class FailingReader : public SpanReader, public DependencyReader {
 public:
  explicit FailingReader(Status status) : status_(std::move(status)) {}
  Result<Trace> GetTrace(const TraceId&, const TraceTimeHint&) override { return Fail(); }
  Result<std::vector<Trace>> FindTraces(const TraceQuery&) override { return Fail(); }
  Result<std::vector<TraceId>> FindTraceIds(const TraceQuery&) override { return Fail(); }
  Result<std::vector<std::string>> GetServices() override { return Fail(); }
  Result<std::vector<Operation>> GetOperations(const std::string&, bool, SpanKind) override {
    return Fail();
  }
  Result<std::vector<DependencyLink>> GetDependencies(uint64_t, uint64_t) override {
    return Fail();
  }

 private:
  Status Fail() const { return status_; }
  Status status_;
};

TEST(QueryApiStorageFailure, StorageErrorsAre500WithTheMessage) {
  FailingReader failing(Internal("disk on fire"));
  HttpHandler handler = NewQueryHandler(QueryApiOptions{}, failing, failing);
  for (const char* target : kStorageRoutes) {
    SCOPED_TRACE(target);
    ExpectErrorEnvelope(handler(MakeRequest("GET", target)), 500, "disk on fire");
  }
  ExpectV3Error(handler(MakeRequest("GET", "/api/v3/services")), 500, "disk on fire");
}

// A store that cannot be reached for now (a ClickHouse server down): every
// route says so with 503, not 500.
TEST(QueryApiStorageFailure, UnavailableStorageIs503OnEveryRoute) {
  FailingReader failing(Unavailable("clickhouse 127.0.0.1:8123: Connection refused"));
  HttpHandler handler = NewQueryHandler(QueryApiOptions{}, failing, failing);
  for (const char* target : kStorageRoutes) {
    SCOPED_TRACE(target);
    ExpectErrorEnvelope(handler(MakeRequest("GET", target)), 503, "Connection refused");
  }
  for (const char* target :
       {"/api/v3/services", "/api/v3/operations?service=s", "/api/v3/traces/1"}) {
    SCOPED_TRACE(target);
    ExpectV3Error(handler(MakeRequest("GET", target)), 503, "Connection refused");
  }
}

// --- Base path -------------------------------------------------------------------

TEST_F(QueryApiTest, BasePathMovesEveryRouteUnderIt) {
  options_.base_path = "/jaeger";
  Json services(Get("/jaeger/api/services").body);
  EXPECT_EQ(Strings(services["data"]), (std::vector<std::string>{"backend", "frontend"}));
  Json trace(Get(std::string("/jaeger/api/traces/") + kCartHex).body);
  EXPECT_EQ(TraceIds(trace["data"]), std::vector<std::string>{kCartHex});
  HttpResponse v3 = Get("/jaeger/api/v3/services");
  EXPECT_EQ(v3.status, 200) << v3.body;
  EXPECT_EQ(Strings(Json(v3.body)["services"]), (std::vector<std::string>{"backend", "frontend"}));
  HttpResponse home = Get("/jaeger");
  EXPECT_EQ(home.status, 200);
  EXPECT_NE(home.body.find("/jaeger/api/services"), std::string::npos);
  ExpectErrorEnvelope(Get("/jaeger/api/unknown"), 404, "/api/unknown");
}

TEST_F(QueryApiTest, BasePathLeavesOtherPathsUnanswered) {
  options_.base_path = "/jaeger";
  EXPECT_EQ(Get("/api/services").status, 404);
  EXPECT_EQ(Get("/api/v3/services").status, 404);
  EXPECT_EQ(Get("/jaegerx/api/services").status, 404);
  EXPECT_EQ(Get("/").status, 404);
}

TEST_F(QueryApiTest, BasePathWithTrailingSlashIsNormalized) {
  options_.base_path = "/jaeger/";
  EXPECT_EQ(Get("/jaeger/api/services").status, 200);
  options_.base_path = "/";
  EXPECT_EQ(Get("/api/services").status, 200);
}

// --- /api/sampling ----------------------------------------------------------------

TEST_F(QueryApiTest, SamplingShowsTheStrategyThisProcessServes) {
  ExpectErrorEnvelope(Get("/api/sampling?service=frontend"), 501, "sampling");
  options_.sampling_strategy = [](const std::string& service) {
    return "{\"strategyType\":\"PROBABILISTIC\",\"for\":\"" + service + "\"}";
  };
  options_.sampling_adaptive = true;
  HttpResponse r = Get("/api/sampling?service=frontend");
  ASSERT_EQ(r.status, 200) << r.body;
  Json json(r.body);
  EXPECT_EQ(Str(json["data"]["type"].value()), "adaptive");
  EXPECT_EQ(Str(json["data"]["strategy"]["for"].value()), "frontend");
  ExpectErrorEnvelope(Get("/api/sampling"), 400, "service");
}

}  // namespace
}  // namespace spoor::querytest
