// One line of a search result without the spans: what api_v3's
// /trace-summaries returns.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/json_writer.h"
#include "model/span.h"

namespace spoor {

struct ServiceSummary {
  std::string name;
  uint64_t span_count = 0;
  uint64_t error_span_count = 0;
};

struct TraceSummary {
  TraceId trace_id;
  std::string root_service_name;    // of the root span (no parent in the trace)
  std::string root_operation_name;  // "" when the trace has no root
  uint64_t min_start_time_ns = 0;
  uint64_t max_end_time_ns = 0;
  uint64_t span_count = 0;
  uint64_t error_span_count = 0;         // status ERROR or attribute error=true
  uint64_t orphan_span_count = 0;        // parent set but not in the trace
  std::vector<ServiceSummary> services;  // sorted by name
};

[[nodiscard]] TraceSummary SummarizeTrace(const Trace& trace);

// {"traceId", "rootServiceName", "rootOperationName", "minStartTimeUnixNano",
//  "maxEndTimeUnixNano", "spanCount", "errorSpanCount", "orphanSpanCount",
//  "services": [{"name", "spanCount", "errorSpanCount"}]}
void AppendTraceSummaryJson(const TraceSummary& summary, JsonWriter& w);

}  // namespace spoor
