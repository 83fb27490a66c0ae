// Typed attribute values, shaped like OTLP's AnyValue / KeyValue.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/boxed_vector.h"

namespace spoor {

struct KeyValue;

enum class ValueType : uint8_t { kEmpty, kString, kBool, kInt, kDouble, kBytes, kArray, kKvList };

// 64 bytes: the scalars share one word, and the rarely used array and map
// are one pointer each while empty.
struct AnyValue {
  ValueType type = ValueType::kEmpty;
  union {  // the member `type` names; read no other
    int64_t int_value = 0;
    bool bool_value;
    double double_value;
  };
  std::string string_value;      // kString, and raw bytes for kBytes
  BoxedVector<AnyValue> array;   // kArray
  BoxedVector<KeyValue> kvlist;  // kKvList

  static AnyValue String(std::string_view v);
  static AnyValue Bool(bool v);
  static AnyValue Int(int64_t v);
  static AnyValue Double(double v);
  static AnyValue Bytes(std::string_view v);

  bool operator==(const AnyValue& other) const;

  // The value as Jaeger shows it in a tag and as search compares it:
  // strings as-is, bools "true"/"false", ints in decimal, doubles in the
  // shortest round-trip form, bytes as base64, arrays and maps as OTLP JSON.
  [[nodiscard]] std::string ToString() const;
  // Appends ToString() without allocating a temporary for scalar types.
  void AppendString(std::string& out) const;
};

struct KeyValue {
  std::string_view key;  // interned (see string_table.h)
  AnyValue value;

  bool operator==(const KeyValue& other) const { return key == other.key && value == other.value; }
};

using Attributes = std::vector<KeyValue>;

// Returns the attribute with `key`, or nullptr.
[[nodiscard]] const AnyValue* FindAttribute(const Attributes& attrs, std::string_view key);

}  // namespace spoor
