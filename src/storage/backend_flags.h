// Builders of the common kinds of backend flags (backend.h): each parses
// the value strictly and says what was expected.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/strings.h"
#include "common/time_format.h"
#include "storage/backend.h"

namespace spoor::backend_flags {

template <typename Field>
using FieldOf = std::function<Field&(StorageOptions&)>;

inline StorageFlag Duration(std::string name, std::string default_text, std::string help,
                            const FieldOf<uint64_t>& field) {
  return {std::move(name), std::move(default_text), std::move(help), false,
          [field](StorageOptions& o, const std::string& v) -> std::string {
            auto ns = ParseGoDuration(v);
            if (!ns || *ns < 0) return "expected a duration like 72h, 30m or 0s";
            field(o) = static_cast<uint64_t>(*ns);
            return "";
          }};
}

inline StorageFlag Bool(std::string name, std::string default_text, std::string help,
                        const FieldOf<bool>& field) {
  return {std::move(name), std::move(default_text), std::move(help), true,
          [field](StorageOptions& o, const std::string& v) -> std::string {
            auto b = ParseBool(v);
            if (!b) return "expected true or false";
            field(o) = *b;
            return "";
          }};
}

inline StorageFlag Positive(std::string name, std::string default_text, std::string help,
                            const FieldOf<size_t>& field) {
  return {std::move(name), std::move(default_text), std::move(help), false,
          [field](StorageOptions& o, const std::string& v) -> std::string {
            auto n = ParseInt64(v);
            if (!n || *n <= 0) return "expected a positive integer";
            field(o) = static_cast<size_t>(*n);
            return "";
          }};
}

inline StorageFlag Text(std::string name, std::string default_text, std::string help,
                        const FieldOf<std::string>& field, bool allow_empty) {
  return {std::move(name), std::move(default_text), std::move(help), false,
          [field, allow_empty](StorageOptions& o, const std::string& v) -> std::string {
            if (v.empty() && !allow_empty) return "must not be empty";
            field(o) = v;
            return "";
          }};
}

}  // namespace spoor::backend_flags
