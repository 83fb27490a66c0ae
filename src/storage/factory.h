// Creates the configured storage backend. Callers see only the Storage
// interface; concrete classes stay private to their folders.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "storage/embedded/embedded_store.h"
#include "storage/memory/memory_store.h"
#include "storage/storage.h"

namespace spoor {

struct StorageOptions {
  std::string type = "embedded";  // --span-storage.type
  MemoryStoreOptions memory;
  EmbeddedStoreOptions embedded;
};

// The list of accepted `type` values, for --help and errors.
[[nodiscard]] std::string StorageTypes();

[[nodiscard]] Result<std::unique_ptr<Storage>> CreateStorage(const StorageOptions& options);

}  // namespace spoor
