#include "sampling/adaptive/throughput_counter.h"

#include <algorithm>
#include <cmath>

#include "common/strings.h"

namespace spoor {
namespace {

// The sampler's parameter as a number, whether the client sent it as a
// double, an integer or a string.
double NumberOf(const AnyValue& v) {
  switch (v.type) {
    case ValueType::kDouble: return v.double_value;
    case ValueType::kInt: return static_cast<double>(v.int_value);
    case ValueType::kString: return ParseDouble(v.string_value).value_or(0);
    default: return 0;
  }
}

}  // namespace

void FindSampledRoots(const SpanBatch& batch, std::vector<SampledRoot>* out) {
  for (const ResourceSpans& rs : batch.resource_spans) {
    for (const ScopeSpans& ss : rs.scope_spans) {
      for (const Span& span : ss.spans) {
        if (span.parent_span_id.valid() || span.name.empty()) continue;
        const AnyValue* type = FindAttribute(span.attributes, "sampler.type");
        if (type == nullptr || type->type != ValueType::kString) continue;
        std::string_view t = type->string_value;
        if (t != "probabilistic" && t != "lowerbound" && t != "ratelimiting" && t != "const") {
          continue;
        }
        const AnyValue* param = FindAttribute(span.attributes, "sampler.param");
        out->push_back({rs.resource->service_name, span.name, t == "probabilistic",
                        param == nullptr ? 0 : NumberOf(*param)});
      }
    }
  }
}

void ThroughputCounter::Record(const std::vector<SampledRoot>& roots) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const SampledRoot& r : roots) {
    if (r.service.empty()) continue;
    auto svc = counts_.find(r.service);
    if (svc == counts_.end()) {
      if (counts_.size() >= kMaxServices) continue;
      svc = counts_.emplace(std::string(r.service), std::map<std::string, ByProbability>{}).first;
    }
    auto op = svc->second.find(std::string(r.operation));
    if (op == svc->second.end()) {
      if (svc->second.size() >= kMaxOperationsPerService) continue;
      op = svc->second.emplace(std::string(r.operation), ByProbability{}).first;
    }
    ByProbability& counts = op->second;
    double p = std::isfinite(r.probability) && r.probability > 0 && r.probability <= 1
                   ? r.probability
                   : -1;
    if (p > 0 && !counts.contains(p) && counts.size() >= kMaxProbabilities) p = -1;
    // Lower-bound (and other) roots make the operation known, with 0.
    counts[p] += r.probabilistic ? 1 : 0;
  }
}

std::vector<Throughput> ThroughputCounter::Take() {
  std::map<std::string, std::map<std::string, ByProbability>, std::less<>> taken;
  {
    std::lock_guard<std::mutex> lock(mu_);
    taken.swap(counts_);
  }
  std::vector<Throughput> out;
  for (auto& [service, ops] : taken) {
    for (auto& [op, by_probability] : ops) {
      for (auto& [p, count] : by_probability) {
        Throughput t;
        t.service = service;
        t.operation = op;
        t.count = count;
        if (p > 0) t.probabilities.push_back(p);
        out.push_back(std::move(t));
      }
    }
  }
  return out;
}

Status ThroughputCountingSink::Submit(SpanBatch batch, IngestMetrics& metrics) {
  thread_local std::vector<SampledRoot> roots;
  roots.clear();
  FindSampledRoots(batch, &roots);
  Status s = inner_.Submit(std::move(batch), metrics);
  if (s.ok() && !roots.empty()) counter_.Record(roots);
  return s;
}

}  // namespace spoor
