// What adaptive sampling learns from the spans a collector receives: per
// service and operation, how many root spans were sampled
// probabilistically, and with which probabilities. Clients say how a root
// span was sampled in its tags `sampler.type` and `sampler.param` (Jaeger
// clients, and Spoor's C++ client): only roots with them count; a
// "probabilistic" root adds one, a "lowerbound" (or other) root only makes
// the operation known, with a count of 0, as in Jaeger.
//
// ThroughputCountingSink sits in front of the collector's sink: it counts a
// batch once the sink took it.
//
// Threading: every method may be called from any thread.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/span_sink.h"
#include "sampling/sampling_store.h"

namespace spoor {

struct SampledRoot {
  std::string_view service;    // interned, valid for the process
  std::string_view operation;  // interned
  bool probabilistic = false;
  double probability = 0;
};

// Appends the batch's root spans that carry sampler tags to *out.
void FindSampledRoots(const SpanBatch& batch, std::vector<SampledRoot>* out);

class ThroughputCounter {
 public:
  // At most this many services and operations per service are counted.
  static constexpr size_t kMaxServices = 10000;
  static constexpr size_t kMaxOperationsPerService = 2000;
  // Probabilities counted apart per operation (Jaeger keeps 10); the
  // roots of any other are counted without one.
  static constexpr size_t kMaxProbabilities = 10;

  void Record(const std::vector<SampledRoot>& roots);
  // The counts since the last call, and a fresh start: one entry per
  // service, operation and probability (`probabilities` holds that one, or
  // nothing for roots without a usable probability), so that the
  // calculation knows what each count was sampled with.
  [[nodiscard]] std::vector<Throughput> Take();

 private:
  // Counts by probability (-1: none or too many).
  using ByProbability = std::map<double, uint64_t>;
  std::mutex mu_;
  std::map<std::string, std::map<std::string, ByProbability>, std::less<>> counts_;
};

class ThroughputCountingSink final : public SpanSink {
 public:
  // `inner` and `counter` must outlive the sink.
  ThroughputCountingSink(SpanSink& inner, ThroughputCounter& counter)
      : inner_(inner), counter_(counter) {}

  [[nodiscard]] Status Submit(SpanBatch batch, IngestMetrics& metrics) override;

 private:
  SpanSink& inner_;
  ThroughputCounter& counter_;
};

}  // namespace spoor
