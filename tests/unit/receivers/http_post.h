// A POST request as the HTTP server hands it to a receiver's handler.
#pragma once

#include <string>
#include <utility>

#include "server/http.h"

namespace spoor::testing {

inline HttpRequest Post(const std::string& path, const std::string& type, std::string body) {
  HttpRequest req;
  req.method = "POST";
  req.path = path;
  req.target = path;
  req.headers = {{"content-type", type}};
  req.body = std::move(body);
  return req;
}

}  // namespace spoor::testing
