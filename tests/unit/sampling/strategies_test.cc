#include "sampling/strategies.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "sampling/sampling_http.h"

namespace spoor {
namespace {

constexpr const char* kExample = R"({"default_strategy": {"type": "probabilistic", "param": 0.5,
  "operation_strategies": [{"operation": "op0", "type": "probabilistic", "param": 0.2}]},
 "service_strategies": [{"service": "foo", "type": "probabilistic", "param": 0.8,
   "operation_strategies": [{"operation": "op6", "type": "probabilistic", "param": 0.5}]},
  {"service": "bar", "type": "ratelimiting", "param": 5}]})";

SamplingStrategies Parse(const std::string& json) {
  auto r = ParseStrategies(json);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r.value() : SamplingStrategies{};
}

std::string ParseError(const std::string& json) {
  auto r = ParseStrategies(json);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

TEST(StrategiesTest, ParsesTheExampleFile) {
  SamplingStrategies s = Parse(kExample);
  EXPECT_EQ(s.default_strategy.type, StrategyType::kProbabilistic);
  EXPECT_EQ(s.default_strategy.param, 0.5);
  ASSERT_EQ(s.default_strategy.operation_strategies.size(), 1u);
  EXPECT_EQ(s.default_strategy.operation_strategies[0].operation, "op0");
  EXPECT_EQ(s.default_strategy.operation_strategies[0].probability, 0.2);
  ASSERT_EQ(s.service_strategies.size(), 2u);
  EXPECT_EQ(s.service_strategies[0].service, "foo");
  EXPECT_EQ(s.service_strategies[0].strategy.param, 0.8);
  EXPECT_EQ(s.service_strategies[1].service, "bar");
  EXPECT_EQ(s.service_strategies[1].strategy.type, StrategyType::kRateLimiting);
  EXPECT_EQ(s.service_strategies[1].strategy.param, 5);
}

TEST(StrategiesTest, MissingDefaultIsProbabilisticOneInAThousand) {
  SamplingStrategies s = Parse(R"({"service_strategies": []})");
  EXPECT_EQ(s.default_strategy.type, StrategyType::kProbabilistic);
  EXPECT_EQ(s.default_strategy.param, kDefaultSamplingProbability);
  EXPECT_TRUE(s.service_strategies.empty());
}

TEST(StrategiesTest, ValidationErrors) {
  EXPECT_EQ(ParseError(R"({"service_strategies": [{"service": "a", "type": "probabilistic",
      "param": 0.1}, {"service": "b", "type": "probabilistic", "param": 1.5}]})"),
            "strategies file: service_strategies[1].param: probabilistic param must be in [0, 1]");
  EXPECT_EQ(ParseError(R"({"default_strategy": {"type": "adaptive", "param": 1}})"),
            "strategies file: default_strategy.type: unknown type 'adaptive' (expected "
            "probabilistic or ratelimiting)");
  EXPECT_EQ(ParseError(R"({"default_strategy": {"type": "probabilistic", "param": 1,
      "operation_strategies": [{"operation": "x", "type": "ratelimiting", "param": 3}]}})"),
            "strategies file: default_strategy.operation_strategies[0].type: operation "
            "strategies must be probabilistic");
  EXPECT_EQ(ParseError(R"({"service_strategies": [{"type": "probabilistic", "param": 1}]})"),
            "strategies file: service_strategies[0].service: missing");
  EXPECT_EQ(ParseError(R"({"service_strategies": [{"service": "a", "param": 1}]})"),
            "strategies file: service_strategies[0].type: missing");
  EXPECT_EQ(ParseError(R"({"service_strategies": [{"service": "a", "type": "ratelimiting"}]})"),
            "strategies file: service_strategies[0].param: missing");
  EXPECT_EQ(ParseError(R"({"service_strategies": [{"service": "", "type": "ratelimiting",
      "param": 1}]})"),
            "strategies file: service_strategies[0].service: must not be empty");
  EXPECT_EQ(ParseError(R"({"default_strategy": {"type": "ratelimiting", "param": -1}})"),
            "strategies file: default_strategy.param: ratelimiting param must be a non-negative "
            "number");
  EXPECT_EQ(ParseError(R"({"default_strategy": {"type": "probabilistic", "param": "1"}})"),
            "strategies file: default_strategy.param: expected a number");
  EXPECT_EQ(ParseError(R"({"default_strategy": {"type": "probabilistic", "param": 1,
      "operation_strategies": [{"type": "probabilistic", "param": 0.1}]}})"),
            "strategies file: default_strategy.operation_strategies[0].operation: missing");
  EXPECT_EQ(ParseError(R"({"default_strategy": {"type": "probabilistic", "param": 1,
      "operation_strategies": [{"operation": "o", "type": "probabilistic", "param": 2}]}})"),
            "strategies file: default_strategy.operation_strategies[0].param: probabilistic "
            "param must be in [0, 1]");
  EXPECT_EQ(ParseError(R"([])"), "strategies file: expected an object");
  EXPECT_EQ(ParseError(R"({"service_strategies": {}})"),
            "strategies file: service_strategies: expected an array");
  EXPECT_NE(ParseError("{").find("strategies file: invalid JSON"), std::string::npos);
}

