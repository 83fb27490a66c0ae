// Process metrics in the Prometheus text format (served on the admin port).
//
// Metric objects are created once (registry lookups take a lock) and then
// updated lock-free from any thread; keep the returned references on the hot
// path instead of looking metrics up per request.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spoor {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  [[nodiscard]] uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double value);

  // Snapshot for rendering: cumulative counts per bound, then +Inf.
  void Snapshot(std::vector<uint64_t>* cumulative, double* sum, uint64_t* count) const;
  [[nodiscard]] const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1
  std::atomic<uint64_t> sum_micros_{0};              // sum in millionths of the unit
  std::atomic<uint64_t> count_{0};
};

class MetricsRegistry {
 public:
  static MetricsRegistry& Global();

  // Returns the counter for (name, labels), creating it on first use. The
  // reference stays valid for the life of the process.
  Counter& GetCounter(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& GetHistogram(std::string_view name, std::string_view help, const Labels& labels,
                          const std::vector<double>& upper_bounds);
  // A gauge read when /metrics is rendered. Gauges and collectors are
  // called without the registry's lock held: they may take locks of their
  // own, even ones held by threads that call the registry meanwhile.
  void AddGauge(std::string_view name, std::string_view help, const Labels& labels,
                std::function<double()> read);
  // Series rendered by their owner: `render` appends complete families
  // (# HELP, # TYPE, samples) to the text, after the registry's own.
  void AddCollector(std::function<void(std::string&)> render);
  // Removes every gauge and collector callback (called before the objects
  // they read die).
  void ClearGauges();

  [[nodiscard]] std::string RenderPrometheus() const;

  struct Impl;

 private:
  MetricsRegistry();
  std::unique_ptr<Impl> impl_;
};

// `{k="v",...}` with Prometheus escaping, plus an extra label when given;
// "" for no labels.
[[nodiscard]] std::string LabelString(const Labels& labels, std::string_view extra_key = {},
                                      std::string_view extra_value = {});
// A sample value as Prometheus reads it (shortest round-trip form).
[[nodiscard]] std::string FormatNumber(double v);

// Bounds in seconds for latency histograms (100 µs .. 10 s).
[[nodiscard]] const std::vector<double>& LatencyBucketsSeconds();

}  // namespace spoor
