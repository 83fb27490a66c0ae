// The memory backend in the registry (storage/factory.cc).
#include "storage/backend.h"
#include "storage/backend_flags.h"

namespace spoor {

StorageBackend MemoryBackend() {
  StorageBackend b;
  b.name = "memory";
  b.description = "in memory, bounded by a number of traces; lost at exit";
  b.flags.push_back(backend_flags::Positive(
      "memory.max-traces", "100000", "traces kept by the memory store; the oldest are evicted",
      [](StorageOptions& o) -> size_t& { return o.memory.max_traces; }));
  b.capabilities = [](const StorageOptions&) { return StorageCapabilities{}; };
  b.open = [](const StorageOptions& o) -> Result<std::unique_ptr<Storage>> {
    return NewMemoryStore(o.memory);
  };
  return b;
}

}  // namespace spoor
