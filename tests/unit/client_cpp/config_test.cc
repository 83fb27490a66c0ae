// The C++ tracer from a configuration document (Jaeger's C++ client keys),
// the environment's overrides, and the OpenTracing plugin entry point
// loaded with OpenTracing's own dynamic loader.
#include "spoor/config.h"

#include <gtest/gtest.h>
#include <opentracing/dynamic_load.h>

#include "spoor/carrier.h"

namespace spoor {
namespace {

std::string ErrorOf(const std::string& doc, const Environment& env = {}) {
  std::string error;
  auto tracer = MakeTracerFromConfig(doc, env, &error);
  EXPECT_EQ(tracer, nullptr) << doc;
  return error;
}

TEST(TracerConfig, JaegersPluginKeysMakeATracer) {
  std::string error;
  auto tracer = MakeTracerFromConfig(R"(
service_name: haproxy
sampler:
  type: const
  param: 1
reporter:
  logSpans: true
  queueSize: 100
  bufferFlushInterval: 1
headers:
  jaegerDebugHeader: jaeger-debug-id
  TraceContextHeaderName: x-trace-id
baggage_restrictions:
  denyBaggageOnInitializationFailure: false
propagation_format: w3c
tags: {team: edge}
)",
                                     {}, &error);
  ASSERT_NE(tracer, nullptr) << error;
  auto span = tracer->StartSpan("request");
  ASSERT_NE(span, nullptr);
  EXPECT_EQ(span->context().ToTraceID().size(), 32u);
  EXPECT_NE(ErrorOf("service_name: a\nheaders: {Colour: x}").find("headers.Colour"),
            std::string::npos);
  tracer->Close();
  // JSON is YAML too.
  EXPECT_NE(MakeTracerFromConfig(R"({"service_name": "x", "sampler": {"type": "probabilistic",
            "param": 0.5}, "reporter": {"otlpEndpoint": "http://127.0.0.1:4318/v1/traces"}})",
                                 {}, &error),
            nullptr)
      << error;
}

TEST(TracerConfig, JaegersDebugAndBaggageHeadersCanBeRenamed) {
  std::string error;
  auto tracer = MakeTracerFromConfig(R"(
service_name: edge
sampler: {type: const, param: 0}
reporter: {logSpans: true}
headers: {jaegerDebugHeader: x-debug, jaegerBaggageHeader: x-bag}
)",
                                     {}, &error);
  ASSERT_NE(tracer, nullptr) << error;
  MapCarrier in({{"X-Debug", "d-1"}, {"X-Bag", "k=v"}});
  auto ctx = tracer->Extract(in.http_reader());
  ASSERT_TRUE(ctx && *ctx);
  auto span = tracer->StartSpan("op", {opentracing::ChildOf(ctx->get())});
  EXPECT_EQ(span->BaggageItem("k"), "v");
  MapCarrier out;
  ASSERT_TRUE(tracer->Inject(span->context(), out.http_writer()));
  const std::string& id = out.values()["uber-trace-id"];
  EXPECT_EQ(id.substr(id.size() - 2), ":3");  // sampled and debug, though the sampler says no
  // Under the default names, these headers are not read now.
  MapCarrier defaults(std::map<std::string, std::string>{{"jaeger-debug-id", "d-2"}});
  auto none = tracer->Extract(defaults.http_reader());
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, nullptr);
  span->Finish();
  tracer->Close();
}

