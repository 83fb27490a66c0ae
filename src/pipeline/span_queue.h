// A bounded multi-producer multi-consumer queue of span batches.
//
// Capacity is counted in spans, not batches (the meaning of Jaeger's
// --collector.queue-size). A batch is admitted when it fits, or when the
// queue is empty (so one oversized batch can still pass). Producers never
// block: a full queue refuses, and the caller tells the sender to retry.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "common/status.h"
#include "model/span.h"

namespace spoor {

// Lets a producer wait until the batch it queued has been written.
class WriteCompletion {
 public:
  void Complete(Status status) {
    {
      std::lock_guard lock(mu_);
      status_ = std::move(status);
      done_ = true;
    }
    cv_.notify_all();
  }
  [[nodiscard]] Status Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return done_; });
    return status_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  Status status_;
};

class SpanQueue {
 public:
  explicit SpanQueue(size_t capacity_spans) : capacity_(capacity_spans) {}

  // Moves the batch in and returns true, or returns false (batch untouched)
  // when it does not fit or the queue is closed.
  // `done`, when set, is handed back by Pop() with the batch.
  [[nodiscard]] bool TryPush(SpanBatch& batch, size_t span_count,
                             std::shared_ptr<WriteCompletion> done = nullptr);
  // Blocks until a batch is available; nullopt once closed and drained.
  // `done` (optional) receives the completion the batch was pushed with.
  [[nodiscard]] std::optional<SpanBatch> Pop(std::shared_ptr<WriteCompletion>* done = nullptr);
  // A group of batches for one storage write, so that a writer wakes once
  // for many requests: waits until a batch is queued, then until
  // `group_spans` are queued or `linger` has passed since the first of them
  // arrived (or the queue closes), and moves the oldest batches, up to
  // `group_spans` spans (at least one batch), into `out` with their
  // completions in `done`. Returns false once closed and drained.
  [[nodiscard]] bool PopGroup(size_t group_spans, std::chrono::microseconds linger,
                              std::vector<SpanBatch>* out,
                              std::vector<std::shared_ptr<WriteCompletion>>* done);
  // Refuses new batches and wakes the consumers; queued batches still drain.
  void Close();

  [[nodiscard]] size_t length_spans() const;
  [[nodiscard]] size_t capacity_spans() const { return capacity_; }

 private:
  struct Entry {
    SpanBatch batch;
    size_t spans;
    std::shared_ptr<WriteCompletion> done;
    std::chrono::steady_clock::time_point arrived;
  };
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_empty_;
  std::deque<Entry> entries_;
  size_t spans_ = 0;
  bool closed_ = false;
  // The largest group a consumer waits for (see PopGroup); a push that
  // brings the queue to it wakes one.
  size_t wake_spans_ = SIZE_MAX;
};

}  // namespace spoor
