// ParseGoDuration and ParseRfc3339 on arbitrary text. Durations are compared
// with a reference implementation of Go's time.ParseDuration in integer
// arithmetic; times must keep the date and clock fields they were given.
// The formatters' round trips run on a number made of the input's first
// bytes.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "common/time_format.h"
#include "fuzz/fuzz_check.h"

namespace {

// |INT64_MIN|: the largest magnitude a duration can have.
constexpr uint64_t kMaxMagnitude = uint64_t{1} << 63;

// A unit is multiple * 10^exponent nanoseconds.
struct Unit {
  std::string_view name;
  uint64_t multiple;
  int exponent;
};
constexpr Unit kUnits[] = {{"ns", 1, 0}, {"us", 1, 3}, {"\xC2\xB5s", 1, 3}, {"\xCE\xBCs", 1, 3},
                           {"ms", 1, 6}, {"s", 1, 9},  {"m", 6, 10},        {"h", 36, 11}};

uint64_t Pow10(int n) {
  uint64_t v = 1;
  while (n-- > 0) v *= 10;
  return v;
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// Go's time.ParseDuration as documented: an optional sign, then "0" or a
// sequence of decimal numbers, each with an optional fraction and a unit
// (the longest run of characters that are neither digits nor '.'). Each
// number's fraction of its unit is truncated to whole nanoseconds, as Go
// does; fraction digits past the 17th are ignored (they are worth less than
// a nanosecond). nullopt when malformed or outside int64.
std::optional<int64_t> ReferenceDuration(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) return std::nullopt;
  uint64_t total = 0;
  while (!s.empty()) {
    size_t i = 0;
    uint64_t whole = 0;
    bool has_whole = false;
    bool whole_overflow = false;
    for (; i < s.size() && IsDigit(s[i]); ++i) {
      has_whole = true;
      if (whole > (kMaxMagnitude - 9) / 10) {
        whole_overflow = true;
      } else {
        whole = whole * 10 + static_cast<uint64_t>(s[i] - '0');
      }
    }
    uint64_t fraction = 0;
    int fraction_digits = 0;
    bool has_fraction = false;
    if (i < s.size() && s[i] == '.') {
      for (++i; i < s.size() && IsDigit(s[i]); ++i) {
        has_fraction = true;
        if (fraction_digits < 17) {
          fraction = fraction * 10 + static_cast<uint64_t>(s[i] - '0');
          ++fraction_digits;
        }
      }
    }
    if (!has_whole && !has_fraction) return std::nullopt;
    size_t end = i;
    while (end < s.size() && s[end] != '.' && !IsDigit(s[end])) ++end;
    const std::string_view name = s.substr(i, end - i);
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (u.name == name) unit = &u;
    }
    if (unit == nullptr) return std::nullopt;
    s.remove_prefix(end);

    const uint64_t unit_ns = unit->multiple * Pow10(unit->exponent);
    if (whole_overflow || whole > kMaxMagnitude / unit_ns) return std::nullopt;
    // fraction * unit_ns / 10^digits, exactly and truncated; fraction *
    // multiple stays below 10^17 * 36.
    const uint64_t share =
        fraction_digits <= unit->exponent
            ? fraction * unit->multiple * Pow10(unit->exponent - fraction_digits)
            : fraction * unit->multiple / Pow10(fraction_digits - unit->exponent);
    const uint64_t value = whole * unit_ns + share;  // at most 2^63 + 36e11
    if (value > kMaxMagnitude - total) return std::nullopt;
    total += value;
  }
  if (negative) {
    return total == kMaxMagnitude ? std::numeric_limits<int64_t>::min()
                                  : -static_cast<int64_t>(total);
  }
  if (total == kMaxMagnitude) return std::nullopt;
  return static_cast<int64_t>(total);
}

uint64_t Magnitude(int64_t v) {
  return v < 0 ? static_cast<uint64_t>(-(v + 1)) + 1 : static_cast<uint64_t>(v);
}

uint64_t Distance(int64_t a, int64_t b) {
  return a > b ? static_cast<uint64_t>(a) - static_cast<uint64_t>(b)
               : static_cast<uint64_t>(b) - static_cast<uint64_t>(a);
}

// ParseGoDuration works in doubles and rounds once at the end, where Go
// truncates each number's sub-nanosecond part: allow 1 ns per number, and a
// double's rounding error on large values.
uint64_t Tolerance(std::string_view text, int64_t value) {
  uint64_t numbers = 1;
  for (size_t i = 1; i < text.size(); ++i) {
    numbers += !IsDigit(text[i]) && text[i] != '.' && (IsDigit(text[i - 1]) || text[i - 1] == '.');
  }
  return numbers + (Magnitude(value) >> 40);
}