TEST(TracerConfig, ErrorsNameTheKey) {
  EXPECT_NE(ErrorOf("sampler: {type: const}").find("service_name"), std::string::npos);
  EXPECT_NE(ErrorOf("service_name: a\nsampler: {type: sometimes}").find("sampler.type"),
            std::string::npos);
  EXPECT_NE(
      ErrorOf("service_name: a\nsampler: {type: probabilistic, param: 2}").find("sampler.param"),
      std::string::npos);
  EXPECT_NE(ErrorOf("service_name: a\nsampler: {param: lots}").find("sampler.param"),
            std::string::npos);
  EXPECT_NE(ErrorOf("service_name: a\nreporter: {otlpEndpoint: 'ftp://x:1/v1/traces'}")
                .find("reporter.otlpEndpoint"),
            std::string::npos);
  EXPECT_NE(ErrorOf("service_name: a\nreporter: {localAgentHostPort: 'nocolon'}")
                .find("reporter.localAgentHostPort"),
            std::string::npos);
  EXPECT_NE(ErrorOf("service_name: a\nreporter: {endpoint: 'ftp://c:14268/api/traces'}")
                .find("reporter.endpoint"),
            std::string::npos);
  EXPECT_NE(ErrorOf("service_name: a\nreporter: {tls: {colour: blue}}").find("reporter.tls.colour"),
            std::string::npos);
  EXPECT_NE(ErrorOf("service_name: a\nreporter: {otlpEndpoint: 'https://127.0.0.1:4318/v1/traces', "
                    "tls: {ca: /nonexistent/ca.pem}}")
                .find("CA file /nonexistent/ca.pem"),
            std::string::npos);
  EXPECT_NE(ErrorOf("service_name: a\nreporter: {otlpEndpoint: 'https://127.0.0.1:4318/v1/traces'}",
                    {{"OTEL_EXPORTER_OTLP_CERTIFICATE", "/nonexistent/otel.pem"}})
                .find("CA file /nonexistent/otel.pem"),
            std::string::npos);
  EXPECT_NE(ErrorOf("service_name: a\nsampler: {type: remote, samplingServerURL: "
                    "'https://127.0.0.1:5778/sampling', tls: {cert: /x.pem}}")
                .find("go together"),
            std::string::npos);
  EXPECT_NE(ErrorOf("service_name: a\ncolour: blue").find("colour: unknown key"),
            std::string::npos);
  EXPECT_NE(ErrorOf("service_name: a\npropagation: [jaeger, smoke]").find("propagation[1]"),
            std::string::npos);
  EXPECT_NE(ErrorOf("{service_name: [").find("not YAML or JSON"), std::string::npos);
  EXPECT_NE(ErrorOf("service_name: a\nsampler: {type: const, param: 1}",
                    {{"JAEGER_SAMPLER_TYPE", "nope"}})
                .find("sampler.type"),
            std::string::npos);
}

TEST(TracerConfig, TheEnvironmentOverridesTheDocument) {
  std::string error;
  // A service name from the environment alone is enough.
  EXPECT_NE(MakeTracerFromConfig("",
                                 {{"JAEGER_SERVICE_NAME", "env-svc"},
                                  {"JAEGER_SAMPLER_TYPE", "const"},
                                  {"JAEGER_SAMPLER_PARAM", "1"},
                                  {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318/"},
                                  {"JAEGER_TAGS", "a=1,b=2"},
                                  {"JAEGER_PROPAGATION", "b3,w3c"}},
                                 &error),
            nullptr)
      << error;
  EXPECT_NE(ErrorOf("service_name: a", {{"JAEGER_TAGS", "novalue"}}).find("JAEGER_TAGS"),
            std::string::npos);
  EXPECT_NE(
      MakeTracerFromConfig("service_name: a",
                           {{"JAEGER_ENDPOINT", "http://127.0.0.1:14268/api/traces"}}, &error),
      nullptr)
      << error;
  EXPECT_NE(MakeTracerFromConfig(
                "service_name: a\nsampler: {type: const, param: 1}",
                {{"JAEGER_AGENT_HOST", "127.0.0.1"}, {"JAEGER_AGENT_PORT", "6831"}}, &error),
            nullptr)
      << error;
  // Disabled: OpenTracing's no-op tracer.
  auto noop = MakeTracerFromConfig("service_name: a", {{"JAEGER_DISABLED", "true"}}, &error);
  ASSERT_NE(noop, nullptr);
  EXPECT_EQ(noop->StartSpan("x")->context().ToTraceID(), "");
}

TEST(TracerPlugin, OpenTracingsLoaderMakesATracerFromTheLibrary) {
  std::string error;
  auto handle = opentracing::DynamicallyLoadTracingLibrary(SPOOR_TRACER_LIBRARY, error);
  ASSERT_TRUE(handle) << error;
  auto tracer = handle->tracer_factory().MakeTracer(
      "service_name: plugged\nsampler: {type: const, param: 1}\nreporter: {logSpans: true}", error);
  ASSERT_TRUE(tracer) << error;
  auto span = (*tracer)->StartSpan("from the plugin");
  EXPECT_EQ(span->context().ToSpanID().size(), 16u);
  span->Finish();
  (*tracer)->Close();
  auto bad = handle->tracer_factory().MakeTracer("sampler: {type: const}", error);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), opentracing::invalid_configuration_error);
  EXPECT_NE(error.find("service_name"), std::string::npos) << error;
}

}  // namespace
}  // namespace spoor
