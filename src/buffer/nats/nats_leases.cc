#include "buffer/nats/nats_leases.h"

#include <nats/nats.h>

#include "sampling/sampling_codec.h"

namespace spoor {
namespace {

using sampling_codec::Lease;

struct Current {
  uint64_t revision = 0;  // 0: no such key (or deleted)
  Lease lease;
};

Result<Current> Read(kvStore* kv, const std::string& name) {
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

}  // namespace

NatsLeases::NatsLeases(const NatsOptions& options, std::string bucket)
    : connection_(options), bucket_(std::move(bucket)) {}

NatsLeases::~NatsLeases() {
  if (kv_ != nullptr) kvStore_Destroy(kv_);
}

Status NatsLeases::Connect(const std::string& client_name) {
  return connection_.Connect(client_name);
}

Result<kvStore*> NatsLeases::Bucket() {
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

Result<bool> NatsLeases::Acquire(const std::string& name, const std::string& holder,
                                 uint64_t ttl_ns, uint64_t now_ns) {
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
  if (s == NATS_ERR) return false;  // another taker wrote first
  return nats::FromNats(s, 0, "NATS lease " + name);
}

Result<bool> NatsLeases::Release(const std::string& name, const std::string& holder) {
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

Result<std::string> NatsLeases::Holder(const std::string& name, uint64_t now_ns) {
  auto kv = Bucket();
  if (!kv.ok()) return kv.status();
  auto current = Read(*kv, name);
  if (!current.ok()) return current.status();
  if (current->revision == 0 || current->lease.expires_ns <= now_ns) return std::string();
  return current->lease.holder;
}

}  // namespace spoor
