// The embedded backend in the registry (storage/factory.cc).
#include "storage/backend.h"
#include "storage/backend_flags.h"

namespace spoor {

StorageBackend EmbeddedBackend() {
  StorageBackend b;
  b.name = "embedded";
  b.description = "persistent, on this machine's disk (RocksDB)";
  b.flags.push_back(backend_flags::Text(
      "embedded.directory", "./data", "directory of the embedded store",
      [](StorageOptions& o) -> std::string& { return o.embedded.directory; }, false));
  b.flags.push_back(
      backend_flags::Bool("embedded.sync-writes", "false",
                          "fsync every write, and acknowledge spans only once they are on disk",
                          [](StorageOptions& o) -> bool& { return o.embedded.sync_writes; }));
  b.flags.push_back(backend_flags::Duration(
      "embedded.span-ttl", "72h", "how long spans are kept (0s keeps them forever)",
      [](StorageOptions& o) -> uint64_t& { return o.embedded.span_ttl_ns; }));
  b.capabilities = [](const StorageOptions& o) {
    return StorageCapabilities{.ack_after_write = o.embedded.sync_writes, .persistent = true};
  };
  b.open = [](const StorageOptions& o) { return OpenEmbeddedStore(o.embedded); };
  return b;
}

}  // namespace spoor
