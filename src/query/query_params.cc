#include "query/query_params.h"

#include <simdjson.h>

#include "common/strings.h"
#include "common/time_format.h"

namespace spoor {
namespace {

// First value among several accepted names of one parameter.
std::optional<std::string> GetAny(const QueryParams& p, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (auto v = p.Get(n)) return v;
  }
  return std::nullopt;
}

bool ParseBoolParam(const std::optional<std::string>& v) {
  return v && (*v == "true" || *v == "1" || *v == "TRUE" || *v == "True");
}

Status ParseMicros(const QueryParams& p, const char* name, uint64_t* out_ns) {
  auto v = p.Get(name);
  if (!v || v->empty()) return Status::Ok();
  auto us = ParseUint64(*v);
  // Times past what uint64 nanoseconds hold (year 2554) are rejected rather
  // than wrapped around.
  if (!us || *us > UINT64_MAX / 1000) {
    return InvalidArgument(std::string("unable to parse param '") + name +
                           "': expected microseconds since the epoch, got '" + *v + "'");
  }
  *out_ns = *us * 1000;
  return Status::Ok();
}

Status ParseDurationParam(const std::optional<std::string>& v, const char* name, uint64_t* out_ns) {
  if (!v || v->empty()) return Status::Ok();
  auto ns = ParseGoDuration(*v);
  if (!ns || *ns < 0) {
    return InvalidArgument(std::string("unable to parse param '") + name + "': invalid duration '" +
                           *v + "' (examples: 500us, 1.5ms, 2s, 1m)");
  }
  *out_ns = static_cast<uint64_t>(*ns);
  return Status::Ok();
}

Status CheckDurations(const TraceQuery& q, const char* min_name, const char* max_name) {
  if (q.duration_min_ns != 0 && q.duration_max_ns != 0 && q.duration_max_ns < q.duration_min_ns) {
    return InvalidArgument(std::string("'") + max_name + "' should be greater than '" + min_name +
                           "'");
  }
  return Status::Ok();
}

Status ParseTimeParam(const std::optional<std::string>& v, const char* name, uint64_t* out_ns) {
  if (!v || v->empty()) return Status::Ok();
  auto ns = ParseRfc3339(*v);
  if (!ns) {
    return InvalidArgument(std::string("unable to parse param '") + name +
                           "': expected RFC 3339 time, got '" + *v + "'");
  }
  *out_ns = *ns;
  return Status::Ok();
}

}  // namespace

Status ParseSpanKindParam(const std::string& value, bool* match_kind, SpanKind* kind) {
  *match_kind = false;
  if (value.empty()) return Status::Ok();
  std::string lower = ToLower(value);
  if (StartsWith(lower, "span_kind_")) lower = lower.substr(10);
  if (!ParseSpanKind(lower, kind) || lower.empty()) {
    return InvalidArgument("unsupported span kind '" + value +
                           "'; use server, client, producer, consumer or internal");
  }
  *match_kind = true;
  return Status::Ok();
}

Status ParseTagsJson(const std::string& json,
                     std::vector<std::pair<std::string, std::string>>* tags) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(json).get(doc); err) {
    return InvalidArgument(std::string("malformed 'tags' parameter, cannot unmarshal JSON: ") +
                           simdjson::error_message(err));
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) {
    return InvalidArgument("malformed 'tags' parameter: expected a JSON object of key/value pairs");
  }
  for (auto [key, value] : obj) {
    std::string text;
    switch (value.type()) {
      case simdjson::dom::element_type::STRING:
        text = std::string(value.get_string().value());
        break;
      case simdjson::dom::element_type::BOOL:
        text = value.get_bool().value() ? "true" : "false";
        break;
      case simdjson::dom::element_type::INT64:
        text = std::to_string(value.get_int64().value());
        break;
      case simdjson::dom::element_type::UINT64:
        text = std::to_string(value.get_uint64().value());
        break;
      case simdjson::dom::element_type::DOUBLE: {
        AnyValue v = AnyValue::Double(value.get_double().value());
        text = v.ToString();
        break;
      }
      default:
        return InvalidArgument("malformed 'tags' parameter: the value of '" + std::string(key) +
                               "' must be a string");
    }
    tags->emplace_back(std::string(key), std::move(text));
  }
  return Status::Ok();
}

Result<JaegerSearchRequest> ParseJaegerSearch(const QueryParams& p, uint64_t now_ns) {
  JaegerSearchRequest r;
  TraceQuery& q = r.query;
  r.raw = ParseBoolParam(p.Get("raw"));
  for (const std::string& id : p.GetAll("traceID")) {
    auto parsed = TraceId::ParseHex(id);
    if (!parsed)
      return InvalidArgument("cannot parse traceID param '" + id +
                             "': expected up to 32 hex characters");
    r.trace_ids.push_back(*parsed);
  }
  q.service = p.Get("service").value_or("");
  q.operation = p.Get("operation").value_or("");
  uint64_t end_ns = now_ns;
  uint64_t start_ns = 0;
  if (Status s = ParseMicros(p, "end", &end_ns); !s.ok()) return s;
  if (Status s = ParseMicros(p, "start", &start_ns); !s.ok()) return s;
  if (!p.Has("start") || p.Get("start")->empty()) {
    start_ns = end_ns > kDefaultSearchLookbackNs ? end_ns - kDefaultSearchLookbackNs : 0;
  }
  q.start_time_min_ns = start_ns;
  q.start_time_max_ns = end_ns;
  if (Status s = ParseDurationParam(p.Get("minDuration"), "minDuration", &q.duration_min_ns);
      !s.ok())
    return s;
  if (Status s = ParseDurationParam(p.Get("maxDuration"), "maxDuration", &q.duration_max_ns);
      !s.ok())
    return s;
  if (Status s = CheckDurations(q, "minDuration", "maxDuration"); !s.ok()) return s;
  q.limit = kDefaultSearchLimit;
  if (auto limit = p.Get("limit"); limit && !limit->empty()) {
    auto n = ParseInt64(*limit);
    if (!n || *n < 0)
      return InvalidArgument(
          "unable to parse param 'limit': expected a non-negative integer, got '" + *limit + "'");
    q.limit = *n == 0 ? kDefaultSearchLimit : static_cast<size_t>(*n);  // QueryLimits lowers it
  }
  for (const std::string& tags : p.GetAll("tags")) {
    if (tags.empty()) continue;
    if (Status s = ParseTagsJson(tags, &q.tags); !s.ok()) return s;
  }
  for (const std::string& tag : p.GetAll("tag")) {
    size_t colon = tag.find(':');
    if (colon == std::string::npos || colon == 0) {
      return InvalidArgument("malformed 'tag' parameter, expecting key:value, received: " + tag);
    }
    q.tags.emplace_back(tag.substr(0, colon), tag.substr(colon + 1));
  }
  if (auto kind = p.Get("spanKind")) {
    if (Status s = ParseSpanKindParam(*kind, &q.match_kind, &q.kind); !s.ok()) return s;
  }
  if (r.trace_ids.empty() && q.service.empty())
    return InvalidArgument("parameter 'service' is required");
  return r;
}

