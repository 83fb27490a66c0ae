#include "http_post.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace spoor::internal {

bool ParseHttpUrl(const std::string& url, HttpUrl* out, std::string* error) {
  const std::string scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0) {
    *error = "expected an http:// URL, got '" + url + "'";
    return false;
  }
  std::string rest = url.substr(scheme.size());
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  out->path = slash == std::string::npos ? "/" : rest.substr(slash);
  size_t colon = authority.rfind(':');
  if (colon == std::string::npos) {
    out->host = authority;
    out->port = "80";
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

}  // namespace

HttpResult HttpRequest(const HttpUrl& url, const std::string& method,
                       const std::string& content_type, const std::string& body,
                       std::chrono::milliseconds timeout, const HttpHeaders& headers) {
  HttpResult result;
  auto deadline = Clock::now() + timeout;
  int fd = Connect(url, deadline, &result.error);
  if (fd < 0) return result;
  std::string request = method + " " + url.path + " HTTP/1.1\r\nHost: " + url.host + ":" +
                        url.port + "\r\nConnection: close\r\nUser-Agent: spoor-cpp/0.1.0\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  if (method == "POST") {
    request += "Content-Type: " + content_type +
               "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n";
  if (method == "POST") request += body;
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR) && WaitFor(fd, POLLOUT, deadline)) {
      continue;
    } else {
      result.error = "sending to " + url.host + ":" + url.port + " failed";
      close(fd);
      return result;
    }
  }
  std::string response;
  char buf[16384];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      response.append(buf, static_cast<size_t>(n));
    } else if (n == 0) {
      break;
    } else if ((errno == EAGAIN || errno == EINTR) && WaitFor(fd, POLLIN, deadline)) {
      continue;
    } else {
      break;
    }
  }
  close(fd);
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
