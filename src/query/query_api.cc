#include "query/query_api.h"

#include <algorithm>
#include <memory>
#include <unordered_map>

#include "common/json_writer.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "formats/jaeger_json/jaeger_json.h"
#include "formats/otlp/otlp_decode.h"
#include "query/archive.h"
#include "query/mcp/mcp_server.h"
#include "query/query_internal.h"
#include "query/query_params.h"

namespace spoor {
namespace {

struct ApiError {
  int code;
  std::string msg;
  std::string trace_id;
};

// Jaeger's envelope: {"data", "total", "limit", "offset", "errors"}.
template <typename WriteData>
HttpResponse Envelope(int status, WriteData write_data, size_t total,
                      const std::vector<ApiError>& errors, std::string route) {
  HttpResponse r;
  r.status = status;
  r.route = std::move(route);
  JsonWriter w(r.body);
  w.BeginObject().Key("data");
  write_data(w);
  w.FieldUint("total", total).FieldInt("limit", 0).FieldInt("offset", 0).Key("errors");
  if (errors.empty()) {
    w.Null();
  } else {
    w.BeginArray();
    for (const ApiError& e : errors) {
      w.BeginObject().FieldInt("code", e.code).Field("msg", e.msg);
      if (!e.trace_id.empty()) w.Field("traceID", e.trace_id);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return r;
}

HttpResponse ErrorEnvelope(int status, const std::string& msg, std::string route) {
  return Envelope(
      status, [](JsonWriter& w) { w.Null(); }, 0, {ApiError{status, msg, ""}}, std::move(route));
}

HttpResponse StringList(const std::vector<std::string>& items, std::string route) {
  return Envelope(
      200,
      [&](JsonWriter& w) {
        w.BeginArray();
        for (const auto& s : items) w.String(s);
        w.EndArray();
      },
      items.size(), {}, std::move(route));
}

HttpResponse TraceList(const std::vector<Trace>& traces, const std::vector<ApiError>& errors,
                       std::string route) {
  return Envelope(
      200,
      [&](JsonWriter& w) {
        w.BeginArray();
        for (const Trace& t : traces) AppendJaegerTrace(t, w);
        w.EndArray();
      },
      0, errors, std::move(route));
}

std::string NormalizeBasePath(std::string base) {
  if (base.empty() || base[0] != '/') base.insert(base.begin(), '/');
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  return base == "/" ? "" : base;
}

class QueryApi {
 public:
  QueryApi(const QueryApiOptions& options, SpanReader& reader, DependencyReader& deps)
      : fallback_(options.archive != nullptr
                      ? std::make_unique<ArchiveFallbackReader>(reader, *options.archive)
                      : nullptr),
        ctx_{options, fallback_ ? *fallback_ : reader, deps},
        base_(NormalizeBasePath(options.base_path)) {}

  HttpResponse Handle(const HttpRequest& req) {
    std::string_view path = req.path;
    if (!base_.empty()) {
      if (path == base_) return ctx_.options.ui ? RedirectToBase(req) : Home();
      if (!StartsWith(path, base_ + "/")) {
        return HttpResponse::Text(404, "not found; the query service is under " + base_ + "/\n");
      }
      path.remove_prefix(base_.size());
    }
    if (StartsWith(path, "/api/v3/")) return PrettyPrinted(req, HandleApiV3(req, path, ctx_));
    if (IsAnalyticsRoute(path)) return PrettyPrinted(req, HandleAnalyticsApi(req, path, ctx_));
    if (path == "/mcp") return HandleMcp(req, ctx_);
    if (StartsWith(path, "/api/") || path == "/api") {
      return PrettyPrinted(req, HandleApi(req, path));
    }
    if (ctx_.options.ui) return ctx_.options.ui->Serve(req, path);
    return Home();
  }

 private:
  // prettyPrint=<anything but false> lays the JSON out over lines, 4 spaces
  // per level, as Jaeger's query service does.
  static HttpResponse PrettyPrinted(const HttpRequest& req, HttpResponse r) {
    if (r.content_type != "application/json" || r.body.empty()) return r;
    auto v = QueryParams(req.query).Get("prettyPrint");
    if (!v || v->empty() || *v == "false") return r;
    r.body = IndentJson(r.body, 4);
    return r;
  }

  HttpResponse HandleApi(const HttpRequest& req, std::string_view path) {
    QueryParams params(req.query);
    if (req.method == "POST") {
      if (path == "/api/transform") return Transform(req);
      if (StartsWith(path, "/api/archive/")) return Archive(path.substr(13));
      return ErrorEnvelope(405, "method POST not allowed for " + std::string(path), "");
    }
    if (req.method != "GET" && req.method != "HEAD") {
      return ErrorEnvelope(405, "method " + req.method + " not allowed", "");
    }
    if (path == "/api/services") return Services();
    if (path == "/api/operations") return Operations(params);
    if (path == "/api/traces") return Search(params);
    if (path == "/api/dependencies") return Dependencies(params);
    if (path == "/api/sampling") return Sampling(params);
    if (StartsWith(path, "/api/traces/")) return GetTrace(path.substr(12), params);
    if (StartsWith(path, "/api/services/")) {
      std::string_view rest = path.substr(14);
      size_t slash = rest.rfind("/operations");
      if (slash != std::string_view::npos && slash + 11 == rest.size() && slash > 0) {
        return ServiceOperations(std::string(rest.substr(0, slash)));
      }
    }
    if (StartsWith(path, "/api/metrics/")) return HandleMetricsApi(req, path.substr(13), ctx_);
    return ErrorEnvelope(404, "unknown API route " + std::string(path), "");
  }

  HttpResponse Services() {
    auto services = ctx_.reader.GetServices();
    if (!services.ok()) {
      return ErrorEnvelope(HttpStatusFor(services.status()), services.status().message(),
                           "/api/services");
    }
    return StringList(*services, "/api/services");
  }

  HttpResponse ServiceOperations(const std::string& service) {
    const char* route = "/api/services/{service}/operations";
    auto ops = ctx_.reader.GetOperations(service, false, SpanKind::kUnspecified);
    if (!ops.ok()) return ErrorEnvelope(HttpStatusFor(ops.status()), ops.status().message(), route);
    std::vector<std::string> names;
    for (const Operation& op : *ops) names.push_back(op.name);
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return StringList(names, route);
  }

  HttpResponse Operations(const QueryParams& params) {
    const char* route = "/api/operations";
    std::string service = params.Get("service").value_or("");
    if (service.empty()) return ErrorEnvelope(400, "parameter 'service' is required", route);
    bool match_kind = false;
    SpanKind kind = SpanKind::kUnspecified;
    if (Status s = ParseSpanKindParam(params.Get("spanKind").value_or(""), &match_kind, &kind);
        !s.ok()) {
      return ErrorEnvelope(400, s.message(), route);
    }
    auto ops = ctx_.reader.GetOperations(service, match_kind, kind);
    if (!ops.ok()) return ErrorEnvelope(HttpStatusFor(ops.status()), ops.status().message(), route);
    return Envelope(
        200,
        [&](JsonWriter& w) {
          w.BeginArray();
          for (const Operation& op : *ops) {
            w.BeginObject()
                .Field("name", op.name)
                .Field("spanKind", SpanKindName(op.kind))
                .EndObject();
          }
          w.EndArray();
        },
        ops->size(), {}, route);
  }

  HttpResponse Search(const QueryParams& params) {
    const char* route = "/api/traces";
    auto request = ParseJaegerSearch(params, NowNs());
    if (!request.ok()) return ErrorEnvelope(400, request.status().message(), route);
    ApplyQueryLimits(ctx_.options.limits, NowNs(), &request->query);
    std::vector<Trace> traces;
    std::vector<ApiError> errors;
    if (!request->trace_ids.empty()) {
      for (const TraceId& id : request->trace_ids) {
        auto trace = ctx_.reader.GetTrace(id, {});
        if (trace.ok()) {
          traces.push_back(std::move(trace).value());
        } else if (trace.status().code() == StatusCode::kNotFound) {
          errors.push_back({404, "trace not found", id.HexJaeger()});
        } else {
          return ErrorEnvelope(HttpStatusFor(trace.status()), trace.status().message(), route);
        }
      }
    } else {
      auto found = ctx_.reader.FindTraces(request->query);
      if (!found.ok())
        return ErrorEnvelope(HttpStatusFor(found.status()), found.status().message(), route);
      traces = std::move(found).value();
    }
    PrepareTraces(traces, request->raw, ctx_);
    return TraceList(traces, errors, route);
  }

  HttpResponse GetTrace(std::string_view id_text, const QueryParams& params) {
    const char* route = "/api/traces/{traceID}";
    auto id = TraceId::ParseHex(id_text);
    if (!id) {
      return ErrorEnvelope(
          400,
          "cannot parse traceID '" + std::string(id_text) + "': expected up to 32 hex characters",
          route);
    }
    auto request = ParseJaegerTraceRead(params);
    if (!request.ok()) return ErrorEnvelope(400, request.status().message(), route);
    auto trace = ctx_.reader.GetTrace(*id, request->hint);
    if (!trace.ok()) {
      if (trace.status().code() == StatusCode::kNotFound)
        return ErrorEnvelope(404, "trace not found", route);
      return ErrorEnvelope(HttpStatusFor(trace.status()), trace.status().message(), route);
    }
    std::vector<Trace> traces;
    traces.push_back(std::move(trace).value());
    PrepareTraces(traces, request->raw, ctx_);
    return TraceList(traces, {}, route);
  }

  HttpResponse Dependencies(const QueryParams& params) {
    const char* route = "/api/dependencies";
    uint64_t end_ms = NowNs() / 1000000;
    uint64_t lookback_ms = 24ULL * 3600 * 1000;
    if (auto v = params.Get("endTs"); v && !v->empty()) {
      auto n = ParseUint64(*v);
      if (!n)
        return ErrorEnvelope(
            400, "unable to parse param 'endTs': expected milliseconds since the epoch", route);
      end_ms = *n;
    }
    if (auto v = params.Get("lookback"); v && !v->empty()) {
      auto n = ParseUint64(*v);
      if (!n)
        return ErrorEnvelope(400, "unable to parse param 'lookback': expected milliseconds", route);
      lookback_ms = *n;
    }
    uint64_t earliest_ms = EarliestQueryTimeNs(ctx_.options.limits, NowNs()) / 1000000;
    if (earliest_ms > 0 && end_ms > earliest_ms)
      lookback_ms = std::min(lookback_ms, end_ms - earliest_ms);
    auto links = ctx_.dependencies.GetDependencies(end_ms * 1000000, lookback_ms * 1000000);
    if (!links.ok()) {
      return ErrorEnvelope(HttpStatusFor(links.status()), links.status().message(), route);
    }
    std::string service = params.Get("service").value_or("");
    return Envelope(
        200,
        [&](JsonWriter& w) {
          w.BeginArray();
          for (const DependencyLink& l : *links) {
            if (!service.empty() && l.parent != service && l.child != service) continue;
            w.BeginObject()
                .Field("parent", l.parent)
                .Field("child", l.child)
                .FieldUint("callCount", l.call_count);
            w.EndObject();
          }
          w.EndArray();
        },
        0, {}, route);
  }

  // The strategy this process serves a service's clients, for the UI:
  // {"data": {"type": "adaptive"|"file", "strategy": {...}}}.
  HttpResponse Sampling(const QueryParams& params) {
    const char* route = "/api/sampling";
    std::string service = params.Get("service").value_or("");
    if (service.empty()) return ErrorEnvelope(400, "parameter 'service' is required", route);
    if (!ctx_.options.sampling_strategy) {
      return ErrorEnvelope(501, "this process serves no sampling strategies (the collectors do)",
                           route);
    }
    std::string strategy = ctx_.options.sampling_strategy(service);
    return Envelope(
        200,
        [&](JsonWriter& w) {
          w.BeginObject().Field("type", ctx_.options.sampling_adaptive ? "adaptive" : "file");
          w.Key("strategy").Raw(strategy).EndObject();
        },
        0, {}, route);
  }

  HttpResponse Transform(const HttpRequest& req) {
    const char* route = "/api/transform";
    SpanBatch batch;
    DecodeStats stats;
    if (Status s = DecodeOtlpJson(req.body, &batch, &stats); !s.ok())
      return ErrorEnvelope(400, s.message(), route);
    std::vector<Trace> traces = GroupByTrace(batch);
    PrepareTraces(traces, false, ctx_);
    return TraceList(traces, {}, route);
  }

  HttpResponse Archive(std::string_view id_text) {
    const char* route = "/api/archive/{traceID}";
    auto id = TraceId::ParseHex(id_text);
    if (!id)
      return ErrorEnvelope(400, "cannot parse traceID '" + std::string(id_text) + "'", route);
    if (ctx_.options.archive == nullptr) {
      return ErrorEnvelope(501, "no archive storage is configured (--archive.span-storage.type)",
                           route);
    }
    if (Status s = ArchiveTrace(ctx_.reader, *ctx_.options.archive, *id); !s.ok()) {
      return ErrorEnvelope(HttpStatusFor(s), s.message(), route);
    }
    return Envelope(
        200, [](JsonWriter& w) { w.BeginArray().EndArray(); }, 0, {}, route);
  }

  // "/jaeger" -> "/jaeger/", where the app's relative URLs and its router
  // expect to be.
  HttpResponse RedirectToBase(const HttpRequest& req) const {
    HttpResponse r = HttpResponse::Text(302, "the UI is at " + base_ + "/\n");
    r.headers.emplace_back("Location", base_ + "/" + (req.query.empty() ? "" : "?" + req.query));
    r.route = "/";
    return r;
  }

  HttpResponse Home() const {
    std::string api = base_ + "/api";
    HttpResponse r;
    r.content_type = "text/html; charset=utf-8";
    r.route = "/";
    r.body =
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Spoor</title></head><body>"
        "<h1>Spoor</h1><p>The Spoor query service is running. The Jaeger UI and Grafana can use "
        "this server as a Jaeger data source.</p>"
        "<p>The web UI was not built: run <code>make ui</code> (or <code>cd ui &amp;&amp; npm ci "
        "&amp;&amp; npm run build</code>) and restart spoor, or point "
        "<code>--query.static-files</code> at a built UI.</p><ul>"
        "<li><a href=\"" +
        api + "/services\">" + api +
        "/services</a></li>"
        "<li><a href=\"" +
        api + "/v3/services\">" + api +
        "/v3/services</a></li>"
        "<li><a href=\"" +
        api + "/dependencies\">" + api +
        "/dependencies</a></li>"
        "</ul></body></html>\n";
    return r;
  }

  std::unique_ptr<ArchiveFallbackReader> fallback_;  // with an archive
  QueryContext ctx_;
  std::string base_;
};

}  // namespace

HttpResponse JaegerData(std::string_view data_json, std::string route) {
  return Envelope(
      200, [&](JsonWriter& w) { w.Raw(data_json); }, 0, {}, std::move(route));
}

HttpResponse JaegerError(int status, const std::string& msg, std::string route) {
  return ErrorEnvelope(status, msg, std::move(route));
}

int HttpStatusFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kTooLarge: return 413;
    case StatusCode::kUnsupported: return 415;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kUnimplemented: return 501;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

void PrepareTraces(std::vector<Trace>& traces, bool raw, const QueryContext& ctx) {
  size_t max_spans = ctx.options.limits.max_trace_spans;
  for (Trace& t : traces) {
    if (max_spans > 0 && t.spans.size() > max_spans) {
      // The earliest spans are kept: the start of the trace, its root.
      std::stable_sort(t.spans.begin(), t.spans.end(),
                       [](const SpanRecord& a, const SpanRecord& b) {
                         return a.span.start_time_ns < b.span.start_time_ns;
                       });
      size_t total = t.spans.size();
      t.spans.resize(max_spans);
      t.spans.front().warnings.push_back("the trace has " + std::to_string(total) +
                                         " spans; the first " + std::to_string(max_spans) +
                                         " are shown (--query.max-trace-spans)");
    }
    if (!raw) AdjustTrace(t, ctx.options.adjusters);
  }
}

std::vector<Trace> GroupByTrace(const SpanBatch& batch) {
  std::vector<Trace> traces;
  std::unordered_map<TraceId, size_t, TraceIdHash> index;
  for (const ResourceSpans& rs : batch.resource_spans) {
    for (const ScopeSpans& ss : rs.scope_spans) {
      for (const Span& span : ss.spans) {
        auto [it, inserted] = index.try_emplace(span.trace_id, traces.size());
        if (inserted) traces.push_back(Trace{span.trace_id, {}});
        traces[it->second].spans.push_back(SpanRecord{rs.resource, ss.scope, span, {}});
      }
    }
  }
  return traces;
}

std::vector<std::string> QueryDataPrefixes(const std::string& base) {
  // /analytics/v1/dependencies and /qualitymetrics-v2: where Jaeger UI
  // releases ask for deep dependencies and quality metrics.
  return {base + "api/", base + "analytics/", base + "qualitymetrics-v2", base + "mcp"};
}

HttpHandler NewQueryHandler(const QueryApiOptions& options, SpanReader& reader,
                            DependencyReader& dependencies) {
  auto api = std::make_shared<QueryApi>(options, reader, dependencies);
  return [api](const HttpRequest& req) { return api->Handle(req); };
}

}  // namespace spoor
