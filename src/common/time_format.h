// Time and duration text formats used at the API edges.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace spoor {

// Nanoseconds since the Unix epoch, now.
[[nodiscard]] uint64_t NowNs();

// Go's time.ParseDuration: "300ms", "-1.5h", "2h45m", "1.2s", units ns, us,
// µs, μs, ms, s, m, h. Returns nanoseconds, or nullopt when malformed.
[[nodiscard]] std::optional<int64_t> ParseGoDuration(std::string_view text);
// Go's time.Duration.String(): "1.5s", "250ms", "3µs", "0s".
[[nodiscard]] std::string FormatGoDuration(int64_t ns);

// RFC 3339 with optional fraction and zone ("2017-01-26T15:46:31.639875Z",
// "2017-01-26T16:46:31+01:00"). Returns ns since the epoch, or nullopt when
// malformed, not a date (2017-02-30), before the epoch or past the last
// time uint64 nanoseconds hold (2554-07-21T23:34:33.709551615Z).
[[nodiscard]] std::optional<uint64_t> ParseRfc3339(std::string_view text);
// "2026-01-02T03:04:05Z" (seconds) or with a fraction when `with_fraction`.
[[nodiscard]] std::string FormatRfc3339(uint64_t ns, bool with_fraction);

}  // namespace spoor
