// Helpers for the query tests: span builders, requests and JSON parsing.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/span.h"
#include "model/string_table.h"
#include "server/http.h"
#include "server/http_util.h"

namespace spoor::querytest {

inline constexpr uint64_t kSecond = 1'000'000'000ULL;
inline constexpr uint64_t kMs = 1'000'000ULL;
inline constexpr uint64_t kUs = 1'000ULL;

inline KeyValue Kv(std::string_view key, AnyValue value) {
  return KeyValue{Intern(key), std::move(value)};
}

inline std::shared_ptr<const Resource> MakeResource(std::string_view service,
                                                    Attributes extra = {}) {
  auto resource = std::make_shared<Resource>();
  resource->attributes.push_back(Kv("service.name", AnyValue::String(service)));
  for (KeyValue& kv : extra) resource->attributes.push_back(std::move(kv));
  resource->ResolveServiceName();
  return resource;
}

inline Span MakeSpan(TraceId trace, uint64_t id, uint64_t parent, std::string_view name,
                     uint64_t start_ns, uint64_t duration_ns, SpanKind kind = SpanKind::kServer) {
  Span s;
  s.trace_id = trace;
  s.span_id = SpanId{id};
  s.parent_span_id = SpanId{parent};
  s.name = Intern(name);
  s.kind = kind;
  s.start_time_ns = start_ns;
  s.end_time_ns = start_ns + duration_ns;
  return s;
}

inline SpanBatch& Add(SpanBatch& batch, std::string_view service, std::vector<Span> spans) {
  ResourceSpans rs;
  rs.resource = MakeResource(service);
  ScopeSpans ss;
  ss.scope = std::make_shared<Scope>();
  ss.spans = std::move(spans);
  rs.scope_spans.push_back(std::move(ss));
  batch.resource_spans.push_back(std::move(rs));
  return batch;
}

// Percent-encodes every byte outside [A-Za-z0-9-._~], as a browser would
// for a query parameter value.
inline std::string Encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' ||
        u == '.' || u == '_' || u == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    }
  }
  return out;
}

// A request as the HTTP server hands it to a handler.
inline HttpRequest MakeRequest(std::string method, std::string target, std::string body = "") {
  HttpRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  size_t q = r.target.find('?');
  r.path = PercentDecode(std::string_view(r.target).substr(0, q), false);
  if (q != std::string::npos) r.query = r.target.substr(q + 1);
  r.body = std::move(body);
  r.remote_address = "127.0.0.1";
  return r;
}

// A parsed JSON document that owns its parser. Accessors throw (and so fail
// the test) when a field is missing or has another type.
class Json {
 public:
  explicit Json(const std::string& text) : text_(text) {
    if (auto error = parser_.parse(text_).get(root_); error) {
      ADD_FAILURE() << "invalid JSON (" << simdjson::error_message(error) << "): " << text;
      text_ = simdjson::padded_string(std::string_view("null"));
      root_ = parser_.parse(text_).value();
    }
  }
  Json(const Json&) = delete;
  Json& operator=(const Json&) = delete;

  [[nodiscard]] simdjson::dom::element root() const { return root_; }
  simdjson::dom::element operator[](std::string_view key) const { return root_[key].value(); }

 private:
  simdjson::padded_string text_;
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
};

// By value, so that a range-for over the result does not refer to a
// destroyed simdjson_result.
inline simdjson::dom::array Arr(simdjson::dom::element e) {
  simdjson::dom::array a = e.get_array().value();
  return a;
}
inline simdjson::dom::object Obj(simdjson::dom::element e) {
  simdjson::dom::object o = e.get_object().value();
  return o;
}

inline std::string Str(simdjson::dom::element e) {
  return std::string(e.get_string().value());
}
inline int64_t Int(simdjson::dom::element e) {
  return e.get_int64().value();
}
inline size_t Len(simdjson::dom::element e) {
  return e.get_array().size();
}

inline std::vector<std::string> Keys(simdjson::dom::element e) {
  std::vector<std::string> keys;
  for (auto field : Obj(e)) keys.emplace_back(field.key);
  return keys;
}

inline std::vector<std::string> Strings(simdjson::dom::element e) {
  std::vector<std::string> out;
  for (auto item : Arr(e)) out.push_back(Str(item));
  return out;
}

}  // namespace spoor::querytest
