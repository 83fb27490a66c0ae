#include <condition_variable>
#include <deque>
#include <stdexcept>
#include <thread>

#include "http_post.h"
#include "otlp_encode.h"
#include "spoor/reporter.h"

namespace spoor {
namespace {

class OtlpHttpReporter final : public RemoteReporter {
 public:
  explicit OtlpHttpReporter(OtlpHttpReporterOptions options) : options_(std::move(options)) {
    std::string error;
    if (!internal::ParseHttpUrl(options_.endpoint, &url_, &error)) {
      throw std::invalid_argument("OTLP endpoint: " + error);
    }
    thread_ = std::thread([this] { Run(); });
  }
  ~OtlpHttpReporter() override { Close(); }

  void Report(SpanData span, const ProcessData& process) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || queue_.size() >= options_.queue_size) {
      ++stats_.spans_dropped_queue;
      return;
    }
    if (!has_process_) {
      process_ = process;
      has_process_ = true;
    }
    queue_.push_back(std::move(span));
    if (queue_.size() >= options_.max_batch) wake_.notify_all();
  }

  void Flush() override {
    std::unique_lock<std::mutex> lock(mu_);
    uint64_t target = ++flush_requested_;
    wake_.notify_all();
    done_.wait(lock, [&] { return flushed_ >= target || stopped_; });
  }

  void Close() override {
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

  ReporterStats stats() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return stats_;
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      wake_.wait_for(lock, options_.flush_interval, [&] {
        return stopping_ || queue_.size() >= options_.max_batch || flush_requested_ > flushed_;
      });
      // Everything queued goes out, in batches of max_batch.
      uint64_t flush_target = flush_requested_;
      while (!queue_.empty()) {
        std::vector<SpanData> batch;
        size_t n = std::min(queue_.size(), options_.max_batch);
        batch.reserve(n);
        for (size_t i = 0; i < n; ++i) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        ProcessData process = process_;
        lock.unlock();
        bool ok = Send(process, batch);
        lock.lock();
        (ok ? stats_.spans_sent : stats_.spans_dropped_send) += batch.size();
      }
      flushed_ = flush_target;
      done_.notify_all();
    }
    stopped_ = true;
    done_.notify_all();
  }

  bool Send(const ProcessData& process, const std::vector<SpanData>& batch) {
    internal::EncodeOtlpRequest(process, batch, &body_);
    internal::HttpResult r =
        internal::HttpRequest(url_, "POST", "application/x-protobuf", body_, options_.timeout);
    return r.status >= 200 && r.status < 300;
  }

  const OtlpHttpReporterOptions options_;
  internal::HttpUrl url_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::deque<SpanData> queue_;
  ProcessData process_;
  bool has_process_ = false;
  bool closed_ = false;
  bool stopping_ = false;
  bool stopped_ = false;
  uint64_t flush_requested_ = 0;
  uint64_t flushed_ = 0;
  ReporterStats stats_;
  std::string body_;  // the encoding buffer, reused (the sending thread's only)
  std::thread thread_;
};

}  // namespace

std::unique_ptr<RemoteReporter> NewOtlpHttpReporter(OtlpHttpReporterOptions options) {
  return std::make_unique<OtlpHttpReporter>(std::move(options));
}

}  // namespace spoor
