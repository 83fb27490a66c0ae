#include "buffer/nats/nats_lease_store.h"

#include "buffer/nats/nats_leases.h"

namespace spoor {
namespace {

class NatsLeaseStore final : public SamplingStore {
 public:
  NatsLeaseStore(const NatsOptions& options, std::string bucket,
                 std::unique_ptr<SamplingStore> data)
      : leases_(options, std::move(bucket)), owned_(std::move(data)), data_(*owned_) {}

  Status Connect() { return leases_.Connect("spoor-sampling-leases"); }

  Status InsertThroughput(const std::string& collector, uint64_t bucket_start_ns,
                          const std::vector<Throughput>& throughput) override {
    return data_.InsertThroughput(collector, bucket_start_ns, throughput);
  }
  Result<std::vector<ThroughputReport>> GetThroughput(uint64_t start_ns, uint64_t end_ns) override {
    return data_.GetThroughput(start_ns, end_ns);
  }
  Status InsertProbabilitiesAndQps(const CalculatedProbabilities& latest) override {
    return data_.InsertProbabilitiesAndQps(latest);
  }
  Result<CalculatedProbabilities> GetLatestProbabilities() override {
    return data_.GetLatestProbabilities();
  }
  Status ExpireBefore(uint64_t cutoff_ns) override { return data_.ExpireBefore(cutoff_ns); }

  Result<bool> AcquireLease(const std::string& name, const std::string& holder, uint64_t ttl_ns,
                            uint64_t now_ns) override {
    return leases_.Acquire(name, holder, ttl_ns, now_ns);
  }
  Result<bool> ReleaseLease(const std::string& name, const std::string& holder) override {
    return leases_.Release(name, holder);
  }
  Result<std::string> LeaseHolder(const std::string& name, uint64_t now_ns) override {
    return leases_.Holder(name, now_ns);
  }

 private:
  NatsLeases leases_;
  std::unique_ptr<SamplingStore> owned_;
  SamplingStore& data_;
};

}  // namespace

Result<std::unique_ptr<SamplingStore>> OpenNatsLeaseStore(const NatsOptions& options,
                                                          const std::string& bucket,
                                                          std::unique_ptr<SamplingStore> data) {
  if (data == nullptr) return InvalidArgument("NATS leases: no store for the data");
  auto store = std::make_unique<NatsLeaseStore>(options, bucket, std::move(data));
  if (Status s = store->Connect(); !s.ok()) return s;
  return std::unique_ptr<SamplingStore>(std::move(store));
}

}  // namespace spoor
