#include "storage/embedded/embedded_store.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <list>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "common/log.h"
#include "common/metrics.h"
#include "common/time_format.h"
#include "storage/embedded/block_codec.h"
#include "storage/embedded/block_index.h"
#include "storage/embedded/decoded_block_cache.h"
#include "storage/embedded/disk_space.h"
#include "storage/embedded/store_keys.h"
#include "storage/embedded/wal_codec.h"
#include "storage/interned_op_set.h"
#include "storage/span_match.h"

namespace spoor {
namespace {

using namespace embedded_keys;  // NOLINT(google-build-using-namespace): the store's own keys

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

Status RocksError(const char* what, const rocksdb::Status& s) {
  if (s.IsNoSpace() || s.IsIOError()) {
    return Unavailable(std::string("embedded store: ") + what + ": " + s.ToString());
  }
  return Internal(std::string("embedded store: ") + what + ": " + s.ToString());
}

class EmbeddedStore final : public Storage {
 public:
  explicit EmbeddedStore(const EmbeddedStoreOptions& options) : options_(options) {}

  ~EmbeddedStore() override {
    if (db_ != nullptr) (void)Close();
  }

  Status Open() {
    std::error_code ec;
    std::filesystem::create_directories(options_.directory, ec);
    if (ec)
      return Unavailable("embedded store: cannot create directory '" + options_.directory +
                         "': " + ec.message());
    rocksdb::DBOptions db_options;
    db_options.create_if_missing = true;
    db_options.create_missing_column_families = true;
    db_options.max_background_jobs = 2;
    db_options.keep_log_file_num = 3;
    db_options.max_total_wal_size = 256u << 20;
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (int f = 0; f < kFamilies; ++f) {
      rocksdb::ColumnFamilyOptions cf;
      // Blocks are compressed by the codec already.
      cf.compression =
          f == kIndex || f == kMeta ? rocksdb::kLZ4Compression : rocksdb::kNoCompression;
      families.emplace_back(kFamilyNames[f], cf);
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::Status s = rocksdb::DB::Open(db_options, options_.directory, families, &handles, &db_);
    if (!s.ok()) return RocksError(("cannot open '" + options_.directory + "'").c_str(), s);
    for (int f = 0; f < kFamilies; ++f) cf_[f] = handles[static_cast<size_t>(f)];
    if (Status st = CheckFormat(); !st.ok()) return st;
    if (Status st = LoadIndexes(); !st.ok()) return st;
    if (Status st = LoadOperations(); !st.ok()) return st;
    if (Status st = ReplayWal(); !st.ok()) return st;
    write_options_.sync = options_.sync_writes;
    background_ = std::thread([this] { BackgroundLoop(); });
    return Status::Ok();
  }

  std::string_view name() const override { return "embedded"; }

  Status Write(SpanBatch batch) override {
    if (batch.SpanCount() == 0) return Status::Ok();
    // One buffer per writing thread, reused: RocksDB copies the entry.
    thread_local std::string value;
    value.clear();
    EncodeWalEntry(batch, &value);
    if (value.capacity() > (8u << 20)) value.shrink_to_fit();
    std::vector<SpanRecord> records;
    records.reserve(batch.SpanCount());
    for (ResourceSpans& rs : batch.resource_spans) {
      for (ScopeSpans& ss : rs.scope_spans) {
        for (Span& span : ss.spans) {
          records.push_back(SpanRecord{rs.resource, ss.scope, std::move(span), {}});
        }
      }
    }
    if (Status s = CheckWritable(value.size()); !s.ok()) return s;
    // An entry is deleted only once the open blocks it was added to are all
    // sealed, so a seal running between the Put and AddToOpenBlocks cannot
    // delete it.
    const uint64_t seq = next_wal_seq_.fetch_add(1);
    rocksdb::Status s = db_->Put(write_options_, cf_[kWal], WalKey(seq), value);
    if (!s.ok()) return StopWrites(RocksError("write failed", s));
    Status ops = AddToOpenBlocks(std::move(records), seq);
    if (!ops.ok()) return ops;
    return SealIfDue(false);
  }

  Result<Trace> GetTrace(const TraceId& id, const TraceTimeHint& hint) override {
    auto traces = ReadTraces({id}, hint);
    if (!traces.ok()) return traces.status();
    if (traces->empty() || traces->front().spans.empty()) return NotFound("trace not found");
    return std::move(traces->front());
  }

  Result<std::vector<TraceId>> FindTraceIds(const TraceQuery& query) override {
    Snapshot snap = TakeSnapshot();
    std::unordered_map<TraceId, uint64_t, TraceIdHash> hits;  // trace -> latest matching start
    auto scan = [&](const std::vector<SpanRecord>& spans) {
      for (const SpanRecord& r : spans) {
        if (!SpanMatches(r, query)) continue;
        auto [it, inserted] = hits.try_emplace(r.span.trace_id, r.span.start_time_ns);
        if (!inserted) it->second = std::max(it->second, r.span.start_time_ns);
      }
    };
    for (const Chunk& c : snap.chunks) scan(*c);
    std::vector<std::pair<BlockKey, std::shared_ptr<const BlockIndex>>> candidates;
    for (auto& entry : snap.sealed) {
      if (entry.second->MayMatch(query)) candidates.push_back(entry);
    }
    std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
      return a.second->max_start_ns > b.second->max_start_ns;
    });
    size_t limit = query.limit == 0 ? SIZE_MAX : query.limit;
    for (const auto& [key, index] : candidates) {
      // Most recent first: once `limit` traces matched later than anything
      // this block holds, older blocks cannot change the answer.
      if (hits.size() >= limit && index->max_start_ns < KthLatest(hits, limit)) break;
      // With tags, the traces that may match are found from the block's
      // attribute columns and only they are decoded (unless the whole block
      // is cached anyway).
      if (!query.tags.empty()) {
        if (DecodedBlock cached = CachedBlock(key)) {
          scan(*cached);
          continue;
        }
        std::vector<SpanRecord> spans;
        Status st =
            ReadBlock(key, &spans, [&](std::string_view block, std::vector<SpanRecord>* out) {
              return DecodeBlockWithTags(block, query.tags, out);
            });
        if (!st.ok()) return st;
        scan(spans);
        continue;
      }
      auto block = LoadBlock(key);
      if (!block.ok()) return block.status();
      scan(**block);
    }
    std::vector<std::pair<uint64_t, TraceId>> ordered;
    ordered.reserve(hits.size());
    for (const auto& [id, start] : hits) ordered.emplace_back(start, id);
    std::sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) { return a > b; });
    if (ordered.size() > limit) ordered.resize(limit);
    std::vector<TraceId> out;
    out.reserve(ordered.size());
    for (const auto& [start, id] : ordered) out.push_back(id);
    return out;
  }

  Result<std::vector<Trace>> FindTraces(const TraceQuery& query) override {
    auto ids = FindTraceIds(query);
    if (!ids.ok()) return ids.status();
    return ReadTraces(*ids, {});
  }

  Result<std::vector<std::string>> GetServices() override {
    std::shared_lock lock(mu_);
    std::vector<std::string> out;
    for (const auto& [service, ops] : operations_) out.push_back(service);
    return out;
  }

  Result<std::vector<Operation>> GetOperations(const std::string& service, bool match_kind,
                                               SpanKind kind) override {
    std::shared_lock lock(mu_);
    std::vector<Operation> out;
    auto it = operations_.find(service);
    if (it == operations_.end()) return out;
    for (const auto& [op, op_kind] : it->second) {
      if (!match_kind || op_kind == kind) out.push_back(Operation{op, op_kind});
    }
    return out;
  }

  Result<std::vector<DependencyLink>> GetDependencies(uint64_t end_ns,
                                                      uint64_t lookback_ns) override {
    uint64_t begin_ns = end_ns > lookback_ns ? end_ns - lookback_ns : 0;
    Snapshot snap = TakeSnapshot();
    std::map<std::pair<std::string, std::string>, uint64_t> counts;
    for (const auto& [key, index] : snap.sealed) {
      if (index->max_start_ns < begin_ns || index->min_start_ns > end_ns) continue;
      for (const DependencyLink& l : index->dependencies)
        counts[{l.parent, l.child}] += l.call_count;
    }
    std::vector<SpanRecord> recent;
    for (const Chunk& c : snap.chunks) {
      for (const SpanRecord& r : *c) {
        if (r.span.start_time_ns >= begin_ns && r.span.start_time_ns <= end_ns) recent.push_back(r);
      }
    }
    for (const DependencyLink& l : ComputeDependencies(recent))
      counts[{l.parent, l.child}] += l.call_count;
    std::vector<DependencyLink> out;
    out.reserve(counts.size());
    for (const auto& [key, n] : counts) out.push_back({key.first, key.second, n});
    return out;
  }

  Status Close() override {
    if (db_ == nullptr) return Status::Ok();
    {
      std::lock_guard lock(background_mu_);
      stopping_ = true;
    }
    background_cv_.notify_all();
    if (background_.joinable()) background_.join();
    Status sealed = SealIfDue(true);
    // Write the memtables out, so that the next open has no RocksDB log to
    // replay and the directory holds no write-ahead entries that the seals
    // deleted.
    rocksdb::FlushOptions flush;
    flush.wait = true;
    std::vector<rocksdb::ColumnFamilyHandle*> families(std::begin(cf_), std::end(cf_));
    if (rocksdb::Status s = db_->Flush(flush, families); !s.ok() && sealed.ok())
      sealed = RocksError("flush failed", s);
    if (rocksdb::Status s = db_->FlushWAL(true); !s.ok() && sealed.ok())
      sealed = RocksError("flush failed", s);
    CompactWal();
    for (auto*& cf : cf_) {
      if (cf != nullptr) db_->DestroyColumnFamilyHandle(cf);
      cf = nullptr;
    }
    delete db_;
    db_ = nullptr;
    return sealed;
  }

 private:
  // Refuses writes when the disk is nearly full, or after a write failed.
  // RocksDB must not see a write fail: after a failed write, its next write
  // can abort the process (an assertion in Debian's build), so free space is
  // checked first, and after any failure writes stop until a restart.
  // `incoming_bytes`: what the caller is about to write.
  Status CheckWritable(uint64_t incoming_bytes = 0) {
    {
      std::lock_guard lock(write_error_mu_);
      if (!write_error_.ok()) return write_error_;
    }
    return CheckDiskSpace(options_.directory, incoming_bytes);
  }

  Status StopWrites(const Status& error) {
    std::lock_guard lock(write_error_mu_);
    if (write_error_.ok()) {
      write_error_ = Unavailable(error.message() + "; writes are stopped until spoor is restarted");
      LogError(write_error_.message());
    }
    return write_error_;
  }

  Status CheckFormat() {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_[kMeta], kFormatKey, &value);
    if (s.IsNotFound()) {
      rocksdb::WriteOptions sync;
      sync.sync = true;
      s = db_->Put(sync, cf_[kMeta], kFormatKey, kFormatValue);
      return s.ok() ? Status::Ok() : RocksError("cannot initialize the store", s);
    }
    if (!s.ok()) return RocksError("cannot read the format marker", s);
    if (value != kFormatValue) {
      return Internal("embedded store: '" + options_.directory +
                      "' holds data in an unknown format ('" + value + "')");
    }
    return Status::Ok();
  }

  Status LoadIndexes() {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_[kIndex]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (it->key().size() != 16) return Internal("embedded store: corrupt index key");
      auto index = BlockIndex::Parse(std::string_view(it->value().data(), it->value().size()));
      if (!index.ok())
        return Internal("embedded store: " + index.status().message() + " (directory " +
                        options_.directory + ")");
      BlockKey key = BlockKey::Decode(std::string_view(it->key().data(), it->key().size()));
      next_block_seq_ = std::max(next_block_seq_, key.seq + 1);
      sealed_.emplace(key, std::make_shared<const BlockIndex>(std::move(index).value()));
    }
    if (!it->status().ok()) return RocksError("cannot read the block indexes", it->status());
    return Status::Ok();
  }

  Status LoadOperations() {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_[kMeta]));
    std::string prefix(1, kOperationPrefix);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      std::string_view k(it->key().data() + 1, it->key().size() - 1);
      size_t zero = k.find('\0');
      if (zero == std::string_view::npos || zero + 1 >= k.size()) continue;
      int kind = k[zero + 1] - '0';
      if (kind < 0 || kind > 5) continue;
      operations_[std::string(k.substr(0, zero))].insert(
          {std::string(k.substr(zero + 2)), static_cast<SpanKind>(kind)});
    }
    return it->status().ok() ? Status::Ok()
                             : RocksError("cannot read the operations", it->status());
  }

  Status ReplayWal() {
    {
      std::unique_ptr<rocksdb::Iterator> m(db_->NewIterator(rocksdb::ReadOptions(), cf_[kMeta]));
      const std::string prefix(1, kSealedPartPrefix);
      for (m->Seek(prefix); m->Valid() && m->key().starts_with(prefix); m->Next()) {
        const std::string_view key(m->key().data() + 1, m->key().size() - 1);
        const std::string_view value(m->value().data(), m->value().size());
        if (key.size() != 8 || value.size() % 8 != 0) {
          return Internal("embedded store: corrupt partial-seal mark in '" + options_.directory +
                          "'");
        }
        std::vector<uint64_t>& buckets = sealed_parts_[GetBigEndian(key)];
        for (size_t i = 0; i < value.size(); i += 8)
          buckets.push_back(GetBigEndian(value.substr(i, 8)));
      }
      if (!m->status().ok()) return RocksError("cannot read the partial-seal marks", m->status());
    }
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_[kWal]));
    size_t entries = 0, spans = 0;
    std::vector<uint64_t> orphans;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      uint64_t seq = GetBigEndian(std::string_view(it->key().data(), it->key().size()));
      std::vector<SpanRecord> records;
      // Entries written by older versions are blocks.
      std::string_view entry(it->value().data(), it->value().size());
      Status s = !entry.empty() && static_cast<uint8_t>(entry[0]) == kWalEntryVersion
                     ? DecodeWalEntry(entry, &records)
                     : DecodeBlock(entry, &records);
      if (!s.ok())
        return Internal("embedded store: corrupt write-ahead entry " + std::to_string(seq) + ": " +
                        s.message());
      next_wal_seq_ = std::max(next_wal_seq_.load(), seq + 1);
      if (auto part = sealed_parts_.find(seq); part != sealed_parts_.end()) {
        const std::vector<uint64_t>& sealed = part->second;
        std::erase_if(records, [&](const SpanRecord& r) {
          const uint64_t bucket = r.span.start_time_ns / options_.bucket_ns;
          return std::find(sealed.begin(), sealed.end(), bucket) != sealed.end();
        });
        if (records.empty()) {
          orphans.push_back(seq);  // every span sealed: the entry is not needed
          continue;
        }
      }
      spans += records.size();
      ++entries;
      if (Status st = AddToOpenBlocks(std::move(records), seq); !st.ok()) return st;
    }
    if (!it->status().ok()) return RocksError("cannot read the write-ahead area", it->status());
    if (!orphans.empty()) {
      rocksdb::WriteBatch wb;
      DeleteWalEntries(orphans, &wb);
      if (rocksdb::Status s = db_->Write(write_options_, &wb); !s.ok()) {
        return RocksError("cannot trim the write-ahead area", s);
      }
      for (uint64_t seq : orphans) sealed_parts_.erase(seq);
    }
    if (entries > 0)
      LogInfo("embedded store: recovered ", spans, " spans from ", entries, " write-ahead entries");
    return Status::Ok();
  }

  // Appends records to the open block of their time bucket; records new
  // operations persistently.
  Status AddToOpenBlocks(std::vector<SpanRecord> records, uint64_t seq) {
    std::map<uint64_t, std::vector<SpanRecord>> by_bucket;
    const uint64_t first_bucket = records.front().span.start_time_ns / options_.bucket_ns;
    if (std::all_of(records.begin(), records.end(), [&](const SpanRecord& r) {
          return r.span.start_time_ns / options_.bucket_ns == first_bucket;
        })) {
      by_bucket.emplace(first_bucket, std::move(records));
    } else {
      for (SpanRecord& r : records)
        by_bucket[r.span.start_time_ns / options_.bucket_ns].push_back(std::move(r));
    }
    rocksdb::WriteBatch new_ops;
    uint64_t now = NowNs();
    {
      std::unique_lock lock(mu_);
      // Consecutive spans mostly share their resource: look its service up once.
      const Resource* ops_resource = nullptr;
      std::set<std::pair<std::string, SpanKind>>* ops = nullptr;
      for (auto& [bucket, spans] : by_bucket) {
        OpenBlock& block = open_[bucket];
        if (block.chunks.empty()) block.opened_ns = now;
        block.wal_seqs.push_back(seq);
        ++wal_refs_[seq];
        block.spans += spans.size();
        for (const SpanRecord& r : spans) {
          block.max_start_ns = std::max(block.max_start_ns, r.span.start_time_ns);
          if (r.resource.get() != ops_resource) {
            ops_resource = r.resource.get();
            ops = &operations_[std::string(r.resource->service_name)];
          }
          // Names are interned: a (service, name, kind) seen before is
          // found by address, without building strings.
          if (seen_ops_.Contains(r.resource->service_name, r.span.name, r.span.kind)) continue;
          std::pair<std::string, SpanKind> op(r.span.name, r.span.kind);
          if (!ops->contains(op)) {
            new_ops.Put(cf_[kMeta],
                        OperationKey(r.resource->service_name, r.span.name, r.span.kind), "");
            ops->insert(std::move(op));
          }
          if (seen_ops_.size() < kMaxSeenOps) {
            seen_ops_.Insert(r.resource->service_name, r.span.name, r.span.kind);
          }
        }
        block.chunks.push_back(std::make_shared<const std::vector<SpanRecord>>(std::move(spans)));
      }
    }
    if (new_ops.Count() > 0) {
      rocksdb::Status s = db_->Write(write_options_, &new_ops);
      if (!s.ok()) return StopWrites(RocksError("write failed", s));
    }
    return Status::Ok();
  }

  // Seals the open blocks that are full or old enough (all of them when
  // `all`). One sealing at a time.
  Status SealIfDue(bool all) {
    uint64_t now = NowNs();
    {
      std::shared_lock lock(mu_);
      bool due = false;
      for (const auto& [bucket, block] : open_) {
        if (all || block.spans >= options_.block_spans ||
            now - block.opened_ns >= options_.block_max_age_ns) {
          due = true;
          break;
        }
      }
      if (!due) return Status::Ok();
    }
    std::lock_guard seal_lock(seal_mu_);
    std::vector<std::pair<uint64_t, OpenBlock>> to_seal;
    {
      std::unique_lock lock(mu_);
      for (auto it = open_.begin(); it != open_.end();) {
        const OpenBlock& b = it->second;
        if (all || b.spans >= options_.block_spans ||
            now - b.opened_ns >= options_.block_max_age_ns) {
          sealing_.push_back(it->second.chunks);
          to_seal.emplace_back(it->first, std::move(it->second));
          it = open_.erase(it);
        } else {
          ++it;
        }
      }
    }
    // One atomic write: the new blocks, their indexes, and the deletion of
    // the write-ahead entries no open block needs any more.
    rocksdb::WriteBatch wb;
    std::vector<std::pair<BlockKey, BlockIndex>> sealed;
    for (auto& [bucket, block] : to_seal) {
      std::vector<const SpanRecord*> spans;
      spans.reserve(block.spans);
      for (const Chunk& c : block.chunks) {
        for (const SpanRecord& r : *c) spans.push_back(&r);
      }
      BlockKey key{bucket, next_block_seq_++};
      // The encoder's value dictionary spares the index hashing every
      // string value span by span.
      std::vector<std::string_view> values;
      std::string encoded = EncodeBlock(spans, {}, &values);
      BlockIndex index = BlockIndex::Build(spans, &values);
      wb.Put(cf_[kBlocks], key.Encode(), encoded);
      wb.Put(cf_[kIndex], key.Encode(), index.Serialize());
      sealed.emplace_back(key, std::move(index));
    }
    // The write-ahead entries all of whose spans are in the blocks sealed,
    // and the partial-seal marks to write (applied once the write is done).
    std::vector<uint64_t> released;
    std::unordered_map<uint64_t, std::vector<uint64_t>> new_parts;
    {
      std::unique_lock lock(mu_);
      for (auto& [bucket, block] : to_seal) ReleaseWal(block, &released);
      // Entries still held by another open block: remember that these
      // buckets' spans of them are sealed, so that a replay skips them.
      for (auto& [bucket, block] : to_seal) {
        for (uint64_t seq : block.wal_seqs) {
          if (!wal_refs_.contains(seq)) continue;
          auto [it, fresh] = new_parts.try_emplace(seq);
          if (fresh) {
            auto old = sealed_parts_.find(seq);
            if (old != sealed_parts_.end()) it->second = old->second;
          }
          if (std::find(it->second.begin(), it->second.end(), bucket) == it->second.end()) {
            it->second.push_back(bucket);
          }
        }
      }
      for (const auto& [seq, buckets] : new_parts) {
        std::string value;
        for (uint64_t b : buckets) PutBigEndian(value, b);
        wb.Put(cf_[kMeta], SealedPartKey(seq), value);
      }
      DeleteWalEntries(released, &wb);
    }
    rocksdb::Status s = CheckWritable(wb.GetDataSize()).ok()
                            ? db_->Write(write_options_, &wb)
                            : rocksdb::Status::NoSpace("disk nearly full");
    if (!s.ok() && !s.IsNoSpace()) (void)StopWrites(RocksError("sealing a block failed", s));
    std::unique_lock lock(mu_);
    sealing_.clear();
    if (!s.ok()) {
      // Keep the spans readable and their write-ahead entries: put the
      // blocks back so that a later seal retries.
      for (auto& [bucket, block] : to_seal) {
        OpenBlock& back = open_[bucket];
        back.chunks.insert(back.chunks.end(), block.chunks.begin(), block.chunks.end());
        back.spans += block.spans;
        back.wal_seqs.insert(back.wal_seqs.end(), block.wal_seqs.begin(), block.wal_seqs.end());
        for (uint64_t seq : block.wal_seqs) ++wal_refs_[seq];
        back.max_start_ns = std::max(back.max_start_ns, block.max_start_ns);
        back.opened_ns = now;
      }
      return RocksError("sealing a block failed", s);
    }
    for (auto& [key, index] : sealed)
      sealed_.emplace(key, std::make_shared<const BlockIndex>(std::move(index)));
    for (uint64_t seq : released) sealed_parts_.erase(seq);
    for (auto& [seq, buckets] : new_parts) {
      if (wal_refs_.contains(seq)) sealed_parts_[seq] = std::move(buckets);
    }
    return Status::Ok();
  }

  // Write-ahead entries deleted after their memtable was flushed stay in the
  // family's files until a compaction drops them; this one is small (the
  // live entries are those of the open blocks).
  void CompactWal() {
    rocksdb::CompactRangeOptions options;
    options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    (void)db_->CompactRange(options, cf_[kWal], nullptr, nullptr);
  }

  // Drops `block`'s references to its write-ahead entries and appends to
  // `released` those no other open block refers to. Requires mu_.
  void ReleaseWal(const OpenBlock& block, std::vector<uint64_t>* released) {
    for (uint64_t seq : block.wal_seqs) {
      auto it = wal_refs_.find(seq);
      if (it == wal_refs_.end()) continue;
      if (--it->second == 0) {
        wal_refs_.erase(it);
        released->push_back(seq);
      }
    }
  }

  // Deletes the write-ahead entries `seqs` in `wb`, one range per run of
  // consecutive sequence numbers, and their partial-seal marks (the caller
  // erases them from sealed_parts_ once `wb` is written). Requires mu_.
  void DeleteWalEntries(std::vector<uint64_t> seqs, rocksdb::WriteBatch* wb) {
    std::sort(seqs.begin(), seqs.end());
    seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
    for (uint64_t seq : seqs) {
      if (sealed_parts_.contains(seq)) wb->Delete(cf_[kMeta], SealedPartKey(seq));
    }
    for (size_t i = 0; i < seqs.size();) {
      size_t j = i + 1;
      while (j < seqs.size() && seqs[j] == seqs[j - 1] + 1) ++j;
      if (j - i == 1) {
        wb->Delete(cf_[kWal], WalKey(seqs[i]));
      } else {
        wb->DeleteRange(cf_[kWal], WalKey(seqs[i]), WalKey(seqs[j - 1] + 1));
      }
      i = j;
    }
  }

  Snapshot TakeSnapshot() const {
    Snapshot snap;
    std::shared_lock lock(mu_);
    for (const auto& [bucket, block] : open_)
      snap.chunks.insert(snap.chunks.end(), block.chunks.begin(), block.chunks.end());
    for (const auto& chunks : sealing_)
      snap.chunks.insert(snap.chunks.end(), chunks.begin(), chunks.end());
    snap.sealed.assign(sealed_.begin(), sealed_.end());
    return snap;
  }

  static uint64_t KthLatest(const std::unordered_map<TraceId, uint64_t, TraceIdHash>& hits,
                            size_t k) {
    std::vector<uint64_t> starts;
    starts.reserve(hits.size());
    for (const auto& [id, start] : hits) starts.push_back(start);
    std::nth_element(starts.begin(), starts.begin() + static_cast<ptrdiff_t>(k - 1), starts.end(),
                     std::greater<>());
    return starts[k - 1];
  }

  // A whole block, decoded, through the cache (decoded_block_cache.h).
  Result<DecodedBlock> LoadBlock(const BlockKey& key) {
    std::string k = key.Encode();
    if (DecodedBlock cached = cache_.Get(k)) return cached;
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_[kBlocks], k, &value);
    if (!s.ok()) return RocksError("cannot read a block", s);
    auto spans = std::make_shared<std::vector<SpanRecord>>();
    if (Status st = DecodeBlock(std::string_view(value.data(), value.size()), spans.get());
        !st.ok()) {
      return Internal("embedded store: corrupt block: " + st.message());
    }
    value.Reset();
    cache_.Add(std::move(k), spans);
    return DecodedBlock(spans);
  }

  // Every span of the given traces, one Trace per ID (empty when absent).
  Result<std::vector<Trace>> ReadTraces(const std::vector<TraceId>& ids,
                                        const TraceTimeHint& hint) {
    Snapshot snap = TakeSnapshot();
    std::unordered_map<TraceId, size_t, TraceIdHash> slot;
    std::vector<Trace> out;
    for (const TraceId& id : ids) {
      if (slot.try_emplace(id, out.size()).second) out.push_back(Trace{id, {}});
    }
    auto take = [&](const std::vector<SpanRecord>& spans) {
      for (const SpanRecord& r : spans) {
        auto it = slot.find(r.span.trace_id);
        if (it != slot.end()) out[it->second].spans.push_back(r);
      }
    };
    for (const Chunk& c : snap.chunks) take(*c);
    for (const auto& [key, index] : snap.sealed) {
      if (hint.start_ns != 0 && index->max_start_ns < hint.start_ns) continue;
      if (hint.end_ns != 0 && index->min_start_ns > hint.end_ns) continue;
      std::vector<TraceId> wanted;
      for (const TraceId& id : ids) {
        if (index->HasTrace(id)) wanted.push_back(id);
      }
      if (wanted.empty()) continue;
      DecodedBlock cached = CachedBlock(key);
      if (cached) {
        take(*cached);
        continue;
      }
      std::vector<SpanRecord> spans;
      Status st = ReadBlock(key, &spans, [&](std::string_view block, std::vector<SpanRecord>* out) {
        return DecodeBlockTraces(block, wanted, out);
      });
      if (!st.ok()) return st;
      take(spans);
    }
    return out;
  }

  // Reads the block `key` and decodes (part of) it with `decode` into
  // `*out`. A block that expired meanwhile gives nothing.
  template <typename Decode>
  Status ReadBlock(const BlockKey& key, std::vector<SpanRecord>* out, Decode decode) {
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_[kBlocks], key.Encode(), &value);
    if (s.IsNotFound()) return Status::Ok();
    if (!s.ok()) return RocksError("cannot read a block", s);
    if (Status st = decode(std::string_view(value.data(), value.size()), out); !st.ok()) {
      return Internal("embedded store: corrupt block: " + st.message());
    }
    return Status::Ok();
  }

  DecodedBlock CachedBlock(const BlockKey& key) { return cache_.Get(key.Encode(), false); }

  void BackgroundLoop() {
    uint64_t last_retention = 0;
    std::unique_lock lock(background_mu_);
    while (!stopping_) {
      background_cv_.wait_for(lock, std::chrono::seconds(1));
      if (stopping_) break;
      lock.unlock();
      if (Status s = SealIfDue(false); !s.ok()) LogError(s.message());
      uint64_t now = NowNs();
      if (options_.span_ttl_ns != 0 && now - last_retention >= options_.retention_interval_ns) {
        last_retention = now;
        if (Status s = ExpireOldBuckets(now); !s.ok()) LogError(s.message());
      }
      lock.lock();
    }
  }

 public:
  // Drops every time bucket that ended more than the TTL ago: a range
  // delete per column family, never key by key.
  Status ExpireOldBuckets(uint64_t now_ns) {
    if (options_.span_ttl_ns == 0 || now_ns < options_.span_ttl_ns) return Status::Ok();
    uint64_t cutoff_bucket =
        (now_ns - options_.span_ttl_ns) / options_.bucket_ns;  // buckets below end before cutoff
    std::lock_guard seal_lock(seal_mu_);
    size_t dropped_blocks = 0;
    std::vector<uint64_t> released;  // write-ahead entries of expired open blocks
    {
      std::unique_lock lock(mu_);
      for (auto it = sealed_.begin(); it != sealed_.end() && it->first.bucket < cutoff_bucket;) {
        it = sealed_.erase(it);
        ++dropped_blocks;
      }
      for (auto it = open_.begin(); it != open_.end() && it->first < cutoff_bucket;) {
        ReleaseWal(it->second, &released);
        it = open_.erase(it);
      }
    }
    cache_.RemoveIf(
        [&](const std::string& k) { return BlockKey::Decode(k).bucket < cutoff_bucket; });
    std::string begin = BlockKey{0, 0}.Encode(), end = BlockKey{cutoff_bucket, 0}.Encode();
    for (Family f : {kBlocks, kIndex}) {
      rocksdb::Status s = db_->DeleteRange(write_options_, cf_[f], begin, end);
      if (!s.ok()) return RocksError("expiring old data failed", s);
    }
    if (dropped_blocks > 0) {
      rocksdb::Slice b(begin), e(end);
      (void)db_->CompactRange(rocksdb::CompactRangeOptions(), cf_[kBlocks], &b, &e);
      LogInfo("embedded store: expired ", dropped_blocks,
              " blocks older than the retention period");
    }
    CompactWal();
    if (released.empty()) return Status::Ok();
    if (Status w = CheckWritable(); !w.ok()) return w;
    rocksdb::WriteBatch wb;
    {
      std::unique_lock lock(mu_);
      DeleteWalEntries(released, &wb);
    }
    rocksdb::Status s = db_->Write(write_options_, &wb);
    if (!s.ok()) return StopWrites(RocksError("trimming the write-ahead area failed", s));
    std::unique_lock lock(mu_);
    for (uint64_t seq : released) sealed_parts_.erase(seq);
    return Status::Ok();
  }

 private:
  const EmbeddedStoreOptions options_;
  rocksdb::DB* db_ = nullptr;
  rocksdb::ColumnFamilyHandle* cf_[kFamilies] = {};
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
};

}  // namespace

Result<std::unique_ptr<Storage>> OpenEmbeddedStore(const EmbeddedStoreOptions& options) {
  auto store = std::make_unique<EmbeddedStore>(options);
  if (Status s = store->Open(); !s.ok()) return s;
  return std::unique_ptr<Storage>(std::move(store));
}

}  // namespace spoor
