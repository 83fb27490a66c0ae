#include "spanmetrics/memory_span_metrics_store.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <tuple>

namespace spoor {
namespace {

// Ordered as ReadSpanMetrics returns rows: service, then the rest of the
// key, then bucket.
using RowKey = std::tuple<MetricsResolution, std::string, std::string, SpanKind, uint64_t>;

class MemorySpanMetricsStore final : public SpanMetricsStore {
 public:
  Status AddSpanMetrics(const std::vector<SpanMetricsRow>& rows) override {
    if (Status s = ValidateSpanMetricsRows(rows); !s.ok()) return s;
    std::lock_guard<std::mutex> lock(mu_);
    for (const SpanMetricsRow& r : rows) {
      rows_[{r.resolution, r.key.service, r.key.operation, r.key.kind, r.bucket_start_ns}].Merge(
          r.value);
    }
    return Status::Ok();
  }

  Result<std::vector<SpanMetricsRow>> ReadSpanMetrics(const SpanMetricsRead& read) override {
    if (Status s = ValidateSpanMetricsRead(read); !s.ok()) return s;
    std::vector<std::string> services = read.services;
    std::sort(services.begin(), services.end());
    services.erase(std::unique(services.begin(), services.end()), services.end());
    std::vector<SpanMetricsRow> out;
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::string& service : services) {
      for (auto it = rows_.lower_bound({read.resolution, service, "", SpanKind::kUnspecified, 0});
           it != rows_.end(); ++it) {
        const auto& [resolution, svc, op, kind, bucket] = it->first;
        if (resolution != read.resolution || svc != service) break;
        if (bucket < read.start_ns || bucket >= read.end_ns) continue;
        if (!read.kinds.empty() &&
            std::find(read.kinds.begin(), read.kinds.end(), kind) == read.kinds.end()) {
          continue;
        }
        out.push_back({resolution, bucket, {svc, op, kind}, it->second});
      }
    }
    return out;
  }

  Status ExpireSpanMetrics(uint64_t fine_cutoff_ns, uint64_t coarse_cutoff_ns) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::erase_if(rows_, [&](const auto& entry) {
      const auto& [resolution, svc, op, kind, bucket] = entry.first;
      return bucket < (resolution == MetricsResolution::kFine ? fine_cutoff_ns : coarse_cutoff_ns);
    });
    return Status::Ok();
  }

 private:
  std::mutex mu_;
  std::map<RowKey, SpanMetricsValue> rows_;
};

}  // namespace

std::unique_ptr<SpanMetricsStore> NewMemorySpanMetricsStore() {
  return std::make_unique<MemorySpanMetricsStore>();
}

}  // namespace spoor
