// A storage for tests of what happens while writes are slow or failing: it
// writes to a memory store, optionally holding every Write until Release()
// (the gate), failing every Write, or failing the next few (FailNextWrites).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "common/metrics.h"
#include "storage/memory/memory_store.h"
#include "storage/storage.h"

namespace spoor {

// Each instance has its own name, so the pipeline's storage metrics start at
// zero.
class GatedStorage : public Storage {
 public:
  explicit GatedStorage(bool gated = false, bool fail = false)
      : name_("test-storage-" + std::to_string(next_id_++)), gated_(gated), fail_(fail) {}

  std::string_view name() const override { return name_; }

  Status Write(SpanBatch batch) override {
    {
      std::unique_lock lock(mu_);
      ++writes_entered_;
      cv_.notify_all();
      cv_.wait(lock, [this] { return !gated_ || released_; });
      if (fail_next_ > 0) {
        --fail_next_;
        return Internal("write failed");
      }
    }
    if (fail_) return Internal("write failed");
    return inner_->Write(std::move(batch));
  }
  Result<Trace> GetTrace(const TraceId& id, const TraceTimeHint& hint) override {
    return inner_->GetTrace(id, hint);
  }
  Result<std::vector<Trace>> FindTraces(const TraceQuery& q) override {
    return inner_->FindTraces(q);
  }
  Result<std::vector<TraceId>> FindTraceIds(const TraceQuery& q) override {
    return inner_->FindTraceIds(q);
  }
  Result<std::vector<std::string>> GetServices() override { return inner_->GetServices(); }
  Result<std::vector<Operation>> GetOperations(const std::string& s, bool m, SpanKind k) override {
    return inner_->GetOperations(s, m, k);
  }
  Result<std::vector<DependencyLink>> GetDependencies(uint64_t end, uint64_t lookback) override {
    return inner_->GetDependencies(end, lookback);
  }

  void FailNextWrites(int n) {
    std::lock_guard lock(mu_);
    fail_next_ = n;
  }

  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

  // Waits (bounded) until `n` writes have started; false on timeout.
  bool WaitForWrites(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(30), [&] { return writes_entered_ >= n; });
  }

  // Write calls so far.
  int writes() {
    std::lock_guard lock(mu_);
    return writes_entered_;
  }

  size_t StoredSpans(TraceId id) {
    auto trace = inner_->GetTrace(id, {});
    return trace.ok() ? trace->spans.size() : 0;
  }

  Counter& StoredCounter() {
    return MetricsRegistry::Global().GetCounter("spoor_spans_stored_total", "",
                                                {{"storage", name_}});
  }
  Counter& DroppedCounter() {
    return MetricsRegistry::Global().GetCounter("spoor_spans_dropped_total", "",
                                                {{"storage", name_}});
  }
  Histogram& WriteLatency() {
    return MetricsRegistry::Global().GetHistogram("spoor_storage_write_seconds", "",
                                                  {{"storage", name_}}, LatencyBucketsSeconds());
  }

 private:
  static inline std::atomic<int> next_id_{0};
  const std::string name_;
  const bool gated_;
  const bool fail_;
  std::unique_ptr<Storage> inner_ = NewMemoryStore(MemoryStoreOptions{});
  std::mutex mu_;
  std::condition_variable cv_;
  int writes_entered_ = 0;
  int fail_next_ = 0;
  bool released_ = false;
};

}  // namespace spoor
