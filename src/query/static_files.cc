#include "query/static_files.h"

#include <filesystem>
#include <fstream>
#include <system_error>

#include "common/strings.h"

namespace spoor {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kIndex = "index.html";
constexpr std::string_view kAssetsPrefix = "assets/";
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
  size_t marker = html.find(kMarker);
  if (marker == std::string_view::npos) return std::string(html);
  size_t open = html.rfind("<base", marker);
  if (open == std::string_view::npos) return std::string(html);
  // The marker must sit inside that <base ...> tag.
  if (html.find('>', open) < marker) return std::string(html);
  size_t close = html.find('>', marker);
  if (close == std::string_view::npos) return std::string(html);
  std::string out;
  out.reserve(html.size() + base_href.size());
  out.append(html.substr(0, open));
  out.append("<base href=\"").append(EscapeAttribute(base_href));
  out.append("\" data-inject-target=\"BASE_URL\" />");
  out.append(html.substr(close + 1));
  return out;
}

Result<std::shared_ptr<const StaticFiles>> StaticFiles::Load(const std::string& dir,
                                                             std::string_view base_path) {
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
    file.cache_control = std::string(StartsWith(rel, kAssetsPrefix) ? kImmutable : kRevalidate);
    file.body = std::move(body).value();
    if (rel == kIndex) file.body = InjectBaseHref(file.body, BaseHrefFor(base_path));
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
    if (StartsWith(rel, kAssetsPrefix)) return NotFoundResponse(path);
    it = files_.find(std::string(kIndex));
    route = "/";
  }
  const File& file = it->second;
  HttpResponse r;
  r.content_type = file.content_type;
  r.body = file.body;
  r.headers.emplace_back("Cache-Control", file.cache_control);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
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
                                                           std::string_view base_path) {
  if (!dir.empty()) return StaticFiles::Load(dir, base_path);
  for (const std::string& candidate : DefaultStaticFileDirs()) {
    std::error_code ec;
    if (!fs::is_regular_file(fs::path(candidate) / kIndex, ec)) continue;
    return StaticFiles::Load(candidate, base_path);
  }
  return std::shared_ptr<const StaticFiles>();
}

}  // namespace spoor
