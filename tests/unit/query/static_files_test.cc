// The web UI's files served by the query handler: content types, cache
// headers, the index.html fallback for client-side routes, the <base> tag
// rewritten for the base path, path traversal refused, and a missing UI.
#include "query/static_files.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "query_api_fixture.h"

namespace spoor::querytest {
namespace {

namespace fs = std::filesystem;

constexpr const char* kIndexHtml =
    "<!doctype html><html><head><meta charset=\"UTF-8\" />"
    "<base href=\"/\" data-inject-target=\"BASE_URL\" />"
    "<script type=\"module\" src=\"./assets/index-AbC123.js\"></script></head>"
    "<body><div id=\"root\"></div></body></html>\n";
constexpr const char* kSecret = "top secret: outside the UI folder";

// A temporary folder holding `dist/` (a UI build) and, beside it,
// `secret.txt`, which no request may reach.
class StaticFilesTest : public QueryApiTest {
 protected:
  void SetUp() override {
    QueryApiTest::SetUp();
    std::string pattern = (fs::temp_directory_path() / "spoor-ui-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    dist_ = root_ / "dist";
    WriteFile(dist_ / "index.html", kIndexHtml);
    WriteFile(dist_ / "favicon.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
    WriteFile(dist_ / "logo.png", std::string("\x89PNG\r\n\x1a\n", 8));
    WriteFile(dist_ / "favicon.ico", "ico");
    WriteFile(dist_ / "manifest.json", "{}");
    WriteFile(dist_ / "assets" / "index-AbC123.js", "console.log('app');");
    WriteFile(dist_ / "assets" / "index-AbC123.js.map", "{\"version\":3}");
    WriteFile(dist_ / "assets" / "index-DeF456.css", "body{}");
    WriteFile(dist_ / "assets" / "inter-GhI789.woff2", "wOF2");
    WriteFile(root_ / "secret.txt", kSecret);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  static void WriteFile(const fs::path& path, const std::string& body) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << body;
  }

  // The handler with the UI loaded for options_.base_path.
  HttpResponse GetUi(const std::string& target, const std::string& method = "GET") {
    if (!options_.ui) {
      auto ui = StaticFiles::Load(dist_.string(), options_.base_path);
      EXPECT_TRUE(ui.ok()) << ui.status().message();
      if (ui.ok()) options_.ui = std::move(ui).value();
    }
    return Send(MakeRequest(method, target));
  }

  static std::string Header(const HttpResponse& r, const std::string& name) {
    for (const auto& [key, value] : r.headers) {
      if (key == name) return value;
    }
    return "";
  }

  fs::path root_;
  fs::path dist_;
};

TEST(StaticContentTypeTest, KnowsTheTypesOfAViteBuild) {
  EXPECT_EQ(StaticContentType("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(StaticContentType("assets/index-1a2b.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(StaticContentType("assets/index-1a2b.css"), "text/css; charset=utf-8");
  EXPECT_EQ(StaticContentType("favicon.svg"), "image/svg+xml");
  EXPECT_EQ(StaticContentType("logo.png"), "image/png");
  EXPECT_EQ(StaticContentType("favicon.ico"), "image/x-icon");
  EXPECT_EQ(StaticContentType("manifest.json"), "application/json");
  EXPECT_EQ(StaticContentType("assets/font-1a2b.woff2"), "font/woff2");
  EXPECT_EQ(StaticContentType("assets/index-1a2b.js.map"), "application/json");
  EXPECT_EQ(StaticContentType("LOGO.PNG"), "image/png");
  EXPECT_EQ(StaticContentType("README"), "application/octet-stream");
  EXPECT_EQ(StaticContentType("archive.tar.zst"), "application/octet-stream");
  EXPECT_EQ(StaticContentType("dir.js/file"), "application/octet-stream");
}

TEST_F(StaticFilesTest, ServesFilesWithTheirContentTypeAndCacheHeaders) {
  struct Case {
    const char* target;
    const char* content_type;
    std::string body;
  };
  const std::vector<Case> cases = {
      {"/assets/index-AbC123.js", "text/javascript; charset=utf-8", "console.log('app');"},
      {"/assets/index-DeF456.css", "text/css; charset=utf-8", "body{}"},
      {"/assets/index-AbC123.js.map", "application/json", "{\"version\":3}"},
      {"/assets/inter-GhI789.woff2", "font/woff2", "wOF2"},
      {"/favicon.svg", "image/svg+xml", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"},
      {"/logo.png", "image/png", std::string("\x89PNG\r\n\x1a\n", 8)},
      {"/favicon.ico", "image/x-icon", "ico"},
      {"/manifest.json", "application/json", "{}"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.target);
    HttpResponse r = GetUi(c.target);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, c.content_type);
    EXPECT_EQ(r.body, c.body);
    EXPECT_EQ(Header(r, "X-Content-Type-Options"), "nosniff");
    bool hashed = std::string(c.target).starts_with("/assets/");
    EXPECT_EQ(Header(r, "Cache-Control"),
              hashed ? "public, max-age=31536000, immutable" : "no-cache");
  }
  EXPECT_EQ(GetUi("/assets/index-AbC123.js", "HEAD").status, 200);
}

TEST_F(StaticFilesTest, ClientRoutesAndUnknownPathsAnswerIndexHtml) {
  for (const char* target :
       {"/", "/index.html", "/search", "/search?service=frontend&lookback=1h",
        "/trace/0000000000000001", "/trace/1...2", "/compare", "/dependencies", "/upload",
        "/no/such/page/", "/apix", "/favicon.svg/extra", "/%252e%252e/secret.txt"}) {
    SCOPED_TRACE(target);
    HttpResponse r = GetUi(target);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(Header(r, "Cache-Control"), "no-cache");
    EXPECT_NE(r.body.find("<div id=\"root\">"), std::string::npos);
    EXPECT_NE(r.body.find("<base href=\"/\" data-inject-target=\"BASE_URL\" />"),
              std::string::npos);
  }
}

TEST_F(StaticFilesTest, AMissingHashedAssetIsNotFound) {
  HttpResponse r = GetUi("/assets/index-Old000.js");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
}

TEST_F(StaticFilesTest, TheApiStaysTheApi) {
  HttpResponse r = GetUi("/api/services");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(Strings(Json(r.body)["data"]), (std::vector<std::string>{"backend", "frontend"}));
  EXPECT_EQ(GetUi("/api/v3/services").status, 200);
  EXPECT_EQ(GetUi("/api/nothing").status, 404);
  EXPECT_EQ(GetUi("/api").content_type, "application/json");
}

TEST_F(StaticFilesTest, OnlyGetAndHeadAreAnswered) {
  HttpResponse r = GetUi("/search", "POST");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(Header(r, "Allow"), "GET, HEAD");
  EXPECT_EQ(GetUi("/search", "HEAD").status, 200);
}

TEST_F(StaticFilesTest, UnderABasePathIndexHtmlPointsItsBaseThere) {
  options_.base_path = "/jaeger";
  for (const char* target : {"/jaeger/", "/jaeger/search?service=x", "/jaeger/trace/1",
                             "/jaeger/dependencies", "/jaeger/index.html"}) {
    SCOPED_TRACE(target);
    HttpResponse r = GetUi(target);
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("<base href=\"/jaeger/\" data-inject-target=\"BASE_URL\" />"),
              std::string::npos)
        << r.body;
    EXPECT_EQ(r.body.find("<base href=\"/\""), std::string::npos);
  }
  EXPECT_EQ(GetUi("/jaeger/assets/index-AbC123.js").body, "console.log('app');");
  EXPECT_EQ(GetUi("/jaeger/api/services").content_type, "application/json");
  // The bare prefix goes to the folder, where the app's relative URLs work.
  HttpResponse bare = GetUi("/jaeger?service=x");
  EXPECT_EQ(bare.status, 302);
  EXPECT_EQ(Header(bare, "Location"), "/jaeger/?service=x");
  EXPECT_EQ(Header(GetUi("/jaeger"), "Location"), "/jaeger/");
  // Nothing is served outside the prefix.
  EXPECT_EQ(GetUi("/").status, 404);
  EXPECT_EQ(GetUi("/assets/index-AbC123.js").status, 404);
  EXPECT_EQ(GetUi("/jaegerx/search").status, 404);
}

TEST_F(StaticFilesTest, ABasePathWithATrailingSlashGivesTheSameBase) {
  options_.base_path = "/jaeger/";
  HttpResponse r = GetUi("/jaeger/trace/1");
  EXPECT_NE(r.body.find("<base href=\"/jaeger/\" data-inject-target=\"BASE_URL\" />"),
            std::string::npos);
}

TEST(BaseHrefTest, PutsTheBaseFirstInTheHead) {
  EXPECT_EQ(BaseHrefFor("/"), "/");
  EXPECT_EQ(BaseHrefFor("/jaeger"), "/jaeger/");
  EXPECT_EQ(BaseHrefFor("/jaeger/"), "/jaeger/");
  EXPECT_EQ(BaseHrefFor("/a/b//"), "/a/b/");
  EXPECT_EQ(
      InjectBaseHref("<head><base href=\"/\" data-inject-target=\"BASE_URL\" /></head>", "/x/"),
      "<head><base href=\"/x/\" data-inject-target=\"BASE_URL\" /></head>");
  // Moved before what loads files: a page opened at /trace/ID must not
  // fetch static/* from /trace/static/*.
  EXPECT_EQ(InjectBaseHref("<html><HEAD lang=\"en\"><link href=\"static/a.css\">"
                           "<base data-inject-target=\"BASE_URL\" href=\"/\"></head>",
                           "/x/"),
            "<html><HEAD lang=\"en\"><base href=\"/x/\" data-inject-target=\"BASE_URL\" />"
            "<link href=\"static/a.css\"></head>");
  // A page without the marked tag gets one too (a base its script would
  // add later loses: the first <base> counts).
  EXPECT_EQ(InjectBaseHref("<head><meta charset=\"utf-8\"><script>x()</script></head>", "/x/"),
            "<head><base href=\"/x/\" data-inject-target=\"BASE_URL\" /><meta charset=\"utf-8\">"
            "<script>x()</script></head>");
  // Without <head>, the marked tag is rewritten where it is; without
  // either, nothing changes.
  EXPECT_EQ(InjectBaseHref("<base data-inject-target=\"BASE_URL\" href=\"/\">", "/x/"),
            "<base href=\"/x/\" data-inject-target=\"BASE_URL\" />");
  EXPECT_EQ(InjectBaseHref("<base href=\"/\"><p data-inject-target=\"BASE_URL\">", "/x/"),
            "<base href=\"/\"><p data-inject-target=\"BASE_URL\">");
  EXPECT_EQ(InjectBaseHref("<header>no head</header>", "/x/"), "<header>no head</header>");
  // The base path is written as an attribute value, never as markup.
  EXPECT_EQ(InjectBaseHref("<base href=\"/\" data-inject-target=\"BASE_URL\" />", "/a\"><b/"),
            "<base href=\"/a&quot;&gt;&lt;b/\" data-inject-target=\"BASE_URL\" />");
}

// The lines of the Jaeger UI's index.html that its query service rewrites.
constexpr const char* kJaegerIndexScript =
    "<script>\n"
    "  // JAEGER_CONFIG_JS\n"
    "  function getJaegerUiConfig() {\n"
    "    const DEFAULT_CONFIG = null;\n"
    "    const JAEGER_CONFIG = DEFAULT_CONFIG;\n"
    "    return JAEGER_CONFIG;\n"
    "  }\n"
    "  function getJaegerStorageCapabilities() {\n"
    "    const DEFAULT_STORAGE_CAPABILITIES = { archiveStorage: false, metricsStorage: false };\n"
    "    const JAEGER_STORAGE_CAPABILITIES = DEFAULT_STORAGE_CAPABILITIES;\n"
    "    return JAEGER_STORAGE_CAPABILITIES;\n"
    "  }\n"
    "  function getJaegerVersion() {\n"
    "    const DEFAULT_VERSION = { gitCommit: '', gitVersion: '', buildDate: '' };\n"
    "    const JAEGER_VERSION = DEFAULT_VERSION;\n"
    "    return JAEGER_VERSION;\n"
    "  }\n"
    "</script>";

TEST(JaegerGlobalsTest, WritesConfigCapabilitiesAndVersion) {
  UiInjections in;
  in.config_json = "{\"menu\":[]}";
  in.metrics_storage = true;
  in.version = {"abc123", "v1.2.3", "Dec  7 2026"};
  std::string out = InjectJaegerGlobals(kJaegerIndexScript, in);
  EXPECT_NE(out.find("const JAEGER_CONFIG = {\"menu\":[]};"), std::string::npos) << out;
  EXPECT_NE(out.find("const JAEGER_STORAGE_CAPABILITIES = "
                     "{\"archiveStorage\":false,\"metricsStorage\":true};"),
            std::string::npos);
  EXPECT_NE(out.find("const JAEGER_VERSION = {\"gitCommit\":\"abc123\",\"gitVersion\":"
                     "\"v1.2.3\",\"buildDate\":\"Dec  7 2026\"};"),
            std::string::npos);
  EXPECT_NE(out.find("// JAEGER_CONFIG_JS"), std::string::npos);  // no JS config given
  // A JavaScript configuration replaces the marker line instead.
  UiInjections js;
  js.config_js = "function UIConfig() { return {a: 1}; }";
  out = InjectJaegerGlobals(kJaegerIndexScript, js);
  EXPECT_NE(out.find("  function UIConfig() { return {a: 1}; }\n"), std::string::npos);
  EXPECT_NE(out.find("const JAEGER_CONFIG = DEFAULT_CONFIG;"), std::string::npos);
  EXPECT_NE(out.find("\"metricsStorage\":false"), std::string::npos);
  // A page without the patterns (Spoor's own UI) is left as it is.
  EXPECT_EQ(InjectJaegerGlobals("<p>hi</p>", in), "<p>hi</p>");
}

TEST(JaegerGlobalsTest, LoadsTheUiConfigFile) {
  fs::path dir = fs::temp_directory_path() / ("spoor-ui-config-" + std::to_string(getpid()));
  fs::create_directories(dir);
  auto write = [&](const char* name, const std::string& body) {
    std::ofstream(dir / name) << body;
    return (dir / name).string();
  };
  UiInjections in;
  ASSERT_TRUE(
      LoadUiConfig(write("ok.json", "{\n  \"menu\": [{\"label\": \"</script>\"}]\n}\n"), &in).ok());
  // One line, and nothing that could close the <script> early.
  EXPECT_EQ(in.config_json, "{\"menu\":[{\"label\":\"\\u003c/script>\"}]}");
  UiInjections js;
  ASSERT_TRUE(LoadUiConfig(write("c.js", "function UIConfig() { return {}; }\n"), &js).ok());
  EXPECT_EQ(js.config_js, "function UIConfig() { return {}; }\n");
  EXPECT_TRUE(js.config_json.empty());
  UiInjections bad;
  Status s = LoadUiConfig(write("bad.json", "{\"menu\": [}"), &bad);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("bad.json"), std::string::npos);
  EXPECT_EQ(LoadUiConfig(write("array.json", "[1]"), &bad).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadUiConfig(write("f.js", "var x = 1;"), &bad).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadUiConfig((dir / "missing.json").string(), &bad).code(),
            StatusCode::kInvalidArgument);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

TEST_F(StaticFilesTest, TheJaegerUisStaticFilesAreCachedAndNeverAPage) {
  WriteFile(dist_ / "static" / "index-Zz9.js", "jaeger();");
  options_.ui = nullptr;
  HttpResponse r = GetUi("/static/index-Zz9.js");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Header(r, "Cache-Control"), "public, max-age=31536000, immutable");
  // Opened at a deep link, a relative static/ URL must not get the page.
  for (const char* target : {"/static/index-Old.js", "/trace/static/index-Zz9.js",
                             "/search/app.css", "/trace/abc/main.js.map"}) {
    SCOPED_TRACE(target);
    HttpResponse missing = GetUi(target);
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.content_type, "text/plain; charset=utf-8");
  }
}

// The HTTP server percent-decodes the path once (MakeRequest does the same),
// so "%2e%2e" arrives as "..".
TEST_F(StaticFilesTest, PathTraversalIsRefused) {
  for (const char* target :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/assets/../../secret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt", "/..", "/./index.html", "/assets/./index-AbC123.js",
        "//etc/passwd", "/%2fetc/passwd", "/..%2fsecret.txt", "/..%5csecret.txt",
        "/assets\\..\\..\\secret.txt", "/index.html%00.png"}) {
    SCOPED_TRACE(target);
    HttpResponse r = GetUi(target);
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.body.find(kSecret), std::string::npos);
  }
  options_.base_path = "/jaeger";
  options_.ui = nullptr;
  for (const char* target :
       {"/jaeger/../secret.txt", "/jaeger/%2e%2e/secret.txt", "/jaeger/%2e%2e/dist/index.html"}) {
    SCOPED_TRACE(target);
    HttpResponse r = GetUi(target);
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.body.find(kSecret), std::string::npos);
  }
}

