#include "query/static_files.h"

#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <system_error>

#include "common/json_writer.h"
#include "common/strings.h"
#include "query/web_security.h"

namespace spoor {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kIndex = "index.html";
constexpr std::string_view kAssetsPrefix = "assets/";
constexpr std::string_view kStaticPrefix = "static/";
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";

struct TypeByExtension {
  std::string_view extension;
  std::string_view content_type;
};

constexpr TypeByExtension kContentTypes[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".ico", "image/x-icon"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {".woff2", "font/woff2"},
    {".woff", "font/woff"},
    {".txt", "text/plain; charset=utf-8"},
};

// True when `rel` (a request path without its leading '/') names nothing
// outside the directory: no "." or ".." segment, no absolute path, no
// backslash or NUL (which the file system or a proxy might read differently).
bool SafeRelativePath(std::string_view rel) {
  if (!rel.empty() && rel.front() == '/') return false;
  if (rel.find('\\') != std::string_view::npos) return false;
  if (rel.find('\0') != std::string_view::npos) return false;
  size_t start = 0;
  while (start <= rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string_view::npos) end = rel.size();
    std::string_view segment = rel.substr(start, end - start);
    if (segment == "." || segment == "..") return false;
    start = end + 1;
  }
  return true;
}

Result<std::string> ReadWholeFile(const fs::path& path, uintmax_t size) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Internal("cannot open " + path.string());
  std::string body(static_cast<size_t>(size), '\0');
  if (!in.read(body.data(), static_cast<std::streamsize>(body.size())))
    return Internal("cannot read " + path.string());
  return body;
}

std::string EscapeAttribute(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

// Files that hold built assets with hashed names.
bool IsAssetPath(std::string_view rel) {
  return StartsWith(rel, kAssetsPrefix) || StartsWith(rel, kStaticPrefix);
}

// A path that names a script, a style sheet or a source map is never a
// page of the app.
bool IsCodePath(std::string_view rel) {
  for (std::string_view ext : {".js", ".mjs", ".css", ".map"}) {
    if (rel.size() >= ext.size() && rel.substr(rel.size() - ext.size()) == ext) return true;
  }
  return false;
}

// Finds `tag` ("<head", "<base") as a tag, case-insensitively, from `from`.
size_t FindTag(std::string_view html, std::string_view tag, size_t from) {
  std::string lower = ToLower(html);
  while (true) {
    size_t at = lower.find(tag, from);
    if (at == std::string::npos) return at;
    size_t next = at + tag.size();
    if (next < lower.size() && (lower[next] == '>' || lower[next] == ' ' || lower[next] == '\t' ||
                                lower[next] == '\n' || lower[next] == '\r' || lower[next] == '/')) {
      return at;
    }
    from = next;
  }
}

void ReplaceFirst(std::string& s, std::string_view pattern, std::string_view with) {
  size_t at = s.find(pattern);
  if (at != std::string::npos) s.replace(at, pattern.size(), with);
}

HttpResponse NotFoundResponse(std::string_view path) {
  HttpResponse r = HttpResponse::Text(404, "not found: " + std::string(path) + "\n");
  r.route = "/{file}";
  return r;
}

}  // namespace

std::string_view StaticContentType(std::string_view name) {
  size_t slash = name.rfind('/');
  std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
  size_t dot = base.rfind('.');
  if (dot != std::string_view::npos) {
    std::string ext = ToLower(base.substr(dot));
    for (const TypeByExtension& t : kContentTypes) {
      if (ext == t.extension) return t.content_type;
    }
  }
  return "application/octet-stream";
}

std::string BaseHrefFor(std::string_view base_path) {
  std::string href(base_path);
  if (href.empty() || href.front() != '/') href.insert(href.begin(), '/');
  while (href.size() > 1 && href.back() == '/') href.pop_back();
  if (href.back() != '/') href += '/';
  return href;
}

