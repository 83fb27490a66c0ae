// The embedded, persistent backend (RocksDB): the default store of the
// all-in-one. Layout and guarantees in docs/storage-embedded.md.
//
// Write path: each batch is appended to a write-ahead area (one RocksDB key
// per batch, fsynced when sync_writes) and to the open block of its time
// bucket in memory. A block is sealed (encoded by block_codec.h, indexed by
// block_index.h, written, and its write-ahead entries deleted, atomically)
// when it holds block_spans spans or is older than block_max_age_ns, and at
// Close(). Reads see open and sealed blocks alike. Retention drops whole
// time buckets.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "storage/storage.h"

namespace spoor {

struct EmbeddedStoreOptions {
  std::string directory = "./data";
  bool sync_writes = false;                          // fsync every write before it returns
  uint64_t span_ttl_ns = 72ULL * 3600 * 1000000000;  // 0 = keep forever
  uint64_t bucket_ns = 3600ULL * 1000000000;         // retention granularity
  size_t block_spans = 16384;
  uint64_t block_max_age_ns = 30ULL * 1000000000;
  uint64_t retention_interval_ns = 60ULL * 1000000000;  // how often expiry runs
};

// Opens (or creates) the store. Fails with a clear message when the
// directory cannot be used or the data is corrupt.
[[nodiscard]] Result<std::unique_ptr<Storage>> OpenEmbeddedStore(
    const EmbeddedStoreOptions& options);

}  // namespace spoor
