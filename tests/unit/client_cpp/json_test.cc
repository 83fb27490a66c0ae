// The C++ tracer's JSON reader (sampling strategies, configuration).
#include "client/cpp/src/json.h"

#include <gtest/gtest.h>

namespace spoor::internal {
namespace {

TEST(TracerJson, ReadsWhatTheSamplingEndpointWrites) {
  Json doc;
  std::string error;
  ASSERT_TRUE(
      ParseJson(R"({"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":1e-3},
    "operationSampling":{"perOperationStrategies":[{"operation":"caf\u00e9 \"x\"\n","ok":true,"n":null}]}})",
                &doc, &error))
      << error;
  EXPECT_DOUBLE_EQ(doc.Get("probabilisticSampling")->Get("samplingRate")->number, 0.001);
  const Json& op = doc.Get("operationSampling")->Get("perOperationStrategies")->array.at(0);
  EXPECT_EQ(op.Get("operation")->string, "caf\xc3\xa9 \"x\"\n");
  EXPECT_TRUE(op.Get("ok")->bool_value);
  EXPECT_TRUE(op.Get("n")->is(Json::Type::kNull));
  EXPECT_EQ(op.Get("missing"), nullptr);
  EXPECT_TRUE(ParseJson(" [ ] ", &doc, &error));
  EXPECT_TRUE(doc.is(Json::Type::kArray));
}

TEST(TracerJson, RefusesWhatIsNotJsonSayingWhere) {
  for (const char* bad : {"", "{", "{\"a\" 1}", "[1,]", "\"open", "tru", "{} x", "\"\\q\""}) {
    Json doc;
    std::string error;
    EXPECT_FALSE(ParseJson(bad, &doc, &error)) << bad;
    EXPECT_NE(error.find("at offset"), std::string::npos) << bad << ": " << error;
  }
  std::string deep(100, '[');
  Json doc;
  std::string error;
  EXPECT_FALSE(ParseJson(deep, &doc, &error));
  EXPECT_NE(error.find("nested too deep"), std::string::npos) << error;
}

}  // namespace
}  // namespace spoor::internal
