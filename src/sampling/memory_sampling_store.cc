#include "sampling/memory_sampling_store.h"

#include <limits>
#include <map>
#include <mutex>
#include <utility>

namespace spoor {
namespace {

struct Lease {
  std::string holder;
  uint64_t expires_ns = 0;
};

class MemorySamplingStore final : public SamplingStore {
 public:
  Status InsertThroughput(const std::string& collector, uint64_t bucket_start_ns,
                          const std::vector<Throughput>& throughput) override {
    if (collector.empty()) return InvalidArgument("sampling store: empty collector name");
    std::lock_guard lock(mu_);
    throughput_[{bucket_start_ns, collector}] = throughput;
    return Status::Ok();
  }

  Result<std::vector<ThroughputReport>> GetThroughput(uint64_t start_ns, uint64_t end_ns) override {
    std::vector<ThroughputReport> out;
    if (start_ns >= end_ns) return out;
    std::lock_guard lock(mu_);
    auto end = throughput_.lower_bound({end_ns, std::string()});
    for (auto it = throughput_.lower_bound({start_ns, std::string()}); it != end; ++it) {
      out.push_back(ThroughputReport{it->first.first, it->first.second, it->second});
    }
    return out;
  }

  Status InsertProbabilitiesAndQps(const CalculatedProbabilities& latest) override {
    std::lock_guard lock(mu_);
    latest_ = latest;
    return Status::Ok();
  }

  Result<CalculatedProbabilities> GetLatestProbabilities() override {
    std::lock_guard lock(mu_);
    return latest_;
  }

  Result<bool> AcquireLease(const std::string& name, const std::string& holder, uint64_t ttl_ns,
                            uint64_t now_ns) override {
    if (name.empty() || holder.empty()) {
      return InvalidArgument("sampling store: empty lease name or holder");
    }
    if (ttl_ns == 0) return InvalidArgument("sampling store: lease ttl must be positive");
    std::lock_guard lock(mu_);
    auto it = leases_.find(name);
    if (it != leases_.end() && it->second.holder != holder && now_ns < it->second.expires_ns) {
      return false;
    }
    uint64_t expires_ns = ttl_ns > std::numeric_limits<uint64_t>::max() - now_ns
                              ? std::numeric_limits<uint64_t>::max()
                              : now_ns + ttl_ns;
    leases_[name] = Lease{holder, expires_ns};
    return true;
  }

  Result<bool> ReleaseLease(const std::string& name, const std::string& holder) override {
    std::lock_guard lock(mu_);
    auto it = leases_.find(name);
    if (it == leases_.end() || it->second.holder != holder) return false;
    leases_.erase(it);
    return true;
  }

  Result<std::string> LeaseHolder(const std::string& name, uint64_t now_ns) override {
    std::lock_guard lock(mu_);
    auto it = leases_.find(name);
    if (it == leases_.end() || now_ns >= it->second.expires_ns) return std::string();
    return it->second.holder;
  }

  Status ExpireBefore(uint64_t cutoff_ns) override {
    std::lock_guard lock(mu_);
    throughput_.erase(throughput_.begin(), throughput_.lower_bound({cutoff_ns, std::string()}));
    return Status::Ok();
  }

 private:
  std::mutex mu_;
  std::map<std::pair<uint64_t, std::string>, std::vector<Throughput>> throughput_;
  CalculatedProbabilities latest_;
  std::map<std::string, Lease> leases_;
};

}  // namespace

std::unique_ptr<SamplingStore> NewMemorySamplingStore() {
  return std::make_unique<MemorySamplingStore>();
}

}  // namespace spoor
