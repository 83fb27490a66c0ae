// The embedded store's class (embedded_store.h is its public face), shared
// by its two halves: embedded_store.cc opens, writes (write-ahead area, open
// blocks), seals and expires; embedded_store_read.cc answers the queries.
// Internal to the store.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "storage/embedded/block_index.h"
#include "storage/embedded/decoded_block_cache.h"
#include "storage/embedded/embedded_span_metrics.h"
#include "storage/embedded/embedded_store.h"
#include "storage/embedded/store_keys.h"
#include "storage/interned_op_set.h"

namespace spoor::embedded_internal {

using embedded_keys::BlockKey;

constexpr size_t kDecodedBlockCache = 8;

using Chunk = std::shared_ptr<const std::vector<SpanRecord>>;

// Spans of one time bucket not yet sealed into a block: immutable chunks,
// one per written batch, so that readers copy pointers and never hold a lock
// while they scan.
struct OpenBlock {
  std::vector<Chunk> chunks;
  size_t spans = 0;
  std::vector<uint64_t> wal_seqs;  // the write-ahead entries with spans in this block
  uint64_t opened_ns = 0;
  uint64_t max_start_ns = 0;
};

struct Snapshot {
  std::vector<Chunk> chunks;  // open and sealing blocks
  std::vector<std::pair<BlockKey, std::shared_ptr<const BlockIndex>>> sealed;
};

// A RocksDB failure as a Status: Unavailable when the disk is full or
// failing, Internal otherwise.
Status RocksError(const char* what, const rocksdb::Status& s);

class EmbeddedStore final : public Storage {
 public:
  explicit EmbeddedStore(const EmbeddedStoreOptions& options) : options_(options) {}

  ~EmbeddedStore() override {
    if (db_ != nullptr) (void)Close();
  }

  Status Open();

  std::string_view name() const override { return "embedded"; }

  Status Write(SpanBatch batch) override;

  Result<Trace> GetTrace(const TraceId& id, const TraceTimeHint& hint) override;

  Result<std::vector<TraceId>> FindTraceIds(const TraceQuery& query) override;

  Result<std::vector<Trace>> FindTraces(const TraceQuery& query) override;

  Result<std::vector<std::string>> GetServices() override;

  Result<std::vector<Operation>> GetOperations(const std::string& service, bool match_kind,
                                               SpanKind kind) override;

  Result<std::vector<DependencyLink>> GetDependencies(uint64_t end_ns,
                                                      uint64_t lookback_ns) override;

  Status Close() override;

  SpanMetricsStore* span_metrics() override { return span_metrics_.get(); }

 private:
  // Refuses writes when the disk is nearly full, or after a write failed.
  // RocksDB must not see a write fail: after a failed write, its next write
  // can abort the process (an assertion in Debian's build), so free space is
  // checked first, and after any failure writes stop until a restart.
  // `incoming_bytes`: what the caller is about to write.
  Status CheckWritable(uint64_t incoming_bytes = 0);

  Status StopWrites(const Status& error);

  Status CheckFormat();

  Status LoadIndexes();

  Status LoadOperations();

  Status ReplayWal();

  // Appends records to the open block of their time bucket; records new
  // operations persistently.
  Status AddToOpenBlocks(std::vector<SpanRecord> records, uint64_t seq);

  // Seals the open blocks that are full or old enough (all of them when
  // `all`). One sealing at a time.
  Status SealIfDue(bool all);

  // Write-ahead entries deleted after their memtable was flushed stay in the
  // family's files until a compaction drops them; this one is small (the
  // live entries are those of the open blocks).
  void CompactWal();

  // Drops `block`'s references to its write-ahead entries and appends to
  // `released` those no other open block refers to. Requires mu_.
  void ReleaseWal(const OpenBlock& block, std::vector<uint64_t>* released);

  // Deletes the write-ahead entries `seqs` in `wb`, one range per run of
  // consecutive sequence numbers, and their partial-seal marks (the caller
  // erases them from sealed_parts_ once `wb` is written). Requires mu_.
  void DeleteWalEntries(std::vector<uint64_t> seqs, rocksdb::WriteBatch* wb);

