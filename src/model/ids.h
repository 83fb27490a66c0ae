// Trace and span identifiers.
//
// A TraceId is 128 bits (OTLP); 64-bit Jaeger/Zipkin IDs have a zero high
// half. A SpanId is 64 bits. The all-zero value of either is "invalid" and
// means "absent" (e.g. a root span's parent).
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace spoor {

struct TraceId {
  uint64_t high = 0;
  uint64_t low = 0;

  [[nodiscard]] bool valid() const { return high != 0 || low != 0; }
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  auto operator<=>(const TraceId&) const = default;

  // 32 lowercase hex characters, always (OTLP form).
  [[nodiscard]] std::string Hex32() const;
  // Jaeger form: 16 characters when the high half is zero, else 32.
  [[nodiscard]] std::string HexJaeger() const;
  // Accepts 1..32 hex characters (shorter values are left-padded with zeros,
  // as Jaeger does). Returns nullopt on any other input.
  [[nodiscard]] static std::optional<TraceId> ParseHex(std::string_view hex);
  // Big-endian 16 bytes (the OTLP protobuf form).
  [[nodiscard]] static std::optional<TraceId> FromBytes(std::string_view bytes);
  void ToBytes(char out[16]) const;
};

struct SpanId {
  uint64_t value = 0;

  [[nodiscard]] bool valid() const { return value != 0; }
  // NOLINTNEXTLINE(modernize-use-nullptr): as above
  auto operator<=>(const SpanId&) const = default;

  [[nodiscard]] std::string Hex() const;  // 16 lowercase hex characters
  [[nodiscard]] static std::optional<SpanId> ParseHex(std::string_view hex);
  [[nodiscard]] static std::optional<SpanId> FromBytes(std::string_view bytes);
  void ToBytes(char out[8]) const;
};

struct TraceIdHash {
  size_t operator()(const TraceId& id) const noexcept {
    // IDs are random; mixing the halves is enough.
    return static_cast<size_t>(id.low ^ (id.high * 0x9E3779B97F4A7C15ULL));
  }
};

}  // namespace spoor
