// Leases with compare-and-set for several collectors: a SamplingStore whose
// throughput and probabilities are another store's (ClickHouse, shared by
// the collectors) and whose leases live in a NATS JetStream key-value
// bucket, where an update succeeds only on the revision it read.
//
// A lease is the key `<name>` holding (holder, expiry in ns); taking it
// creates the key (when absent) or updates it on the revision read (when
// free, expired, or the taker's own): of two collectors racing, one update
// fails. Expiry uses the callers' clocks, as the other stores do.
//
// Threading: every method may be called from any thread.
#pragma once

#include <memory>
#include <string>

#include "buffer/nats/nats_options.h"
#include "sampling/sampling_store.h"

namespace spoor {

// Connects to `options`' servers; the bucket `bucket` is opened (created
// when missing) at the first lease call. `data` keeps throughput and
// probabilities. NATS unreachable at start is not an error: lease calls
// answer Unavailable until it is back.
[[nodiscard]] Result<std::unique_ptr<SamplingStore>> OpenNatsLeaseStore(
    const NatsOptions& options, const std::string& bucket, std::unique_ptr<SamplingStore> data);

}  // namespace spoor