  Snapshot TakeSnapshot() const;

  // Traces and their latest start in the query's window.
  using LatestStarts = std::unordered_map<TraceId, uint64_t, TraceIdHash>;

  // FindTraceIds by the query's span conditions, among the traces of
  // `passing` only when it is given.
  Result<std::vector<TraceId>> FindBySpans(const Snapshot& snap, const TraceQuery& query,
                                           const LatestStarts* passing);

  // The traces of the window whose outline meets the query's trace-level
  // conditions (embedded_store_outlines.cc): from the outlines in sealed
  // blocks' indexes, which cover the whole block, and from the spans of
  // open blocks within the window.
  // Each as (latest start in the window, trace); only the `keep` latest
  // (in no order) unless `keep` is 0.
  Result<std::vector<std::pair<uint64_t, TraceId>>> FindByOutlines(const Snapshot& snap,
                                                                   const TraceQuery& query,
                                                                   size_t keep);

  // Whether the block holds one of `traces`.
  static bool HoldsAny(const BlockIndex& index, const LatestStarts& traces);

  // The IDs of `hits` (latest start, trace), latest first, at most `limit`
  // (0 = all).
  static std::vector<TraceId> LatestFirst(std::vector<std::pair<uint64_t, TraceId>> hits,
                                          size_t limit);

  static uint64_t KthLatest(const std::unordered_map<TraceId, uint64_t, TraceIdHash>& hits,
                            size_t k);

  // A whole block, decoded, through the cache (decoded_block_cache.h).
  Result<DecodedBlock> LoadBlock(const BlockKey& key);

  // Every span of the given traces, one Trace per ID (empty when absent).
  Result<std::vector<Trace>> ReadTraces(const std::vector<TraceId>& ids, const TraceTimeHint& hint,
                                        SpanDetail detail = SpanDetail::kWhole);

  // Reads the block `key` and decodes (part of) it with `decode` into
  // `*out`. A block that expired meanwhile gives nothing.
  template <typename Decode>
  Status ReadBlock(const BlockKey& key, std::vector<SpanRecord>* out, Decode decode);

  DecodedBlock CachedBlock(const BlockKey& key) { return cache_.Get(key.Encode(), false); }

  void BackgroundLoop();

 public:
  // Drops every time bucket that ended more than the TTL ago: a range
  // delete per column family, never key by key.
  Status ExpireOldBuckets(uint64_t now_ns);

 private:
  const EmbeddedStoreOptions options_;
  rocksdb::DB* db_ = nullptr;
  rocksdb::ColumnFamilyHandle* cf_[embedded_keys::kFamilies] = {};
  rocksdb::WriteOptions write_options_;

  mutable std::shared_mutex mu_;        // open_, sealing_, sealed_, operations_
  std::map<uint64_t, OpenBlock> open_;  // by time bucket
  std::vector<std::vector<Chunk>> sealing_;
  std::map<BlockKey, std::shared_ptr<const BlockIndex>> sealed_;
  std::map<std::string, std::set<std::pair<std::string, SpanKind>>> operations_;
  // Operations known to be in operations_; bounded, as interned names are.
  static constexpr size_t kMaxSeenOps = 100000;
  InternedOpSet seen_ops_;  // mu_

  std::atomic<uint64_t> next_wal_seq_{1};

  std::mutex seal_mu_;  // one sealing (or expiry) at a time; guards the two below
  uint64_t next_block_seq_ = 1;
  // Write-ahead entries partly sealed -> the buckets sealed (see
  // kSealedPartPrefix); mu_.
  std::unordered_map<uint64_t, std::vector<uint64_t>> sealed_parts_;
  std::unordered_map<uint64_t, uint32_t> wal_refs_;  // entry -> open blocks holding its spans; mu_

  DecodedBlockCache cache_{kDecodedBlockCache};

  std::mutex write_error_mu_;
  Status write_error_;  // sticky: set by the first failed write

  std::mutex background_mu_;
  std::condition_variable background_cv_;
  bool stopping_ = false;
  std::thread background_;

  std::unique_ptr<EmbeddedSpanMetrics> span_metrics_;
};

}  // namespace spoor::embedded_internal
