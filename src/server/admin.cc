#include "server/admin.h"

#include "common/json_writer.h"
#include "common/metrics.h"
#include "common/time_format.h"

#ifndef SPOOR_VERSION
#define SPOOR_VERSION "0.0.0"
#endif
#ifndef SPOOR_GIT_COMMIT
#define SPOOR_GIT_COMMIT ""
#endif

namespace spoor {

const BuildInfo& SpoorBuildInfo() {
  static const BuildInfo kInfo{SPOOR_GIT_COMMIT, "v" SPOOR_VERSION, __DATE__ " " __TIME__};
  return kInfo;
}

HttpHandler NewAdminHandler(AdminState& state) {
  return [&state](const HttpRequest& req) {
    if (req.method != "GET" && req.method != "HEAD") {
      HttpResponse r = HttpResponse::Text(405, "method not allowed\n");
      r.headers.emplace_back("Allow", "GET");
      return r;
    }
    if (req.path == "/metrics") {
      HttpResponse r;
      r.route = "/metrics";
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      r.body = MetricsRegistry::Global().RenderPrometheus();
      return r;
    }
    if (req.path == "/version") {
      HttpResponse r;
      r.route = "/version";
      JsonWriter w(r.body);
      const BuildInfo& info = SpoorBuildInfo();
      w.BeginObject().Field("gitCommit", info.git_commit).Field("gitVersion", info.git_version);
      w.Field("buildDate", info.build_date).EndObject();
      return r;
    }
    if (req.path == "/" || req.path == "/health" || req.path == "/status") {
      bool ready = state.ready.load();
      HttpResponse r;
      r.route = "/";
      r.status = ready ? 200 : 503;
      uint64_t now = NowNs();
      JsonWriter w(r.body);
      w.BeginObject().Field("status", ready ? "Server available" : "Server not available");
      w.Field("upSince", FormatRfc3339(state.started_ns, true));
      w.Field("uptime", FormatGoDuration(static_cast<int64_t>(now - state.started_ns)));
      w.EndObject();
      return r;
    }
    return HttpResponse::Text(404, "not found; try /, /metrics or /version\n");
  };
}

}  // namespace spoor
