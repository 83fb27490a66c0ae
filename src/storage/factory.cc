#include "storage/factory.h"

namespace spoor {

const std::vector<StorageBackend>& StorageBackends() {
  static const std::vector<StorageBackend> kBackends = {
      EmbeddedBackend(),
      MemoryBackend(),
      ClickHouseBackend(),
  };
  return kBackends;
}

const StorageBackend* FindStorageBackend(std::string_view name) {
  for (const StorageBackend& b : StorageBackends()) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

std::string StorageTypes() {
  std::string out;
  for (const StorageBackend& b : StorageBackends()) {
    if (!out.empty()) out += ", ";
    out += b.name;
  }
  return out;
}

Result<std::unique_ptr<Storage>> CreateStorage(const StorageOptions& options) {
  const StorageBackend* backend = FindStorageBackend(options.type);
  if (backend == nullptr) {
    return Status(StatusCode::kInvalidArgument, "unknown span storage type '" + options.type +
                                                    "' (supported: " + StorageTypes() + ")");
  }
  return backend->open(options);
}

}  // namespace spoor
