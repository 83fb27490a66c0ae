#include "query/mcp/mcp_tools.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/json_writer.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "query/critical_path.h"
#include "query/filtered_search.h"
#include "query/query_params.h"
#include "query/trace_summary.h"
#include "spanmetrics/metrics_query.h"

namespace spoor::mcp {
namespace {

// Longest attribute value shown; longer ones are cut with a note.
constexpr size_t kMaxValue = 1024;
constexpr size_t kMaxAttributes = 100;
constexpr size_t kMaxEvents = 50;
constexpr size_t kDefaultTopologySpans = 200;
constexpr size_t kMaxTopologySpans = 1000;
constexpr size_t kMaxSegments = 200;
constexpr size_t kMaxErrors = 50;
constexpr size_t kDefaultSearch = 20;
constexpr size_t kMaxSearch = 100;

ToolResult Error(std::string message) {
  return {std::move(message), true};
}

// The optional string argument `name`; an error when it is not a string.
Result<std::optional<std::string>> StringArg(const simdjson::dom::object& args, const char* name) {
  simdjson::dom::element v;
  if (args.at_key(name).get(v) != simdjson::SUCCESS || v.is_null()) {
    return std::optional<std::string>();
  }
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) {
    return InvalidArgument(std::string("'") + name + "' must be a string");
  }
  return std::optional<std::string>(std::string(s));
}

Result<std::optional<int64_t>> IntArg(const simdjson::dom::object& args, const char* name) {
  simdjson::dom::element v;
  if (args.at_key(name).get(v) != simdjson::SUCCESS || v.is_null()) {
    return std::optional<int64_t>();
  }
  int64_t n = 0;
  double d = 0;
  if (v.get_int64().get(n) == simdjson::SUCCESS) return std::optional<int64_t>(n);
  if (v.get_double().get(d) == simdjson::SUCCESS &&
      d == static_cast<double>(static_cast<int64_t>(d))) {
    return std::optional<int64_t>(static_cast<int64_t>(d));
  }
  return InvalidArgument(std::string("'") + name + "' must be a whole number");
}

bool BoolArg(const simdjson::dom::object& args, const char* name) {
  simdjson::dom::element v;
  bool b = false;
  return args.at_key(name).get(v) == simdjson::SUCCESS &&
         v.get_bool().get(b) == simdjson::SUCCESS && b;
}

// A duration argument such as "1h" (Go's form), `fallback` when absent.
Result<uint64_t> DurationArg(const simdjson::dom::object& args, const char* name,
                             uint64_t fallback) {
  auto text = StringArg(args, name);
  if (!text.ok()) return text.status();
  if (!*text) return fallback;
  auto ns = ParseGoDuration(**text);
  if (!ns || *ns <= 0) {
    return InvalidArgument(std::string("'") + name + "' must be a duration such as 30m, 1h or 24h");
  }
  return static_cast<uint64_t>(*ns);
}

Result<TraceId> TraceIdArg(const simdjson::dom::object& args) {
  auto text = StringArg(args, "trace_id");
  if (!text.ok()) return text.status();
  if (!*text) return InvalidArgument("'trace_id' is required");
  auto id = TraceId::ParseHex(**text);
  if (!id) return InvalidArgument("'trace_id' must be up to 32 hex characters");
  return *id;
}

// The trace, with the adjusters the UI's view has.
Result<Trace> LoadTrace(const QueryContext& ctx, const TraceId& id) {
  auto trace = ctx.reader.GetTrace(id, {});
  if (!trace.ok()) {
    if (trace.status().code() == StatusCode::kNotFound) return NotFound("trace not found");
    return trace.status();
  }
  std::vector<Trace> traces;
  traces.push_back(std::move(trace).value());
  PrepareTraces(traces, false, ctx);
  return std::move(traces[0]);
}

std::string_view ServiceOf(const SpanRecord& r) {
  return r.resource != nullptr ? r.resource->service_name : kNoServiceName;
}

double Millis(uint64_t ns) {
  return static_cast<double>(ns) / 1e6;
}

uint64_t TraceStart(const Trace& t) {
  uint64_t start = UINT64_MAX;
  for (const SpanRecord& r : t.spans) start = std::min(start, r.span.start_time_ns);
  return t.spans.empty() ? 0 : start;
}

uint64_t TraceEnd(const Trace& t) {
  uint64_t end = 0;
  for (const SpanRecord& r : t.spans) end = std::max(end, r.span.end_time_ns);
  return end;
}

// A value as text, cut at kMaxValue with a note of what was left out.
void WriteValue(const AnyValue& v, JsonWriter& w) {
  std::string text = v.type == ValueType::kString ? v.string_value : v.ToString();
  if (text.size() > kMaxValue) {
    size_t cut = kMaxValue;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
    text = text.substr(0, cut) + "... (" + std::to_string(text.size() - cut) + " more bytes)";
  }
  if (v.type == ValueType::kInt) {
    w.Int(v.int_value);
  } else if (v.type == ValueType::kDouble) {
    w.Double(v.double_value);
  } else if (v.type == ValueType::kBool) {
    w.Bool(v.bool_value);
  } else {
    w.String(text);
  }
}

void WriteAttributes(const char* key, const Attributes& attrs, JsonWriter& w) {
  w.Key(key).BeginObject();
  size_t shown = 0;
  for (const KeyValue& kv : attrs) {
    if (shown++ == kMaxAttributes) break;
    w.Key(kv.key);
    WriteValue(kv.value, w);
  }
  w.EndObject();
  if (attrs.size() > kMaxAttributes) {
    w.Field(std::string(key) + "_note",
            std::to_string(attrs.size() - kMaxAttributes) + " more not shown");
  }
}

bool IsError(const Span& s) {
  return s.status.code == SpanStatusCode::kError;
}

// ---------------------------------------------------------------------------

ToolResult ListServices(const simdjson::dom::object& /*args*/, const QueryContext& ctx) {
  auto services = ctx.reader.GetServices();
  if (!services.ok()) return Error(services.status().message());
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Key("services").BeginArray();
  for (const std::string& s : *services) w.String(s);
  w.EndArray().EndObject();
  return {out};
}

ToolResult ListOperations(const simdjson::dom::object& args, const QueryContext& ctx) {
  auto service = StringArg(args, "service");
  if (!service.ok()) return Error(service.status().message());
  auto kind = StringArg(args, "span_kind");
  if (!kind.ok()) return Error(kind.status().message());
  auto ops = V3Operations(ctx.reader, service->value_or(""), kind->value_or(""));
  if (!ops.ok()) return Error(ops.status().message());
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Field("service", service->value_or("")).Key("operations").BeginArray();
  for (const Operation& op : *ops) {
    w.BeginObject().Field("name", op.name).Field("spanKind", SpanKindName(op.kind)).EndObject();
  }
  w.EndArray().EndObject();
  return {out};
}

ToolResult SearchTraces(const simdjson::dom::object& args, const QueryContext& ctx) {
  auto query_text = StringArg(args, "query");
  auto service = StringArg(args, "service");
  auto operation = StringArg(args, "operation");
  auto limit = IntArg(args, "limit");
  auto lookback = DurationArg(args, "lookback", 3600ULL * 1000000000);
  for (const Status& s : {query_text.status(), service.status(), operation.status(), limit.status(),
                          lookback.status()}) {
    if (!s.ok()) return Error(s.message());
  }
  if (*limit && (**limit < 1 || static_cast<size_t>(**limit) > kMaxSearch)) {
    return Error("'limit' must be between 1 and " + std::to_string(kMaxSearch));
  }
  TraceQuery q;
  q.service = service->value_or("");
  q.operation = operation->value_or("");
  uint64_t now = NowNs();
  q.start_time_max_ns = now;
  q.start_time_min_ns = now > *lookback ? now - *lookback : 0;
  q.limit = *limit ? static_cast<size_t>(**limit) : kDefaultSearch;
  ApplyQueryLimits(ctx.options.limits, now, &q);
  Result<std::vector<Trace>> found = std::vector<Trace>{};
  if (*query_text && !Trim(**query_text).empty()) {
    auto filter = QueryFilter::Parse(**query_text);
    if (!filter.ok()) {
      return Error("query " + filter.status().message() + " (docs/query-language.md)");
    }
    found = FindFilteredTraces(ctx.reader, q, *filter.value());
  } else {
    found = ctx.reader.FindTraces(q);
  }
  if (!found.ok()) return Error(found.status().message());
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Key("traces").BeginArray();
  for (const Trace& t : *found) {
    TraceSummary s = SummarizeTrace(t);
    w.BeginObject().Field("traceId", s.trace_id.Hex32());
    w.Field("rootService", s.root_service_name).Field("rootOperation", s.root_operation_name);
    w.Field("start", FormatRfc3339(s.min_start_time_ns, true));
    w.Key("durationMs").Double(Millis(s.max_end_time_ns - s.min_start_time_ns));
    w.FieldUint("spanCount", s.span_count).FieldUint("errorSpanCount", s.error_span_count);
    w.Key("services").BeginArray();
    for (const ServiceSummary& svc : s.services) w.String(svc.name);
    w.EndArray().EndObject();
  }
  w.EndArray();
  if (found->size() == q.limit) {
    w.Field("note", "at most " + std::to_string(q.limit) +
                        " traces, the most recent; narrow the query or raise 'limit'");
  }
  w.EndObject();
  return {out};
}

// The spans in tree order (each parent before its children, siblings by
// start time), with their depth; spans whose parent is missing start new
// trees.
std::vector<std::pair<size_t, int>> TreeOrder(const Trace& t) {
  std::unordered_map<uint64_t, size_t> index;
  for (size_t i = 0; i < t.spans.size(); ++i) index.emplace(t.spans[i].span.span_id.value, i);
  std::vector<std::vector<size_t>> children(t.spans.size());
  std::vector<size_t> roots;
  for (size_t i = 0; i < t.spans.size(); ++i) {
    const Span& s = t.spans[i].span;
    auto p = s.parent_span_id.valid() ? index.find(s.parent_span_id.value) : index.end();
    if (p == index.end() || p->second == i) {
      roots.push_back(i);
    } else {
      children[p->second].push_back(i);
    }
  }
  auto by_start = [&t](size_t a, size_t b) {
    return t.spans[a].span.start_time_ns < t.spans[b].span.start_time_ns;
  };
  std::sort(roots.begin(), roots.end(), by_start);
  for (auto& c : children) std::sort(c.begin(), c.end(), by_start);
  std::vector<std::pair<size_t, int>> out;
  std::vector<uint8_t> seen(t.spans.size(), 0);
  std::vector<std::pair<size_t, int>> stack;
  for (auto r = roots.rbegin(); r != roots.rend(); ++r) stack.emplace_back(*r, 0);
  while (!stack.empty()) {
    auto [i, depth] = stack.back();
    stack.pop_back();
    if (seen[i]) continue;
    seen[i] = 1;
    out.emplace_back(i, depth);
    for (auto c = children[i].rbegin(); c != children[i].rend(); ++c)
      stack.emplace_back(*c, depth + 1);
  }
  for (size_t i = 0; i < t.spans.size(); ++i) {
    if (!seen[i]) out.emplace_back(i, 0);  // in a cycle: shown, not lost
  }
  return out;
}

ToolResult TraceTopology(const simdjson::dom::object& args, const QueryContext& ctx) {
  auto id = TraceIdArg(args);
  if (!id.ok()) return Error(id.status().message());
  auto offset = IntArg(args, "offset");
  auto limit = IntArg(args, "limit");
  if (!offset.ok() || !limit.ok()) {
    return Error(!offset.ok() ? offset.status().message() : limit.status().message());
  }
  size_t first = offset->value_or(0) < 0 ? 0 : static_cast<size_t>(offset->value_or(0));
  size_t count = limit->value_or(kDefaultTopologySpans) < 1
                     ? 1
                     : std::min(kMaxTopologySpans,
                                static_cast<size_t>(limit->value_or(kDefaultTopologySpans)));
  auto trace = LoadTrace(ctx, *id);
  if (!trace.ok()) return Error(trace.status().message());
  const Trace& t = *trace;
  uint64_t start = TraceStart(t);
  auto order = TreeOrder(t);
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Field("traceId", id->Hex32()).FieldUint("spanCount", t.spans.size());
  w.Key("durationMs").Double(Millis(TraceEnd(t) - start));
  w.Key("spans").BeginArray();
  for (size_t k = first; k < order.size() && k < first + count; ++k) {
    const SpanRecord& r = t.spans[order[k].first];
    w.BeginObject().Field("spanId", r.span.span_id.Hex());
    if (r.span.parent_span_id.valid()) w.Field("parentSpanId", r.span.parent_span_id.Hex());
    w.FieldInt("depth", order[k].second).Field("service", ServiceOf(r)).Field("name", r.span.name);
    if (r.span.kind != SpanKind::kUnspecified) w.Field("kind", SpanKindName(r.span.kind));
    w.Key("startMs").Double(Millis(r.span.start_time_ns - start));
    w.Key("durationMs").Double(Millis(r.span.duration_ns()));
    if (IsError(r.span)) w.FieldBool("error", true);
    w.EndObject();
  }
  w.EndArray();
  if (first + count < order.size()) {
    w.FieldUint("nextOffset", first + count);
    w.Field("note", std::to_string(order.size() - first - count) +
                        " more spans: call again with offset " + std::to_string(first + count));
  }
  w.EndObject();
  return {out};
}

ToolResult GetSpan(const simdjson::dom::object& args, const QueryContext& ctx) {
  auto id = TraceIdArg(args);
  if (!id.ok()) return Error(id.status().message());
  auto span_text = StringArg(args, "span_id");
  if (!span_text.ok()) return Error(span_text.status().message());
  auto span_id = *span_text ? SpanId::ParseHex(**span_text) : std::nullopt;
  if (!span_id) return Error("'span_id' is required: 16 hex characters");
  auto trace = LoadTrace(ctx, *id);
  if (!trace.ok()) return Error(trace.status().message());
  uint64_t start = TraceStart(*trace);
  for (const SpanRecord& r : trace->spans) {
    const Span& s = r.span;
    if (s.span_id != *span_id) continue;
    std::string out;
    JsonWriter w(out);
    w.BeginObject().Field("traceId", id->Hex32()).Field("spanId", s.span_id.Hex());
    if (s.parent_span_id.valid()) w.Field("parentSpanId", s.parent_span_id.Hex());
    w.Field("service", ServiceOf(r)).Field("name", s.name);
    w.Field("kind", s.kind == SpanKind::kUnspecified ? "unspecified" : SpanKindName(s.kind));
    w.Field("start", FormatRfc3339(s.start_time_ns, true));
    w.Key("startMs").Double(Millis(s.start_time_ns - start));
    w.Key("durationMs").Double(Millis(s.duration_ns()));
    w.Key("status").BeginObject();
    w.Field("code", s.status.code == SpanStatusCode::kError ? "error"
                    : s.status.code == SpanStatusCode::kOk  ? "ok"
                                                            : "unset");
    if (!s.status.message.empty()) w.Field("message", s.status.message);
    w.EndObject();
    WriteAttributes("attributes", s.attributes, w);
    if (r.resource != nullptr) WriteAttributes("resource", r.resource->attributes, w);
    if (r.scope != nullptr && !r.scope->name.empty()) w.Field("scope", r.scope->name);
    w.Key("events").BeginArray();
    for (size_t e = 0; e < s.events.size() && e < kMaxEvents; ++e) {
      w.BeginObject().Field("name", s.events[e].name);
      w.Key("atMs").Double(Millis(s.events[e].time_ns - start));
      WriteAttributes("attributes", s.events[e].attributes, w);
      w.EndObject();
    }
    w.EndArray();
    if (s.events.size() > kMaxEvents) {
      w.Field("events_note", std::to_string(s.events.size() - kMaxEvents) + " more not shown");
    }
    w.Key("links").BeginArray();
    for (const Link& l : s.links) {
      w.BeginObject().Field("traceId", l.trace_id.Hex32()).Field("spanId", l.span_id.Hex());
      w.EndObject();
    }
    w.EndArray();
    for (const std::string& warning : r.warnings) w.Field("warning", warning);
    w.EndObject();
    return {out};
  }
  return Error("span " + span_id->Hex() + " is not in trace " + id->Hex32());
}

ToolResult GetCriticalPath(const simdjson::dom::object& args, const QueryContext& ctx) {
  auto id = TraceIdArg(args);
  if (!id.ok()) return Error(id.status().message());
  auto trace = LoadTrace(ctx, *id);
  if (!trace.ok()) return Error(trace.status().message());
  const Trace& t = *trace;
  uint64_t start = TraceStart(t);
  std::vector<CriticalSegment> path = CriticalPath(t);
  std::map<std::string, uint64_t> by_service;
  for (const CriticalSegment& s : path) {
    by_service[std::string(ServiceOf(t.spans[s.span]))] += s.end_ns - s.start_ns;
  }
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Field("traceId", id->Hex32());
  w.Key("durationMs").Double(Millis(TraceEnd(t) - start));
  w.Key("byService").BeginArray();
  std::vector<std::pair<std::string, uint64_t>> services(by_service.begin(), by_service.end());
  std::sort(services.begin(), services.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [service, ns] : services) {
    w.BeginObject().Field("service", service).Key("ms").Double(Millis(ns)).EndObject();
  }
  w.EndArray().Key("segments").BeginArray();
  for (size_t k = 0; k < path.size() && k < kMaxSegments; ++k) {
    const SpanRecord& r = t.spans[path[k].span];
    w.BeginObject().Field("spanId", r.span.span_id.Hex()).Field("service", ServiceOf(r));
    w.Field("name", r.span.name).Key("startMs").Double(Millis(path[k].start_ns - start));
    w.Key("durationMs").Double(Millis(path[k].end_ns - path[k].start_ns)).EndObject();
  }
  w.EndArray();
  if (path.size() > kMaxSegments) {
    w.Field("note", std::to_string(path.size() - kMaxSegments) + " more segments not shown");
  }
  w.EndObject();
  return {out};
}

ToolResult GetTraceErrors(const simdjson::dom::object& args, const QueryContext& ctx) {
  auto id = TraceIdArg(args);
  if (!id.ok()) return Error(id.status().message());
  auto trace = LoadTrace(ctx, *id);
  if (!trace.ok()) return Error(trace.status().message());
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Field("traceId", id->Hex32()).Key("errors").BeginArray();
  size_t errors = 0;
  for (const SpanRecord& r : trace->spans) {
    const AnyValue* flag = FindAttribute(r.span.attributes, "error");
    bool tagged = flag != nullptr && flag->type == ValueType::kBool && flag->bool_value;
    if (!IsError(r.span) && !tagged) continue;
    if (errors++ >= kMaxErrors) continue;
    w.BeginObject().Field("spanId", r.span.span_id.Hex()).Field("service", ServiceOf(r));
    w.Field("name", r.span.name);
    if (!r.span.status.message.empty()) w.Field("statusMessage", r.span.status.message);
    w.Key("exceptions").BeginArray();
    for (const Event& e : r.span.events) {
      if (e.name != "exception") continue;
      w.BeginObject();
      for (const char* key : {"exception.type", "exception.message", "exception.stacktrace"}) {
        if (const AnyValue* v = FindAttribute(e.attributes, key)) {
          w.Key(std::string_view(key).substr(10));
          WriteValue(*v, w);
        }
      }
      w.EndObject();
    }
    w.EndArray().EndObject();
  }
  w.EndArray().FieldUint("errorSpanCount", errors);
  if (errors > kMaxErrors) w.Field("note", "the first " + std::to_string(kMaxErrors) + " shown");
  w.EndObject();
  return {out};
}

ToolResult GetDependencies(const simdjson::dom::object& args, const QueryContext& ctx) {
  auto lookback = DurationArg(args, "lookback", 24ULL * 3600 * 1000000000);
  auto service = StringArg(args, "service");
  if (!lookback.ok()) return Error(lookback.status().message());
  if (!service.ok()) return Error(service.status().message());
  uint64_t now = NowNs();
  uint64_t earliest = EarliestQueryTimeNs(ctx.options.limits, now);
  uint64_t window = earliest > 0 ? std::min(*lookback, now - earliest) : *lookback;
  auto links = ctx.dependencies.GetDependencies(now, window);
  if (!links.ok()) return Error(links.status().message());
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Key("dependencies").BeginArray();
  for (const DependencyLink& l : *links) {
    if (*service && l.parent != **service && l.child != **service) continue;
    w.BeginObject().Field("parent", l.parent).Field("child", l.child);
    w.FieldUint("callCount", l.call_count).EndObject();
  }
  w.EndArray().EndObject();
  return {out};
}

ToolResult GetServiceMetrics(const simdjson::dom::object& args, const QueryContext& ctx) {
  auto service = StringArg(args, "service");
  auto lookback = DurationArg(args, "lookback", 3600ULL * 1000000000);
  if (!service.ok()) return Error(service.status().message());
  if (!lookback.ok()) return Error(lookback.status().message());
  if (!*service || (*service)->empty()) return Error("'service' is required");
  if (ctx.options.span_metrics == nullptr) {
    return Error(
        "span metrics are not kept here (spoor --span-metrics.enabled; docs/monitoring.md)");
  }
  const bool by_operation = BoolArg(args, "by_operation");
  uint64_t now = NowNs();
  // One point over the whole window: step and rate window are the lookback.
  MetricsQuery q;
  q.services = {**service};
  q.group_by_operation = by_operation;
  q.kinds = {SpanKind::kServer};
  q.end_ns = now;
  q.lookback_ns = *lookback;
  q.step_ns = *lookback;
  q.rate_per_ns = *lookback;
  // (service, operation) -> name -> last value
  std::map<std::string, std::map<std::string, double>> values;
  auto run = [&](MetricsQueryType type, double quantile, const std::string& name) -> Status {
    q.type = type;
    q.quantile = quantile;
    auto result = RunMetricsQuery(*ctx.options.span_metrics, q, now,
                                  ctx.options.span_metrics_fine_retention_ns);
    if (!result.ok()) return result.status();
    for (const MetricSeries& s : result->series) {
      if (!s.points.empty()) values[s.operation][name] = s.points.back().second;
    }
    return Status::Ok();
  };
  for (auto [type, quantile, name] :
       {std::tuple{MetricsQueryType::kCalls, 0.0, "requestsPerSecond"},
        std::tuple{MetricsQueryType::kErrors, 0.0, "errorRate"},
        std::tuple{MetricsQueryType::kLatencies, 0.5, "p50Ms"},
        std::tuple{MetricsQueryType::kLatencies, 0.95, "p95Ms"},
        std::tuple{MetricsQueryType::kLatencies, 0.99, "p99Ms"}}) {
    if (Status s = run(type, quantile, name); !s.ok()) return Error(s.message());
  }
  std::string out;
  JsonWriter w(out);
  w.BeginObject()
      .Field("service", **service)
      .Field("window", FormatGoDuration(static_cast<int64_t>(*lookback)));
  w.Field("spanKind", "server");
  auto write_values = [&w](const std::map<std::string, double>& v) {
    for (const char* name : {"requestsPerSecond", "errorRate", "p50Ms", "p95Ms", "p99Ms"}) {
      auto it = v.find(name);
      if (it != v.end()) w.Key(name).Double(it->second);
    }
  };
  if (by_operation) {
    w.Key("operations").BeginArray();
    for (const auto& [operation, v] : values) {
      w.BeginObject().Field("operation", operation);
      write_values(v);
      w.EndObject();
    }
    w.EndArray();
  } else if (auto it = values.find(""); it != values.end()) {
    write_values(it->second);
  } else {
    w.Field("note", "no server spans of this service in the window");
  }
  w.EndObject();
  return {out};
}

constexpr const char* kTraceIdSchema =
    R"json({"type":"object","properties":{"trace_id":{"type":"string","description":"The trace ID, 32 (or 16) hex characters"}},"required":["trace_id"]})json";

}  // namespace