// Durations below this are exact in a double, so parsing what
// FormatGoDuration wrote must give the value back exactly.
constexpr uint64_t kExactMagnitude = uint64_t{1} << 53;
// ParseGoDuration rejects magnitudes above 9.2e18 (a little under int64's
// limit); values close to that are not compared for validity.
constexpr uint64_t kSafeMagnitude = 9'100'000'000'000'000'000ULL;

void CheckDuration(std::string_view text) {
  const std::optional<int64_t> parsed = spoor::ParseGoDuration(text);
  const std::optional<int64_t> expected = ReferenceDuration(text);
  const std::string shown = "'" + std::string(text) + "'";
  if (!expected) {
    SPOOR_FUZZ_CHECK(!parsed, shown + " is no Go duration, parsed as " + std::to_string(*parsed));
    return;
  }
  if (!parsed) {
    SPOOR_FUZZ_CHECK(Magnitude(*expected) > kSafeMagnitude,
                     shown + " is rejected; Go reads " + std::to_string(*expected));
    return;
  }
  SPOOR_FUZZ_CHECK(
      Distance(*parsed, *expected) <= Tolerance(text, *expected),
      shown + " parsed as " + std::to_string(*parsed) + "; Go reads " + std::to_string(*expected));
}

void CheckDurationFormat(int64_t ns) {
  const std::string text = spoor::FormatGoDuration(ns);
  const std::optional<int64_t> reference = ReferenceDuration(text);
  SPOOR_FUZZ_CHECK(reference && *reference == ns,
                   std::to_string(ns) + " ns formatted as '" + text + "'");
  const std::optional<int64_t> parsed = spoor::ParseGoDuration(text);
  if (Magnitude(ns) < kExactMagnitude) {
    SPOOR_FUZZ_CHECK(parsed && *parsed == ns,
                     "'" + text + "' does not parse back to " + std::to_string(ns) + " ns");
  }
}

// Time fields as written: "YYYY-MM-DDTHH:MM:SS".
constexpr size_t kFieldsLength = 19;

// True when the text ends in a UTC zone ("Z" or an offset of zero), so that
// its fields are the UTC fields.
bool IsUtc(std::string_view text) {
  return text.ends_with('Z') || text.ends_with('z') || text.ends_with("+00:00") ||
         text.ends_with("-00:00");
}

void CheckTime(std::string_view text) {
  const std::optional<uint64_t> parsed = spoor::ParseRfc3339(text);
  if (!parsed) return;
  const std::string shown = "'" + std::string(text) + "'";
  const std::string formatted = spoor::FormatRfc3339(*parsed, true);
  const std::optional<uint64_t> again = spoor::ParseRfc3339(formatted);
  SPOOR_FUZZ_CHECK(again && *again == *parsed,
                   shown + " parsed as " + std::to_string(*parsed) + ", formatted as " + formatted);
  // A leap second (:60) is carried into the next minute; other fields must
  // stay as given: no normalisation of impossible dates, no wrap-around.
  if (IsUtc(text) && text.substr(17, 2) != "60") {
    std::string fields(text.substr(0, kFieldsLength));
    fields[10] = 'T';
    SPOOR_FUZZ_CHECK(formatted.compare(0, kFieldsLength, fields) == 0,
                     shown + " parsed as " + std::to_string(*parsed) + ", which is " + formatted);
  }
}

void CheckTimeFormat(uint64_t ns) {
  const std::string with_fraction = spoor::FormatRfc3339(ns, true);
  const std::optional<uint64_t> parsed = spoor::ParseRfc3339(with_fraction);
  SPOOR_FUZZ_CHECK(parsed && *parsed == ns,
                   std::to_string(ns) + " ns formatted as '" + with_fraction + "'");
  const std::string seconds = spoor::FormatRfc3339(ns, false);
  const std::optional<uint64_t> truncated = spoor::ParseRfc3339(seconds);
  SPOOR_FUZZ_CHECK(truncated && *truncated == ns - ns % 1'000'000'000,
                   std::to_string(ns) + " ns formatted as '" + seconds + "'");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = spoor::fuzz::AsText(data, size);
  CheckDuration(text);
  CheckTime(text);

  uint64_t number = 0;
  if (size > 0) std::memcpy(&number, data, size < sizeof number ? size : sizeof number);
  CheckDurationFormat(static_cast<int64_t>(number));
  CheckTimeFormat(number);
  return 0;
}
