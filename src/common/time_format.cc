#include "common/time_format.h"

#include <chrono>
#include <cmath>
#include <cstdio>

namespace spoor {
namespace {

// Days since 1970-01-01 for a civil date (proleptic Gregorian).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

// Days in a month of the proleptic Gregorian calendar (month 1..12).
int64_t DaysInMonth(int64_t year, int64_t month) {
  static constexpr int64_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

bool ReadDigits(std::string_view s, size_t& pos, size_t count, int64_t* out) {
  if (pos + count > s.size()) return false;
  int64_t v = 0;
  for (size_t i = 0; i < count; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += count;
  *out = v;
  return true;
}

uint64_t Magnitude(int64_t v) {
  return v < 0 ? static_cast<uint64_t>(-(v + 1)) + 1 : static_cast<uint64_t>(v);
}

// Digits of the fraction of v / 10^prec (without trailing zeros, with a
// leading '.', or "" when the fraction is zero); leaves the integer part in v.
std::string FractionDigits(uint64_t& v, int prec) {
  std::string digits;
  bool significant = false;
  for (int i = 0; i < prec; ++i) {
    char digit = static_cast<char>('0' + v % 10);
    significant = significant || digit != '0';
    if (significant) digits.insert(digits.begin(), digit);
    v /= 10;
  }
  if (significant) digits.insert(digits.begin(), '.');
  return digits;
}

}  // namespace

uint64_t NowNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

std::optional<int64_t> ParseGoDuration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool negative = false;
  if (s[0] == '-' || s[0] == '+') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) return std::nullopt;
  double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    double whole = 0;
    bool digits = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      whole = whole * 10 + (s[i] - '0');
      ++i;
      digits = true;
    }
    double frac = 0;
    if (i < s.size() && s[i] == '.') {
      ++i;
      double scale = 0.1;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        frac += (s[i] - '0') * scale;
        scale /= 10;
        ++i;
        digits = true;
      }
    }
    if (!digits) return std::nullopt;
    s.remove_prefix(i);
    static constexpr struct {
      std::string_view unit;
      double ns;
    } kUnits[] = {{"ns", 1},   {"us", 1e3}, {"\xC2\xB5s", 1e3}, {"\xCE\xBCs", 1e3},
                  {"ms", 1e6}, {"s", 1e9},  {"m", 60e9},        {"h", 3600e9}};
    double unit_ns = 0;
    size_t unit_len = 0;
    for (const auto& u : kUnits) {
      // Longest match first matters for "ms" vs "m": check two-byte units
      // before one-byte ones by taking the longest prefix that matches.
      if (s.substr(0, u.unit.size()) == u.unit && u.unit.size() > unit_len) {
        unit_ns = u.ns;
        unit_len = u.unit.size();
      }
    }
    if (unit_len == 0) return std::nullopt;
    s.remove_prefix(unit_len);
    total += (whole + frac) * unit_ns;
    if (total > 9.2e18) return std::nullopt;
  }
  int64_t ns = static_cast<int64_t>(std::llround(total));
  return negative ? -ns : ns;
}

std::string FormatGoDuration(int64_t ns) {
  uint64_t u = Magnitude(ns);
  std::string out;
  if (u == 0) return "0s";
  if (u < 1'000'000'000) {
    // Below a second: a single unit, with up to 6 fractional digits.
    int prec = 0;
    std::string_view unit = "ns";
    if (u >= 1'000'000) {
      prec = 6;
      unit = "ms";
    } else if (u >= 1'000) {
      prec = 3;
      unit = "\xC2\xB5s";  // "µs", as Go writes it
    }
    std::string fraction = FractionDigits(u, prec);
    out = std::to_string(u) + fraction + std::string(unit);
  } else {
    std::string fraction = FractionDigits(u, 9);  // u is now whole seconds
    out = std::to_string(u % 60) + fraction + "s";
    u /= 60;
    if (u > 0) {
      out = std::to_string(u % 60) + "m" + out;
      u /= 60;
      if (u > 0) out = std::to_string(u) + "h" + out;
    }
  }
  return ns < 0 ? "-" + out : out;
}

std::optional<uint64_t> ParseRfc3339(std::string_view s) {
  size_t pos = 0;
  int64_t year, month, day, hour, minute, second;
  if (!ReadDigits(s, pos, 4, &year) || pos >= s.size() || s[pos++] != '-' ||
      !ReadDigits(s, pos, 2, &month) || pos >= s.size() || s[pos++] != '-' ||
      !ReadDigits(s, pos, 2, &day) || pos >= s.size() ||
      (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ')) {
    return std::nullopt;
  }
  ++pos;
  if (!ReadDigits(s, pos, 2, &hour) || pos >= s.size() || s[pos++] != ':' ||
      !ReadDigits(s, pos, 2, &minute) || pos >= s.size() || s[pos++] != ':' ||
      !ReadDigits(s, pos, 2, &second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 ||
      minute > 59 || second > 60) {
    return std::nullopt;
  }
  int64_t frac_ns = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int64_t scale = 100000000;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      frac_ns += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  int64_t offset_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int64_t oh, om;
    if (!ReadDigits(s, pos, 2, &oh) || pos >= s.size() || s[pos++] != ':' ||
        !ReadDigits(s, pos, 2, &om)) {
      return std::nullopt;
    }
    offset_s = sign * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  // Before the epoch, or past what uint64 nanoseconds hold (2554-07-21).
  if (secs < 0 ||
      static_cast<uint64_t>(secs) > (UINT64_MAX - static_cast<uint64_t>(frac_ns)) / 1000000000ULL) {
    return std::nullopt;
  }
  return static_cast<uint64_t>(secs) * 1000000000ULL + static_cast<uint64_t>(frac_ns);
}

std::string FormatRfc3339(uint64_t ns, bool with_fraction) {
  int64_t secs = static_cast<int64_t>(ns / 1000000000ULL);
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[48];
  if (with_fraction) {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%09lluZ",
                  static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600),
                  static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60),
                  static_cast<unsigned long long>(ns % 1000000000ULL));
  } else {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ",
                  static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600),
                  static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
  }
  return buf;
}

}  // namespace spoor
