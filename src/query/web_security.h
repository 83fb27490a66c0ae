// What the query port adds to every answer for browsers (docs/security.md):
// security headers, and CORS when configured (off by default).
//
//  - X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer and
//    X-Frame-Options: DENY on every answer;
//  - a Content-Security-Policy: the UI's pages bring their own (see
//    ContentSecurityPolicyForHtml); every other answer gets
//    "default-src 'none'; frame-ancestors 'none'";
//  - CORS: a request whose Origin is allowed gets
//    Access-Control-Allow-Origin (and Vary: Origin), and a preflight
//    (OPTIONS with Access-Control-Request-Method) from it is answered 204
//    here, before any token is asked for. Origins not listed get no CORS
//    header, so browsers keep other sites from reading the API.
//
// Thread-safety: the handler may be called concurrently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/http.h"

namespace spoor {

struct WebSecurityOptions {
  // Exact origins ("https://grafana.example.com"), or "*" for any; empty:
  // no CORS.
  std::vector<std::string> cors_allowed_origins;
  // Headers a cross-origin request may send.
  std::string cors_allowed_headers = "Content-Type, Authorization";
};

[[nodiscard]] HttpHandler WithWebSecurity(HttpHandler inner, WebSecurityOptions options);

// The policy for an HTML page of the UI: scripts and everything else from
// the page's own origin, plus the inline scripts it holds (by their
// SHA-256, so that the Jaeger UI's injected globals run and nothing else
// inline does); styles may also be set inline (UIs set them at run time);
// no plugins, no framing, no <base> or forms to other origins.
[[nodiscard]] std::string ContentSecurityPolicyForHtml(std::string_view html);

}  // namespace spoor
