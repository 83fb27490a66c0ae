#include "tools/tracegen/load_run.h"

#include <gtest/gtest.h>

#include <sstream>

namespace spoor::tracegen {
namespace {

// Nothing listens on port 1 of the loopback address: every request fails
// at once, which is enough to count what a run sends.
Options Unreachable(Protocol protocol) {
  Options o;
  o.protocol = protocol;
  o.port = 1;
  o.seed = 5;
  return o;
}

TEST(TracegenRun, CountIsSpansAndTheLastRequestCarriesTheRest) {
  Options o = Unreachable(Protocol::kZipkin);
  o.count_spans = 250;
  o.connections = 2;
  std::ostringstream progress;
  const std::atomic<bool> stop{false};
  const RunTotals t = RunLoad(o, progress, stop);
  EXPECT_EQ(t.requests_sent, 3u);
  EXPECT_EQ(t.spans_sent, 250u);
  EXPECT_EQ(t.spans_failed, 250u);
  EXPECT_EQ(t.spans_acked, 0u);
  EXPECT_NE(t.first_error.find("connecting to 127.0.0.1:1"), std::string::npos) << t.first_error;
}

TEST(TracegenRun, StopEndsTheRunBeforeItsDuration) {
  Options o = Unreachable(Protocol::kOtlpHttp);
  o.duration_ns = 60'000'000'000;
  o.rate_spans_per_s = 100;
  std::ostringstream progress;
  const std::atomic<bool> stop{true};
  const RunTotals t = RunLoad(o, progress, stop);
  EXPECT_LE(t.requests_sent, 1u);
  EXPECT_LT(t.elapsed_s, 5);
}

TEST(TracegenRun, ReportSaysUdpIsNotAcknowledged) {
  RunTotals t;
  t.requests_sent = 3;
  t.spans_sent = 100;
  t.elapsed_s = 0.5;
  const std::string report = FormatReport(Unreachable(Protocol::kJaegerUdp), t);
  EXPECT_EQ(report,
            "tracegen: jaeger-udp to 127.0.0.1:1, 1 connection, seed 5\n"
            "requests: sent 3, acknowledged unknown (UDP has no acknowledgements), failed 0\n"
            "spans:    sent 100, acknowledged unknown (UDP has no acknowledgements), failed 0\n"
            "elapsed:  0.500 s, 200 spans/s sent\n");
}

TEST(TracegenRun, ReportNamesTheFirstError) {
  RunTotals t;
  t.requests_sent = t.requests_failed = 1;
  t.spans_sent = t.spans_failed = 100;
  t.first_error = "HTTP 503: queue full";
  const std::string report = FormatReport(Unreachable(Protocol::kOtlpGrpc), t);
  EXPECT_NE(report.find("spans:    sent 100, acknowledged 0, failed 100\n"), std::string::npos);
  EXPECT_NE(report.find("first error: HTTP 503: queue full\n"), std::string::npos);
}

}  // namespace
}  // namespace spoor::tracegen
