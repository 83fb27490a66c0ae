// Bearer-token authentication (docs/security.md): a file of tokens, one per
// line, optionally followed by the tenant the token is for; blank lines and
// lines starting with '#' are skipped. The file is read again when it
// changes, so a token is added or revoked by editing it.
//
// Threading: Check() may be called from any thread.
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "server/file_watch.h"
#include "server/http.h"

namespace spoor {

class BearerTokens {
 public:
  // Reads the file; `flag` names it in messages. Fails when it cannot be
  // read or holds no token (a file that would let nobody in is a mistake).
  [[nodiscard]] static Result<std::shared_ptr<BearerTokens>> Load(
      std::string path, std::string flag,
      std::chrono::milliseconds reload_interval = std::chrono::seconds(1));

  enum class Outcome { kOk, kMissing, kInvalid };
  struct Checked {
    Outcome outcome = Outcome::kMissing;
    std::string tenant;  // the token's tenant, "" when the line named none
  };
  // Checks an `Authorization` header value ("Bearer <token>", the scheme
  // in any case). A file that changed is read again first; one that cannot
  // be read then keeps the tokens last read (logged and counted).
  [[nodiscard]] Checked Check(std::string_view authorization);

 private:
  using Table = std::unordered_map<std::string, std::string>;  // SHA-256 of token -> tenant
  BearerTokens(std::string path, std::string flag, std::chrono::milliseconds reload_interval);
  [[nodiscard]] Result<std::shared_ptr<const Table>> Read() const;

  const std::string path_;
  const std::string flag_;
  WatchedFiles watch_;
  std::mutex mu_;
  std::shared_ptr<const Table> table_;
};

// Addresses of authenticating proxies ("10.0.0.7", "10.1.0.0/16",
// "fd00::/8"), whose user header Spoor believes.
class TrustedProxies {
 public:
  // InvalidArgument naming the entry that is not an address or network.
  [[nodiscard]] static Result<TrustedProxies> Parse(std::string_view list);
  [[nodiscard]] bool Contains(std::string_view address) const;
  [[nodiscard]] bool empty() const { return networks_.empty(); }

 private:
  struct Network {
    std::array<unsigned char, 16> bytes{};  // IPv4 as IPv4-mapped IPv6
    int prefix_bits = 128;
  };
  std::vector<Network> networks_;
};

// Who may pass: a bearer token of `tokens`, or (with trusted proxies) a
// request from one of them carrying `proxy_user_header` (the user the
// proxy authenticated). A user header from any other address is ignored.
struct AuthPolicy {
  std::shared_ptr<BearerTokens> tokens;  // null: no tokens accepted
  TrustedProxies proxies;
  std::string proxy_user_header = "x-forwarded-user";  // lower case
  [[nodiscard]] bool enabled() const { return tokens != nullptr || !proxies.empty(); }

  // Whether a request (HTTP or gRPC) gets in: `proxy_user` is the value of
  // proxy_user_header, `remote_address` the peer's address. Proxy
  // admissions and refusals are counted for `server`.
  [[nodiscard]] BearerTokens::Outcome Admit(std::string_view authorization,
                                            std::string_view proxy_user,
                                            std::string_view remote_address,
                                            const std::string& server) const;
};

// `inner` behind `auth`: requests whose path starts with one of `prefixes`
// (all when empty) need a token or a trusted proxy's user; others are
// passed on. A refusal gets 401 with `WWW-Authenticate: Bearer` and the
// same message whatever the token was, counted in
// spoor_auth_failures_total{server, reason}; requests let in by a proxy are
// counted in spoor_auth_proxy_requests_total{server}.
[[nodiscard]] HttpHandler RequireAuth(HttpHandler inner, AuthPolicy auth, std::string server,
                                      std::vector<std::string> prefixes = {});

}  // namespace spoor
