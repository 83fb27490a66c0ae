// The query API's parameter parsing on arbitrary query strings: QueryParams,
// then every request parser of query_params.h (searches with the query
// limits applied), and ParseTagsJson on the raw input. Parsed requests must
// keep the promises the storage relies on.

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/strings.h"
#include "fuzz/fuzz_check.h"
#include "query/query_params.h"
#include "server/http_util.h"

namespace {

// Fixed so that runs are reproducible.
constexpr uint64_t kNowNs = 1'700'000'000'123'456'789;

// A microseconds parameter that parsed must stand for exactly that many
// microseconds (no wrap-around when scaled to nanoseconds).
void CheckMicros(const spoor::QueryParams& params, const char* name, uint64_t ns) {
  const std::optional<std::string> text = params.Get(name);
  if (!text || text->empty()) return;
  const std::optional<uint64_t> us = spoor::ParseUint64(*text);
  if (!us) return;
  SPOOR_FUZZ_CHECK(ns % 1000 == 0 && ns / 1000 == *us,
                   std::string(name) + "=" + *text + " became " + std::to_string(ns) + " ns");
}

// A parsed search, once the query limits are applied as every handler
// applies them: what the storage is asked for stays within them.
void CheckQuery(spoor::TraceQuery q) {
  SPOOR_FUZZ_CHECK(q.limit >= 1, "limit 0");
  const spoor::QueryLimits limits{3600ULL * 1000000000, spoor::kMaxSearchLimit, 0};
  const uint64_t start_before = q.start_time_min_ns;
  spoor::ApplyQueryLimits(limits, kNowNs, &q);
  SPOOR_FUZZ_CHECK(q.limit >= 1 && q.limit <= spoor::kMaxSearchLimit,
                   "limit " + std::to_string(q.limit));
  SPOOR_FUZZ_CHECK(
      q.start_time_min_ns >= kNowNs - limits.max_lookback_ns && q.start_time_min_ns >= start_before,
      "window start " + std::to_string(q.start_time_min_ns));
  SPOOR_FUZZ_CHECK(
      q.duration_min_ns == 0 || q.duration_max_ns == 0 || q.duration_min_ns <= q.duration_max_ns,
      "duration bounds " + std::to_string(q.duration_min_ns) + " > " +
          std::to_string(q.duration_max_ns));
  SPOOR_FUZZ_CHECK(!q.match_kind || q.kind != spoor::SpanKind::kUnspecified,
                   "matching the unspecified span kind");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = spoor::fuzz::AsText(data, size);
  const spoor::QueryParams params(text);

  if (auto search = spoor::ParseJaegerSearch(params, kNowNs); search.ok()) {
    const spoor::TraceQuery& q = search->query;
    CheckQuery(q);
    SPOOR_FUZZ_CHECK(!q.service.empty() || !search->trace_ids.empty(),
                     "a search with neither service nor traceID");
    CheckMicros(params, "start", q.start_time_min_ns);
    CheckMicros(params, "end", q.start_time_max_ns);
  }
  if (auto read = spoor::ParseJaegerTraceRead(params); read.ok()) {
    CheckMicros(params, "start", read->hint.start_ns);
    CheckMicros(params, "end", read->hint.end_ns);
  }
  if (auto search = spoor::ParseV3Search(params); search.ok()) {
    const spoor::TraceQuery& q = search->query;
    CheckQuery(q);
    SPOOR_FUZZ_CHECK(q.start_time_min_ns <= q.start_time_max_ns, "start time bounds reversed");
  }
  (void)spoor::ParseV3TraceRead(params);

  std::vector<std::pair<std::string, std::string>> tags;
  (void)spoor::ParseTagsJson(std::string(text), &tags);
  return 0;
}
