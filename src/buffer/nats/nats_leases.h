// Leases with compare-and-set in a NATS JetStream key-value bucket: the
// adaptive sampling leader's lease (nats_lease_store.h) and the ingesters'
// ownership of stream partitions (partition_owner.h).
//
// A lease is the key `<name>` holding (holder, expiry in ns); taking it
// creates the key (when absent) or updates it on the revision read (when
// free, expired, or the taker's own): of two takers racing, one update
// fails. Expiry uses the callers' clocks. The semantics are those of
// SamplingStore's lease methods (sampling/sampling_store.h).
//
// Threading: every method may be called from any thread.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "buffer/nats/nats_connection.h"
#include "buffer/nats/nats_options.h"
#include "common/status.h"

struct __kvStore;

namespace spoor {

class NatsLeases {
 public:
  // The bucket `bucket` is opened (created when missing) at the first call.
  NatsLeases(const NatsOptions& options, std::string bucket);
  ~NatsLeases();
  NatsLeases(const NatsLeases&) = delete;
  NatsLeases& operator=(const NatsLeases&) = delete;

  // Starts connecting; NATS unreachable is not an error: calls answer
  // Unavailable until it is back.
  [[nodiscard]] Status Connect(const std::string& client_name);

  // True when `holder` holds `name` until now_ns + ttl_ns afterwards; false,
  // changing nothing, while another holder's lease has not expired.
  [[nodiscard]] Result<bool> Acquire(const std::string& name, const std::string& holder,
                                     uint64_t ttl_ns, uint64_t now_ns);
  // Frees the lease when `holder` was the last to take it.
  [[nodiscard]] Result<bool> Release(const std::string& name, const std::string& holder);
  // The holder at now_ns; "" when free or expired.
  [[nodiscard]] Result<std::string> Holder(const std::string& name, uint64_t now_ns);

 private:
  Result<__kvStore*> Bucket();

  nats::Connection connection_;
  const std::string bucket_;
  std::mutex mu_;
  __kvStore* kv_ = nullptr;
};

}  // namespace spoor