TEST_F(StaticFilesTest, LoadReadsTheWholeFolderOnce) {
  auto ui = StaticFiles::Load(dist_.string() + "/", "/");
  ASSERT_TRUE(ui.ok()) << ui.status().message();
  EXPECT_EQ((*ui)->directory(), dist_.string());
  EXPECT_EQ((*ui)->file_count(), 9u);
  // Files are in memory: changing the folder later changes nothing served.
  fs::remove(dist_ / "favicon.svg");
  options_.ui = *ui;
  EXPECT_EQ(Send(MakeRequest("GET", "/favicon.svg")).content_type, "image/svg+xml");
}

TEST_F(StaticFilesTest, AMissingFolderOrIndexIsNotFound) {
  auto missing = StaticFiles::Load((root_ / "nope").string(), "/");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("no index.html in"), std::string::npos);
  auto no_index = StaticFiles::Load((dist_ / "assets").string(), "/");
  ASSERT_FALSE(no_index.ok());
  EXPECT_EQ(no_index.status().code(), StatusCode::kNotFound);
  auto file = StaticFiles::Load((dist_ / "index.html").string(), "/");
  EXPECT_FALSE(file.ok());
  // An explicit folder is the only place looked at.
  auto explicit_missing = FindStaticFiles((root_ / "nope").string(), UiInjections{});
  EXPECT_FALSE(explicit_missing.ok());
  auto explicit_found = FindStaticFiles(dist_.string(), UiInjections{});
  ASSERT_TRUE(explicit_found.ok());
  ASSERT_NE(*explicit_found, nullptr);
  EXPECT_EQ((*explicit_found)->directory(), dist_.string());
}

TEST_F(QueryApiTest, WithoutTheUiTheStartPageSaysHowToBuildIt) {
  for (const char* target : {"/", "/search", "/trace/1"}) {
    SCOPED_TRACE(target);
    HttpResponse r = Get(target);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_NE(r.body.find("make ui"), std::string::npos);
    EXPECT_NE(r.body.find("npm run build"), std::string::npos);
    EXPECT_NE(r.body.find("/api/services"), std::string::npos);
  }
}

TEST(DefaultStaticFileDirsTest, BesideTheBinaryFirstThenTheSourceTree) {
  std::vector<std::string> dirs = DefaultStaticFileDirs();
  ASSERT_EQ(dirs.size(), 3u);
  fs::path exe_dir = fs::read_symlink("/proc/self/exe").parent_path();
  EXPECT_EQ(dirs[0], (exe_dir / "ui").string());
  EXPECT_EQ(dirs[1], (exe_dir.parent_path() / "share" / "spoor" / "ui").string());
  EXPECT_TRUE(dirs[2].ends_with("/ui/dist")) << dirs[2];
  EXPECT_TRUE(fs::path(dirs[2]).is_absolute()) << dirs[2];
}

}  // namespace
}  // namespace spoor::querytest
