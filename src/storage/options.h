// The options of every storage backend, as the configuration fills them in.
#pragma once

#include <string>

#include "storage/clickhouse/clickhouse_store.h"
#include "storage/embedded/embedded_store.h"
#include "storage/memory/memory_store.h"

namespace spoor {

struct StorageOptions {
  std::string type = "embedded";  // --span-storage.type: a name in the registry (factory.h)
  MemoryStoreOptions memory;
  EmbeddedStoreOptions embedded;
  ClickHouseStoreOptions clickhouse;
};

}  // namespace spoor
