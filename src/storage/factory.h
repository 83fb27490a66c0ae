// The registry of storage backends and the factory that opens the
// configured one. Callers see only the Storage interface; concrete classes
// stay private to their folders.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/backend.h"
#include "storage/options.h"
#include "storage/storage.h"

namespace spoor {

// Every backend, in the order --help lists them.
[[nodiscard]] const std::vector<StorageBackend>& StorageBackends();

// The backend named `name`, or nullptr.
[[nodiscard]] const StorageBackend* FindStorageBackend(std::string_view name);

// The accepted `type` values ("embedded, memory, clickhouse"), for --help
// and errors.
[[nodiscard]] std::string StorageTypes();

[[nodiscard]] Result<std::unique_ptr<Storage>> CreateStorage(const StorageOptions& options);

}  // namespace spoor
