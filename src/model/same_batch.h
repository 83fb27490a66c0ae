// Comparison of whole batches, for tests of decoders against each other.
#pragma once

#include "model/span.h"

namespace spoor {

// Whether two batches hold the same spans grouped the same way, every field
// compared (Resource::operator== leaves out schema_url and service_name;
// this does not).
[[nodiscard]] bool SameBatch(const SpanBatch& a, const SpanBatch& b);

}  // namespace spoor
