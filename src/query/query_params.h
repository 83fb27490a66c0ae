// Parsing of the query API's request parameters into storage queries, with
// the defaults and error messages of Jaeger's query service.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "server/http_util.h"
#include "storage/storage.h"

namespace spoor {

// The search window used when `start` is absent (Jaeger's default).
inline constexpr uint64_t kDefaultSearchLookbackNs = 48ULL * 3600 * 1000000000;
inline constexpr size_t kDefaultSearchLimit = 100;
inline constexpr size_t kMaxSearchLimit = 1500;  // --query.max-limit's default

// What one query may ask for (--query.max-lookback, --query.max-limit,
// --query.max-trace-spans); 0 = no limit.
struct QueryLimits {
  uint64_t max_lookback_ns = 0;
  size_t max_limit = kMaxSearchLimit;
  size_t max_trace_spans = 0;
};

// Lowers a search to the limits: its limit to max_limit, its window's
// start to now - max_lookback (a UI's "last 2 days" still answers, over
// what may be read).
void ApplyQueryLimits(const QueryLimits& limits, uint64_t now_ns, TraceQuery* query);

// The earliest time a query may read from: now - max_lookback (0 = any).
[[nodiscard]] uint64_t EarliestQueryTimeNs(const QueryLimits& limits, uint64_t now_ns);

struct JaegerSearchRequest {
  TraceQuery query;
  std::vector<TraceId> trace_ids;  // repeated traceID=: fetch these instead
  bool raw = false;
};

// GET /api/traces: service, operation, tags (JSON object), tag=k:v,
// start/end (µs), minDuration/maxDuration (Go durations), limit, traceID,
// raw. InvalidArgument with Jaeger's message on bad input.
[[nodiscard]] Result<JaegerSearchRequest> ParseJaegerSearch(const QueryParams& params,
                                                            uint64_t now_ns);

struct TraceReadRequest {
  TraceTimeHint hint;
  bool raw = false;
};

// GET /api/traces/{id}: start, end (µs), raw.
[[nodiscard]] Result<TraceReadRequest> ParseJaegerTraceRead(const QueryParams& params);

// GET /api/v3/traces and /trace-summaries: query.* parameters, camelCase or
// snake_case (query.serviceName or query.service_name, ...).
struct V3SearchRequest {
  TraceQuery query;
  bool raw = false;
  std::string filter;  // query.filter: the query language (querylang/query_filter.h)
};
[[nodiscard]] Result<V3SearchRequest> ParseV3Search(const QueryParams& params);

// GET /api/v3/traces/{id}: startTime, endTime (RFC 3339), rawTraces.
[[nodiscard]] Result<TraceReadRequest> ParseV3TraceRead(const QueryParams& params);

// A span kind parameter: "" (all) or server/client/producer/consumer/internal.
[[nodiscard]] Status ParseSpanKindParam(const std::string& value, bool* match_kind, SpanKind* kind);

// Parses a JSON object of tag filters; values may be strings, numbers or
// booleans and are compared by their text.
[[nodiscard]] Status ParseTagsJson(const std::string& json,
                                   std::vector<std::pair<std::string, std::string>>* tags);

}  // namespace spoor