const std::vector<Tool>& Tools() {
  static const auto* tools = new std::vector<Tool>{
      {"list_services", "List services", "The services that sent spans.",
       R"json({"type":"object","properties":{}})json", ListServices},
      {"list_operations", "List operations",
       "The operations (span names) of a service, with their span kinds.",
       R"json({"type":"object","properties":{"service":{"type":"string"},"span_kind":{"type":"string","enum":["","server","client","producer","consumer","internal"],"description":"Only operations of this kind"}},"required":["service"]})json",
       ListOperations},
      {"search_traces", "Search traces",
       "Summaries of recent traces (most recent first): root service and operation, start, "
       "duration, span and error counts, services. 'query' takes Spoor's query language, "
       "TraceQL's form, e.g. { resource.service.name = \"api\" && status = error }, "
       "{ traceDuration > 2s }, { resource.service.name = \"frontend\" } >> { status = error }.",
       R"json({"type":"object","properties":{"query":{"type":"string","description":"A filter in the query language (docs/query-language.md)"},"service":{"type":"string"},"operation":{"type":"string"},"lookback":{"type":"string","description":"How far back, e.g. 15m, 1h (default), 24h"},"limit":{"type":"integer","minimum":1,"maximum":100,"description":"At most this many traces (default 20)"}}})json",
       SearchTraces},
      {"get_trace_topology", "Trace topology",
       "A trace's spans without their attributes, in tree order (parents first): span and parent "
       "IDs, depth, service, name, kind, start offset and duration in ms, error flag. Paged: "
       "'offset' and 'limit' (default 200, at most 1000).",
       R"json({"type":"object","properties":{"trace_id":{"type":"string"},"offset":{"type":"integer","minimum":0},"limit":{"type":"integer","minimum":1,"maximum":1000}},"required":["trace_id"]})json",
       TraceTopology},
      {"get_span", "Span details",
       "One span in full: attributes, resource attributes, events, links, status (long values "
       "cut).",
       R"json({"type":"object","properties":{"trace_id":{"type":"string"},"span_id":{"type":"string","description":"16 hex characters"}},"required":["trace_id","span_id"]})json",
       GetSpan},
      {"get_critical_path", "Critical path",
       "The chain of spans that decided the trace's duration, as segments of each span's own "
       "time, and the time on it by service.",
       kTraceIdSchema, GetCriticalPath},
      {"get_trace_errors", "Trace errors",
       "The spans of a trace that failed (status error, or error=true), with their status "
       "messages and recorded exceptions.",
       kTraceIdSchema, GetTraceErrors},
      {"get_dependencies", "Service dependencies",
       "Which services called which, and how often, in the window.",
       R"json({"type":"object","properties":{"lookback":{"type":"string","description":"Default 24h"},"service":{"type":"string","description":"Only the links of this service"}}})json",
       GetDependencies},
      {"get_service_metrics", "Service metrics (RED)",
       "Request rate, error rate and latency percentiles (p50, p95, p99 in ms) of a service's "
       "server spans over the window, from span metrics; per operation with by_operation.",
       R"json({"type":"object","properties":{"service":{"type":"string"},"lookback":{"type":"string","description":"Default 1h"},"by_operation":{"type":"boolean"}},"required":["service"]})json",
       GetServiceMetrics},
  };
  return *tools;
}

}  // namespace spoor::mcp
