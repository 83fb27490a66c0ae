// The sampling store on ClickHouse: what adaptive sampling shares between
// collectors, in the database of the ClickHouse span store, so that every
// collector writing to one ClickHouse sees the others' throughput and the
// leader's probabilities. Tables and reasons in docs/storage-clickhouse.md
// ("Sampling store").
//
// Leases are not in ClickHouse: it has no atomic compare-and-set, which a
// lease needs. They are held in this process (as the memory store holds
// them), which is right for one collector; several collectors need a lease
// in a store with compare-and-set (the NATS key-value bucket of the
// scale-out roles).
#pragma once

#include <memory>

#include "common/status.h"
#include "sampling/sampling_store.h"
#include "storage/clickhouse/clickhouse_store.h"

namespace spoor {

// Connects with the span store's options (servers, credentials, database,
// cluster) and creates the sampling tables when options.create_schema. On a
// cluster every server holds a replica of each table (ReplicatedMergeTree,
// not sharded); requests go to one server and fail over to the next.
[[nodiscard]] Result<std::unique_ptr<SamplingStore>> OpenClickHouseSamplingStore(
    const ClickHouseStoreOptions& options);

}  // namespace spoor
