#include "query/web_security.h"

#include <openssl/sha.h>

#include <algorithm>

#include "common/base64.h"
#include "common/strings.h"

namespace spoor {

namespace {

constexpr std::string_view kApiPolicy = "default-src 'none'; frame-ancestors 'none'";

bool HasHeader(const HttpResponse& r, std::string_view name) {
  return std::any_of(r.headers.begin(), r.headers.end(),
                     [&](const auto& h) { return ToLower(h.first) == name; });
}

void SetDefault(HttpResponse& r, std::string_view lower_name, std::string name, std::string value) {
  if (!HasHeader(r, lower_name)) r.headers.emplace_back(std::move(name), std::move(value));
}

}  // namespace

std::string ContentSecurityPolicyForHtml(std::string_view html) {
  std::string hashes;
  std::string lower = ToLower(html);
  for (size_t pos = 0; (pos = lower.find("<script", pos)) != std::string::npos;) {
    size_t tag_end = lower.find('>', pos);
    if (tag_end == std::string::npos) break;
    std::string_view tag = std::string_view(lower).substr(pos, tag_end - pos);
    size_t close = lower.find("</script", tag_end);
    if (close == std::string::npos) break;
    if (tag.find(" src=") == std::string_view::npos) {
      std::string_view body = html.substr(tag_end + 1, close - tag_end - 1);
      unsigned char digest[SHA256_DIGEST_LENGTH];
      SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
      hashes +=
          " 'sha256-" +
          Base64Encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest)) +
          "'";
    }
    pos = close;
  }
  // 'wasm-unsafe-eval' lets WebAssembly compile (the Jaeger UI lays its
  // graphs out with Graphviz built to WebAssembly, in a worker); JavaScript's
  // eval stays refused.
  return "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'" + hashes +
         "; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
         "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
         "frame-ancestors 'none'";
}

HttpHandler WithWebSecurity(HttpHandler inner, WebSecurityOptions options) {
  return [inner = std::move(inner), options = std::move(options)](const HttpRequest& req) {
    std::string_view origin = req.Header("origin");
    bool any = std::find(options.cors_allowed_origins.begin(), options.cors_allowed_origins.end(),
                         "*") != options.cors_allowed_origins.end();
    bool allowed =
        !origin.empty() &&
        (any || std::find(options.cors_allowed_origins.begin(), options.cors_allowed_origins.end(),
                          origin) != options.cors_allowed_origins.end());
    HttpResponse r;
    if (allowed && req.method == "OPTIONS" &&
        !req.Header("access-control-request-method").empty()) {
      r.status = 204;
      r.content_type.clear();
      r.headers.emplace_back("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS");
      r.headers.emplace_back("Access-Control-Allow-Headers", options.cors_allowed_headers);
      r.headers.emplace_back("Access-Control-Max-Age", "600");
      r.route = "preflight";
    } else {
      r = inner(req);
    }
    if (allowed) {
      r.headers.emplace_back("Access-Control-Allow-Origin", any ? "*" : std::string(origin));
      if (!any) r.headers.emplace_back("Vary", "Origin");
    }
    SetDefault(r, "x-content-type-options", "X-Content-Type-Options", "nosniff");
    SetDefault(r, "referrer-policy", "Referrer-Policy", "no-referrer");
    SetDefault(r, "x-frame-options", "X-Frame-Options", "DENY");
    SetDefault(r, "content-security-policy", "Content-Security-Policy", std::string(kApiPolicy));
    return r;
  };
}

}  // namespace spoor
