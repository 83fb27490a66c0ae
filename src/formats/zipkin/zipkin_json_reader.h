// What the Zipkin JSON decoders (v2 and v1) share: typed reads of simdjson
// DOM values that fail with a message naming the path, the endpoint object
// (the same in both versions), and parsing with a per-thread parser.
// Internal to src/formats/zipkin.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "formats/json_path.h"
#include "formats/zipkin/zipkin_model.h"

namespace spoor::zipkin {

namespace dom = simdjson::dom;

class JsonReader {
 public:
  // `prefix` starts every error message ("zipkin json: ").
  explicit JsonReader(std::string_view prefix) : prefix_(prefix) {}

  [[nodiscard]] const std::string& error() const { return error_; }

 protected:
  // Sets the error (prefix, path, what); returns false.
  bool Fail(const JsonPath& path, std::string_view what);

  bool GetString(dom::element e, const JsonPath& p, std::string_view* out) {
    return e.get(*out) == simdjson::SUCCESS || Fail(p, "expected string");
  }
  bool GetBool(dom::element e, const JsonPath& p, bool* out) {
    return e.get(*out) == simdjson::SUCCESS || Fail(p, "expected boolean");
  }
  // A non-negative integer up to `max`; integral doubles (1.5e15) accepted.
  bool GetUint(dom::element e, const JsonPath& p, uint64_t max, uint64_t* out);

  // Calls f(key, value, path) for each field of the object `e` whose value
  // is not null (null stands for an absent field).
  template <typename F>
  bool ForEachField(dom::element e, const JsonPath& p, F&& f) {
    dom::object obj;
    if (e.get(obj) != simdjson::SUCCESS) return Fail(p, "expected object");
    for (dom::key_value_pair field : obj) {
      if (!field.value.is_null() && !f(field.key, field.value, p.Field(field.key))) return false;
    }
    return true;
  }

  // Calls f(element, path) for each element of the array `e`.
  template <typename F>
  bool ForEachElement(dom::element e, const JsonPath& p, F&& f) {
    dom::array arr;
    if (e.get(arr) != simdjson::SUCCESS) return Fail(p, "expected array");
    size_t i = 0;
    for (dom::element item : arr) {
      if (!f(item, p.Element(i++))) return false;
    }
    return true;
  }

  // {"serviceName", "ipv4", "ipv6", "port"}.
  bool DecodeEndpoint(dom::element e, const JsonPath& p, ZipkinEndpoint* out);

  // A tag value: a string, or a number or boolean kept as its JSON text.
  bool TagText(dom::element e, const JsonPath& p, std::string* out);

 private:
  std::string_view prefix_;
  std::string error_;
};

// Parses `json` (with a parser kept per thread) and calls decode(root,
// error). Fails with InvalidArgument: `prefix` + simdjson's message when
// the text is not JSON, or the error decode() set when it returns false.
[[nodiscard]] Status DecodeJsonDocument(
    std::string_view json, std::string_view prefix,
    const std::function<bool(dom::element root, std::string* error)>& decode);

}  // namespace spoor::zipkin
