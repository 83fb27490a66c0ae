#include "http_post.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace spoor::internal {

bool ParseHttpUrl(const std::string& url, HttpUrl* out, std::string* error) {
  out->https = url.compare(0, 8, "https://") == 0;
  const std::string scheme = out->https ? "https://" : "http://";
  if (url.compare(0, scheme.size(), scheme) != 0) {
    *error = "expected an http:// or https:// URL, got '" + url + "'";
    return false;
  }
  std::string rest = url.substr(scheme.size());
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  out->path = slash == std::string::npos ? "/" : rest.substr(slash);
  size_t colon = authority.rfind(':');
  if (colon == std::string::npos) {
    out->host = authority;
    out->port = out->https ? "443" : "80";
  } else {
    out->host = authority.substr(0, colon);
    out->port = authority.substr(colon + 1);
  }
  if (out->host.empty() || out->port.empty() ||
      out->port.find_first_not_of("0123456789") != std::string::npos) {
    *error = "no host or port in '" + url + "'";
    return false;
  }
  return true;
}

namespace {

std::string OpenSslError() {
  unsigned long code = ERR_get_error();  // NOLINT(google-runtime-int): OpenSSL's type
  ERR_clear_error();
  if (code == 0) return "unknown TLS error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

}  // namespace

std::shared_ptr<TlsClientContext> TlsClientContext::Create(const TlsOptions& options,
                                                           std::string* error) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) {
    *error = OpenSslError();
    return nullptr;
  }
  std::shared_ptr<TlsClientContext> out(new TlsClientContext(options, ctx));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (options.skip_verify) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    int ok = options.ca_file.empty()
                 ? SSL_CTX_set_default_verify_paths(ctx)
                 : SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr);
    if (ok != 1) {
      *error = "CA file " + options.ca_file + ": " + OpenSslError();
      return nullptr;
    }
  }
  if (options.cert_file.empty() != options.key_file.empty()) {
    *error = "a client certificate and its key go together";
    return nullptr;
  }
  if (!options.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, options.cert_file.c_str()) != 1) {
      *error = "certificate " + options.cert_file + ": " + OpenSslError();
      return nullptr;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
      *error = "key " + options.key_file + ": " + OpenSslError();
      return nullptr;
    }
  }
  return out;
}

TlsClientContext::~TlsClientContext() {
  SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
}

namespace {

using Clock = std::chrono::steady_clock;

int MsLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

bool WaitFor(int fd, short events, Clock::time_point deadline) {
  pollfd p{fd, events, 0};
  for (;;) {
    int r = poll(&p, 1, MsLeft(deadline));
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR) return false;
  }
}

int Connect(const HttpUrl& url, Clock::time_point deadline, std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  if (int r = getaddrinfo(url.host.c_str(), url.port.c_str(), &hints, &list); r != 0) {
    *error = "cannot resolve " + url.host + ": " + gai_strerror(r);
    return -1;
  }
  int fd = -1;
  for (addrinfo* a = list; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
    int err = 0;
    socklen_t len = sizeof err;
    if (errno == EINPROGRESS && WaitFor(fd, POLLOUT, deadline) &&
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) {
      break;
    }
    *error = "cannot connect to " + url.host + ":" + url.port + ": " +
             std::strerror(err != 0 ? err : (errno != 0 ? errno : ETIMEDOUT));
    close(fd);
    fd = -1;
  }
  freeaddrinfo(list);
  return fd;
}

