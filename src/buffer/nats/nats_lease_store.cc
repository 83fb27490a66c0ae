#include "buffer/nats/nats_lease_store.h"

#include <nats/nats.h>

#include <mutex>

#include "buffer/nats/nats_connection.h"
#include "sampling/sampling_codec.h"

namespace spoor {
namespace {

using sampling_codec::Lease;

class NatsLeaseStore final : public SamplingStore {
 public:
  NatsLeaseStore(const NatsOptions& options, std::string bucket,
                 std::unique_ptr<SamplingStore> data)
      : connection_(options), bucket_(std::move(bucket)), owned_(std::move(data)), data_(*owned_) {}

  ~NatsLeaseStore() override {
    if (kv_ != nullptr) kvStore_Destroy(kv_);
  }

  Status Connect() { return connection_.Connect("spoor-sampling-leases"); }

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
    if (name.empty() || holder.empty() || ttl_ns == 0) {
      return InvalidArgument("lease: empty name or holder, or a ttl of 0");
    }
    auto kv = Bucket();
    if (!kv.ok()) return kv.status();
    uint64_t expires = now_ns > UINT64_MAX - ttl_ns ? UINT64_MAX : now_ns + ttl_ns;
    std::string value = sampling_codec::EncodeLease(Lease{holder, expires});
    auto current = Read(*kv, name);
    if (!current.ok()) return current.status();
    natsStatus s;
    if (current->revision == 0) {
      s = kvStore_Create(nullptr, *kv, name.c_str(), value.data(), static_cast<int>(value.size()));
    } else {
      bool free = current->lease.holder.empty() || current->lease.holder == holder ||
                  current->lease.expires_ns <= now_ns;
      if (!free) return false;
      s = kvStore_Update(nullptr, *kv, name.c_str(), value.data(), static_cast<int>(value.size()),
                         current->revision);
    }
    if (s == NATS_OK) return true;
    if (s == NATS_ERR) return false;  // another collector wrote first
    return nats::FromNats(s, 0, "NATS lease " + name);
  }

  Result<bool> ReleaseLease(const std::string& name, const std::string& holder) override {
    auto kv = Bucket();
    if (!kv.ok()) return kv.status();
    auto current = Read(*kv, name);
    if (!current.ok()) return current.status();
    if (current->revision == 0 || current->lease.holder != holder) return false;
    // An empty value: free (a key-value delete would not take a revision).
    static const char kFree[] = "";
    natsStatus s = kvStore_Update(nullptr, *kv, name.c_str(), kFree, 0, current->revision);
    if (s == NATS_OK) return true;
    if (s == NATS_ERR) return false;
    return nats::FromNats(s, 0, "NATS lease " + name);
  }

  Result<std::string> LeaseHolder(const std::string& name, uint64_t now_ns) override {
    auto kv = Bucket();
    if (!kv.ok()) return kv.status();
    auto current = Read(*kv, name);
    if (!current.ok()) return current.status();
    if (current->revision == 0 || current->lease.expires_ns <= now_ns) return std::string();
    return current->lease.holder;
  }

 private:
  struct Current {
    uint64_t revision = 0;  // 0: no such key (or deleted)
    Lease lease;
  };

  // The bucket, opened (and created) on first use.
  Result<kvStore*> Bucket() {
    std::lock_guard<std::mutex> lock(mu_);
    if (kv_ != nullptr) return kv_;
    jsCtx* js = connection_.jetstream();
    if (js == nullptr) return Unavailable("NATS: not connected");
    natsStatus s = js_KeyValue(&kv_, js, bucket_.c_str());
    if (s == NATS_NOT_FOUND) {
      kvConfig cfg;
      kvConfig_Init(&cfg);
      cfg.Bucket = bucket_.c_str();
      cfg.History = 1;
      cfg.Replicas = connection_.options().replicas;
      s = js_CreateKeyValue(&kv_, js, &cfg);
    }
    if (s != NATS_OK) {
      kv_ = nullptr;
      return nats::FromNats(s, 0, "NATS key-value bucket " + bucket_);
    }
    return kv_;
  }

  static Result<Current> Read(kvStore* kv, const std::string& name) {
    kvEntry* e = nullptr;
    natsStatus s = kvStore_Get(&e, kv, name.c_str());
    if (s == NATS_NOT_FOUND) return Current{};
    if (s != NATS_OK) return nats::FromNats(s, 0, "NATS lease " + name);
    Current c;
    c.revision = kvEntry_Revision(e);
    std::string_view value(static_cast<const char*>(kvEntry_Value(e)),
                           static_cast<size_t>(kvEntry_ValueLen(e)));
    bool ok = value.empty() || sampling_codec::DecodeLease(value, &c.lease);
    kvEntry_Destroy(e);
    if (!ok) return Internal("NATS lease " + name + ": a malformed value");
    return c;
  }

  nats::Connection connection_;
  const std::string bucket_;
  std::unique_ptr<SamplingStore> owned_;
  SamplingStore& data_;
  std::mutex mu_;
  kvStore* kv_ = nullptr;
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
