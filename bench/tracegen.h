// The benchmarks' workload is tracegen's: see tools/tracegen/workload.h.
#pragma once

#include "tools/tracegen/workload.h"

namespace spoor::bench {

using tracegen::kAttributesPerSpan;
using tracegen::kDefaultRequestStartNs;
using tracegen::kSpansPerRequest;
using tracegen::kSpansPerTrace;
using tracegen::MakeTracegenRequest;

}  // namespace spoor::bench
