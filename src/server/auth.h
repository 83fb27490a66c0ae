// Bearer-token authentication (docs/security.md): a file of tokens, one per
// line, optionally followed by the tenant the token is for; blank lines and
// lines starting with '#' are skipped. The file is read again when it
// changes, so a token is added or revoked by editing it.
//
// Threading: Check() may be called from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

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

// `inner` behind a bearer token: requests whose path starts with one of
// `prefixes` (all when empty) need `Authorization: Bearer <token>`; others
// are passed on. A missing or unknown token gets 401 with
// `WWW-Authenticate: Bearer` and the same message whatever the token was,
// counted in spoor_auth_failures_total{server, reason}.
[[nodiscard]] HttpHandler RequireBearerToken(HttpHandler inner,
                                             std::shared_ptr<BearerTokens> tokens,
                                             std::string server,
                                             std::vector<std::string> prefixes = {});

// Counts a refused request (HTTP or gRPC) in spoor_auth_failures_total.
void CountAuthFailure(const std::string& server, BearerTokens::Outcome outcome);

}  // namespace spoor
