// /api/metrics/*: Jaeger's parameters, defaults and errors, the
// MetricFamily answer over the span metrics the store keeps, 501 without
// them; and prettyPrint on the JSON routes.
#include <gtest/gtest.h>

#include "query_api_fixture.h"
#include "spanmetrics/span_metrics_aggregator.h"

namespace spoor::querytest {
namespace {

class MetricsApiTest : public QueryApiTest {
 protected:
  void SetUp() override {
    QueryApiTest::SetUp();
    // The fixture's spans, counted as the pipeline counts them.
    SpanMetricsAggregator agg(SpanMetricsOptions{});
    SpanMetricsAggregator::Observation o;
    auto trace = store_->FindTraces(TraceQuery{});
    ASSERT_TRUE(trace.ok());
    SpanBatch batch;
    for (const Trace& t : *trace) {
      for (const SpanRecord& r : t.spans) {
        ResourceSpans rs;
        rs.resource = r.resource;
        rs.scope_spans.push_back({r.scope, {r.span}});
        batch.resource_spans.push_back(std::move(rs));
      }
    }
    SpanMetricsAggregator::Observe(batch, &o);
    agg.Commit(o, now_);
    ASSERT_TRUE(store_->span_metrics()->AddSpanMetrics(agg.TakeRows()).ok());
    options_.span_metrics = store_->span_metrics();
    end_ms_ = (now_ / kMs) + 1;
  }

  std::string Window() const {
    return "&endTs=" + std::to_string(end_ms_) + "&lookback=120000&step=60000&ratePer=120000";
  }

