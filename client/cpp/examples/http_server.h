// A small blocking HTTP/1.1 server for the examples: a thread per
// connection, one request per connection, headers lower-cased.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <string>
#include <thread>

namespace spoor::examples {

struct Request {
  std::string method;
  std::string target;  // path and query
  std::map<std::string, std::string> headers;
};

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "text/plain";
};

using Handler = std::function<Response(const Request&)>;

// Serves on 127.0.0.1:`port` until the process ends; false when the port
// cannot be bound.
inline bool Serve(int port, Handler handler) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 64) != 0) {
    return false;
  }
  for (;;) {
    int conn = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) continue;
    std::thread([conn, handler] {
      std::string in;
      char buf[8192];
      while (in.find("\r\n\r\n") == std::string::npos && in.size() < 65536) {
        ssize_t n = recv(conn, buf, sizeof buf, 0);
        if (n <= 0) break;
        in.append(buf, static_cast<size_t>(n));
      }
      Request req;
      size_t line_end = in.find("\r\n");
      std::string line = in.substr(0, line_end);
      size_t sp1 = line.find(' ');
      size_t sp2 = line.find(' ', sp1 + 1);
      Response res;
      if (line_end == std::string::npos || sp1 == std::string::npos || sp2 == std::string::npos) {
        res = {400, "bad request"};
      } else {
        req.method = line.substr(0, sp1);
        req.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
        size_t pos = line_end + 2;
        for (;;) {
          size_t end = in.find("\r\n", pos);
          if (end == std::string::npos || end == pos) break;
          std::string h = in.substr(pos, end - pos);
          size_t colon = h.find(':');
          if (colon != std::string::npos) {
            std::string name = h.substr(0, colon);
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            size_t v = h.find_first_not_of(' ', colon + 1);
            req.headers[name] = v == std::string::npos ? "" : h.substr(v);
          }
          pos = end + 2;
        }
        res = handler(req);
      }
      std::string out =
          "HTTP/1.1 " + std::to_string(res.status) + (res.status < 400 ? " OK" : " Error") +
          "\r\nContent-Type: " + res.content_type +
          "\r\nConnection: close\r\nContent-Length: " + std::to_string(res.body.size()) +
          "\r\n\r\n" + res.body;
      send(conn, out.data(), out.size(), MSG_NOSIGNAL);
      close(conn);
    }).detach();
  }
}

}  // namespace spoor::examples
