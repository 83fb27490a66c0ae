// The critical path of a trace: the chain of work that decided how long it
// took. From the root span's end backwards, time is given to the child that
// finished last before that moment (and, inside it, to its own children
// the same way); the time no child covers is the span's own. Children are
// clipped to their parent's bounds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/span.h"

namespace spoor {

struct CriticalSegment {
  size_t span = 0;  // index in trace.spans
  uint64_t start_ns = 0;
  uint64_t end_ns = 0;
};

// The segments in time order, none empty; empty for a trace without spans.
// The root is the earliest span without a parent (else the earliest span).
[[nodiscard]] std::vector<CriticalSegment> CriticalPath(const Trace& trace);

}  // namespace spoor
