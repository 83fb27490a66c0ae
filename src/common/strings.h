// Small string helpers shared by the edges.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spoor {

[[nodiscard]] std::string ToLower(std::string_view s);
[[nodiscard]] std::string_view Trim(std::string_view s);
[[nodiscard]] bool StartsWith(std::string_view s, std::string_view prefix);
// Strict decimal parses: the whole string must be a number.
[[nodiscard]] std::optional<int64_t> ParseInt64(std::string_view s);
[[nodiscard]] std::optional<uint64_t> ParseUint64(std::string_view s);
[[nodiscard]] std::optional<double> ParseDouble(std::string_view s);
// A flag's truth value: true, 1 or "" (a bare --flag) / false, 0; any case.
[[nodiscard]] std::optional<bool> ParseBool(std::string_view s);
// "64MiB", "1000", "10KB": bytes with an optional binary/decimal suffix.
[[nodiscard]] std::optional<uint64_t> ParseByteSize(std::string_view s);

// The items of a `sep`-separated list, each trimmed, empty ones included
// ("a, b,,c" -> "a", "b", "", "c"; "" -> "").
[[nodiscard]] std::vector<std::string_view> SplitList(std::string_view s, char sep = ',');

}  // namespace spoor
