// TLS for Spoor's outgoing connections (ClickHouse; docs/security.md): the
// options, as Jaeger's storage `.tls.*` flags, and the OpenSSL context
// that verifies the server (its chain against the CA file, or the
// system's CAs; and its name) and presents a client certificate when one
// is given.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace boost::asio::ssl {
class context;
}

namespace spoor {

struct TlsClientOptions {
  bool enabled = false;
  std::string ca_file;      // PEM; "" = the system's CA certificates
  std::string cert_file;    // PEM: a client certificate (mutual TLS); "" = none
  std::string key_file;     // its private key
  std::string server_name;  // the name checked in the server's certificate; "" = the host dialled
  bool skip_host_verify = false;  // do not verify the server at all (tests only)
};

// The context; InvalidArgument naming `flag_prefix` + ".ca" (".cert",
// ".key") when a file cannot be used.
[[nodiscard]] Result<std::shared_ptr<boost::asio::ssl::context>> MakeTlsClientContext(
    const TlsClientOptions& options, const std::string& flag_prefix);

}  // namespace spoor