std::string InjectBaseHref(std::string_view html, std::string_view base_href) {
  constexpr std::string_view kMarker = "data-inject-target=\"BASE_URL\"";
  std::string tag =
      "<base href=\"" + EscapeAttribute(base_href) + "\" data-inject-target=\"BASE_URL\" />";
  // The marked <base> tag, if any: [old_open, old_close].
  size_t old_open = std::string_view::npos;
  size_t old_close = std::string_view::npos;
  size_t marker = html.find(kMarker);
  if (marker != std::string_view::npos) {
    size_t open = FindTag(html.substr(0, marker), "<base", 0);
    while (open != std::string_view::npos) {
      size_t later = FindTag(html.substr(0, marker), "<base", open + 1);
      if (later == std::string_view::npos) break;
      open = later;
    }
    // The marker must sit inside that <base ...> tag.
    if (open != std::string_view::npos && html.find('>', open) > marker) {
      old_open = open;
      old_close = html.find('>', marker);
    }
  }
  size_t head = FindTag(html, "<head", 0);
  size_t head_end = head == std::string_view::npos ? head : html.find('>', head);
  std::string out(html);
  if (old_close != std::string_view::npos) {
    out.erase(old_open, old_close - old_open + 1);
    if (head_end == std::string_view::npos || head_end > old_open) {
      out.insert(old_open, tag);  // no <head> before it: rewritten in place
      return out;
    }
  }
  if (head_end == std::string_view::npos) return out;
  out.insert(head_end + 1, tag);
  return out;
}

std::string InjectJaegerGlobals(std::string_view html, const UiInjections& injections) {
  std::string out(html);
  if (!injections.config_json.empty()) {
    ReplaceFirst(out, "JAEGER_CONFIG = DEFAULT_CONFIG;",
                 "JAEGER_CONFIG = " + injections.config_json + ";");
  }
  if (!injections.config_js.empty()) {
    ReplaceFirst(out, "// JAEGER_CONFIG_JS", injections.config_js);
  }
  std::string capabilities;
  JsonWriter caps(capabilities);
  caps.BeginObject()
      .FieldBool("archiveStorage", injections.archive_storage)
      .FieldBool("metricsStorage", injections.metrics_storage)
      .EndObject();
  ReplaceFirst(out, "JAEGER_STORAGE_CAPABILITIES = DEFAULT_STORAGE_CAPABILITIES;",
               "JAEGER_STORAGE_CAPABILITIES = " + capabilities + ";");
  std::string version;
  JsonWriter v(version);
  v.BeginObject()
      .Field("gitCommit", injections.version.git_commit)
      .Field("gitVersion", injections.version.git_version)
      .Field("buildDate", injections.version.build_date)
      .EndObject();
  ReplaceFirst(out, "JAEGER_VERSION = DEFAULT_VERSION;", "JAEGER_VERSION = " + version + ";");
  return out;
}

Status LoadUiConfig(const std::string& path, UiInjections* out) {
  std::error_code ec;
  uintmax_t size = fs::file_size(path, ec);
  if (ec) return InvalidArgument("cannot read " + path + ": " + ec.message());
  if (size > (1u << 20)) return InvalidArgument(path + " is larger than 1 MiB");
  auto text = ReadWholeFile(path, size);
  if (!text.ok()) return InvalidArgument(text.status().message());
  if (ToLower(fs::path(path).extension().string()) == ".js") {
    if (text->find("UIConfig") == std::string::npos) {
      return InvalidArgument(path + " does not define a function UIConfig()");
    }
    out->config_js = std::move(text).value();
    return Status::Ok();
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto error = parser.parse(*text).get(doc); error) {
    return InvalidArgument("cannot parse " + path + " as JSON: " + simdjson::error_message(error));
  }
  if (!doc.is_object()) return InvalidArgument(path + " must hold a JSON object");
  // Written into a script: one line, and no "</script>" can end it early.
  std::string minified = simdjson::minify(doc);
  std::string safe;
  for (char c : minified) {
    if (c == '<') {
      safe += "\\u003c";
    } else {
      safe += c;
    }
  }
  out->config_json = std::move(safe);
  return Status::Ok();
}

