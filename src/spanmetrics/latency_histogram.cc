#include "spanmetrics/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "common/encoding.h"
#include "formats/protowire/wire_reader.h"

namespace spoor {

uint32_t LatencyHistogram::BucketOf(uint64_t ns) {
  if (ns < kSubBuckets) return static_cast<uint32_t>(ns);
  int e = std::bit_width(ns) - 1;  // >= kSubBucketBits
  auto sub = static_cast<uint32_t>((ns >> (e - kSubBucketBits)) & (kSubBuckets - 1));
  return kSubBuckets + static_cast<uint32_t>(e - kSubBucketBits) * kSubBuckets + sub;
}

uint64_t LatencyHistogram::BucketLower(uint32_t bucket) {
  if (bucket < kSubBuckets) return bucket;
  uint32_t e = (bucket - kSubBuckets) / kSubBuckets;  // exponent above kSubBucketBits
  uint32_t sub = (bucket - kSubBuckets) % kSubBuckets;
  return static_cast<uint64_t>(kSubBuckets + sub) << e;
}

uint64_t LatencyHistogram::BucketUpper(uint32_t bucket) {
  if (bucket >= kMaxBucket) return UINT64_MAX;
  return BucketLower(bucket + 1);
}

double LatencyHistogram::BucketMidpoint(uint32_t bucket) {
  if (bucket < kSubBuckets) return bucket;
  auto lower = static_cast<double>(BucketLower(bucket));
  auto upper = static_cast<double>(BucketUpper(bucket));
  return lower + (upper - lower) / 2;
}

void LatencyHistogram::AddToBucket(uint32_t bucket, uint64_t n) {
  if (n == 0) return;
  bucket = std::min(bucket, kMaxBucket);
  if (counts_.empty()) {
    first_ = bucket;
    counts_.assign(1, 0);
  } else if (bucket < first_) {
    counts_.insert(counts_.begin(), first_ - bucket, 0);
    first_ = bucket;
  } else if (bucket - first_ >= counts_.size()) {
    counts_.resize(bucket - first_ + 1, 0);
  }
  counts_[bucket - first_] += n;
  count_ += n;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.counts_.empty()) return;
  if (counts_.empty()) {
    *this = other;
    return;
  }
  uint32_t last = other.first_ + static_cast<uint32_t>(other.counts_.size()) - 1;
  if (other.first_ < first_) {
    counts_.insert(counts_.begin(), first_ - other.first_, 0);
    first_ = other.first_;
  }
  if (last - first_ >= counts_.size()) counts_.resize(last - first_ + 1, 0);
  for (size_t i = 0; i < other.counts_.size(); ++i) {
    counts_[other.first_ - first_ + i] += other.counts_[i];
  }
  count_ += other.count_;
}

void LatencyHistogram::Clear() {
  counts_.clear();
  first_ = 0;
  count_ = 0;
}

std::optional<double> LatencyHistogram::QuantileNs(double q) const {
  if (count_ == 0) return std::nullopt;
  q = std::clamp(q, 0.0, 1.0);
  auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return BucketMidpoint(first_ + static_cast<uint32_t>(i));
  }
  return BucketMidpoint(first_ + static_cast<uint32_t>(counts_.size()) - 1);
}

void LatencyHistogram::AppendEncoded(std::string& out) const {
  // Number of non-empty buckets, then (gap from the previous bucket, count).
  size_t nonempty = 0;
  for (uint64_t c : counts_) nonempty += c != 0;
  encoding::PutVarint(out, nonempty);
  uint32_t previous = 0;
  ForEachBucket([&](uint32_t bucket, uint64_t n) {
    encoding::PutVarint(out, bucket - previous);
    encoding::PutVarint(out, n);
    previous = bucket;
  });
}

bool LatencyHistogram::Decode(std::string_view in) {
  protowire::WireReader r(in);
  uint64_t nonempty = 0;
  if (!r.ReadVarint(&nonempty) || nonempty > kMaxBucket + 1) return false;
  LatencyHistogram h;
  uint64_t bucket = 0;
  for (uint64_t i = 0; i < nonempty; ++i) {
    uint64_t gap = 0;
    uint64_t n = 0;
    if (!r.ReadVarint(&gap) || !r.ReadVarint(&n)) return false;
    if ((i > 0 && gap == 0) || n == 0) return false;
    bucket += gap;
    if (bucket > kMaxBucket || h.count_ + n < h.count_) return false;
    h.AddToBucket(static_cast<uint32_t>(bucket), n);
  }
  if (!r.done()) return false;
  *this = std::move(h);
  return true;
}

bool LatencyHistogram::operator==(const LatencyHistogram& o) const {
  if (count_ != o.count_) return false;
  std::vector<std::pair<uint32_t, uint64_t>> a;
  std::vector<std::pair<uint32_t, uint64_t>> b;
  ForEachBucket([&](uint32_t k, uint64_t n) { a.emplace_back(k, n); });
  o.ForEachBucket([&](uint32_t k, uint64_t n) { b.emplace_back(k, n); });
  return a == b;
}

}  // namespace spoor
