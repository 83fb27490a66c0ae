#include "model/ids.h"

#include <array>
#include <cstdint>

namespace spoor {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

void AppendHex64(uint64_t v, std::string& out) {
  for (int shift = 60; shift >= 0; shift -= 4) {
    out.push_back(kHexDigits[(v >> shift) & 0xF]);
  }
}

// Each byte's value as a hex digit, 0xFF for what is not one.
constexpr std::array<uint8_t, 256> kHexValues = [] {
  std::array<uint8_t, 256> t{};
  t.fill(0xFF);
  for (int c = '0'; c <= '9'; ++c) t[static_cast<size_t>(c)] = static_cast<uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[static_cast<size_t>(c)] = static_cast<uint8_t>(c - 'a' + 10);
  for (int c = 'A'; c <= 'F'; ++c) t[static_cast<size_t>(c)] = static_cast<uint8_t>(c - 'A' + 10);
  return t;
}();

// Parses up to 16 hex characters into a 64-bit value.
std::optional<uint64_t> ParseHex64(std::string_view hex) {
  if (hex.size() > 16) return std::nullopt;
  uint64_t v = 0;
  uint8_t bad = 0;  // high bits set by any non-digit; checked once at the end
  for (char c : hex) {
    const uint8_t d = kHexValues[static_cast<unsigned char>(c)];
    bad |= d;
    v = (v << 4) | (d & 0xF);
  }
  if (bad & 0xF0) return std::nullopt;
  return v;
}

uint64_t LoadBigEndian64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

void StoreBigEndian64(uint64_t v, char* p) {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<char>(v & 0xFF);
    v >>= 8;
  }
}

}  // namespace

std::string TraceId::Hex32() const {
  std::string out;
  out.reserve(32);
  AppendHex64(high, out);
  AppendHex64(low, out);
  return out;
}

std::string TraceId::HexJaeger() const {
  std::string out;
  out.reserve(32);
  if (high != 0) AppendHex64(high, out);
  AppendHex64(low, out);
  return out;
}

std::optional<TraceId> TraceId::ParseHex(std::string_view hex) {
  if (hex.empty() || hex.size() > 32) return std::nullopt;
  TraceId id;
  if (hex.size() > 16) {
    auto high = ParseHex64(hex.substr(0, hex.size() - 16));
    auto low = ParseHex64(hex.substr(hex.size() - 16));
    if (!high || !low) return std::nullopt;
    id.high = *high;
    id.low = *low;
  } else {
    auto low = ParseHex64(hex);
    if (!low) return std::nullopt;
    id.low = *low;
  }
  return id;
}

std::optional<TraceId> TraceId::FromBytes(std::string_view bytes) {
  if (bytes.size() != 16) return std::nullopt;
  return TraceId{LoadBigEndian64(bytes.data()), LoadBigEndian64(bytes.data() + 8)};
}

void TraceId::ToBytes(char out[16]) const {
  StoreBigEndian64(high, out);
  StoreBigEndian64(low, out + 8);
}

std::string SpanId::Hex() const {
  std::string out;
  out.reserve(16);
  AppendHex64(value, out);
  return out;
}

std::optional<SpanId> SpanId::ParseHex(std::string_view hex) {
  if (hex.empty()) return std::nullopt;
  auto v = ParseHex64(hex);
  if (!v) return std::nullopt;
  return SpanId{*v};
}

std::optional<SpanId> SpanId::FromBytes(std::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  return SpanId{LoadBigEndian64(bytes.data())};
}

void SpanId::ToBytes(char out[8]) const {
  StoreBigEndian64(value, out);
}

}  // namespace spoor
