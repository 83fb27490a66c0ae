// The embedded store's span metrics: rows in the "metrics" column family of
// its RocksDB (keys and values in spanmetrics/span_metrics_codec.h). Adds
// are read-modify-write under one mutex: a handful of flushes a minute.
#pragma once

#include <rocksdb/db.h>

#include <functional>
#include <mutex>

#include "spanmetrics/span_metrics_store.h"

namespace spoor::embedded_internal {

class EmbeddedSpanMetrics final : public SpanMetricsStore {
 public:
  // `writable` says whether the store may write now (disk space, earlier
  // failures); `failed` is told of a failed write.
  EmbeddedSpanMetrics(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                      rocksdb::WriteOptions write_options, std::function<Status()> writable,
                      std::function<Status(const Status&)> failed)
      : db_(db),
        cf_(cf),
        write_options_(write_options),
        writable_(std::move(writable)),
        failed_(std::move(failed)) {}

  Status AddSpanMetrics(const std::vector<SpanMetricsRow>& rows) override;
  Result<std::vector<SpanMetricsRow>> ReadSpanMetrics(const SpanMetricsRead& read) override;
  Status ExpireSpanMetrics(uint64_t fine_cutoff_ns, uint64_t coarse_cutoff_ns) override;

 private:
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* cf_;
  rocksdb::WriteOptions write_options_;
  std::function<Status()> writable_;
  std::function<Status(const Status&)> failed_;
  std::mutex mu_;  // one add or expiry at a time
};

}  // namespace spoor::embedded_internal
