// Process-wide interning of strings that repeat across spans: service names,
// operation names, attribute keys, event names, scope names.
//
// Interned strings live until the process exits, so the returned views are
// valid forever and can be compared by pointer. Thread-safe. Values that are
// unbounded in cardinality (attribute values, IDs) must not be interned.
#pragma once

#include <string_view>

namespace spoor {

class StringTable {
 public:
  static StringTable& Global();

  // Returns a stable view equal to `s`.
  [[nodiscard]] std::string_view Intern(std::string_view s);
  // Number of distinct strings held (for /metrics).
  [[nodiscard]] size_t size() const;

 private:
  StringTable() = default;
};

inline std::string_view Intern(std::string_view s) {
  return StringTable::Global().Intern(s);
}

}  // namespace spoor
