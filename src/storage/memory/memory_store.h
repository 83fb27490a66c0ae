// The in-memory backend: bounded by a number of traces, the oldest trace
// (by first arrival) evicted first. Thread-safe (one reader/writer lock).
// Spans are kept encoded per trace (span_codec.h) and decoded on read; see
// docs/storage-memory.md.
#pragma once

#include <cstddef>
#include <memory>

#include "storage/storage.h"

namespace spoor {

struct MemoryStoreOptions {
  size_t max_traces = 100000;
};

[[nodiscard]] std::unique_ptr<Storage> NewMemoryStore(const MemoryStoreOptions& options);

}  // namespace spoor
