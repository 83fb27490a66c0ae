// Helpers for handlers: query-string parsing and percent-decoding.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spoor {

// Decodes %XX escapes (and '+' as space when `plus_as_space`). Invalid
// escapes are kept verbatim.
[[nodiscard]] std::string PercentDecode(std::string_view s, bool plus_as_space);

// Parsed query string; keeps repeated keys in order.
class QueryParams {
 public:
  QueryParams() = default;
  explicit QueryParams(std::string_view query);

  // First value of `key`, if present (possibly empty).
  [[nodiscard]] std::optional<std::string> Get(std::string_view key) const;
  // Every value of `key`, in order.
  [[nodiscard]] std::vector<std::string> GetAll(std::string_view key) const;
  [[nodiscard]] bool Has(std::string_view key) const;
  [[nodiscard]] size_t Count(std::string_view key) const;

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

}  // namespace spoor