Result<std::shared_ptr<const StaticFiles>> StaticFiles::Load(const std::string& dir,
                                                             const UiInjections& injections) {
  std::error_code ec;
  fs::path root = fs::absolute(fs::path(dir), ec);
  if (ec) return InvalidArgument("cannot resolve " + dir + ": " + ec.message());
  root = root.lexically_normal();
  // "/x/dist/" -> "/x/dist", so that directory() reads the same either way.
  if (!root.has_filename() && root != root.root_path()) root = root.parent_path();
  if (!fs::is_regular_file(root / kIndex, ec)) {
    return NotFound("no " + std::string(kIndex) + " in " + root.string());
  }

  std::shared_ptr<StaticFiles> files(new StaticFiles());
  files->directory_ = root.string();
  size_t total_bytes = 0;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  if (ec) return Internal("cannot list " + root.string() + ": " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return Internal("cannot list " + root.string() + ": " + ec.message());
    std::error_code file_ec;
    if (!it->is_regular_file(file_ec)) continue;
    uintmax_t size = it->file_size(file_ec);
    if (file_ec) return Internal("cannot read " + it->path().string() + ": " + file_ec.message());
    if (files->files_.size() >= kMaxFiles) {
      return InvalidArgument(root.string() + " holds more than " + std::to_string(kMaxFiles) +
                             " files; is it the UI's build folder?");
    }
    total_bytes += static_cast<size_t>(size);
    if (total_bytes > kMaxTotalBytes) {
      return InvalidArgument(root.string() + " holds more than " +
                             std::to_string(kMaxTotalBytes >> 20) +
                             " MiB; is it the UI's build folder?");
    }
    auto body = ReadWholeFile(it->path(), size);
    if (!body.ok()) return body.status();
    std::string rel = it->path().lexically_relative(root).generic_string();
    File file;
    file.content_type = std::string(StaticContentType(rel));
    file.cache_control = std::string(IsAssetPath(rel) ? kImmutable : kRevalidate);
    file.body = std::move(body).value();
    if (rel == kIndex) {
      file.body = InjectJaegerGlobals(InjectBaseHref(file.body, BaseHrefFor(injections.base_path)),
                                      injections);
    }
    if (StartsWith(file.content_type, "text/html")) {
      file.content_security_policy = ContentSecurityPolicyForHtml(file.body);
    } else if (StartsWith(file.content_type, "text/javascript")) {
      // A script started as a Web Worker runs under the policy of its own
      // answer, not the page's: the page's, without inline scripts (the
      // Jaeger UI's layout worker fetches and compiles WebAssembly).
      file.content_security_policy = ContentSecurityPolicyForHtml("");
    }
    files->files_.emplace(std::move(rel), std::move(file));
  }
  // Serve relies on it; it can vanish while the folder is being rebuilt.
  if (!files->files_.contains(std::string(kIndex))) {
    return NotFound("no " + std::string(kIndex) + " in " + root.string());
  }
  return std::shared_ptr<const StaticFiles>(std::move(files));
}

HttpResponse StaticFiles::Serve(const HttpRequest& req, std::string_view path) const {
  if (req.method != "GET" && req.method != "HEAD") {
    HttpResponse r = HttpResponse::Text(405, "method " + req.method + " not allowed\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    r.route = "/{file}";
    return r;
  }
  std::string_view rel = path;
  if (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
  if (!SafeRelativePath(rel)) return NotFoundResponse(path);

  std::string route = "/{file}";
  auto it = rel.empty() ? files_.end() : files_.find(std::string(rel));
  if (it == files_.end()) {
    if (IsAssetPath(rel) || IsCodePath(rel)) return NotFoundResponse(path);
    it = files_.find(std::string(kIndex));
    route = "/";
  }
  const File& file = it->second;
  HttpResponse r;
  r.content_type = file.content_type;
  r.body = file.body;
  r.headers.emplace_back("Cache-Control", file.cache_control);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (!file.content_security_policy.empty()) {
    r.headers.emplace_back("Content-Security-Policy", file.content_security_policy);
  }
  r.route = std::move(route);
  return r;
}

std::vector<std::string> DefaultStaticFileDirs() {
  std::vector<std::string> dirs;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && exe.has_parent_path()) {
    fs::path bin = exe.parent_path();
    dirs.push_back((bin / "ui").string());
    dirs.push_back((bin / ".." / "share" / "spoor" / "ui").lexically_normal().string());
  }
#ifdef SPOOR_UI_SOURCE_DIST
  dirs.emplace_back(SPOOR_UI_SOURCE_DIST);
#endif
  return dirs;
}

Result<std::shared_ptr<const StaticFiles>> FindStaticFiles(const std::string& dir,
                                                           const UiInjections& injections) {
  if (!dir.empty()) return StaticFiles::Load(dir, injections);
  for (const std::string& candidate : DefaultStaticFileDirs()) {
    std::error_code ec;
    if (!fs::is_regular_file(fs::path(candidate) / kIndex, ec)) continue;
    return StaticFiles::Load(candidate, injections);
  }
  return std::shared_ptr<const StaticFiles>();
}

}  // namespace spoor
