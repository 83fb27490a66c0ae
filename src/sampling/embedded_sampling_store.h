// The embedded sampling store: RocksDB in a directory of its own, for one
// process (RocksDB locks the directory). Keys and value encodings are
// described in docs/storage-embedded.md ("Sampling store").
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "sampling/sampling_store.h"

namespace spoor {

// Opens (or creates) the store in `directory`; with sync_writes every write
// is fsynced before it returns. Fails when the directory cannot be used or
// holds data in another format.
[[nodiscard]] Result<std::unique_ptr<SamplingStore>> OpenEmbeddedSamplingStore(
    const std::string& directory, bool sync_writes);

}  // namespace spoor
