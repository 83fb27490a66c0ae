// A storage backend as the rest of spoor sees it: its name, its flags, what
// it can do, and how to open it. The registry of every backend is in
// factory.cc; a backend is its own folder plus one line there.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/options.h"
#include "storage/storage.h"

namespace spoor {

// One configuration key of a backend: --<name>=value, or <name> in YAML
// (dots nest).
struct StorageFlag {
  std::string name;  // e.g. "memory.max-traces"
  std::string default_text;
  std::string help;
  bool is_bool = false;  // "--name" alone means true
  // Parses `value` into `options`; returns "" or why the value is invalid
  // ("expected a duration like 72h").
  std::function<std::string(StorageOptions& options, const std::string& value)> set;
};

struct StorageCapabilities {
  // A write returns only once the spans are durable: the pipeline then
  // acknowledges a request only after its spans are written.
  bool ack_after_write = false;
  // What was written survives a restart of spoor.
  bool persistent = false;
};

struct StorageBackend {
  std::string name;  // the --span-storage.type value
  std::string description;
  std::vector<StorageFlag> flags;
  std::function<StorageCapabilities(const StorageOptions&)> capabilities;
  std::function<Result<std::unique_ptr<Storage>>(const StorageOptions&)> open;
};

// The backends, each defined in its folder (<name>/<name>_backend.cc).
[[nodiscard]] StorageBackend MemoryBackend();
[[nodiscard]] StorageBackend EmbeddedBackend();
[[nodiscard]] StorageBackend ClickHouseBackend();

}  // namespace spoor