TEST(StrategiesTest, MergingRules) {
  SamplingStrategies s = Parse(R"({"default_strategy": {"type": "probabilistic", "param": 0.5,
      "operation_strategies": [{"operation": "op0", "type": "probabilistic", "param": 0.2},
                               {"operation": "op1", "type": "probabilistic", "param": 0.3}]},
    "service_strategies": [
      {"service": "merged", "type": "probabilistic", "param": 0.8,
       "operation_strategies": [{"operation": "op1", "type": "probabilistic", "param": 0.9},
                                {"operation": "op2", "type": "probabilistic", "param": 0.4}]},
      {"service": "inherits", "type": "probabilistic", "param": 0.7},
      {"service": "limited", "type": "ratelimiting", "param": 3}]})");

  Strategy merged = StrategyFor(s, "merged");
  EXPECT_EQ(merged.param, 0.8);
  ASSERT_EQ(merged.operation_strategies.size(), 3u);
  EXPECT_EQ(merged.operation_strategies[0].operation, "op1");
  EXPECT_EQ(merged.operation_strategies[0].probability, 0.9);  // the service's entry wins
  EXPECT_EQ(merged.operation_strategies[1].operation, "op2");
  EXPECT_EQ(merged.operation_strategies[2].operation, "op0");
  EXPECT_EQ(merged.operation_strategies[2].probability, 0.2);

  Strategy inherits = StrategyFor(s, "inherits");
  EXPECT_EQ(inherits.param, 0.7);
  ASSERT_EQ(inherits.operation_strategies.size(), 2u);
  EXPECT_EQ(inherits.operation_strategies[0].operation, "op0");
  EXPECT_EQ(inherits.operation_strategies[1].operation, "op1");

  Strategy limited = StrategyFor(s, "limited");
  EXPECT_EQ(limited.type, StrategyType::kRateLimiting);
  EXPECT_TRUE(limited.operation_strategies.empty());

  Strategy unknown = StrategyFor(s, "unknown");
  EXPECT_EQ(unknown.param, 0.5);
  EXPECT_EQ(unknown.operation_strategies.size(), 2u);
}

TEST(StrategiesTest, ResponseJsonForTheExampleFile) {
  SamplingStrategies s = Parse(kExample);
  EXPECT_EQ(StrategyResponseJson(s, "foo"),
            R"({"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.8},)"
            R"("operationSampling":{"defaultSamplingProbability":0.8,)"
            R"("defaultLowerBoundTracesPerSecond":0,"perOperationStrategies":[)"
            R"({"operation":"op6","probabilisticSampling":{"samplingRate":0.5}},)"
            R"({"operation":"op0","probabilisticSampling":{"samplingRate":0.2}}],)"
            R"("defaultUpperBoundTracesPerSecond":0}})");
  EXPECT_EQ(StrategyResponseJson(s, "bar"),
            R"({"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":5}})");
  EXPECT_EQ(StrategyResponseJson(s, "other"),
            R"({"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.5},)"
            R"("operationSampling":{"defaultSamplingProbability":0.5,)"
            R"("defaultLowerBoundTracesPerSecond":0,"perOperationStrategies":[)"
            R"({"operation":"op0","probabilisticSampling":{"samplingRate":0.2}}],)"
            R"("defaultUpperBoundTracesPerSecond":0}})");
}

TEST(StrategiesTest, DefaultStrategiesLeaveOutOperationSampling) {
  EXPECT_EQ(StrategyResponseJson(DefaultStrategies(1.0), "any"),
            R"({"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":1}})");
}

HttpRequest Get(std::string query) {
  HttpRequest req;
  req.method = "GET";
  req.path = "/sampling";
  req.query = std::move(query);
  return req;
}

TEST(SamplingHttpTest, ServiceMustAppearOnceAndBeNonEmpty) {
  SamplingStrategies s = Parse(kExample);
  for (const char* query : {"", "service=", "service=foo&service=bar", "other=foo"}) {
    HttpResponse r = HandleSamplingRequest(Get(query), s);
    EXPECT_EQ(r.status, 400) << query;
    EXPECT_EQ(r.body, "'service' parameter must be provided once\n");
  }
  HttpResponse ok = HandleSamplingRequest(Get("service=bar"), s);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.content_type, "application/json");
  EXPECT_EQ(ok.body, StrategyResponseJson(s, "bar"));

  HttpRequest post = Get("service=bar");
  post.method = "POST";
  EXPECT_EQ(HandleSamplingRequest(post, s).status, 405);
}

class StrategiesHolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("spoor-strategies-" + std::to_string(::getpid()) + ".json"))
                .string();
  }
  void TearDown() override { std::filesystem::remove(path_); }
  void Write(const std::string& text) {
    std::ofstream out(path_, std::ios::trunc);
    out << text;
  }
  std::string path_;
};

TEST_F(StrategiesHolderTest, ReloadKeepsTheLastGoodStrategies) {
  Write(kExample);
  auto loaded = LoadStrategiesFile(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  StrategiesHolder holder(loaded.value(), path_);
  EXPECT_EQ(holder.Get()->service_strategies.size(), 2u);

  Write(R"({"default_strategy": {"type": "ratelimiting", "param": 7}})");
  ASSERT_TRUE(holder.Reload().ok());
  EXPECT_EQ(holder.Handle(Get("service=foo")).body,
            R"({"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":7}})");

  Write(R"({"default_strategy": {"type": "probabilistic", "param": 9}})");
  Status bad = holder.Reload();
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("probabilistic param must be in [0, 1]"), std::string::npos);
  EXPECT_EQ(holder.Get()->default_strategy.type, StrategyType::kRateLimiting);
  EXPECT_EQ(holder.Get()->default_strategy.param, 7);

  std::filesystem::remove(path_);
  EXPECT_FALSE(holder.Reload().ok());
  EXPECT_EQ(holder.Get()->default_strategy.param, 7);
}

TEST(StrategiesTest, LoadReportsAMissingFile) {
  auto r = LoadStrategiesFile("/nonexistent/strategies.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "cannot read strategies file '/nonexistent/strategies.json'");
}

}  // namespace
}  // namespace spoor
