#include "queueing_reporter.h"

#include <algorithm>

namespace spoor::internal {

QueueingReporter::QueueingReporter(size_t queue_size, size_t max_batch,
                                   std::chrono::milliseconds flush_interval)
    : queue_size_(queue_size),
      max_batch_(std::max<size_t>(max_batch, 1)),
      flush_interval_(flush_interval) {}

QueueingReporter::~QueueingReporter() {
  Close();
}

void QueueingReporter::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  stopped_ = false;
  thread_ = std::thread([this] { Run(); });
}

void QueueingReporter::Report(SpanData span, const ProcessData& process) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_ || queue_.size() >= queue_size_) {
    ++stats_.spans_dropped_queue;
    return;
  }
  if (!has_process_) {
    process_ = process;
    has_process_ = true;
  }
  queue_.push_back(std::move(span));
  if (queue_.size() >= max_batch_) wake_.notify_all();
}

void QueueingReporter::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  if (stopped_) return;
  uint64_t target = ++flush_requested_;
  wake_.notify_all();
  done_.wait(lock, [&] { return flushed_ >= target || stopped_; });
}

void QueueingReporter::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
  }
  Flush();
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

ReporterStats QueueingReporter::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void QueueingReporter::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, flush_interval_, [&] {
      return stopping_ || queue_.size() >= max_batch_ || flush_requested_ > flushed_;
    });
    // Everything queued goes out, in batches of max_batch.
    uint64_t flush_target = flush_requested_;
    while (!queue_.empty()) {
      std::vector<SpanData> batch;
      size_t n = std::min(queue_.size(), max_batch_);
      batch.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      ProcessData process = process_;
      lock.unlock();
      size_t sent = Send(process, batch);
      lock.lock();
      stats_.spans_sent += sent;
      stats_.spans_dropped_send += batch.size() - std::min(sent, batch.size());
    }
    flushed_ = flush_target;
    done_.notify_all();
  }
  stopped_ = true;
  done_.notify_all();
}

}  // namespace spoor::internal
