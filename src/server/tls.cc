#include "server/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <vector>

#include "common/log.h"
#include "common/metrics.h"
#include "common/strings.h"

namespace spoor {

namespace ssl = boost::asio::ssl;

namespace {

// The protocol version a flag value names, or 0.
int VersionNamed(const std::string& v) {
  if (v == "1.0") return TLS1_VERSION;
  if (v == "1.1") return TLS1_1_VERSION;
  if (v == "1.2") return TLS1_2_VERSION;
  if (v == "1.3") return TLS1_3_VERSION;
  return 0;
}

// The last OpenSSL error, as text (and the queue emptied).
std::string OpenSslError() {
  unsigned long code = ERR_get_error();  // NOLINT(google-runtime-int): OpenSSL's type
  std::string out;
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    out = buf;
  }
  ERR_clear_error();
  return out.empty() ? "unknown OpenSSL error" : out;
}

// The IANA cipher suite names, split into OpenSSL's two lists: TLS 1.3
// suites (set by their IANA names) and older ones (by OpenSSL's names).
Status CipherLists(const std::string& names, std::string* tls13, std::string* older) {
  SSL_CTX* all = SSL_CTX_new(TLS_method());
  if (all == nullptr) return Internal("OpenSSL: " + OpenSslError());
  SSL_CTX_set_security_level(all, 0);
  std::ignore = SSL_CTX_set_cipher_list(all, "ALL:COMPLEMENTOFALL");
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(all);
  Status status;
  for (std::string_view name : SplitList(names)) {
    std::string wanted(Trim(name));
    if (wanted.empty()) continue;
    bool found = false;
    for (int i = 0; ciphers != nullptr && i < sk_SSL_CIPHER_num(ciphers) && !found; ++i) {
      const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
      const char* standard = SSL_CIPHER_standard_name(c);
      if (standard == nullptr || wanted != standard) continue;
      found = true;
      bool is13 = std::string_view(SSL_CIPHER_get_version(c)) == "TLSv1.3";
      std::string& list = is13 ? *tls13 : *older;
      if (!list.empty()) list += ':';
      list += is13 ? standard : SSL_CIPHER_get_name(c);
    }
    if (!found) {
      status = InvalidArgument("unknown cipher suite '" + wanted +
                               "' (IANA names, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)");
      break;
    }
  }
  SSL_CTX_free(all);
  return status;
}

}  // namespace

Status ValidateTlsServerOptions(const TlsServerOptions& o, const std::string& flag_prefix) {
  if (!o.enabled) return Status::Ok();
  if (o.cert_file.empty() || o.key_file.empty()) {
    return InvalidArgument(flag_prefix + ".enabled needs " + flag_prefix + ".cert and " +
                           flag_prefix + ".key");
  }
  int min = VersionNamed(o.min_version);
  if (min == 0) {
    return InvalidArgument(flag_prefix + ".min-version: '" + o.min_version +
                           "' is not one of 1.0, 1.1, 1.2, 1.3");
  }
  if (!o.max_version.empty()) {
    int max = VersionNamed(o.max_version);
    if (max == 0) {
      return InvalidArgument(flag_prefix + ".max-version: '" + o.max_version +
                             "' is not one of 1.0, 1.1, 1.2, 1.3");
    }
    if (max < min) {
      return InvalidArgument(flag_prefix + ".max-version " + o.max_version +
                             " is below .min-version " + o.min_version);
    }
  }
  std::string tls13;
  std::string older;
  if (Status s = CipherLists(o.cipher_suites, &tls13, &older); !s.ok()) {
    return InvalidArgument(flag_prefix + ".cipher-suites: " + s.message());
  }
  if (o.reload_interval.count() < 0) {
    return InvalidArgument(flag_prefix + ".reload-interval must not be negative");
  }
  return Status::Ok();
}

TlsServerContext::TlsServerContext(TlsServerOptions options, std::string flag_prefix)
    : options_(std::move(options)),
      flag_prefix_(std::move(flag_prefix)),
      watch_({options_.cert_file, options_.key_file, options_.client_ca_file},
             options_.reload_interval) {}

