// The metrics registry and its Prometheus text rendering. The registry is
// process-wide, so every test uses metric names of its own, fresh on every
// run (the tests can be repeated in one process).
#include "common/metrics.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace spoor {
namespace {

MetricsRegistry& Registry() {
  return MetricsRegistry::Global();
}

// `base` with a number no other call returned, e.g. "mt_x_3_total" for
// ("mt_x", "_total").
std::string Fresh(const std::string& base, const std::string& suffix = "") {
  static int n = 0;
  return base + "_" + std::to_string(n++) + suffix;
}

// The lines of the rendering that start with `prefix` followed by a space
// or '{' (so that "a_1" does not also select "a_10").
std::vector<std::string> Lines(const std::string& prefix) {
  std::string text = Registry().RenderPrometheus();
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string line = text.substr(pos, end - pos);
    if (line.rfind(prefix, 0) == 0 && line.size() > prefix.size() &&
        (line[prefix.size()] == ' ' || line[prefix.size()] == '{')) {
      out.push_back(line);
    }
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return out;
}

TEST(Counter, CountsIncrements) {
  Counter& c = Registry().GetCounter(Fresh("mt_plain", "_total"), "help");
  EXPECT_EQ(c.value(), 0u);
  c.Inc();
  c.Inc(41);
  EXPECT_EQ(c.value(), 42u);
}

TEST(Counter, SameNameAndLabelsIsTheSameCounter) {
  const std::string n = Fresh("mt_same", "_total");
  Counter& a = Registry().GetCounter(n, "help", {{"k", "v"}});
  Counter& b = Registry().GetCounter(n, "help", {{"k", "v"}});
  EXPECT_EQ(&a, &b);
  Counter& other = Registry().GetCounter(n, "help", {{"k", "w"}});
  EXPECT_NE(&a, &other);
}

TEST(Counter, LabelledSeriesRenderUnderOneFamily) {
  const std::string n = Fresh("mt_labels", "_total");
  Registry().GetCounter(n, "Things by kind", {{"kind", "a"}, {"zone", "z1"}}).Inc(2);
  Registry().GetCounter(n, "Things by kind", {{"kind", "b"}, {"zone", "z1"}}).Inc(5);
  EXPECT_EQ(Lines("# HELP " + n), std::vector<std::string>{"# HELP " + n + " Things by kind"});
  EXPECT_EQ(Lines("# TYPE " + n), std::vector<std::string>{"# TYPE " + n + " counter"});
  EXPECT_EQ(Lines(n), (std::vector<std::string>{n + R"({kind="a",zone="z1"} 2)",
                                                n + R"({kind="b",zone="z1"} 5)"}));
}

TEST(Counter, CountsFromManyThreads) {
  Counter& c = Registry().GetCounter(Fresh("mt_threads", "_total"), "help");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&c] {
      for (int i = 0; i < 10000; ++i) c.Inc();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 40000u);
}

TEST(Labels, QuotesBackslashesAndNewlinesAreEscaped) {
  const std::string n = Fresh("mt_escape", "_total");
  Registry().GetCounter(n, "help", {{"path", "a\"b\\c\nd"}}).Inc();
  EXPECT_EQ(Lines(n), std::vector<std::string>{n + R"({path="a\"b\\c\nd"} 1)"});
}

TEST(Labels, UnlabelledSeriesHasNoBraces) {
  const std::string n = Fresh("mt_bare", "_total");
  Registry().GetCounter(n, "help").Inc(7);
  EXPECT_EQ(Lines(n), std::vector<std::string>{n + " 7"});
}

TEST(Gauge, IsReadWhenRendered) {
  const std::string n = Fresh("mt_gauge");
  double value = 1;
  Registry().AddGauge(n, "A gauge", {{"g", "1"}}, [&value] { return value; });
  EXPECT_EQ(Lines(n), std::vector<std::string>{n + R"({g="1"} 1)"});
  value = 0.25;
  EXPECT_EQ(Lines(n), std::vector<std::string>{n + R"({g="1"} 0.25)"});
  EXPECT_EQ(Lines("# TYPE " + n), std::vector<std::string>{"# TYPE " + n + " gauge"});
  Registry().ClearGauges();
  EXPECT_TRUE(Lines(n).empty());
  EXPECT_TRUE(Lines("# HELP " + n).empty());
}

