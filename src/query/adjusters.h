// Query-side adjusters applied to a trace before it is shown (skipped when
// the caller asks for raw traces). Each adjuster records what it changed in
// the affected span's `warnings`.
#pragma once

#include <cstdint>

#include "model/span.h"

namespace spoor {

struct AdjusterOptions {
  // Largest clock-skew correction applied to one span; 0 disables the
  // clock-skew adjuster (--query.max-clock-skew-adjustment).
  uint64_t max_clock_skew_adjustment_ns = 0;
};

// In order: drop exact duplicate spans; give the server half of a
// Zipkin-style shared span (client and server spans with one span ID) a new
// ID and make it a child of the client half; correct clock skew between a
// child and its parent on different hosts; sort spans by start time and
// attributes by key.
void AdjustTrace(Trace& trace, const AdjusterOptions& options);

}  // namespace spoor
