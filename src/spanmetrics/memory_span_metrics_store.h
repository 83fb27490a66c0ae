// Span metrics held in memory (the memory backend's, and the reference for
// the store tests). Bounded by retention: the aggregator expires old rows.
#pragma once

#include <memory>

#include "spanmetrics/span_metrics_store.h"

namespace spoor {

[[nodiscard]] std::unique_ptr<SpanMetricsStore> NewMemorySpanMetricsStore();

}  // namespace spoor
