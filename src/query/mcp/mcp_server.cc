#include "query/mcp/mcp_server.h"

#include <simdjson.h>

#include <string>
#include <string_view>
#include <tuple>

#include "common/json_writer.h"
#include "common/strings.h"
#include "query/mcp/mcp_tools.h"
#include "server/admin.h"

namespace spoor {
namespace {

// JSON-RPC 2.0 error codes.
constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;

// The largest message taken.
constexpr size_t kMaxMessageBytes = 1 << 20;

// Protocol revisions this server speaks; an initialize asking for another
// is answered with the first.
constexpr std::string_view kProtocolVersions[] = {"2025-06-18", "2025-11-25", "2025-03-26",
                                                  "2024-11-05"};

constexpr const char* kInstructions =
    "Read-only access to the distributed traces Spoor stores. Start with search_traces (its "
    "query takes the query language, TraceQL's form) or get_service_metrics, then look into "
    "one trace with get_trace_topology, get_trace_errors and get_critical_path, and into one "
    "span with get_span. Times are in milliseconds unless named otherwise.";

void WriteId(simdjson::dom::element id, JsonWriter& w) {
  w.Key("id");
  if (id.is_string()) {
    w.String(id.get_string().value());
  } else if (id.is_int64()) {
    w.Int(id.get_int64().value());
  } else if (id.is_uint64()) {
    w.Uint(id.get_uint64().value());
  } else if (id.is_double()) {
    w.Double(id.get_double().value());
  } else {
    w.Null();
  }
}

void ErrorMessage(const simdjson::dom::element* id, int code, const std::string& message,
                  std::string& out) {
  JsonWriter w(out);
  w.BeginObject().Field("jsonrpc", "2.0");
  if (id != nullptr) {
    WriteId(*id, w);
  } else {
    w.Key("id").Null();
  }
  w.Key("error").BeginObject().FieldInt("code", code).Field("message", message).EndObject();
  w.EndObject();
}

std::string Initialize(const simdjson::dom::object& params) {
  std::string_view asked;
  std::string_view version = kProtocolVersions[0];
  if (params.at_key("protocolVersion").get_string().get(asked) == simdjson::SUCCESS) {
    for (std::string_view v : kProtocolVersions) {
      if (v == asked) version = v;
    }
  }
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Field("protocolVersion", version);
  w.Key("capabilities").BeginObject().Key("tools").BeginObject().FieldBool("listChanged", false);
  w.EndObject().EndObject();
  w.Key("serverInfo").BeginObject().Field("name", "spoor").Field("title", "Spoor traces");
  w.Field("version", SpoorBuildInfo().git_version).EndObject();
  w.Field("instructions", kInstructions).EndObject();
  return out;
}

std::string ListTools() {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Key("tools").BeginArray();
  for (const mcp::Tool& t : mcp::Tools()) {
    w.BeginObject().Field("name", t.name).Field("title", t.title);
    w.Field("description", t.description).Key("inputSchema").Raw(t.input_schema);
    w.Key("annotations").BeginObject().FieldBool("readOnlyHint", true).EndObject();
    w.EndObject();
  }
  w.EndArray().EndObject();
  return out;
}

// The result of tools/call, or false with a JSON-RPC error for a call that
// names no known tool.
bool CallTool(const simdjson::dom::object& params, const QueryContext& ctx, std::string* result,
              std::string* error) {
  std::string_view name;
  if (params.at_key("name").get_string().get(name) != simdjson::SUCCESS) {
    *error = "params.name (the tool) is required";
    return false;
  }
  const mcp::Tool* tool = nullptr;
  for (const mcp::Tool& t : mcp::Tools()) {
    if (name == t.name) tool = &t;
  }
  if (tool == nullptr) {
    *error = "unknown tool '" + std::string(name) + "'";
    return false;
  }
  simdjson::dom::object args;
  simdjson::dom::element given;
  simdjson::dom::parser parser;
  if (params.at_key("arguments").get(given) == simdjson::SUCCESS && !given.is_null()) {
    if (given.get_object().get(args) != simdjson::SUCCESS) {
      *error = "params.arguments must be an object";
      return false;
    }
  } else if (parser.parse(std::string_view("{}")).get_object().get(args) != simdjson::SUCCESS) {
    *error = "internal error";
    return false;
  }
  mcp::ToolResult r = tool->call(args, ctx);
  JsonWriter w(*result);
  w.BeginObject().Key("content").BeginArray().BeginObject().Field("type", "text");
  w.Field("text", r.text).EndObject().EndArray();
  w.FieldBool("isError", r.is_error).EndObject();
  return true;
}

// One message: false when it was a notification or a response (nothing to
// answer), else its answer appended to `out`.
bool HandleMessage(simdjson::dom::element message, const QueryContext& ctx, std::string& out) {
  simdjson::dom::object obj;
  if (message.get_object().get(obj) != simdjson::SUCCESS) {
    ErrorMessage(nullptr, kInvalidRequest, "a JSON-RPC message is an object", out);
    return true;
  }
  simdjson::dom::element id;
  bool has_id = obj.at_key("id").get(id) == simdjson::SUCCESS;
  std::string_view method;
  if (obj.at_key("method").get_string().get(method) != simdjson::SUCCESS) {
    if (has_id && (obj.at_key("result").error() == simdjson::SUCCESS ||
                   obj.at_key("error").error() == simdjson::SUCCESS)) {
      return false;  // a response to a request this server never sends
    }
    ErrorMessage(has_id ? &id : nullptr, kInvalidRequest, "'method' is required", out);
    return true;
  }
  if (!has_id) return false;  // a notification (notifications/initialized, ...)
  simdjson::dom::object params;
  simdjson::dom::element given;
  simdjson::dom::parser parser;
  if (obj.at_key("params").get(given) == simdjson::SUCCESS && !given.is_null()) {
    if (given.get_object().get(params) != simdjson::SUCCESS) {
      ErrorMessage(&id, kInvalidParams, "'params' must be an object", out);
      return true;
    }
  } else {
    std::ignore = parser.parse(std::string_view("{}")).get_object().get(params);
  }
  std::string result;
  if (method == "initialize") {
    result = Initialize(params);
  } else if (method == "ping") {
    result = "{}";
  } else if (method == "tools/list") {
    result = ListTools();
  } else if (method == "tools/call") {
    std::string error;
    if (!CallTool(params, ctx, &result, &error)) {
      ErrorMessage(&id, kInvalidParams, error, out);
      return true;
    }
  } else {
    ErrorMessage(&id, kMethodNotFound, "method '" + std::string(method) + "' not found", out);
    return true;
  }
  JsonWriter w(out);
  w.BeginObject().Field("jsonrpc", "2.0");
  WriteId(id, w);
  w.Key("result").Raw(result).EndObject();
  return true;
}

// The host part of an Origin header ("https://example.com:8080" ->
// "example.com:8080").
std::string_view OriginHost(std::string_view origin) {
  size_t scheme = origin.find("://");
  return scheme == std::string_view::npos ? origin : origin.substr(scheme + 3);
}

HttpResponse JsonAnswer(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  r.route = "/mcp";
  return r;
}

}  // namespace

HttpResponse HandleMcp(const HttpRequest& req, const QueryContext& ctx) {
  if (req.method != "POST") {
    HttpResponse r = HttpResponse::Text(
        405, "this MCP server answers POST only: it keeps no stream for server messages\n");
    r.headers.emplace_back("Allow", "POST");
    r.route = "/mcp";
    return r;
  }
  // A page of another site must not reach the tools through the user's
  // browser (DNS rebinding): an Origin, when sent, names this host.
  std::string_view origin = req.Header("origin");
  if (!origin.empty() && ToLower(OriginHost(origin)) != ToLower(req.Header("host"))) {
    return JsonAnswer(
        403,
        R"({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"origin not allowed"}})");
  }
  if (req.body.size() > kMaxMessageBytes) {
    std::string out;
    ErrorMessage(nullptr, kInvalidRequest,
                 "the message is larger than " + std::to_string(kMaxMessageBytes) + " bytes", out);
    return JsonAnswer(413, std::move(out));
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(req.body).get(doc); err) {
    std::string out;
    ErrorMessage(nullptr, kParseError,
                 std::string("the body is not JSON: ") + simdjson::error_message(err), out);
    return JsonAnswer(400, std::move(out));
  }
  std::string out;
  simdjson::dom::array batch;
  if (doc.get_array().get(batch) == simdjson::SUCCESS) {
    out += '[';
    bool any = false;
    for (simdjson::dom::element m : batch) {
      std::string one;
      if (!HandleMessage(m, ctx, one)) continue;
      if (any) out += ',';
      out += one;
      any = true;
    }
    out += ']';
    if (!any) {
      HttpResponse r;
      r.status = 202;
      r.route = "/mcp";
      return r;
    }
    return JsonAnswer(200, std::move(out));
  }
  if (!HandleMessage(doc, ctx, out)) {
    HttpResponse r;
    r.status = 202;
    r.route = "/mcp";
    return r;
  }
  return JsonAnswer(200, std::move(out));
}

}  // namespace spoor