// A gauge may take a lock that another thread holds while it registers a
// metric (a store opening a tenant under its lock, while /metrics reads the
// tenant count): the gauge is read without the registry's lock, so neither
// waits for the other. This deadlocked when gauges were read under it.
TEST(Gauge, MayTakeALockHeldByAThreadThatRegistersMetrics) {
  const std::string n = Fresh("mt_locking_gauge");
  std::mutex owner;
  std::atomic<bool> entered{false};
  Registry().AddGauge(n, "A gauge behind a lock", {}, [&] {
    entered = true;
    std::lock_guard<std::mutex> lock(owner);
    return 7.0;
  });
  std::unique_lock<std::mutex> held(owner);
  std::string text;
  std::thread render([&text] { text = Registry().RenderPrometheus(); });
  while (!entered) std::this_thread::yield();
  // The renderer waits for `owner` inside the gauge; registering now must
  // not wait for the renderer.
  Counter& c = Registry().GetCounter(Fresh("mt_registered_meanwhile", "_total"), "");
  c.Inc();
  held.unlock();
  render.join();
  EXPECT_NE(text.find(n + " 7\n"), std::string::npos) << text;
  Registry().ClearGauges();
}

TEST(Histogram, BucketsAreCumulativeWithInclusiveUpperBounds) {
  Histogram h({1, 2, 5});
  for (double v : {0.5, 1.0, 1.5, 2.0, 4.0, 7.0, 100.0}) h.Observe(v);
  std::vector<uint64_t> cumulative;
  double sum = 0;
  uint64_t count = 0;
  h.Snapshot(&cumulative, &sum, &count);
  EXPECT_EQ(cumulative, (std::vector<uint64_t>{2, 4, 5, 7}));
  EXPECT_EQ(count, 7u);
  EXPECT_DOUBLE_EQ(sum, 116.0);
}

TEST(Histogram, EmptyHistogramIsAllZero) {
  Histogram h({1});
  std::vector<uint64_t> cumulative = {9, 9};
  double sum = 1;
  uint64_t count = 1;
  h.Snapshot(&cumulative, &sum, &count);
  EXPECT_EQ(cumulative, (std::vector<uint64_t>{0, 0}));
  EXPECT_EQ(sum, 0);
  EXPECT_EQ(count, 0u);
}

TEST(Histogram, RendersBucketsSumAndCount) {
  const std::string n = Fresh("mt_hist", "_seconds");
  Histogram& h = Registry().GetHistogram(n, "Latency", {{"op", "x"}}, {0.001, 0.01, 0.1});
  h.Observe(0.0005);
  h.Observe(0.05);
  h.Observe(0.05);
  h.Observe(3);
  EXPECT_EQ(Lines(n + "_bucket"),
            (std::vector<std::string>{
                n + R"(_bucket{op="x",le="0.001"} 1)", n + R"(_bucket{op="x",le="0.01"} 1)",
                n + R"(_bucket{op="x",le="0.1"} 3)", n + R"(_bucket{op="x",le="+Inf"} 4)"}));
  EXPECT_EQ(Lines(n + "_count"), std::vector<std::string>{n + R"(_count{op="x"} 4)"});
  EXPECT_EQ(Lines(n + "_sum"), std::vector<std::string>{n + R"(_sum{op="x"} 3.1005)"});
  EXPECT_EQ(Lines("# TYPE " + n), std::vector<std::string>{"# TYPE " + n + " histogram"});
}

TEST(Histogram, UnlabelledBucketsCarryOnlyLe) {
  const std::string n = Fresh("mt_hist_bare");
  Registry().GetHistogram(n, "help", {}, {1}).Observe(0.5);
  EXPECT_EQ(Lines(n + "_bucket"),
            (std::vector<std::string>{n + R"(_bucket{le="1"} 1)", n + R"(_bucket{le="+Inf"} 1)"}));
  EXPECT_EQ(Lines(n + "_count"), std::vector<std::string>{n + "_count 1"});
}

TEST(Histogram, SameNameAndLabelsIsTheSameHistogram) {
  const std::string n = Fresh("mt_hist_same");
  Histogram& a = Registry().GetHistogram(n, "help", {}, {1});
  Histogram& b = Registry().GetHistogram(n, "help", {}, {1, 2, 3});
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(b.bounds(), std::vector<double>{1});
}

TEST(LatencyBuckets, AscendFrom100MicrosecondsTo10Seconds) {
  const std::vector<double>& b = LatencyBucketsSeconds();
  ASSERT_FALSE(b.empty());
  EXPECT_DOUBLE_EQ(b.front(), 0.0001);
  EXPECT_DOUBLE_EQ(b.back(), 10);
  for (size_t i = 1; i < b.size(); ++i) EXPECT_LT(b[i - 1], b[i]);
}

TEST(Rendering, FamiliesAreSortedByName) {
  const std::string n = Fresh("mt_order");
  Registry().GetCounter(n + "_b_total", "help").Inc();
  Registry().GetCounter(n + "_a_total", "help").Inc();
  std::string text = Registry().RenderPrometheus();
  size_t a = text.find("# HELP " + n + "_a_total ");
  size_t b = text.find("# HELP " + n + "_b_total ");
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  EXPECT_LT(a, b);
  EXPECT_NE(text.find("\n" + n + "_a_total 1\n"), std::string::npos);
}

}  // namespace
}  // namespace spoor
