#include "storage/embedded/embedded_span_metrics.h"

#include <rocksdb/write_batch.h>

#include <algorithm>
#include <map>
#include <memory>

#include "spanmetrics/span_metrics_codec.h"

namespace spoor::embedded_internal {

Status RocksError(const char* what, const rocksdb::Status& s);

namespace codec = span_metrics_codec;

Status EmbeddedSpanMetrics::AddSpanMetrics(const std::vector<SpanMetricsRow>& rows) {
  if (Status s = ValidateSpanMetricsRows(rows); !s.ok()) return s;
  if (rows.empty()) return Status::Ok();
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = writable_(); !s.ok()) return s;
  // Rows of one key summed first: one read and one write per key.
  std::map<std::string, SpanMetricsValue> sums;
  for (const SpanMetricsRow& r : rows) {
    sums[codec::EncodeKey(r.resolution, r.key.service, r.bucket_start_ns, r.key.kind,
                          r.key.operation)]
        .Merge(r.value);
  }
  rocksdb::WriteBatch wb;
  std::string stored;
  std::string value;
  for (auto& [key, sum] : sums) {
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_, key, &stored);
    if (s.ok()) {
      SpanMetricsValue old;
      if (!codec::DecodeValue(stored, &old)) {
        return Internal("embedded store: a span metrics value is corrupt");
      }
      sum.Merge(old);
    } else if (!s.IsNotFound()) {
      return RocksError("reading span metrics failed", s);
    }
    value.clear();
    codec::EncodeValue(sum, value);
    wb.Put(cf_, key, value);
  }
  rocksdb::Status s = db_->Write(write_options_, &wb);
  if (!s.ok()) return failed_(RocksError("writing span metrics failed", s));
  return Status::Ok();
}

Result<std::vector<SpanMetricsRow>> EmbeddedSpanMetrics::ReadSpanMetrics(
    const SpanMetricsRead& read) {
  if (Status s = ValidateSpanMetricsRead(read); !s.ok()) return s;
  std::vector<std::string> services = read.services;
  std::sort(services.begin(), services.end());
  services.erase(std::unique(services.begin(), services.end()), services.end());
  std::vector<SpanMetricsRow> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_));
  for (const std::string& service : services) {
    if (service.find('\0') != std::string::npos || read.start_ns >= read.end_ns) continue;
    std::string end = codec::ServicePrefix(read.resolution, service, read.end_ns);
    for (it->Seek(codec::ServicePrefix(read.resolution, service, read.start_ns));
         it->Valid() && it->key().compare(end) < 0; it->Next()) {
      SpanMetricsRow row;
      if (!codec::DecodeKey(std::string_view(it->key().data(), it->key().size()), &row) ||
          !codec::DecodeValue(std::string_view(it->value().data(), it->value().size()),
                              &row.value)) {
        return Internal("embedded store: a span metrics row is corrupt");
      }
      if (!read.kinds.empty() &&
          std::find(read.kinds.begin(), read.kinds.end(), row.key.kind) == read.kinds.end()) {
        continue;
      }
      out.push_back(std::move(row));
    }
    if (!it->status().ok()) return RocksError("reading span metrics failed", it->status());
  }
  std::stable_sort(out.begin(), out.end(), [](const SpanMetricsRow& a, const SpanMetricsRow& b) {
    if (a.key != b.key) return a.key < b.key;
    return a.bucket_start_ns < b.bucket_start_ns;
  });
  return out;
}

Status EmbeddedSpanMetrics::ExpireSpanMetrics(uint64_t fine_cutoff_ns, uint64_t coarse_cutoff_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = writable_(); !s.ok()) return s;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_));
  for (MetricsResolution r : {MetricsResolution::kFine, MetricsResolution::kCoarse}) {
    uint64_t cutoff = r == MetricsResolution::kFine ? fine_cutoff_ns : coarse_cutoff_ns;
    std::string resolution_prefix(1, static_cast<char>(r));
    // One range delete per service: seek to each service's first row.
    for (it->Seek(resolution_prefix); it->Valid() && it->key().starts_with(resolution_prefix);) {
      SpanMetricsRow row;
      if (!codec::DecodeKey(std::string_view(it->key().data(), it->key().size()), &row)) {
        return Internal("embedded store: a span metrics key is corrupt");
      }
      std::string begin = codec::ServicePrefix(r, row.key.service, 0);
      std::string end = codec::ServicePrefix(r, row.key.service, cutoff);
      rocksdb::Status s = db_->DeleteRange(write_options_, cf_, begin, end);
      if (!s.ok()) return failed_(RocksError("expiring span metrics failed", s));
      // The next service: past every key of this one.
      std::string next = codec::ServicePrefix(r, row.key.service, UINT64_MAX);
      next.push_back('\xff');
      it->Seek(next);
    }
    if (!it->status().ok()) return RocksError("expiring span metrics failed", it->status());
  }
  return Status::Ok();
}

}  // namespace spoor::embedded_internal
