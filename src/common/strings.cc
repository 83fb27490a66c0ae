#include "common/strings.h"

#include <charconv>
#include <cstdlib>

namespace spoor {

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::optional<int64_t> ParseInt64(std::string_view s) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<uint64_t> ParseUint64(std::string_view s) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<bool> ParseBool(std::string_view s) {
  std::string lower = ToLower(s);
  if (lower == "true" || lower == "1" || lower.empty()) return true;
  if (lower == "false" || lower == "0") return false;
  return std::nullopt;
}

std::optional<double> ParseDouble(std::string_view s) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<uint64_t> ParseByteSize(std::string_view s) {
  s = Trim(s);
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  auto number = ParseUint64(s.substr(0, digits));
  if (!number) return std::nullopt;
  std::string unit = ToLower(Trim(s.substr(digits)));
  static constexpr struct {
    std::string_view unit;
    uint64_t factor;
  } kUnits[] = {
      {"", 1},          {"b", 1},         {"kb", 1000},   {"kib", 1024},      {"k", 1024},
      {"mb", 1000000},  {"mib", 1 << 20}, {"m", 1 << 20}, {"gb", 1000000000}, {"gib", 1ULL << 30},
      {"g", 1ULL << 30}};
  for (const auto& u : kUnits) {
    if (unit == u.unit) {
      if (*number > UINT64_MAX / u.factor) return std::nullopt;  // the product would wrap
      return *number * u.factor;
    }
  }
  return std::nullopt;
}

std::vector<std::string_view> SplitList(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    out.push_back(Trim(s.substr(start, end - start)));
    start = end + 1;
  }
  return out;
}

}  // namespace spoor
