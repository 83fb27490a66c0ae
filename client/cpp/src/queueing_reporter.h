// What the sending reporters share: a bounded queue that Report() fills
// without blocking, a thread that drains it in batches every flush interval
// (or as soon as a batch is full), Flush() and Close(), and the counts.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "spoor/reporter.h"

namespace spoor::internal {

class QueueingReporter : public RemoteReporter {
 public:
  QueueingReporter(size_t queue_size, size_t max_batch, std::chrono::milliseconds flush_interval);
  ~QueueingReporter() override;

  void Report(SpanData span, const ProcessData& process) final;
  void Flush() final;
  void Close() final;
  [[nodiscard]] ReporterStats stats() const final;

 protected:
  // Starts the sending thread; the subclass calls it last in its
  // constructor, and Stop() first in its destructor.
  void Start();
  void Stop() { Close(); }
  // Sends `batch` (on the sending thread); returns how many spans the
  // receiver took (the others count as dropped in sending).
  virtual size_t Send(const ProcessData& process, const std::vector<SpanData>& batch) = 0;

 private:
  void Run();

  const size_t queue_size_;
  const size_t max_batch_;
  const std::chrono::milliseconds flush_interval_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::deque<SpanData> queue_;
  ProcessData process_;
  bool has_process_ = false;
  bool closed_ = false;
  bool stopping_ = false;
  bool stopped_ = true;
  uint64_t flush_requested_ = 0;
  uint64_t flushed_ = 0;
  ReporterStats stats_;
  std::thread thread_;
};

}  // namespace spoor::internal
