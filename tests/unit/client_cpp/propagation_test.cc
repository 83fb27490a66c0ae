// Context propagation of Spoor's C++ tracer: Jaeger, W3C and B3 headers
// written and read back, read as other clients write them, and malformed
// headers refused.
#include <gtest/gtest.h>
#include <opentracing/propagation.h>

#include <map>
#include <sstream>
#include <string>

#include "spoor/carrier.h"
#include "spoor/tracer.h"

namespace spoor {
namespace {

using Carrier = MapCarrier;

std::shared_ptr<opentracing::Tracer> TracerWith(std::vector<PropagationFormat> formats,
                                                bool b3_single = false) {
  TracerOptions o;
  o.service_name = "svc";
  o.propagation = std::move(formats);
  o.b3_single_header = b3_single;
  return MakeTracer(std::move(o));
}

std::unique_ptr<opentracing::SpanContext> Extracted(const opentracing::Tracer& tracer,
                                                    const Carrier& carrier) {
  auto r = tracer.Extract(static_cast<const opentracing::HTTPHeadersReader&>(carrier));
  EXPECT_TRUE(r) << r.error().message();
  return r ? std::move(*r) : nullptr;
}

TEST(Propagation, EachFormatRoundTrips) {
  for (auto format :
       {PropagationFormat::kJaeger, PropagationFormat::kW3C, PropagationFormat::kB3}) {
    for (bool single : {false, true}) {
      auto tracer = TracerWith({format}, single);
      auto span = tracer->StartSpan("op");
      span->SetBaggageItem("user id", "ada lovelace");
      Carrier carrier;
      ASSERT_TRUE(tracer->Inject(span->context(),
                                 static_cast<const opentracing::HTTPHeadersWriter&>(carrier)));
      auto ctx = Extracted(*tracer, carrier);
      ASSERT_NE(ctx, nullptr) << static_cast<int>(format);
      EXPECT_EQ(ctx->ToTraceID(), span->context().ToTraceID());
      EXPECT_EQ(ctx->ToSpanID(), span->context().ToSpanID());
      // A child of the extracted context continues the trace.
      auto child = tracer->StartSpan("child", {opentracing::ChildOf(ctx.get())});
      EXPECT_EQ(child->context().ToTraceID(), span->context().ToTraceID());
      if (format != PropagationFormat::kB3) {  // B3 carries no baggage
        std::string user;
        ctx->ForeachBaggageItem([&](const std::string& k, const std::string& v) {
          if (k == "user id") user = v;
          return true;
        });
        EXPECT_EQ(user, "ada lovelace") << static_cast<int>(format);
      }
    }
  }
}

TEST(Propagation, HeadersAreWhatOtherClientsRead) {
  auto tracer =
      TracerWith({PropagationFormat::kJaeger, PropagationFormat::kW3C, PropagationFormat::kB3});
  Carrier in;
  in.values()["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  auto parent = Extracted(*tracer, in);
  ASSERT_NE(parent, nullptr);
  auto span = tracer->StartSpan("op", {opentracing::ChildOf(parent.get())});
  span->SetBaggageItem("k", "v 1");
  Carrier out;
  ASSERT_TRUE(
      tracer->Inject(span->context(), static_cast<const opentracing::HTTPHeadersWriter&>(out)));
  std::string id = span->context().ToSpanID();
  EXPECT_EQ(out.values()["uber-trace-id"],
            "0af7651916cd43dd8448eb211c80319c:" + id + ":b7ad6b7169203331:1");
  EXPECT_EQ(out.values()["uberctx-k"], "v%201");
  EXPECT_EQ(out.values()["traceparent"], "00-0af7651916cd43dd8448eb211c80319c-" + id + "-01");
  EXPECT_EQ(out.values()["baggage"], "k=v%201");
  EXPECT_EQ(out.values()["X-B3-TraceId"], "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(out.values()["X-B3-SpanId"], id);
  EXPECT_EQ(out.values()["X-B3-ParentSpanId"], "b7ad6b7169203331");
  EXPECT_EQ(out.values()["X-B3-Sampled"], "1");
}

TEST(Propagation, ReadsWhatOtherClientsWrite) {
  auto tracer =
      TracerWith({PropagationFormat::kJaeger, PropagationFormat::kW3C, PropagationFormat::kB3});
  struct Case {
    std::map<std::string, std::string> headers;
    std::string trace;
    std::string span;
  };
  for (const Case& c : std::vector<Case>{
           // jaeger-client: 64-bit IDs without leading zeros, URL-encoded in HTTP.
           {{{"Uber-Trace-Id", "abc%3A1f%3A0%3A1"}},
            "0000000000000000"
            "0000000000000abc",
            "000000000000001f"},
           {{{"uber-trace-id", "4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:3"}},
            "4bf92f3577b34da6a3ce929d0e0e4736",
            "00f067aa0ba902b7"},
           // Zipkin clients: B3 multi and single.
           {{{"X-B3-TraceId", "463ac35c9f6413ad"},
             {"X-B3-SpanId", "a2fb4a1d1a96d312"},
             {"X-B3-Sampled", "1"}},
            "0000000000000000463ac35c9f6413ad",
            "a2fb4a1d1a96d312"},
           {{{"b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90"}},
            "80f198ee56343ba864fe8b2a57d3eff7",
            "e457b5a2e4d86bd1"},
       }) {
    Carrier carrier;
    carrier.values() = c.headers;
    auto ctx = Extracted(*tracer, carrier);
    ASSERT_NE(ctx, nullptr) << c.trace;
    EXPECT_EQ(ctx->ToTraceID(), c.trace);
    EXPECT_EQ(ctx->ToSpanID(), c.span);
  }
  // Jaeger first: with several formats present, the first configured wins.
  Carrier both;
  both.values()["uber-trace-id"] = "1:2:0:1";
  both.values()["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  EXPECT_EQ(Extracted(*tracer, both)->ToSpanID(), "0000000000000002");
  // Nothing there: no context, no error.
  Carrier none;
  none.values()["content-type"] = "text/plain";
  EXPECT_EQ(Extracted(*tracer, none), nullptr);
}

TEST(Propagation, JaegerHeadersCanBeRenamedAsJaegerClientsAllow) {
  TracerOptions o;
  o.service_name = "svc";
  o.propagation = {PropagationFormat::kJaeger};
  o.jaeger_header = "X-Trace";
  o.jaeger_baggage_prefix = "X-Bag-";
  auto tracer = MakeTracer(std::move(o));
  auto span = tracer->StartSpan("op");
  span->SetBaggageItem("k", "v");
  Carrier carrier;
  ASSERT_TRUE(tracer->Inject(span->context(), carrier.http_writer()));
  EXPECT_EQ(carrier.values().count("uber-trace-id"), 0u);
  ASSERT_EQ(carrier.values().count("X-Trace"), 1u);
  EXPECT_EQ(carrier.values()["X-Bag-k"], "v");
  // Read back under any case, as HTTP header names are.
  Carrier lower({{"x-trace", carrier.values()["X-Trace"]}, {"x-bag-k", "v"}});
  auto ctx = Extracted(*tracer, lower);
  ASSERT_NE(ctx, nullptr);
  EXPECT_EQ(ctx->ToSpanID(), span->context().ToSpanID());
  std::string bag;
  ctx->ForeachBaggageItem([&](const std::string& k, const std::string& v) {
    if (k == "k") bag = v;
    return true;
  });
  EXPECT_EQ(bag, "v");
}

TEST(Propagation, MalformedHeadersAreRefusedAsCorrupted) {
  auto tracer =
      TracerWith({PropagationFormat::kJaeger, PropagationFormat::kW3C, PropagationFormat::kB3});
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"uber-trace-id", "not-a-context"},
           {"uber-trace-id", "0:1:0:1"},  // trace ID 0
           {"uber-trace-id", "1:2:0"},
           {"uber-trace-id", "1%3:2:0:1"},
           {"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331"},
           {"traceparent", "00-0af7651916cd43dd8448eb211c80319-b7ad6b7169203331-01"},
           {"traceparent", "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
           {"traceparent", "00-00000000000000000000000000000000-b7ad6b7169203331-01"},
           {"X-B3-TraceId", "zzz"},
           {"b3", "463ac35c9f6413ad-a2fb4a1d1a96d312-x"},
       }) {
    Carrier carrier;
    carrier.values()[key] = value;
    auto r = tracer->Extract(static_cast<const opentracing::HTTPHeadersReader&>(carrier));
    ASSERT_FALSE(r) << key << ": " << value;
    EXPECT_EQ(r.error(), opentracing::span_context_corrupted_error) << key << ": " << value;
  }
}

struct Recorded {
  std::shared_ptr<InMemoryReporter> reporter = std::make_shared<InMemoryReporter>();
  std::shared_ptr<opentracing::Tracer> tracer;
  Recorded() {
    TracerOptions o;
    o.service_name = "svc";
    o.propagation = {PropagationFormat::kJaeger, PropagationFormat::kW3C};
    o.sampler = NewConstSampler(false);  // only the debug header samples
    o.reporter = reporter;
    tracer = MakeTracer(std::move(o));
  }
};

std::string TagText(const SpanData& span, const std::string& key) {
  for (const Tag& t : span.tags) {
    if (t.first == key) return t.second.string_value;
  }
  return "(none)";
}

TEST(Propagation, JaegersDebugHeaderStartsASampledDebugTraceWithTheBaggageHeader) {
  Recorded r;
  Carrier carrier({{"Jaeger-Debug-Id", " ticket-4711 "},
                   {"jaeger-baggage", "user=ada, plan = pro,no-pair,=empty-key"}});
  auto ctx = Extracted(*r.tracer, carrier);
  ASSERT_NE(ctx, nullptr);
  // Nothing to propagate yet: it names no trace.
  Carrier out;
  EXPECT_FALSE(r.tracer->Inject(*ctx, out.http_writer()));
  auto span = r.tracer->StartSpan("GET /checkout", {opentracing::ChildOf(ctx.get())});
  EXPECT_EQ(span->BaggageItem("user"), "ada");
  EXPECT_EQ(span->BaggageItem("plan"), "pro");
  EXPECT_EQ(span->BaggageItem("no-pair"), "");
  ASSERT_TRUE(r.tracer->Inject(span->context(), out.http_writer()));
  span->Finish();
  ASSERT_EQ(r.reporter->spans().size(), 1u);  // sampled though the sampler says no
  const SpanData got = r.reporter->spans()[0];
  EXPECT_EQ(got.flags, 3);  // sampled, debug
  EXPECT_EQ(got.parent_span_id, 0u);
  EXPECT_EQ(TagText(got, "jaeger-debug-id"), "ticket-4711");
  EXPECT_EQ(out.values()["uber-trace-id"].substr(out.values()["uber-trace-id"].size() - 2), ":3");
  EXPECT_EQ(out.values()["uberctx-user"], "ada");
}

TEST(Propagation, JaegersBaggageHeaderAloneStartsATraceTheSamplerDecides) {
  Recorded r;
  auto ctx = Extracted(*r.tracer,
                       Carrier(std::map<std::string, std::string>{{"jaeger-baggage", "user=ada"}}));
  ASSERT_NE(ctx, nullptr);
  auto span = r.tracer->StartSpan("op", {opentracing::ChildOf(ctx.get())});
  EXPECT_EQ(span->BaggageItem("user"), "ada");
  span->Finish();
  EXPECT_TRUE(r.reporter->spans().empty());  // not sampled: no debug ID
}

TEST(Propagation, TheDebugHeaderBesideAContextSamplesItAndAContextWinsOverAHeaderAlone) {
  Recorded r;
  // With Jaeger's own context: the debug ID turns its flags on.
  auto jaeger =
      Extracted(*r.tracer, Carrier({{"uber-trace-id", "1:2:0:0"}, {"jaeger-debug-id", "t-1"}}));
  ASSERT_NE(jaeger, nullptr);
  auto child = r.tracer->StartSpan("op", {opentracing::ChildOf(jaeger.get())});
  child->Finish();
  ASSERT_EQ(r.reporter->spans().size(), 1u);
  EXPECT_EQ(r.reporter->spans()[0].flags, 3);
  EXPECT_EQ(r.reporter->spans()[0].parent_span_id, 2u);
  // A W3C context found by the next format wins over the Jaeger headers
  // that carry no context.
  auto w3c =
      Extracted(*r.tracer,
                Carrier({{"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"},
                         {"jaeger-debug-id", "t-2"}}));
  ASSERT_NE(w3c, nullptr);
  EXPECT_EQ(w3c->ToTraceID(), "0af7651916cd43dd8448eb211c80319c");
}

TEST(Propagation, TheBinaryCarrierIsJaegersFormat) {
  auto tracer = TracerWith({PropagationFormat::kJaeger});
  // Trace 0x1:0x2, span 0x3, parent 0x4, flags 3, baggage {k: v}.
  std::string expected =
      std::string("\0\0\0\0\0\0\0\x01", 8) + std::string("\0\0\0\0\0\0\0\x02", 8) +
      std::string("\0\0\0\0\0\0\0\x03", 8) + std::string("\0\0\0\0\0\0\0\x04", 8) +
      std::string("\x03", 1) + std::string("\0\0\0\x01", 4) + std::string("\0\0\0\x01k", 5) +
      std::string("\0\0\0\x01v", 5);
  std::istringstream in(expected);
  auto read = tracer->Extract(in);
  ASSERT_TRUE(read) << read.error().message();
  ASSERT_NE(*read, nullptr);
  EXPECT_EQ((*read)->ToTraceID(), "00000000000000010000000000000002");
  EXPECT_EQ((*read)->ToSpanID(), "0000000000000003");
  std::string bag;
  (*read)->ForeachBaggageItem([&](const std::string& k, const std::string& v) {
    bag = k + "=" + v;
    return true;
  });
  EXPECT_EQ(bag, "k=v");
  // Written back byte for byte.
  std::ostringstream out;
  ASSERT_TRUE(tracer->Inject(**read, out));
  EXPECT_EQ(out.str(), expected);
  // A child of it continues the trace and is written with its own IDs.
  auto child = tracer->StartSpan("op", {opentracing::ChildOf(read->get())});
  std::ostringstream child_out;
  ASSERT_TRUE(tracer->Inject(child->context(), child_out));
  std::istringstream child_in(child_out.str());
  auto again = tracer->Extract(child_in);
  ASSERT_TRUE(again && *again);
  EXPECT_EQ((*again)->ToTraceID(), "00000000000000010000000000000002");
  EXPECT_EQ((*again)->ToSpanID(), child->context().ToSpanID());

  // Nothing: no context, no error.
  std::istringstream empty("");
  auto none = tracer->Extract(empty);
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, nullptr);
  // Truncated anywhere, trailing bytes, a zero trace ID, a length past the
  // end, or too large: corrupted.
  std::vector<std::string> bad;
  for (size_t n = 1; n < expected.size(); n += 3) bad.push_back(expected.substr(0, n));
  bad.push_back(expected + "x");
  bad.push_back(std::string(16, '\0') + expected.substr(16));
  std::string long_key = expected;
  long_key[37] = '\x7f';  // the first key's length, its high byte
  bad.push_back(long_key);
  bad.push_back(expected + std::string(70 * 1024, 'x'));
  for (const std::string& b : bad) {
    std::istringstream s(b);
    auto r = tracer->Extract(s);
    ASSERT_FALSE(r) << b.size();
    EXPECT_EQ(r.error(), opentracing::span_context_corrupted_error);
  }
}

}  // namespace
}  // namespace spoor
