// TLS for Spoor's listeners: the options every server port takes (as
// Jaeger's `<server>.tls.*` flags), and the OpenSSL context an HTTP server
// hands each new connection, rebuilt when the certificate files change.
//
// Threading: TlsServerContext::Current() may be called from any thread; a
// context it returned stays valid for as long as the caller holds it (a
// connection keeps the one it started with).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "common/status.h"
#include "server/file_watch.h"

namespace boost::asio::ssl {
class context;
}

namespace spoor {

struct TlsServerOptions {
  bool enabled = false;
  std::string cert_file;            // PEM: the certificate, then its chain
  std::string key_file;             // PEM: its private key
  std::string client_ca_file;       // PEM: set = clients must present a certificate it signed
  std::string min_version = "1.2";  // "1.0", "1.1", "1.2" or "1.3"
  std::string max_version;          // "" = the highest the library has
  // IANA names, comma-separated (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
  // TLS_AES_256_GCM_SHA384, ...), as Jaeger's flag; "" = OpenSSL's
  // defaults. TLS 1.3 suites and older ones may be mixed.
  std::string cipher_suites;
  // How often the files are looked at for a change; 0 = never reloaded.
  std::chrono::milliseconds reload_interval{std::chrono::seconds(10)};
};

// Checks the options alone (versions, cipher names known to OpenSSL, the
// files named): the message names the flag under `flag_prefix`
// ("--collector.otlp.http.tls").
[[nodiscard]] Status ValidateTlsServerOptions(const TlsServerOptions& options,
                                              const std::string& flag_prefix);

class TlsServerContext {
 public:
  // Reads the files and builds the first context; a failure (unreadable
  // file, a key that does not match the certificate, ...) is an error.
  [[nodiscard]] static Result<std::shared_ptr<TlsServerContext>> Create(TlsServerOptions options,
                                                                        std::string flag_prefix);

  // The context for a new connection: the files are looked at when
  // reload_interval has passed since the last look (on a connection's
  // arrival), and read again when their modification time, size or inode
  // changed. A reload that fails is
  // logged and counted, and the previous context stays in use.
  [[nodiscard]] std::shared_ptr<boost::asio::ssl::context> Current();

  [[nodiscard]] const TlsServerOptions& options() const { return options_; }

 private:
  TlsServerContext(TlsServerOptions options, std::string flag_prefix);
  [[nodiscard]] Result<std::shared_ptr<boost::asio::ssl::context>> Build() const;

  const TlsServerOptions options_;
  const std::string flag_prefix_;
  WatchedFiles watch_;
  std::mutex mu_;
  std::shared_ptr<boost::asio::ssl::context> current_;
};

}  // namespace spoor
