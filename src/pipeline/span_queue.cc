#include "pipeline/span_queue.h"

namespace spoor {

bool SpanQueue::TryPush(SpanBatch& batch, size_t span_count,
                        std::shared_ptr<WriteCompletion> done) {
  {
    std::lock_guard lock(mu_);
    if (closed_) return false;
    if (!entries_.empty() && spans_ + span_count > capacity_) return false;
    entries_.push_back(Entry{std::move(batch), span_count, std::move(done)});
    spans_ += span_count;
  }
  not_empty_.notify_one();
  return true;
}

std::optional<SpanBatch> SpanQueue::Pop(std::shared_ptr<WriteCompletion>* done) {
  std::unique_lock lock(mu_);
  not_empty_.wait(lock, [this] { return closed_ || !entries_.empty(); });
  if (entries_.empty()) return std::nullopt;
  Entry e = std::move(entries_.front());
  entries_.pop_front();
  spans_ -= e.spans;
  if (done != nullptr) *done = std::move(e.done);
  return std::move(e.batch);
}

void SpanQueue::Close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  not_empty_.notify_all();
}

size_t SpanQueue::length_spans() const {
  std::lock_guard lock(mu_);
  return spans_;
}

}  // namespace spoor
