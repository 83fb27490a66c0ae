// TLS settings of the tracer's https endpoints (reporters, remote sampler).
#pragma once

#include <string>

namespace spoor {

// TLS of an https endpoint: the server verified against ca_file (the
// system's CA certificates when empty) and by its name (server_name, else
// the URL's host, an IP address checked against the certificate's IP
// entries); a client certificate for servers that require one.
struct TlsOptions {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string server_name;
  bool skip_verify = false;  // no verification at all: tests only
};

}  // namespace spoor
