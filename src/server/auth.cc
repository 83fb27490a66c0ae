#include "server/auth.h"

#include <openssl/sha.h>

#include <fstream>
#include <sstream>

#include "common/log.h"
#include "common/metrics.h"
#include "common/strings.h"

namespace spoor {

namespace {

std::string Digest(std::string_view token) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), out);
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

}  // namespace

BearerTokens::BearerTokens(std::string path, std::string flag,
                           std::chrono::milliseconds reload_interval)
    : path_(std::move(path)), flag_(std::move(flag)), watch_({path_}, reload_interval) {}

Result<std::shared_ptr<BearerTokens>> BearerTokens::Load(
    std::string path, std::string flag, std::chrono::milliseconds reload_interval) {
  std::shared_ptr<BearerTokens> tokens(
      new BearerTokens(std::move(path), std::move(flag), reload_interval));
  auto table = tokens->Read();
  if (!table.ok()) return table.status();
  tokens->table_ = std::move(table).value();
  return tokens;
}

Result<std::shared_ptr<const BearerTokens::Table>> BearerTokens::Read() const {
  std::ifstream in(path_);
  if (!in) return InvalidArgument(flag_ + ": cannot read " + path_);
  auto table = std::make_shared<Table>();
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::string_view text = Trim(line);
    if (text.empty() || text.front() == '#') continue;
    std::istringstream fields{std::string(text)};
    std::string token;
    std::string tenant;
    std::string extra;
    fields >> token >> tenant >> extra;
    if (!extra.empty()) {
      return InvalidArgument(flag_ + ": " + path_ + " line " + std::to_string(number) +
                             ": expected a token and at most a tenant");
    }
    (*table)[Digest(token)] = tenant;
  }
  if (table->empty()) return InvalidArgument(flag_ + ": " + path_ + " holds no token");
  return std::shared_ptr<const Table>(std::move(table));
}

BearerTokens::Checked BearerTokens::Check(std::string_view authorization) {
  if (watch_.Changed()) {
    auto table = Read();
    MetricsRegistry::Global()
        .GetCounter("spoor_auth_token_reloads_total",
                    "Token files read again after a change, by flag and result",
                    {{"flag", flag_}, {"result", table.ok() ? "ok" : "failed"}})
        .Inc();
    if (table.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      table_ = std::move(table).value();
      LogInfo(flag_, ": token file changed, reloaded");
    } else {
      LogWarn(flag_, ": token file changed but cannot be used (", table.status().message(),
              "); the previous tokens stay in use");
    }
  }
  Checked out;
  std::string_view value = Trim(authorization);
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() || ToLower(value.substr(0, kScheme.size())) != kScheme) {
    return out;  // kMissing
  }
  std::string digest = Digest(Trim(value.substr(kScheme.size())));
  std::shared_ptr<const Table> table;
  {
    std::lock_guard<std::mutex> lock(mu_);
    table = table_;
  }
  auto it = table->find(digest);
  if (it == table->end()) {
    out.outcome = Outcome::kInvalid;
    return out;
  }
  out.outcome = Outcome::kOk;
  out.tenant = it->second;
  return out;
}

void CountAuthFailure(const std::string& server, BearerTokens::Outcome outcome) {
  MetricsRegistry::Global()
      .GetCounter("spoor_auth_failures_total",
                  "Requests refused for a missing or unknown bearer token, by server and reason",
                  {{"server", server},
                   {"reason", outcome == BearerTokens::Outcome::kMissing ? "missing" : "invalid"}})
      .Inc();
}

HttpHandler RequireBearerToken(HttpHandler inner, std::shared_ptr<BearerTokens> tokens,
                               std::string server, std::vector<std::string> prefixes) {
  return [inner = std::move(inner), tokens = std::move(tokens), server = std::move(server),
          prefixes = std::move(prefixes)](const HttpRequest& req) {
    bool guarded = prefixes.empty();
    for (const std::string& p : prefixes) guarded = guarded || StartsWith(req.path, p);
    if (!guarded) return inner(req);
    BearerTokens::Checked checked = tokens->Check(req.Header("authorization"));
    if (checked.outcome == BearerTokens::Outcome::kOk) return inner(req);
    CountAuthFailure(server, checked.outcome);
    HttpResponse r = HttpResponse::Text(
        401, checked.outcome == BearerTokens::Outcome::kMissing
                 ? "authentication required: send the header Authorization: Bearer <token>\n"
                 : "the bearer token is not valid\n");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    r.route = "unauthenticated";
    return r;
  };
}

}  // namespace spoor