Result<TraceReadRequest> ParseJaegerTraceRead(const QueryParams& p) {
  TraceReadRequest r;
  r.raw = ParseBoolParam(p.Get("raw"));
  if (Status s = ParseMicros(p, "start", &r.hint.start_ns); !s.ok()) return s;
  if (Status s = ParseMicros(p, "end", &r.hint.end_ns); !s.ok()) return s;
  return r;
}

Result<V3SearchRequest> ParseV3Search(const QueryParams& p) {
  V3SearchRequest r;
  TraceQuery& q = r.query;
  q.service = GetAny(p, {"query.serviceName", "query.service_name"}).value_or("");
  q.operation = GetAny(p, {"query.operationName", "query.operation_name"}).value_or("");
  r.raw = ParseBoolParam(GetAny(p, {"query.rawTraces", "query.raw_traces"}));
  auto min = GetAny(p, {"query.startTimeMin", "query.start_time_min"});
  auto max = GetAny(p, {"query.startTimeMax", "query.start_time_max"});
  if (!min || min->empty()) return InvalidArgument("query.startTimeMin is required");
  if (!max || max->empty()) return InvalidArgument("query.startTimeMax is required");
  if (Status s = ParseTimeParam(min, "query.startTimeMin", &q.start_time_min_ns); !s.ok()) return s;
  if (Status s = ParseTimeParam(max, "query.startTimeMax", &q.start_time_max_ns); !s.ok()) return s;
  if (q.start_time_max_ns < q.start_time_min_ns) {
    return InvalidArgument("query.startTimeMax must not be before query.startTimeMin");
  }
  if (Status s = ParseDurationParam(GetAny(p, {"query.durationMin", "query.duration_min"}),
                                    "query.durationMin", &q.duration_min_ns);
      !s.ok()) {
    return s;
  }
  if (Status s = ParseDurationParam(GetAny(p, {"query.durationMax", "query.duration_max"}),
                                    "query.durationMax", &q.duration_max_ns);
      !s.ok()) {
    return s;
  }
  if (Status s = CheckDurations(q, "query.durationMin", "query.durationMax"); !s.ok()) return s;
  q.limit = kDefaultSearchLimit;
  if (auto depth = GetAny(
          p, {"query.searchDepth", "query.search_depth", "query.numTraces", "query.num_traces"});
      depth && !depth->empty()) {
    auto n = ParseInt64(*depth);
    if (!n || *n < 0)
      return InvalidArgument(
          "unable to parse param 'query.searchDepth': expected a non-negative integer");
    q.limit = *n == 0 ? kDefaultSearchLimit : static_cast<size_t>(*n);  // QueryLimits lowers it
  }
  if (auto attrs = GetAny(p, {"query.attributes"}); attrs && !attrs->empty()) {
    if (Status s = ParseTagsJson(*attrs, &q.tags); !s.ok()) return s;
  }
  if (auto kind = GetAny(p, {"query.spanKind", "query.span_kind"})) {
    if (Status s = ParseSpanKindParam(*kind, &q.match_kind, &q.kind); !s.ok()) return s;
  }
  r.filter = GetAny(p, {"query.filter"}).value_or("");
  return r;
}

Result<TraceReadRequest> ParseV3TraceRead(const QueryParams& p) {
  TraceReadRequest r;
  r.raw = ParseBoolParam(GetAny(p, {"rawTraces", "raw_traces"}));
  if (Status s =
          ParseTimeParam(GetAny(p, {"startTime", "start_time"}), "startTime", &r.hint.start_ns);
      !s.ok()) {
    return s;
  }
  if (Status s = ParseTimeParam(GetAny(p, {"endTime", "end_time"}), "endTime", &r.hint.end_ns);
      !s.ok())
    return s;
  return r;
}

uint64_t EarliestQueryTimeNs(const QueryLimits& limits, uint64_t now_ns) {
  if (limits.max_lookback_ns == 0 || now_ns <= limits.max_lookback_ns) return 0;
  return now_ns - limits.max_lookback_ns;
}

void ApplyQueryLimits(const QueryLimits& limits, uint64_t now_ns, TraceQuery* query) {
  if (limits.max_limit > 0) query->limit = std::min(query->limit, limits.max_limit);
  query->start_time_min_ns =
      std::max(query->start_time_min_ns, EarliestQueryTimeNs(limits, now_ns));
}

}  // namespace spoor
