#include "server/tls_client.h"

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>

namespace spoor {

namespace ssl = boost::asio::ssl;

Result<std::shared_ptr<ssl::context>> MakeTlsClientContext(const TlsClientOptions& options,
                                                           const std::string& flag_prefix) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  if (options.skip_host_verify) {
    ctx->set_verify_mode(ssl::verify_none, ec);
  } else {
    ctx->set_verify_mode(ssl::verify_peer, ec);
    if (options.ca_file.empty()) {
      ctx->set_default_verify_paths(ec);
    } else {
      ctx->load_verify_file(options.ca_file, ec);
      if (ec) return InvalidArgument(flag_prefix + ".ca: " + options.ca_file + ": " + ec.message());
    }
  }
  if (options.cert_file.empty() != options.key_file.empty()) {
    return InvalidArgument(flag_prefix + ".cert and " + flag_prefix + ".key go together");
  }
  if (!options.cert_file.empty()) {
    ctx->use_certificate_chain_file(options.cert_file, ec);
    if (ec) {
      return InvalidArgument(flag_prefix + ".cert: " + options.cert_file + ": " + ec.message());
    }
    ctx->use_private_key_file(options.key_file, ssl::context::pem, ec);
    if (ec) return InvalidArgument(flag_prefix + ".key: " + options.key_file + ": " + ec.message());
  }
  return ctx;
}

}  // namespace spoor
