#include "server/auth.h"

#include <openssl/sha.h>

#include <boost/asio/ip/address.hpp>
#include <fstream>
#include <sstream>

#include "common/log.h"
#include "common/metrics.h"
#include "common/strings.h"

namespace spoor {

namespace {

// Counts a refused request (HTTP or gRPC) in spoor_auth_failures_total.
void CountAuthFailure(const std::string& server, BearerTokens::Outcome outcome) {
  MetricsRegistry::Global()
      .GetCounter("spoor_auth_failures_total",
                  "Requests refused for a missing or unknown bearer token, by server and reason",
                  {{"server", server},
                   {"reason", outcome == BearerTokens::Outcome::kMissing ? "missing" : "invalid"}})
      .Inc();
}

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

namespace {

// An address as 16 bytes (IPv4 mapped into IPv6); false when it is none.
bool AddressBytes(std::string_view text, std::array<unsigned char, 16>* out) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(text), ec);
  if (ec) return false;
  *out =
      address.is_v4()
          ? boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, address.to_v4()).to_bytes()
          : address.to_v6().to_bytes();
  return true;
}

}  // namespace

Result<TrustedProxies> TrustedProxies::Parse(std::string_view list) {
  TrustedProxies out;
  for (std::string_view item : SplitList(list)) {
    if (item.empty()) continue;
    std::string_view address = item;
    std::optional<uint64_t> bits;
    if (size_t slash = item.find('/'); slash != std::string_view::npos) {
      address = item.substr(0, slash);
      bits = ParseUint64(item.substr(slash + 1));
    }
    Network n;
    bool v4 = address.find(':') == std::string_view::npos;
    uint64_t max = v4 ? 32 : 128;
    if (!AddressBytes(address, &n.bytes) || (bits && *bits > max) ||
        (item.find('/') != std::string_view::npos && !bits)) {
      return InvalidArgument("'" + std::string(item) +
                             "' is not an address or a network (10.0.0.7, 10.1.0.0/16, fd00::/8)");
    }
    n.prefix_bits = static_cast<int>((bits ? *bits : max) + (v4 ? 96 : 0));
    out.networks_.push_back(n);
  }
  return out;
}

bool TrustedProxies::Contains(std::string_view address) const {
  std::array<unsigned char, 16> bytes{};
  if (!AddressBytes(address, &bytes)) return false;
  for (const Network& n : networks_) {
    int bits = n.prefix_bits;
    bool match = true;
    for (size_t i = 0; i < 16 && bits > 0 && match; ++i, bits -= 8) {
      auto mask = static_cast<unsigned char>(bits >= 8 ? 0xff : 0xff << (8 - bits));
      match = (bytes[i] & mask) == (n.bytes[i] & mask);
    }
    if (match) return true;
  }
  return false;
}

BearerTokens::Outcome AuthPolicy::Admit(std::string_view authorization, std::string_view proxy_user,
                                        std::string_view remote_address,
                                        const std::string& server) const {
  if (!enabled()) return BearerTokens::Outcome::kOk;
  if (!proxies.empty() && !proxy_user.empty() && proxies.Contains(remote_address)) {
    MetricsRegistry::Global()
        .GetCounter("spoor_auth_proxy_requests_total",
                    "Requests let in on the user header of a trusted proxy, by server",
                    {{"server", server}})
        .Inc();
    return BearerTokens::Outcome::kOk;
  }
  BearerTokens::Checked checked;
  if (tokens) checked = tokens->Check(authorization);
  if (checked.outcome != BearerTokens::Outcome::kOk) CountAuthFailure(server, checked.outcome);
  return checked.outcome;
}

HttpHandler RequireAuth(HttpHandler inner, AuthPolicy auth, std::string server,
                        std::vector<std::string> prefixes) {
  return [inner = std::move(inner), auth = std::move(auth), server = std::move(server),
          prefixes = std::move(prefixes)](const HttpRequest& req) {
    bool guarded = prefixes.empty();
    for (const std::string& p : prefixes) guarded = guarded || StartsWith(req.path, p);
    if (!guarded) return inner(req);
    BearerTokens::Outcome outcome =
        auth.Admit(req.Header("authorization"), req.Header(auth.proxy_user_header),
                   req.remote_address, server);
    if (outcome == BearerTokens::Outcome::kOk) return inner(req);
    HttpResponse r = HttpResponse::Text(
        401, outcome == BearerTokens::Outcome::kMissing
                 ? "authentication required: send the header Authorization: Bearer <token>\n"
                 : "the bearer token is not valid\n");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    r.route = "unauthenticated";
    return r;
  };
}

}  // namespace spoor
