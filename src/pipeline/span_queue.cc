#include "pipeline/span_queue.h"

#include <algorithm>

namespace spoor {

bool SpanQueue::TryPush(SpanBatch& batch, size_t span_count,
                        std::shared_ptr<WriteCompletion> done) {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    if (closed_) return false;
    if (!entries_.empty() && spans_ + span_count > capacity_) return false;
    // A consumer sleeps without a deadline only on an empty queue, and one
    // lingering over a group wakes at its deadline or when the group is full.
    wake = entries_.empty() || spans_ + span_count >= wake_spans_ || done != nullptr;
    entries_.push_back(
        Entry{std::move(batch), span_count, std::move(done), std::chrono::steady_clock::now()});
    spans_ += span_count;
  }
  if (wake) not_empty_.notify_one();
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

bool SpanQueue::PopGroup(size_t group_spans, std::chrono::microseconds linger,
                         std::vector<SpanBatch>* out,
                         std::vector<std::shared_ptr<WriteCompletion>>* done) {
  std::unique_lock lock(mu_);
  wake_spans_ = std::min(wake_spans_, group_spans);
  not_empty_.wait(lock, [this] { return closed_ || !entries_.empty(); });
  if (entries_.empty()) return false;
  // A batch someone waits for (ack after write) is written without delay.
  auto full = [&] {
    return closed_ || spans_ >= group_spans || entries_.empty() ||
           entries_.front().done != nullptr || entries_.back().done != nullptr;
  };
  if (!full() && linger.count() > 0) {
    not_empty_.wait_until(lock, entries_.front().arrived + linger, full);
    if (entries_.empty()) return !closed_;  // another consumer took them
  }
  size_t taken = 0;
  while (!entries_.empty() && (taken == 0 || taken + entries_.front().spans <= group_spans)) {
    Entry& e = entries_.front();
    taken += e.spans;
    spans_ -= e.spans;
    out->push_back(std::move(e.batch));
    if (e.done != nullptr) done->push_back(std::move(e.done));
    entries_.pop_front();
  }
  return true;
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
