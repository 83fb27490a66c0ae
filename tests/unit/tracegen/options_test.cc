#include "tools/tracegen/options.h"

#include <gtest/gtest.h>

namespace spoor::tracegen {
namespace {

Result<Options> Parse(std::vector<std::string_view> args) {
  return ParseOptions(args);
}

std::string ErrorOf(std::vector<std::string_view> args) {
  Result<Options> r = Parse(std::move(args));
  return r.ok() ? "" : r.status().message();
}

TEST(TracegenOptions, DefaultsAreOtlpGrpcOnTheLocalPortForTenSeconds) {
  Result<Options> o = Parse({});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->protocol, Protocol::kOtlpGrpc);
  EXPECT_EQ(o->host, "127.0.0.1");
  EXPECT_EQ(o->port, 4317);
  EXPECT_EQ(o->duration_ns, 10'000'000'000);
  EXPECT_EQ(o->count_spans, 0u);
  EXPECT_EQ(o->rate_spans_per_s, 0);
  EXPECT_EQ(o->connections, 1);
  EXPECT_EQ(o->spans_per_request, 100);
  EXPECT_FALSE(o->seed.has_value());
}

TEST(TracegenOptions, EachProtocolHasItsDefaultPort) {
  const std::pair<const char*, int> cases[] = {{"otlp-grpc", 4317},      {"otlp-http", 4318},
                                               {"otlp-http-json", 4318}, {"jaeger-udp", 6831},
                                               {"jaeger-http", 14268},   {"zipkin", 9411}};
  for (const auto& [name, port] : cases) {
    const std::string flag = std::string("--protocol=") + name;
    Result<Options> parsed = Parse({flag});
    ASSERT_TRUE(parsed.ok()) << name;
    EXPECT_EQ(ProtocolName(parsed->protocol), name);
    EXPECT_EQ(parsed->port, port) << name;
  }
}

TEST(TracegenOptions, FlagsTakeValuesAfterEqualsOrAsTheNextArgument) {
  Result<Options> o = Parse({"--protocol", "zipkin", "--endpoint=collector:19411", "--rate=2500.5",
                             "--count", "1000", "--connections=4", "--seed=42",
                             "--spans-per-request=10", "--progress", "--timeout=2s"});
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->protocol, Protocol::kZipkin);
  EXPECT_EQ(o->host, "collector");
  EXPECT_EQ(o->port, 19411);
  EXPECT_DOUBLE_EQ(o->rate_spans_per_s, 2500.5);
  EXPECT_EQ(o->count_spans, 1000u);
  EXPECT_EQ(o->duration_ns, 0);  // a count alone sets no time limit
  EXPECT_EQ(o->connections, 4);
  EXPECT_EQ(o->seed, 42u);
  EXPECT_EQ(o->spans_per_request, 10);
  EXPECT_TRUE(o->progress);
  EXPECT_EQ(o->timeout_ns, 2'000'000'000);
}

TEST(TracegenOptions, DurationAndEndpointForms) {
  Result<Options> o = Parse({"--duration=1m30s", "--endpoint=[::1]:4317"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->duration_ns, 90'000'000'000);
  EXPECT_EQ(o->host, "::1");
  o = Parse({"--endpoint=:5000"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->host, "127.0.0.1");
  EXPECT_EQ(o->port, 5000);
}

TEST(TracegenOptions, HelpIsAFlag) {
  Result<Options> o = Parse({"--help"});
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->help);
  EXPECT_NE(HelpText().find("--protocol"), std::string::npos);
  EXPECT_NE(HelpText().find("--sampler-tags"), std::string::npos);
  Result<Options> tagged = Parse({"--sampler-tags", "--seed=3"});
  ASSERT_TRUE(tagged.ok());
  EXPECT_TRUE(tagged->sampler_tags);
  EXPECT_EQ(tagged->seed, 3u);
  EXPECT_FALSE(Parse({}).value().sampler_tags);
}

TEST(TracegenOptions, HeadersAreRepeatableWithLowerCaseNames) {
  Result<Options> o =
      Parse({"--header=X-Tenant:acme", "--header", "Authorization: Bearer a:b", "--header=x-e:"});
  ASSERT_TRUE(o.ok());
  using Header = std::pair<std::string, std::string>;
  EXPECT_EQ(o->headers, (std::vector<Header>{
                            {"x-tenant", "acme"}, {"authorization", "Bearer a:b"}, {"x-e", ""}}));
  EXPECT_TRUE(Parse({})->headers.empty());
}

TEST(TracegenOptions, ErrorsNameTheFlag) {
  EXPECT_EQ(ErrorOf({"--header=no-colon"}),
            "--header: expected NAME:VALUE, like x-tenant:acme: no-colon");
  EXPECT_EQ(ErrorOf({"--header=:v"}), "--header: expected NAME:VALUE, like x-tenant:acme: :v");
  EXPECT_EQ(ErrorOf({"--protocol=smoke-signals"}),
            "--protocol: unknown protocol (see --help): smoke-signals");
  EXPECT_EQ(ErrorOf({"--rate=fast"}),
            "--rate: expected spans per second (0 = as fast as possible): fast");
  EXPECT_EQ(ErrorOf({"--rate=-1"}),
            "--rate: expected spans per second (0 = as fast as possible): -1");
  EXPECT_EQ(ErrorOf({"--duration=10"}), "--duration: expected a positive duration like 10s: 10");
  EXPECT_EQ(ErrorOf({"--count=0"}), "--count: must be from 1 to 18446744073709551615: 0");
  EXPECT_EQ(ErrorOf({"--connections=x"}), "--connections: not a whole number: x");
  EXPECT_EQ(ErrorOf({"--connections=0"}), "--connections: must be from 1 to 1024: 0");
  EXPECT_EQ(ErrorOf({"--endpoint=localhost"}), "--endpoint: expected host:port: localhost");
  EXPECT_EQ(ErrorOf({"--endpoint=localhost:99999"}),
            "--endpoint: expected host:port: localhost:99999");
  EXPECT_EQ(ErrorOf({"--spans-per-request=0"}), "--spans-per-request: must be from 1 to 100000: 0");
  EXPECT_EQ(ErrorOf({"--nope=1"}), "unknown flag --nope (see --help)");
  EXPECT_EQ(ErrorOf({"--seed"}), "--seed: missing value");
  EXPECT_EQ(ErrorOf({"stray"}), "unexpected argument stray (see --help)");
}

}  // namespace
}  // namespace spoor::tracegen
