// A latency histogram with a bounded relative error, for span metrics.
//
// Buckets are log-linear over nanoseconds: values below 16 ns have a bucket
// each; above, every power of two is split into 16 equal sub-buckets. A
// bucket [lower, upper) is reported by its midpoint, so a quantile read
// from the histogram is within 1/32 (3.125%) of the exact value of the span
// at that rank (nearest-rank definition). The histogram stores only the
// range of buckets it has seen (dense between the lowest and the highest),
// so a typical operation, whose latencies span two or three decades, costs
// a few hundred bytes.
//
// Not thread-safe: callers serialise access.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spoor {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 4;
  static constexpr uint32_t kSubBuckets = 1u << kSubBucketBits;
  // The highest bucket index (the one holding UINT64_MAX).
  static constexpr uint32_t kMaxBucket = kSubBuckets + (63 - kSubBucketBits) * kSubBuckets + 15;
  // Worst-case relative error of a quantile.
  static constexpr double kRelativeError = 1.0 / (2 * kSubBuckets);

  [[nodiscard]] static uint32_t BucketOf(uint64_t ns);
  // [BucketLower, BucketUpper) is the bucket's range (upper saturates).
  [[nodiscard]] static uint64_t BucketLower(uint32_t bucket);
  [[nodiscard]] static uint64_t BucketUpper(uint32_t bucket);
  // The value reported for the bucket: its midpoint.
  [[nodiscard]] static double BucketMidpoint(uint32_t bucket);

  void Add(uint64_t ns, uint64_t n = 1) { AddToBucket(BucketOf(ns), n); }
  void AddToBucket(uint32_t bucket, uint64_t n);
  void Merge(const LatencyHistogram& other);
  void Clear();

  [[nodiscard]] uint64_t count() const { return count_; }
  [[nodiscard]] bool empty() const { return count_ == 0; }
  // The nearest-rank q-quantile (q in [0, 1]) in nanoseconds: the midpoint
  // of the bucket holding the ceil(q * count)-th smallest value (the
  // smallest for q = 0). nullopt when empty.
  [[nodiscard]] std::optional<double> QuantileNs(double q) const;

  // Calls f(bucket, count) for every non-empty bucket, lowest first.
  template <typename F>
  void ForEachBucket(F&& f) const {
    for (size_t i = 0; i < counts_.size(); ++i) {
      if (counts_[i] != 0) f(static_cast<uint32_t>(first_ + i), counts_[i]);
    }
  }

  // A compact binary form (varints: bucket deltas and counts). Decode
  // returns false, leaving *this unchanged, on malformed input.
  void AppendEncoded(std::string& out) const;
  [[nodiscard]] bool Decode(std::string_view in);

  bool operator==(const LatencyHistogram& o) const;

 private:
  uint32_t first_ = 0;            // bucket index of counts_[0]
  std::vector<uint64_t> counts_;  // dense from first_
  uint64_t count_ = 0;
};

}  // namespace spoor
