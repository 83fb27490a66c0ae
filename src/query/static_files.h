// The web UI's built files (ui/dist: index.html and hashed assets/*),
// served by the query handler on port 16686 under the base path. The
// serving contract is ui/README.md's:
//
//  - a file that exists is served as it is, with its Content-Type; files
//    under assets/ (Spoor's UI) and static/ (the Jaeger UI) carry hashed
//    names and may be cached forever, everything else is revalidated
//    (Cache-Control: no-cache);
//  - every other path answers index.html (200), so client-side routes
//    (/search, /trace/ID, /dependencies) load the app; a missing file under
//    assets/ or static/, or a missing script, style sheet or source map
//    anywhere, is a 404, since that is never a page;
//  - an HTML page carries a Content-Security-Policy that allows its own
//    inline scripts by their hash (query/web_security.h);
//  - index.html starts its <head> with <base href="{base path}/"
//    data-inject-target="BASE_URL" />, before anything that loads a file,
//    and carries what Jaeger's query service writes into the Jaeger UI's
//    index.html (UiInjections).
//
// Every file is read into memory once, when loaded: requests only look up
// names that were found under the directory, so no request can reach a file
// outside it. Paths with '.' or '..' segments, backslashes, NUL bytes or a
// second leading '/' are refused (404) before the lookup.
//
// Thread-safety: a loaded StaticFiles is immutable; Serve may be called
// concurrently.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "server/admin.h"
#include "server/http.h"

namespace spoor {

// What the query service writes into index.html, by the search and replace
// Jaeger's query service does for the Jaeger UI (which reads these
// globals; Spoor's UI ignores them): `const JAEGER_CONFIG = DEFAULT_CONFIG;`
// becomes the --query.ui-config JSON (a .js file instead replaces the line
// `// JAEGER_CONFIG_JS`), `const JAEGER_STORAGE_CAPABILITIES =
// DEFAULT_STORAGE_CAPABILITIES;` the capabilities (the Monitor tab shows
// only with metricsStorage) and `const JAEGER_VERSION = DEFAULT_VERSION;`
// the version (the About menu).
struct UiInjections {
  std::string base_path = "/";  // --query.base-path
  std::string config_json;      // "" = none
  std::string config_js;        // "" = none
  bool archive_storage = false;
  bool metrics_storage = false;
  BuildInfo version;
};

// Reads --query.ui-config: a JSON object (checked), or with a .js name,
// JavaScript defining a function UIConfig(). InvalidArgument with the
// reason when it cannot be used.
[[nodiscard]] Status LoadUiConfig(const std::string& path, UiInjections* out);

// The Jaeger globals of `injections` written into `html` (see above);
// patterns that are absent are left alone.
[[nodiscard]] std::string InjectJaegerGlobals(std::string_view html,
                                              const UiInjections& injections);

class StaticFiles {
 public:
  // Limits on what Load reads, so that a mistyped directory (say "/") fails
  // instead of filling memory.
  static constexpr size_t kMaxFiles = 10000;
  static constexpr size_t kMaxTotalBytes = 256u << 20;

  // Reads every regular file below `dir`. `dir` must hold index.html
  // (NotFound otherwise). `base_path` is --query.base-path ("/", "/jaeger").
  [[nodiscard]] static Result<std::shared_ptr<const StaticFiles>> Load(
      const std::string& dir, const UiInjections& injections);
  [[nodiscard]] static Result<std::shared_ptr<const StaticFiles>> Load(const std::string& dir,
                                                                       std::string_view base_path) {
    UiInjections injections;
    injections.base_path = base_path;
    return Load(dir, injections);
  }

  // Answers `req`; `path` is the request path below the base path,
  // starting with '/' ("/", "/assets/index-1a2b.js", "/trace/abc").
  [[nodiscard]] HttpResponse Serve(const HttpRequest& req, std::string_view path) const;

  // The directory the files were read from (absolute).
  [[nodiscard]] const std::string& directory() const { return directory_; }
  [[nodiscard]] size_t file_count() const { return files_.size(); }

 private:
  struct File {
    std::string content_type;
    std::string cache_control;
    std::string body;
    std::string content_security_policy;  // HTML pages: web_security.h
  };

  StaticFiles() = default;

  std::string directory_;
  std::unordered_map<std::string, File> files_;  // by path relative to the directory
};

// The Content-Type answered for a file name, by its extension
// ("application/octet-stream" when unknown).
[[nodiscard]] std::string_view StaticContentType(std::string_view name);

// `html` with <base href="{base_href}" data-inject-target="BASE_URL" /> first
// in its <head> (so that every relative URL after it resolves against the
// base path, whatever page the browser is on), and without the <base ...
// data-inject-target="BASE_URL" ...> tag it had elsewhere. Without a <head>
// tag, that tag is rewritten where it stands; without either, `html` is
// returned unchanged. `base_href` starts and ends with '/'.
[[nodiscard]] std::string InjectBaseHref(std::string_view html, std::string_view base_href);

// The <base href> for a --query.base-path: "/" -> "/", "/jaeger/" and
// "/jaeger" -> "/jaeger/".
[[nodiscard]] std::string BaseHrefFor(std::string_view base_path);

// Where the UI is looked for when --query.static-files is not given, in
// this order: `<directory of the executable>/ui`,
// `<directory of the executable>/../share/spoor/ui`, and the source tree's
// ui/dist as configured at build time.
[[nodiscard]] std::vector<std::string> DefaultStaticFileDirs();

// The UI to serve: from `dir` when it is not empty (a failure to load it is
// the error returned), else from the first of DefaultStaticFileDirs() that
// holds an index.html; nullptr when none does.
[[nodiscard]] Result<std::shared_ptr<const StaticFiles>> FindStaticFiles(
    const std::string& dir, const UiInjections& injections);

}  // namespace spoor
