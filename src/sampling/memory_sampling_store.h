// The in-memory sampling store: for a single collector (or tests); nothing
// survives a restart. Thread-safe (one mutex).
#pragma once

#include <memory>

#include "sampling/sampling_store.h"

namespace spoor {

[[nodiscard]] std::unique_ptr<SamplingStore> NewMemorySamplingStore();

}  // namespace spoor
