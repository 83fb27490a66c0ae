// Where finished, sampled spans go. Report() is called on the thread that
// finished the span and must not block; Close() sends what is queued and
// stops.
#pragma once

#include <memory>
#include <mutex>
#include <ostream>
#include <vector>

#include "spoor/span_data.h"

namespace spoor {

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void Report(SpanData span, const ProcessData& process) = 0;
  // Sends what is queued; returns when it was sent (or given up).
  virtual void Flush() {}
  // Flushes and stops; Report() afterwards drops the span.
  virtual void Close() { Flush(); }
};

// Keeps every span, for tests and for programs that inspect their spans.
// Threading: every method may be called from any thread.
class InMemoryReporter final : public Reporter {
 public:
  void Report(SpanData span, const ProcessData& process) override;
  [[nodiscard]] std::vector<SpanData> spans() const;
  [[nodiscard]] ProcessData process() const;
  void Clear();

 private:
  mutable std::mutex mu_;
  std::vector<SpanData> spans_;
  ProcessData process_;
};

// Writes one line per span to `out` (which must outlive the reporter).
[[nodiscard]] std::unique_ptr<Reporter> NewLoggingReporter(std::ostream& out);

}  // namespace spoor
