// A small JSON reader for what the tracer reads: sampling strategies and
// its configuration document. Depth-limited; numbers as double.
#pragma once

#include <string>
#include <vector>

namespace spoor::internal {

struct JsonMember;

struct Json {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool bool_value = false;
  double number = 0;
  std::string string;
  std::vector<Json> array;
  std::vector<JsonMember> object;

  // The member `key` of an object, or null.
  [[nodiscard]] const Json* Get(const std::string& key) const;
  [[nodiscard]] bool is(Type t) const { return type == t; }
};

struct JsonMember {
  std::string key;
  Json value;
};

// Parses `text`; false with `error` (saying where) otherwise.
[[nodiscard]] bool ParseJson(const std::string& text, Json* out, std::string* error);

}  // namespace spoor::internal
