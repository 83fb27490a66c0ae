#include "storage/factory.h"

namespace spoor {

std::string StorageTypes() {
  return "embedded, memory";
}

Result<std::unique_ptr<Storage>> CreateStorage(const StorageOptions& options) {
  if (options.type == "memory") return NewMemoryStore(options.memory);
  if (options.type == "embedded") return OpenEmbeddedStore(options.embedded);
  return Status(StatusCode::kInvalidArgument, "unknown span storage type '" + options.type +
                                                  "' (supported: " + StorageTypes() + ")");
}

}  // namespace spoor
