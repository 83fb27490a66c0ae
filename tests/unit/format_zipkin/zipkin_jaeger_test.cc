// Zipkin spans as a Jaeger user sees them: decoded, then written by the
// Jaeger query API encoder.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <string>

#include "common/json_writer.h"
#include "formats/jaeger_json/jaeger_json.h"
#include "formats/zipkin/zipkin_decode.h"

namespace spoor {
namespace {

namespace dom = simdjson::dom;

// Decodes `zipkin` and renders all of its spans as one Jaeger trace.
std::string ToJaeger(std::string_view zipkin) {
  SpanBatch batch;
  Status status = DecodeZipkinV2Json(zipkin, &batch, nullptr);
  EXPECT_TRUE(status.ok()) << status.message();
  Trace trace;
  for (const ResourceSpans& rs : batch.resource_spans) {
    for (const ScopeSpans& ss : rs.scope_spans) {
      for (const Span& span : ss.spans) {
        trace.trace_id = span.trace_id;
        trace.spans.push_back({rs.resource, ss.scope, span, {}});
      }
    }
  }
  std::string out;
  JsonWriter w(out);
  AppendJaegerTrace(trace, w);
  return out;
}

// A Jaeger tag list as key -> value text.
std::map<std::string, std::string> Tags(dom::element list) {
  std::map<std::string, std::string> out;
  for (dom::element tag : list.get_array()) {
    std::string_view key = tag["key"].get_string();
    dom::element value = tag["value"];
    out[std::string(key)] =
        value.is_string() ? std::string(value.get_string().value()) : simdjson::minify(value);
  }
  return out;
}

constexpr std::string_view kClientAndServer = R"([
  {"traceId":"5b8efff798038103d269b633813fc60c","id":"eee19b7ec3c1b174","name":"get /api",
   "kind":"CLIENT","timestamp":1472470996199000,"duration":207000,"debug":true,
   "localEndpoint":{"serviceName":"frontend","ipv4":"192.168.99.1","port":8080},
   "remoteEndpoint":{"serviceName":"backend","ipv4":"192.168.99.2","port":9000},
   "annotations":[{"timestamp":1472470996238000,"value":"ws"}],
   "tags":{"http.method":"GET","http.path":"/api"}},
  {"traceId":"5b8efff798038103d269b633813fc60c","id":"0000000000000abc",
   "parentId":"eee19b7ec3c1b174","name":"query","kind":"CLIENT",
   "timestamp":1472470996250000,"duration":1000,
   "localEndpoint":{"serviceName":"backend"},
   "tags":{"error":"connection refused","sql.query":"select 1"}}
])";

TEST(ZipkinJaeger, SpansShowTheTagsLogsAndReferencesJaegerShows) {
  const std::string json = ToJaeger(kClientAndServer);
  dom::parser parser;
  dom::element trace;
  ASSERT_EQ(parser.parse(json).get(trace), simdjson::SUCCESS) << json;
  EXPECT_EQ(std::string_view(trace["traceID"].get_string()), "5b8efff798038103d269b633813fc60c");

  dom::array spans = trace["spans"].get_array();
  ASSERT_EQ(spans.size(), 2u);
  dom::element client = spans.at(0);
  EXPECT_EQ(std::string_view(client["spanID"].get_string()), "eee19b7ec3c1b174");
  EXPECT_EQ(std::string_view(client["operationName"].get_string()), "get /api");
  EXPECT_EQ(int64_t(client["startTime"].get_int64()), 1472470996199000);
  EXPECT_EQ(int64_t(client["duration"].get_int64()), 207000);
  EXPECT_EQ(int64_t(client["flags"].get_int64()), 3);
  EXPECT_EQ(client["references"].get_array().size(), 0u);
  std::map<std::string, std::string> tags = Tags(client["tags"]);
  EXPECT_EQ(tags["http.method"], "GET");
  EXPECT_EQ(tags["http.path"], "/api");
  EXPECT_EQ(tags["span.kind"], "client");
  EXPECT_EQ(tags["peer.service"], "backend");
  EXPECT_EQ(tags["net.peer.ip"], "192.168.99.2");
  EXPECT_EQ(tags["net.peer.port"], "9000");
  EXPECT_EQ(tags.count("error"), 0u);
  dom::array logs = client["logs"].get_array();
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(int64_t(logs.at(0)["timestamp"].get_int64()), 1472470996238000);
  EXPECT_EQ(Tags(logs.at(0)["fields"])["event"], "ws");

  dom::element child = spans.at(1);
  dom::array refs = child["references"].get_array();
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(std::string_view(refs.at(0)["refType"].get_string()), "CHILD_OF");
  EXPECT_EQ(std::string_view(refs.at(0)["spanID"].get_string()), "eee19b7ec3c1b174");
  EXPECT_EQ(std::string_view(child["spanID"].get_string()), "0000000000000abc");
  EXPECT_EQ(int64_t(child["flags"].get_int64()), 1);
  std::map<std::string, std::string> child_tags = Tags(child["tags"]);
  EXPECT_EQ(child_tags["error"], "true");
  EXPECT_EQ(child_tags["otel.status_code"], "ERROR");
  EXPECT_EQ(child_tags["otel.status_description"], "connection refused");
  EXPECT_EQ(child_tags["sql.query"], "select 1");

  // One process per local endpoint, with its address and port.
  dom::object processes = trace["processes"].get_object();
  ASSERT_EQ(processes.size(), 2u);
  std::string_view client_pid = client["processID"].get_string();
  std::string_view child_pid = child["processID"].get_string();
  EXPECT_NE(client_pid, child_pid);
  dom::element frontend = processes[client_pid];
  EXPECT_EQ(std::string_view(frontend["serviceName"].get_string()), "frontend");
  std::map<std::string, std::string> process_tags = Tags(frontend["tags"]);
  EXPECT_EQ(process_tags["net.host.ip"], "192.168.99.1");
  EXPECT_EQ(process_tags["net.host.port"], "8080");
  EXPECT_EQ(std::string_view(processes[child_pid]["serviceName"].get_string()), "backend");
}

TEST(ZipkinJaeger, MissingServiceNameShowsTheNoServicePlaceholder) {
  const std::string json = ToJaeger(R"([{"traceId":"1","id":"2","name":"x"}])");
  dom::parser parser;
  dom::element trace;
  ASSERT_EQ(parser.parse(json).get(trace), simdjson::SUCCESS) << json;
  dom::object processes = trace["processes"].get_object();
  ASSERT_EQ(processes.size(), 1u);
  EXPECT_EQ(std::string_view((*processes.begin()).value["serviceName"].get_string()),
            kNoServiceName);
  EXPECT_EQ(std::string_view(trace["traceID"].get_string()), "0000000000000001");
}

}  // namespace
}  // namespace spoor