  uint64_t end_ms_ = 0;
};

TEST_F(MetricsApiTest, CallsOfAServiceAsAMetricFamily) {
  HttpResponse r = Get("/api/metrics/calls?service=frontend" + Window());
  ASSERT_EQ(r.status, 200) << r.body;
  Json json(r.body);
  EXPECT_EQ(Keys(json.root()), (std::vector<std::string>{"name", "type", "help", "metrics"}));
  EXPECT_EQ(Str(json["name"]), "service_call_rate");
  EXPECT_EQ(Str(json["type"]), "GAUGE");
  ASSERT_EQ(Len(json["metrics"]), 1u);
  auto metric = json["metrics"].at(0).value();
  auto labels = metric["labels"].value();
  ASSERT_EQ(Len(labels), 1u);
  EXPECT_EQ(Str(labels.at(0)["name"].value()), "service_name");
  EXPECT_EQ(Str(labels.at(0)["value"].value()), "frontend");
  auto points = Arr(metric["metricPoints"].value());
  ASSERT_GT(points.size(), 0u);
  // Two server spans of frontend (GET /cart, GET /home) in the last two
  // minutes: 2 calls / 120 s at the last point.
  simdjson::dom::element last;
  for (auto p : points) last = p;
  EXPECT_DOUBLE_EQ(last["gaugeValue"]["doubleValue"].get_double().value(), 2.0 / 120);
  EXPECT_FALSE(Str(last["timestamp"].value()).empty());
}

TEST_F(MetricsApiTest, ErrorsAndLatenciesByOperation) {
  Json errors(Get("/api/metrics/errors?service=frontend&groupByOperation=true" + Window()).body);
  EXPECT_EQ(Str(errors["name"]), "service_operation_error_rate");
  ASSERT_EQ(Len(errors["metrics"]), 2u);
  for (auto m : Arr(errors["metrics"])) {
    auto labels = m["labels"].value();
    ASSERT_EQ(Len(labels), 2u);
    EXPECT_EQ(Str(labels.at(1)["name"].value()), "operation");
    std::string op = Str(labels.at(1)["value"].value());
    double v = 0;
    for (auto p : Arr(m["metricPoints"].value()))
      v = p["gaugeValue"]["doubleValue"].get_double().value();
    EXPECT_DOUBLE_EQ(v, op == "GET /home" ? 1.0 : 0.0) << op;
  }
  Json latencies(
      Get("/api/metrics/latencies?service=frontend&quantile=0.95&groupByOperation=true" + Window())
          .body);
  EXPECT_EQ(Str(latencies["help"]), "0.95th quantile latency, grouped by service & operation");
  for (auto m : Arr(latencies["metrics"])) {
    std::string op = Str(m["labels"].at(1)["value"].value());
    double ms = 0;
    for (auto p : Arr(m["metricPoints"].value()))
      ms = p["gaugeValue"]["doubleValue"].get_double().value();
    double exact = op == "GET /cart" ? 300 : 20;
    EXPECT_NEAR(ms, exact, exact * LatencyHistogram::kRelativeError) << op;
  }
}

TEST_F(MetricsApiTest, SpanKindSelectsAndDefaultsToServer) {
  // backend's only recent span with a kind is the client span SELECT.
  Json server(Get("/api/metrics/calls?service=backend" + Window()).body);
  Json client(Get("/api/metrics/calls?service=backend&spanKind=client" + Window()).body);
  Json both(
      Get("/api/metrics/calls?service=backend&spanKind=SPAN_KIND_CLIENT&spanKind=server" + Window())
          .body);
  EXPECT_EQ(Len(client["metrics"]), 1u);
  EXPECT_EQ(Len(both["metrics"]), 1u);
  auto count = [](const Json& j) {
    double v = 0;
    for (auto m : Arr(j["metrics"])) {
      for (auto p : Arr(m["metricPoints"].value()))
        v = p["gaugeValue"]["doubleValue"].get_double().value();
    }
    return v * 120;
  };
  EXPECT_NEAR(count(client), 1, 1e-9);
  EXPECT_NEAR(count(both), count(server) + 1, 1e-9);
}

TEST_F(MetricsApiTest, TheJaegerUisJoinedServicesAreSplit) {
  Json json(
      Get("/api/metrics/calls?service=frontend,service=backend&spanKind=client" + Window()).body);
  ASSERT_EQ(Len(json["metrics"]), 1u);
  EXPECT_EQ(Str(json["metrics"].at(0)["labels"].at(0)["value"].value()), "backend");
}

TEST_F(MetricsApiTest, BadParametersAre400) {
  struct Case {
    std::string target;
    std::string message_part;
  };
  for (const Case& c : std::vector<Case>{
           {"/api/metrics/calls", "service"},
           {"/api/metrics/latencies?service=frontend", "quantile"},
           {"/api/metrics/latencies?service=frontend&quantile=1.5", "quantile"},
           {"/api/metrics/latencies?service=frontend&quantile=abc", "quantile"},
           {"/api/metrics/calls?service=frontend&endTs=yesterday", "endTs"},
           {"/api/metrics/calls?service=frontend&lookback=-5", "lookback"},
           {"/api/metrics/calls?service=frontend&step=0", "step"},
           {"/api/metrics/calls?service=frontend&ratePer=1m", "ratePer"},
           {"/api/metrics/calls?service=frontend&spanKind=sideways", "spanKind"},
           {"/api/metrics/calls?service=frontend&groupByOperation=maybe", "groupByOperation"},
           {"/api/metrics/calls?service=frontend&lookback=86400000&step=1", "11,000 points"},
       }) {
    SCOPED_TRACE(c.target);
    ExpectErrorEnvelope(Get(c.target), 400, c.message_part);
  }
  ExpectErrorEnvelope(Get("/api/metrics/nothing?service=frontend"), 404, "nothing");
}

TEST_F(MetricsApiTest, MinStepIsOneBucket) {
  Json json(Get("/api/metrics/minstep").body);
  EXPECT_EQ(Int(json["data"]), 10000);
}

TEST_F(MetricsApiTest, WithoutSpanMetricsTheRoutesAnswer501) {
  options_.span_metrics = nullptr;
  ExpectErrorEnvelope(Get("/api/metrics/calls?service=frontend"), 501, "span metrics");
  ExpectErrorEnvelope(Get("/api/metrics/minstep"), 501, "span metrics");
  // Bad parameters are still named first.
  ExpectErrorEnvelope(Get("/api/metrics/calls"), 400, "service");
}

TEST_F(MetricsApiTest, PrettyPrintLaysTheJsonOut) {
  HttpResponse compact = Get("/api/services");
  HttpResponse pretty = Get("/api/services?prettyPrint=true");
  EXPECT_EQ(
      pretty.body,
      "{\n    \"data\": [\n        \"backend\",\n        \"frontend\"\n    ],\n    \"total\": "
      "2,\n    \"limit\": 0,\n    \"offset\": 0,\n    \"errors\": null\n}");
  EXPECT_EQ(Get("/api/services?prettyPrint=false").body, compact.body);
  // Every JSON route, errors included; the same JSON either way.
  for (const std::string& target :
       {"/api/metrics/calls?service=frontend" + Window(), std::string("/api/v3/services"),
        std::string("/api/traces/" + std::string(kCartHex)), std::string("/api/metrics/calls")}) {
    SCOPED_TRACE(target);
    HttpResponse a = Get(target);
    HttpResponse b =
        Get(target + (target.find('?') == std::string::npos ? "?" : "&") + "prettyPrint=1");
    EXPECT_EQ(a.status, b.status);
    EXPECT_NE(b.body.find("\n    "), std::string::npos);
    std::string squeezed;
    bool in_string = false;
    for (size_t i = 0; i < b.body.size(); ++i) {
      char ch = b.body[i];
      if (ch == '"' && (i == 0 || b.body[i - 1] != '\\')) in_string = !in_string;
      if (!in_string && (ch == '\n' || ch == ' ')) continue;
      squeezed += ch;
    }
    EXPECT_EQ(squeezed, a.body);
  }
}

}  // namespace
}  // namespace spoor::querytest