Result<std::shared_ptr<TlsServerContext>> TlsServerContext::Create(TlsServerOptions options,
                                                                   std::string flag_prefix) {
  if (Status s = ValidateTlsServerOptions(options, flag_prefix); !s.ok()) return s;
  std::shared_ptr<TlsServerContext> tls(
      new TlsServerContext(std::move(options), std::move(flag_prefix)));
  auto built = tls->Build();
  if (!built.ok()) return built.status();
  tls->current_ = std::move(built).value();
  return tls;
}

Result<std::shared_ptr<ssl::context>> TlsServerContext::Build() const {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* raw = ctx->native_handle();
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                       ssl::context::single_dh_use,
                   ec);
  auto fail = [this](const std::string& what, const std::string& detail) {
    return InvalidArgument(flag_prefix_ + "." + what + ": " + detail);
  };
  if (SSL_CTX_set_min_proto_version(raw, VersionNamed(options_.min_version)) != 1) {
    return fail("min-version", OpenSslError());
  }
  if (!options_.max_version.empty() &&
      SSL_CTX_set_max_proto_version(raw, VersionNamed(options_.max_version)) != 1) {
    return fail("max-version", OpenSslError());
  }
  if (VersionNamed(options_.min_version) < TLS1_2_VERSION) {
    // OpenSSL 3 refuses TLS 1.0 and 1.1 at its default security level.
    SSL_CTX_set_security_level(raw, 0);
  }
  std::string tls13;
  std::string older;
  if (Status s = CipherLists(options_.cipher_suites, &tls13, &older); !s.ok()) {
    return fail("cipher-suites", s.message());
  }
  if (!older.empty() && SSL_CTX_set_cipher_list(raw, older.c_str()) != 1) {
    return fail("cipher-suites", OpenSslError());
  }
  if (!tls13.empty() && SSL_CTX_set_ciphersuites(raw, tls13.c_str()) != 1) {
    return fail("cipher-suites", OpenSslError());
  }
  ctx->use_certificate_chain_file(options_.cert_file, ec);
  if (ec) return fail("cert", options_.cert_file + ": " + ec.message());
  ctx->use_private_key_file(options_.key_file, ssl::context::pem, ec);
  if (ec && ec.message().find("mismatch") != std::string::npos) {
    return fail("key",
                options_.key_file + " does not match the certificate in " + options_.cert_file);
  }
  if (ec) return fail("key", options_.key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(raw) != 1) {
    return fail("key",
                options_.key_file + " does not match the certificate in " + options_.cert_file);
  }
  if (!options_.client_ca_file.empty()) {
    ctx->load_verify_file(options_.client_ca_file, ec);
    if (ec) return fail("client-ca", options_.client_ca_file + ": " + ec.message());
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options_.client_ca_file.c_str());
    if (names == nullptr) {
      return fail("client-ca", options_.client_ca_file + ": no certificate in it");
    }
    SSL_CTX_set_client_CA_list(raw, names);
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
    // Sessions resumed with a client certificate need a context ID.
    static const unsigned char kSessionContext[] = "spoor";
    SSL_CTX_set_session_id_context(raw, kSessionContext, sizeof kSessionContext - 1);
  }
  return ctx;
}

std::shared_ptr<ssl::context> TlsServerContext::Current() {
  if (watch_.Changed()) {
    auto built = Build();
    MetricsRegistry::Global()
        .GetCounter("spoor_tls_certificate_reloads_total",
                    "Certificate files read again after a change, by listener and result",
                    {{"listener", flag_prefix_}, {"result", built.ok() ? "ok" : "failed"}})
        .Inc();
    if (built.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      current_ = std::move(built).value();
      LogInfo(flag_prefix_, ": certificate files changed, reloaded");
    } else {
      LogWarn(flag_prefix_, ": certificate files changed but cannot be used (",
              built.status().message(), "); the previous ones stay in use");
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

}  // namespace spoor