// A connection's bytes, in the clear or through TLS, on a non-blocking
// socket: every wait bounded by the deadline.
class Conn {
 public:
  Conn(int fd, Clock::time_point deadline) : fd_(fd), deadline_(deadline) {}
  ~Conn() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    close(fd_);
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // The TLS handshake: the server's certificate checked for `name` (a host
  // name, or an IP address against its IP entries), `name` sent as SNI.
  bool Handshake(const TlsClientContext& tls, const std::string& name, std::string* error) {
    ssl_ = SSL_new(static_cast<SSL_CTX*>(tls.native()));
    if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1) {
      *error = OpenSslError();
      return false;
    }
    in6_addr ip{};
    bool is_ip =
        inet_pton(AF_INET, name.c_str(), &ip) == 1 || inet_pton(AF_INET6, name.c_str(), &ip) == 1;
    if (!is_ip) SSL_set_tlsext_host_name(ssl_, name.c_str());
    if (!tls.options().skip_verify) {
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
      if (is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str()) != 1
                : SSL_set1_host(ssl_, name.c_str()) != 1) {
        *error = OpenSslError();
        return false;
      }
    }
    for (;;) {
      int r = SSL_connect(ssl_);
      if (r == 1) return true;
      if (!Wait(SSL_get_error(ssl_, r))) {
        long verify = SSL_get_verify_result(ssl_);  // NOLINT(google-runtime-int)
        *error = verify != X509_V_OK ? std::string("certificate verify failed: ") +
                                           X509_verify_cert_error_string(verify)
                                     : "TLS handshake failed: " + OpenSslError();
        return false;
      }
    }
  }

  bool SendAll(const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
      if (ssl_ != nullptr) {
        int n = SSL_write(ssl_, data.data() + sent, static_cast<int>(data.size() - sent));
        if (n > 0) {
          sent += static_cast<size_t>(n);
        } else if (!Wait(SSL_get_error(ssl_, n))) {
          return false;
        }
        continue;
      }
      ssize_t n = send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<size_t>(n);
      } else if (!(n < 0 && (errno == EAGAIN || errno == EINTR) &&
                   WaitFor(fd_, POLLOUT, deadline_))) {
        return false;
      }
    }
    return true;
  }

  // Reads until the peer closes (or the deadline).
  void ReadAll(std::string* out) {
    char buf[16384];
    for (;;) {
      if (ssl_ != nullptr) {
        int n = SSL_read(ssl_, buf, sizeof buf);
        if (n > 0) {
          out->append(buf, static_cast<size_t>(n));
        } else if (!Wait(SSL_get_error(ssl_, n))) {
          return;
        }
        continue;
      }
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n > 0) {
        out->append(buf, static_cast<size_t>(n));
      } else if (n == 0 ||
                 !((errno == EAGAIN || errno == EINTR) && WaitFor(fd_, POLLIN, deadline_))) {
        return;
      }
    }
  }

 private:
  // What an SSL call asked for, waited for; false when it failed for good.
  bool Wait(int ssl_error) {
    if (ssl_error == SSL_ERROR_WANT_READ) return WaitFor(fd_, POLLIN, deadline_);
    if (ssl_error == SSL_ERROR_WANT_WRITE) return WaitFor(fd_, POLLOUT, deadline_);
    return false;
  }

  int fd_;
  Clock::time_point deadline_;
  SSL* ssl_ = nullptr;
};

}  // namespace

HttpResult HttpRequest(const HttpUrl& url, const std::string& method,
                       const std::string& content_type, const std::string& body,
                       std::chrono::milliseconds timeout, const HttpHeaders& headers,
                       const TlsClientContext* tls) {
  HttpResult result;
  if (url.https && tls == nullptr) {
    result.error = "an https URL without TLS settings";
    return result;
  }
  auto deadline = Clock::now() + timeout;
  int fd = Connect(url, deadline, &result.error);
  if (fd < 0) return result;
  Conn conn(fd, deadline);
  if (url.https) {
    const std::string& name =
        tls->options().server_name.empty() ? url.host : tls->options().server_name;
    if (!conn.Handshake(*tls, name, &result.error)) {
      result.error = url.host + ":" + url.port + ": " + result.error;
      return result;
    }
  }
  std::string request = method + " " + url.path + " HTTP/1.1\r\nHost: " + url.host + ":" +
                        url.port + "\r\nConnection: close\r\nUser-Agent: spoor-cpp/0.1.0\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  if (method == "POST") {
    request += "Content-Type: " + content_type +
               "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n";
  if (method == "POST") request += body;
  if (!conn.SendAll(request)) {
    result.error = "sending to " + url.host + ":" + url.port + " failed";
    return result;
  }
  std::string response;
  conn.ReadAll(&response);
  // "HTTP/1.1 200 OK\r\n...\r\n\r\nbody" (Connection: close, so the body
  // is the rest; a chunked body is not expected from the servers used).
  if (response.compare(0, 5, "HTTP/") != 0 || response.size() < 12) {
    result.error = "no HTTP answer from " + url.host + ":" + url.port;
    return result;
  }
  result.status = std::atoi(response.c_str() + response.find(' ') + 1);
  size_t end = response.find("\r\n\r\n");
  if (end != std::string::npos) result.body = response.substr(end + 4);
  return result;
}

}  // namespace spoor::internal
