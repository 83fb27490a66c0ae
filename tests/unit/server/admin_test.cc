// The admin handler: health, /metrics and /version.
#include "server/admin.h"

#include <gtest/gtest.h>

#include <string>

#include "common/metrics.h"
#include "common/time_format.h"

namespace spoor {
namespace {

HttpRequest Request(std::string method, std::string path) {
  HttpRequest r;
  r.method = std::move(method);
  r.target = path;
  r.path = std::move(path);
  return r;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(AdminHealth, ReadyServerIs200Available) {
  AdminState state;
  state.started_ns = NowNs() - 90ULL * 1'000'000'000;
  state.ready = true;
  HttpHandler handler = NewAdminHandler(state);
  HttpResponse r = handler(Request("GET", "/"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body.rfind(R"({"status":"Server available","upSince":")", 0), 0u) << r.body;
  EXPECT_TRUE(Contains(r.body, "\"upSince\":\"" + FormatRfc3339(state.started_ns, true) + "\""))
      << r.body;
  // 90 s and a little: Go's duration form, minutes first.
  EXPECT_TRUE(Contains(r.body, R"("uptime":"1m30)")) << r.body;
}

TEST(AdminHealth, NotReadyServerIs503) {
  AdminState state;
  state.started_ns = NowNs();
  HttpHandler handler = NewAdminHandler(state);
  HttpResponse r = handler(Request("GET", "/"));
  EXPECT_EQ(r.status, 503);
  EXPECT_TRUE(Contains(r.body, R"("status":"Server not available")")) << r.body;
}

TEST(AdminHealth, FollowsTheReadyFlag) {
  AdminState state;
  state.started_ns = NowNs();
  HttpHandler handler = NewAdminHandler(state);
  EXPECT_EQ(handler(Request("GET", "/")).status, 503);
  state.ready = true;
  EXPECT_EQ(handler(Request("GET", "/")).status, 200);
  state.ready = false;  // shutting down
  EXPECT_EQ(handler(Request("GET", "/")).status, 503);
}

TEST(AdminHealth, HealthAndStatusAreAliases) {
  AdminState state;
  state.started_ns = NowNs();
  state.ready = true;
  HttpHandler handler = NewAdminHandler(state);
  EXPECT_EQ(handler(Request("GET", "/health")).status, 200);
  EXPECT_EQ(handler(Request("GET", "/status")).status, 200);
  EXPECT_EQ(handler(Request("HEAD", "/")).status, 200);
}

TEST(AdminMetrics, RendersCountersGaugesAndHistogramsAsPrometheusText) {
  // Fresh names on every run, as the registry is process-wide.
  static int run = 0;
  const std::string p = "admin_test_" + std::to_string(run++) + "_";
  auto& registry = MetricsRegistry::Global();
  registry.GetCounter(p + "requests_total", "Requests seen", {{"code", "200"}}).Inc(3);
  registry.AddGauge(p + "queue_length", "Items queued", {}, [] { return 12.5; });
  Histogram& h = registry.GetHistogram(p + "latency_seconds", "Latency", {{"op", "w"}}, {0.1, 1});
  h.Observe(0.05);
  h.Observe(0.5);

  AdminState state;
  HttpHandler handler = NewAdminHandler(state);
  HttpResponse r = handler(Request("GET", "/metrics"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  const std::string& b = r.body;
  EXPECT_TRUE(Contains(b, "# HELP " + p + "requests_total Requests seen\n")) << b;
  EXPECT_TRUE(Contains(b, "# TYPE " + p + "requests_total counter\n"));
  EXPECT_TRUE(Contains(b, "\n" + p + "requests_total{code=\"200\"} 3\n")) << b;
  EXPECT_TRUE(Contains(b, "# TYPE " + p + "queue_length gauge\n"));
  EXPECT_TRUE(Contains(b, "\n" + p + "queue_length 12.5\n")) << b;
  EXPECT_TRUE(Contains(b, "# TYPE " + p + "latency_seconds histogram\n"));
  EXPECT_TRUE(Contains(b, p + "latency_seconds_bucket{op=\"w\",le=\"0.1\"} 1\n")) << b;
  EXPECT_TRUE(Contains(b, p + "latency_seconds_bucket{op=\"w\",le=\"1\"} 2\n")) << b;
  EXPECT_TRUE(Contains(b, p + "latency_seconds_bucket{op=\"w\",le=\"+Inf\"} 2\n")) << b;
  EXPECT_TRUE(Contains(b, p + "latency_seconds_sum{op=\"w\"} 0.55\n")) << b;
  EXPECT_TRUE(Contains(b, p + "latency_seconds_count{op=\"w\"} 2\n")) << b;
}

TEST(AdminVersion, IsJsonWithVersionCommitAndBuildDate) {
  AdminState state;
  HttpHandler handler = NewAdminHandler(state);
  HttpResponse r = handler(Request("GET", "/version"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body.rfind(R"({"gitCommit":")", 0), 0u) << r.body;
  EXPECT_TRUE(Contains(r.body, R"("gitVersion":"v)")) << r.body;
  EXPECT_TRUE(Contains(r.body, R"("buildDate":")")) << r.body;
  EXPECT_EQ(r.body.back(), '}');
}

TEST(AdminRoutes, UnknownPathIs404) {
  AdminState state;
  HttpHandler handler = NewAdminHandler(state);
  EXPECT_EQ(handler(Request("GET", "/nothing")).status, 404);
}

TEST(AdminRoutes, OtherMethodsAre405WithAllow) {
  AdminState state;
  state.ready = true;
  HttpHandler handler = NewAdminHandler(state);
  HttpResponse r = handler(Request("POST", "/"));
  EXPECT_EQ(r.status, 405);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Allow");
  EXPECT_EQ(r.headers[0].second, "GET");
}

}  // namespace
}  // namespace spoor
