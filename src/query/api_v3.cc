// Jaeger's api_v3 over HTTP: OTLP-shaped traces, services, operations and
// trace summaries.
#include "common/json_writer.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "formats/otlp/otlp_json_encode.h"
#include "query/filtered_search.h"
#include "query/query_internal.h"
#include "query/query_params.h"
#include "query/trace_summary.h"

namespace spoor {
namespace {

HttpResponse V3Error(int status, const std::string& message, std::string route) {
  HttpResponse r;
  r.status = status;
  r.route = std::move(route);
  JsonWriter w(r.body);
  w.BeginObject().Key("error").BeginObject().FieldInt("httpCode", status).Field("message", message);
  w.EndObject().EndObject();
  return r;
}

HttpResponse TracesResult(const std::vector<Trace>& traces, std::string route) {
  HttpResponse r;
  r.route = std::move(route);
  JsonWriter w(r.body);
  w.BeginObject().Key("result");
  AppendOtlpJsonTraces(traces, w);
  w.EndObject();
  return r;
}

HttpResponse Services(const QueryContext& ctx) {
  const char* route = "/api/v3/services";
  auto services = ctx.reader.GetServices();
  if (!services.ok())
    return V3Error(HttpStatusFor(services.status()), services.status().message(), route);
  HttpResponse r;
  r.route = route;
  JsonWriter w(r.body);
  w.BeginObject().Key("services").BeginArray();
  for (const auto& s : *services) w.String(s);
  w.EndArray().EndObject();
  return r;
}

HttpResponse Operations(const QueryParams& params, const QueryContext& ctx) {
  const char* route = "/api/v3/operations";
  std::string service = params.Get("service").value_or("");
  auto ops = V3Operations(ctx.reader, service,
                          params.Get("spanKind").value_or(params.Get("span_kind").value_or("")));
  if (!ops.ok()) return V3Error(HttpStatusFor(ops.status()), ops.status().message(), route);
  HttpResponse r;
  r.route = route;
  JsonWriter w(r.body);
  w.BeginObject().Key("operations").BeginArray();
  for (const Operation& op : *ops) {
    w.BeginObject().Field("name", op.name).Field("spanKind", SpanKindName(op.kind)).EndObject();
  }
  w.EndArray().EndObject();
  return r;
}

HttpResponse GetTrace(std::string_view id_text, const QueryParams& params,
                      const QueryContext& ctx) {
  const char* route = "/api/v3/traces/{traceID}";
  auto id = TraceId::ParseHex(id_text);
  if (!id) return V3Error(400, "malformed trace ID '" + std::string(id_text) + "'", route);
  auto request = ParseV3TraceRead(params);
  if (!request.ok()) return V3Error(400, request.status().message(), route);
  auto trace = ctx.reader.GetTrace(*id, request->hint);
  if (!trace.ok()) return V3Error(HttpStatusFor(trace.status()), trace.status().message(), route);
  std::vector<Trace> traces;
  traces.push_back(std::move(trace).value());
  PrepareTraces(traces, request->raw, ctx);
  return TracesResult(traces, route);
}

HttpResponse Search(const QueryParams& params, const QueryContext& ctx, bool summaries) {
  std::string route = summaries ? "/api/v3/trace-summaries" : "/api/v3/traces";
  auto request = ParseV3Search(params);
  if (!request.ok()) return V3Error(400, request.status().message(), route);
  ApplyQueryLimits(ctx.options.limits, NowNs(), &request->query);
  std::shared_ptr<const QueryFilter> filter;
  if (!Trim(request->filter).empty()) {
    auto parsed = QueryFilter::Parse(request->filter);
    if (!parsed.ok()) return V3Error(400, "query.filter " + parsed.status().message(), route);
    filter = std::move(parsed).value();
  }
  auto found = filter ? FindFilteredTraces(ctx.reader, request->query, *filter)
                      : ctx.reader.FindTraces(request->query);
  if (!found.ok()) return V3Error(HttpStatusFor(found.status()), found.status().message(), route);
  std::vector<Trace> traces = std::move(found).value();
  if (!summaries) {
    if (traces.empty()) return V3Error(404, "no traces found", route);
    PrepareTraces(traces, request->raw, ctx);
    return TracesResult(traces, route);
  }
  HttpResponse r;
  r.route = route;
  JsonWriter w(r.body);
  w.BeginObject().Key("summaries").BeginArray();
  for (const Trace& t : traces) AppendTraceSummaryJson(SummarizeTrace(t), w);
  w.EndArray().EndObject();
  return r;
}

}  // namespace

Result<std::vector<Operation>> V3Operations(SpanReader& reader, const std::string& service,
                                            const std::string& span_kind) {
  if (service.empty()) return InvalidArgument("parameter 'service' is required");
  bool match_kind = false;
  SpanKind kind = SpanKind::kUnspecified;
  if (Status s = ParseSpanKindParam(span_kind, &match_kind, &kind); !s.ok()) return s;
  // An operation recorded without a kind is reported as internal, as
  // Jaeger's api_v3 does, and found with spanKind=internal.
  bool internal = match_kind && kind == SpanKind::kInternal;
  auto ops = reader.GetOperations(service, match_kind && !internal, kind);
  if (!ops.ok()) return ops.status();
  std::vector<Operation> out;
  for (const Operation& op : *ops) {
    SpanKind shown = op.kind == SpanKind::kUnspecified ? SpanKind::kInternal : op.kind;
    if (internal && shown != SpanKind::kInternal) continue;
    // Sorted by name, then kind: an unspecified and an internal operation
    // of one name are next to each other.
    if (!out.empty() && out.back().name == op.name && out.back().kind == shown) continue;
    out.push_back({op.name, shown});
  }
  return out;
}

HttpResponse HandleApiV3(const HttpRequest& req, std::string_view path, const QueryContext& ctx) {
  if (req.method != "GET" && req.method != "HEAD") {
    return V3Error(405, "method " + req.method + " not allowed", "");
  }
  QueryParams params(req.query);
  if (path == "/api/v3/services") return Services(ctx);
  if (path == "/api/v3/operations") return Operations(params, ctx);
  if (path == "/api/v3/traces") return Search(params, ctx, false);
  if (path == "/api/v3/trace-summaries") return Search(params, ctx, true);
  if (StartsWith(path, "/api/v3/traces/")) return GetTrace(path.substr(15), params, ctx);
  return V3Error(404, "unknown API route " + std::string(path), "");
}

}  // namespace spoor
