// Minimal leveled logging to stderr: "2026-01-02T03:04:05.678Z info message".
// Thread-safe; each call writes one line.
#pragma once

#include <sstream>
#include <string>
#include <string_view>

namespace spoor {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

void SetLogLevel(LogLevel level);
[[nodiscard]] bool ParseLogLevel(std::string_view name, LogLevel* level);
[[nodiscard]] bool LogEnabled(LogLevel level);
void LogLine(LogLevel level, std::string_view message);

namespace log_internal {
template <typename... Args>
std::string Concat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
}  // namespace log_internal

template <typename... Args>
void LogDebug(const Args&... args) {
  if (LogEnabled(LogLevel::kDebug)) LogLine(LogLevel::kDebug, log_internal::Concat(args...));
}
template <typename... Args>
void LogInfo(const Args&... args) {
  if (LogEnabled(LogLevel::kInfo)) LogLine(LogLevel::kInfo, log_internal::Concat(args...));
}
template <typename... Args>
void LogWarn(const Args&... args) {
  if (LogEnabled(LogLevel::kWarn)) LogLine(LogLevel::kWarn, log_internal::Concat(args...));
}
template <typename... Args>
void LogError(const Args&... args) {
  LogLine(LogLevel::kError, log_internal::Concat(args...));
}

}  // namespace spoor
