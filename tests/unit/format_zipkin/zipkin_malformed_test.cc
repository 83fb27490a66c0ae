// Malformed Zipkin v2 JSON: every failure is InvalidArgument with the path of
// the offending value, and leaves the batch and stats untouched.
#include <gtest/gtest.h>

#include <string>

#include "formats/zipkin/zipkin_decode.h"

namespace spoor {
namespace {

// The error message of a body that must fail to decode.
std::string ErrorOf(std::string_view json) {
  SpanBatch batch;
  DecodeStats stats;
  Status status = DecodeZipkinV2Json(json, &batch, &stats);
  EXPECT_FALSE(status.ok()) << json;
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << json;
  EXPECT_TRUE(batch.resource_spans.empty()) << json;
  EXPECT_EQ(stats.rejected_spans, 0u) << json;
  return status.message();
}

TEST(ZipkinMalformed, WrongTypesNameThePath) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {R"({"traceId":"1"})", "zipkin json: expected array of spans"},
      {R"("spans")", "zipkin json: expected array of spans"},
      {R"([1])", "zipkin json: [0]: expected object"},
      {R"([{"traceId":"1","id":"1"},{"traceId":"1","id":"2"},{"traceId":"1","id":"3"},
          {"traceId":"1","id":"4","timestamp":"1"}])",
       "zipkin json: [3].timestamp: expected integer"},
      {R"([{"traceId":1,"id":"1"}])", "zipkin json: [0].traceId: expected string"},
      {R"([{"traceId":"1","id":1}])", "zipkin json: [0].id: expected string"},
      {R"([{"parentId":true}])", "zipkin json: [0].parentId: expected string"},
      {R"([{"name":{}}])", "zipkin json: [0].name: expected string"},
      {R"([{"kind":"INTERNAL"}])", "zipkin json: [0].kind: unknown kind \"INTERNAL\""},
      {R"([{"kind":2}])", "zipkin json: [0].kind: expected string"},
      {R"([{"timestamp":-1}])", "zipkin json: [0].timestamp: integer out of range"},
      {R"([{"timestamp":1.5}])", "zipkin json: [0].timestamp: expected integer"},
      {R"([{"timestamp":1e30}])", "zipkin json: [0].timestamp: integer out of range"},
      {R"([{"timestamp":18446744073709551615}])",
       "zipkin json: [0].timestamp: integer out of range"},
      {R"([{"timestamp":18446744073709551,"duration":1}])",
       "zipkin json: [0].duration: integer out of range"},
      {R"([{"duration":[]}])", "zipkin json: [0].duration: expected integer"},
      {R"([{"localEndpoint":"svc"}])", "zipkin json: [0].localEndpoint: expected object"},
      {R"([{"localEndpoint":{"serviceName":5}}])",
       "zipkin json: [0].localEndpoint.serviceName: expected string"},
      {R"([{"remoteEndpoint":{"ipv4":1}}])",
       "zipkin json: [0].remoteEndpoint.ipv4: expected string"},
      {R"([{"remoteEndpoint":{"ipv6":[]}}])",
       "zipkin json: [0].remoteEndpoint.ipv6: expected string"},
      {R"([{"remoteEndpoint":{"port":65536}}])",
       "zipkin json: [0].remoteEndpoint.port: integer out of range"},
      {R"([{"remoteEndpoint":{"port":"80"}}])",
       "zipkin json: [0].remoteEndpoint.port: expected integer"},
      {R"([{"annotations":{}}])", "zipkin json: [0].annotations: expected array"},
      {R"([{"annotations":[1]}])", "zipkin json: [0].annotations[0]: expected object"},
      {R"([{"annotations":[{"value":"a"},{"timestamp":"x"}]}])",
       "zipkin json: [0].annotations[1].timestamp: expected integer"},
      {R"([{"annotations":[{"value":1}]}])",
       "zipkin json: [0].annotations[0].value: expected string"},
      {R"([{"tags":[]}])", "zipkin json: [0].tags: expected object"},
      {R"([{"tags":{"a":{}}}])", "zipkin json: [0].tags.a: expected string"},
      {R"([{"tags":{"a":["x"]}}])", "zipkin json: [0].tags.a: expected string"},
      {R"([{"debug":"true"}])", "zipkin json: [0].debug: expected boolean"},
      {R"([{"shared":1}])", "zipkin json: [0].shared: expected boolean"},
  };
  for (auto [json, message] : cases) EXPECT_EQ(ErrorOf(json), message) << json;
}

TEST(ZipkinMalformed, TypeErrorsFailEvenInRejectedSpans) {
  EXPECT_EQ(ErrorOf(R"([{"id":"0","duration":"1"}])"),
            "zipkin json: [0].duration: expected integer");
}

TEST(ZipkinMalformed, InvalidJsonFails) {
  for (std::string_view json : {"", " ", "[", "[{", "]", "[{]}", "[{\"traceId\":\"1\"", "nul",
                                "[1,]", "[{\"a\":1,}]", "[\"\xff\"]", "[]]", "[] []"}) {
    std::string message = ErrorOf(json);
    EXPECT_EQ(message.rfind("zipkin json: ", 0), 0u) << message;
  }
}

TEST(ZipkinMalformed, EveryTruncationFailsCleanly) {
  const std::string json =
      R"([{"traceId":"5b8efff798038103d269b633813fc60c","id":"eee19b7ec3c1b174",
    "parentId":"eee19b7ec3c1b173","name":"get","kind":"CLIENT","timestamp":1472470996199000,
    "duration":207000,"localEndpoint":{"serviceName":"fe","ipv4":"127.0.0.1","port":80},
    "remoteEndpoint":{"serviceName":"be","ipv6":"::1","port":8080},
    "annotations":[{"timestamp":1472470996238000,"value":"ws"}],
    "tags":{"http.path":"/api","error":"x"},"debug":true,"shared":false}])";
  for (size_t n = 0; n < json.size(); ++n) {
    SpanBatch batch;
    DecodeStats stats;
    Status status = DecodeZipkinV2Json(std::string_view(json).substr(0, n), &batch, &stats);
    EXPECT_FALSE(status.ok()) << n;
    EXPECT_TRUE(batch.resource_spans.empty()) << n;
  }
  SpanBatch batch;
  ASSERT_TRUE(DecodeZipkinV2Json(json, &batch, nullptr).ok());
  EXPECT_EQ(batch.SpanCount(), 1u);
}

TEST(ZipkinMalformed, DeepNestingFails) {
  for (size_t depth : {size_t{100}, size_t{5000}, size_t{100000}}) {
    std::string json = "[{\"tags\":{\"a\":";
    json.append(depth, '[');
    json.append(depth, ']');
    json.append("}}]");
    EXPECT_FALSE(ErrorOf(json).empty()) << depth;

    std::string arrays(depth, '[');
    arrays.append(depth, ']');
    EXPECT_FALSE(ErrorOf(arrays).empty()) << depth;
  }
}

TEST(ZipkinMalformed, FailureAfterGoodSpansLeavesOutputsUnchanged) {
  SpanBatch batch;
  DecodeStats stats;
  Status status =
      DecodeZipkinV2Json(R"([{"traceId":"1","id":"1"},{"id":"2"},{"debug":1}])", &batch, &stats);
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(batch.resource_spans.empty());
  EXPECT_EQ(stats.rejected_spans, 0u);
  EXPECT_TRUE(stats.rejection_reason.empty());
}

}  // namespace
}  // namespace spoor
