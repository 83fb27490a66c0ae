// A small streaming JSON writer that appends to a std::string.
//
// The caller is responsible for structure (keys inside objects, commas are
// handled here). Strings are escaped per RFC 8259; invalid UTF-8 bytes are
// replaced with U+FFFD so the output is always valid JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace spoor {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Uint(uint64_t value);
  JsonWriter& Double(double value);  // NaN/Inf are written as strings, as OTLP/JSON does
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Writes pre-encoded JSON as one value.
  JsonWriter& Raw(std::string_view json);

  // Shorthands for a key followed by a value.
  JsonWriter& Field(std::string_view key, std::string_view value) { return Key(key).String(value); }
  JsonWriter& Field(std::string_view key, const char* value) { return Key(key).String(value); }
  JsonWriter& FieldInt(std::string_view key, int64_t value) { return Key(key).Int(value); }
  JsonWriter& FieldUint(std::string_view key, uint64_t value) { return Key(key).Uint(value); }
  JsonWriter& FieldBool(std::string_view key, bool value) { return Key(key).Bool(value); }

  static void AppendEscaped(std::string_view s, std::string& out);

 private:
  void Separator();

  std::string& out_;
  // One entry per open container: true once it holds an element.
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

// `json` (valid JSON, as JsonWriter writes it) laid out one value per line,
// nested `indent` spaces deeper per level; empty objects and arrays stay
// `{}` and `[]`.
[[nodiscard]] std::string IndentJson(std::string_view json, int indent);

}  // namespace spoor
