// Deep dependency paths and quality metrics from stored traces, and their
// routes.
#include "query/analytics.h"

#include <gtest/gtest.h>

#include "query_api_fixture.h"

namespace spoor::querytest {
namespace {

// One span of a trace under construction.
void Put(Trace& t, std::string_view service, uint64_t id, uint64_t parent, std::string_view op,
         SpanKind kind, uint64_t start_ns = 1000 * kSecond, uint64_t duration_ns = kSecond,
         Attributes resource_extra = {}) {
  SpanRecord r;
  r.resource = MakeResource(service, std::move(resource_extra));
  r.scope = std::make_shared<Scope>();
  r.span = MakeSpan(t.trace_id, id, parent, op, start_ns, duration_ns, kind);
  t.spans.push_back(std::move(r));
}

std::vector<std::string> Render(const std::vector<DependencyPath>& paths) {
  std::vector<std::string> out;
  for (const DependencyPath& p : paths) {
    std::string s;
    for (const PathStep& step : p.steps)
      s += (s.empty() ? "" : " > ") + step.service + ":" + step.operation;
    out.push_back(s);
  }
  return out;
}

// frontend GET /  -> (internal render) -> client call -> api:server GET /items
//                                                          -> db client query
//                 -> client call -> auth:server check
std::vector<Trace> Shop() {
  Trace t;
  t.trace_id = TraceId{0, 0xa1};
  Put(t, "frontend", 1, 0, "GET /", SpanKind::kServer);
  Put(t, "frontend", 2, 1, "render", SpanKind::kInternal);
  Put(t, "frontend", 3, 2, "call api", SpanKind::kClient);
  Put(t, "api", 4, 3, "GET /items", SpanKind::kServer);
  Put(t, "api", 5, 4, "query", SpanKind::kClient);
  Put(t, "frontend", 6, 1, "call auth", SpanKind::kClient);
  Put(t, "auth", 7, 6, "check", SpanKind::kServer);
  Trace again = t;
  again.trace_id = TraceId{0, 0xa2};
  Trace other;
  other.trace_id = TraceId{0, 0xb1};
  Put(other, "batch", 1, 0, "nightly", SpanKind::kInternal);
  Put(other, "auth", 2, 1, "check", SpanKind::kServer);
  return {t, again, other};
}

TEST(DeepDependencyPaths, PathsThroughTheFocalServiceCollapsedAsTheJaegerUiDoes) {
  auto paths = DeepDependencyPaths(Shop(), "api", "");
  EXPECT_EQ(Render(paths), (std::vector<std::string>{"frontend:GET / > api:GET /items"}));
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_EQ(paths[0].trace_ids, (std::vector<std::string>{"00000000000000a1", "00000000000000a2"}));
  EXPECT_EQ(
      Render(DeepDependencyPaths(Shop(), "auth", "")),
      (std::vector<std::string>{"frontend:GET / > auth:check", "batch:nightly > auth:check"}));
  EXPECT_EQ(Render(DeepDependencyPaths(Shop(), "frontend", "GET /")).size(), 2u);
  EXPECT_TRUE(DeepDependencyPaths(Shop(), "auth", "nope").empty());
  EXPECT_TRUE(DeepDependencyPaths(Shop(), "nobody", "").empty());
}

TEST(DeepDependencyPaths, OrphansStartPathsAndExemplarsAreBounded) {
  std::vector<Trace> traces;
  for (uint64_t i = 0; i < kMaxExemplars + 5; ++i) {
    Trace t;
    t.trace_id = TraceId{0, 100 + i};
    Put(t, "api", 2, 99, "GET /x", SpanKind::kServer);  // parent 99 never arrived
    Put(t, "db", 3, 2, "SELECT", SpanKind::kServer);
    traces.push_back(t);
  }
  auto paths = DeepDependencyPaths(traces, "db", "");
  ASSERT_EQ(Render(paths), (std::vector<std::string>{"api:GET /x > db:SELECT"}));
  EXPECT_EQ(paths[0].trace_ids.size(), kMaxExemplars);
  std::string json;
  AppendDeepDependenciesJson(paths, json);
  EXPECT_TRUE(json.starts_with(
      "{\"dependencies\":[{\"path\":[{\"service\":\"api\",\"operation\":\"GET /x\"},{"
      "\"service\":\"db\",\"operation\":\"SELECT\"}],\"attributes\":[{\"key\":"
      "\"exemplar_trace_id\",\"value\":\"0000000000000064\"}"))
      << json;
}

TEST(QualityMetrics, CountsWhatTheTracesShow) {
  Trace t;
  t.trace_id = TraceId{0, 0xc1};
  Attributes sdk = {Kv("telemetry.sdk.name", AnyValue::String("opentelemetry")),
                    Kv("telemetry.sdk.language", AnyValue::String("nodejs")),
                    Kv("telemetry.sdk.version", AnyValue::String("1.30.0"))};
  uint64_t t0 = 1000 * kSecond;
  Put(t, "web", 1, 0, "GET /", SpanKind::kServer, t0, 10 * kSecond, sdk);
  Put(t, "web", 2, 1, "call api", SpanKind::kClient, t0, kSecond, sdk);         // served below
  Put(t, "api", 3, 2, "GET /a", SpanKind::kServer, t0 - kSecond, 3 * kSecond);  // skewed
  Put(t, "web", 4, 1, "call cache", SpanKind::kClient, t0, kSecond, sdk);       // not served
  Put(t, "web", 5, 77, "POST /late", SpanKind::kServer, t0, kSecond, sdk);      // parent missing
  Put(t, "web", 6, 1, "work", SpanKind::kUnspecified, t0, kSecond, sdk);
  SpanRecord unnamed;
  auto resource = std::make_shared<Resource>();
  resource->ResolveServiceName();
  unnamed.resource = resource;
  unnamed.scope = std::make_shared<Scope>();
  unnamed.span = MakeSpan(t.trace_id, 8, 1, "anon", t0, kSecond);
  t.spans.push_back(unnamed);
  QualityReport r = ComputeQualityMetrics({t}, "web");
  auto check = [&](const std::string& name) {
    for (const QualityCheck& c : r.checks) {
      if (c.name == name) return std::pair{c.pass, c.fail};
    }
    ADD_FAILURE() << name;
    return std::pair<uint64_t, uint64_t>{};
  };
  EXPECT_EQ(check("Spans name their service"), (std::pair<uint64_t, uint64_t>{6, 1}));
  EXPECT_EQ(check("Spans have a kind"), (std::pair<uint64_t, uint64_t>{4, 1}));
  EXPECT_EQ(check("Server spans find their parent"), (std::pair<uint64_t, uint64_t>{1, 1}));
  EXPECT_EQ(check("Client spans reach a traced server"), (std::pair<uint64_t, uint64_t>{1, 1}));
  // Only api's span is called from another service, and it is web's
  // question only for web's spans: no web span has a caller elsewhere.
  EXPECT_EQ(check("Clocks agree with the caller"), (std::pair<uint64_t, uint64_t>{0, 0}));
  QualityReport api = ComputeQualityMetrics({t}, "api");
  for (const QualityCheck& c : api.checks) {
    if (c.name == "Clocks agree with the caller") {
      EXPECT_EQ(c.fail, 1u);
      EXPECT_EQ(c.fail_examples, std::vector<std::string>{"00000000000000c1"});
    }
  }
  ASSERT_EQ(r.clients.size(), 1u);
  EXPECT_EQ(r.clients[0].version, "opentelemetry/nodejs 1.30.0");
  EXPECT_EQ(r.clients[0].spans, 5u);
  std::string json;
  AppendQualityMetricsJson(r, "banner", json);
  Json parsed(json);
  EXPECT_EQ(Keys(parsed.root()),
            (std::vector<std::string>{"traceQualityDocumentationLink", "bannerText", "scores",
                                      "metrics", "clients"}));
  // Nothing to count for the clock check (no web span has a caller
  // elsewhere): left out, with its category; a percentage of nothing would
  // show as NaN.
  EXPECT_EQ(Len(parsed["scores"]), 2u);
  EXPECT_EQ(Len(parsed["metrics"]), 4u);
  for (auto m : Arr(parsed["metrics"])) {
    EXPECT_NE(Str(m["name"].value()), "Clocks agree with the caller");
    EXPECT_TRUE(Str(m["metricDocumentationLink"].value()).starts_with("https://"));
  }
  for (auto score : Arr(parsed["scores"])) EXPECT_NE(Str(score["key"].value()), "accuracy");
}

TEST_F(QueryApiTest, DeepDependencyAndQualityRoutes) {
  for (const char* route : {"/api/deep-dependencies", "/analytics/v1/dependencies"}) {
    SCOPED_TRACE(route);
    HttpResponse r = Get(std::string(route) + "?service=backend&operation=SELECT&start=0&end=0");
    ASSERT_EQ(r.status, 200) << r.body;
    Json json(r.body);
    ASSERT_EQ(Len(json["dependencies"]), 1u);
    auto path = json["dependencies"].at(0)["path"].value();
    ASSERT_EQ(Len(path), 2u);
    EXPECT_EQ(Str(path.at(0)["service"].value()), "frontend");
    EXPECT_EQ(Str(path.at(1)["operation"].value()), "SELECT");
    EXPECT_EQ(Str(json["dependencies"].at(0)["attributes"].at(0)["value"].value()), kCartHex);
    ExpectErrorEnvelope(Get(route), 400, "service");
    ExpectErrorEnvelope(Get(std::string(route) + "?service=backend&start=soon"), 400, "start");
  }
  for (const char* route : {"/api/quality-metrics?service=frontend&hours=2",
                            "/qualitymetrics-v2?service=frontend&lookback=2"}) {
    SCOPED_TRACE(route);
    HttpResponse r = Get(route);
    ASSERT_EQ(r.status, 200) << r.body;
    Json json(r.body);
    EXPECT_NE(Str(json["bannerText"]).find("the 2 most recent traces of frontend"),
              std::string::npos);
    EXPECT_GE(Len(json["metrics"]), 1u);
    for (auto m : Arr(json["metrics"])) {
      EXPECT_GT(Int(m["passCount"].value()) + Int(m["failureCount"].value()), 0);
    }
  }
  ExpectErrorEnvelope(Get("/api/quality-metrics"), 400, "service");
  ExpectErrorEnvelope(Get("/api/quality-metrics?service=x&hours=0"), 400, "hours");
}

}  // namespace
}  // namespace spoor::querytest
