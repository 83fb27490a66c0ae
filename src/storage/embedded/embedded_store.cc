#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "common/log.h"
#include "common/time_format.h"
#include "storage/embedded/block_codec.h"
#include "storage/embedded/block_index.h"
#include "storage/embedded/decoded_block_cache.h"
#include "storage/embedded/disk_space.h"
#include "storage/embedded/embedded_store_impl.h"
#include "storage/embedded/store_keys.h"
#include "storage/embedded/wal_codec.h"
#include "storage/interned_op_set.h"

namespace spoor::embedded_internal {

using namespace embedded_keys;  // NOLINT(google-build-using-namespace): the store's own keys

Status RocksError(const char* what, const rocksdb::Status& s) {
  if (s.IsNoSpace() || s.IsIOError()) {
    return Unavailable(std::string("embedded store: ") + what + ": " + s.ToString());
  }
  return Internal(std::string("embedded store: ") + what + ": " + s.ToString());
}

Status EmbeddedStore::Open() {
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
    cf.compression = f == kIndex || f == kMeta || f == kMetrics ? rocksdb::kLZ4Compression
                                                                : rocksdb::kNoCompression;
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
  span_metrics_ = std::make_unique<EmbeddedSpanMetrics>(
      db_, cf_[kMetrics], write_options_, [this] { return CheckWritable(); },
      [this](const Status& error) { return StopWrites(error); });
  background_ = std::thread([this] { BackgroundLoop(); });
  return Status::Ok();
}

Status EmbeddedStore::Write(SpanBatch batch) {
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

Status EmbeddedStore::Close() {
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

Status EmbeddedStore::CheckWritable(uint64_t incoming_bytes) {
  {
    std::lock_guard lock(write_error_mu_);
    if (!write_error_.ok()) return write_error_;
  }
  return CheckDiskSpace(options_.directory, incoming_bytes);
}

Status EmbeddedStore::StopWrites(const Status& error) {
  std::lock_guard lock(write_error_mu_);
  if (write_error_.ok()) {
    write_error_ = Unavailable(error.message() + "; writes are stopped until spoor is restarted");
    LogError(write_error_.message());
  }
  return write_error_;
}

Status EmbeddedStore::CheckFormat() {
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

Status EmbeddedStore::LoadIndexes() {
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

Status EmbeddedStore::LoadOperations() {
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
  return it->status().ok() ? Status::Ok() : RocksError("cannot read the operations", it->status());
}

Status EmbeddedStore::ReplayWal() {
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
      std::vector<uint64_t>& buckets = sealed_parts_[GetBigEndian64(key)];
      for (size_t i = 0; i < value.size(); i += 8)
        buckets.push_back(GetBigEndian64(value.substr(i, 8)));
    }
    if (!m->status().ok()) return RocksError("cannot read the partial-seal marks", m->status());
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_[kWal]));
  size_t entries = 0, spans = 0;
  std::vector<uint64_t> orphans;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t seq = GetBigEndian64(std::string_view(it->key().data(), it->key().size()));
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

Status EmbeddedStore::AddToOpenBlocks(std::vector<SpanRecord> records, uint64_t seq) {
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
          new_ops.Put(cf_[kMeta], OperationKey(r.resource->service_name, r.span.name, r.span.kind),
                      "");
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

Status EmbeddedStore::SealIfDue(bool all) {
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
      for (uint64_t b : buckets) PutBigEndian64(value, b);
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

void EmbeddedStore::CompactWal() {
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  (void)db_->CompactRange(options, cf_[kWal], nullptr, nullptr);
}

void EmbeddedStore::ReleaseWal(const OpenBlock& block, std::vector<uint64_t>* released) {
  for (uint64_t seq : block.wal_seqs) {
    auto it = wal_refs_.find(seq);
    if (it == wal_refs_.end()) continue;
    if (--it->second == 0) {
      wal_refs_.erase(it);
      released->push_back(seq);
    }
  }
}

void EmbeddedStore::DeleteWalEntries(std::vector<uint64_t> seqs, rocksdb::WriteBatch* wb) {
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

void EmbeddedStore::BackgroundLoop() {
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

Status EmbeddedStore::ExpireOldBuckets(uint64_t now_ns) {
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
  cache_.RemoveIf([&](const std::string& k) { return BlockKey::Decode(k).bucket < cutoff_bucket; });
  std::string begin = BlockKey{0, 0}.Encode(), end = BlockKey{cutoff_bucket, 0}.Encode();
  for (Family f : {kBlocks, kIndex}) {
    rocksdb::Status s = db_->DeleteRange(write_options_, cf_[f], begin, end);
    if (!s.ok()) return RocksError("expiring old data failed", s);
  }
  if (dropped_blocks > 0) {
    rocksdb::Slice b(begin), e(end);
    (void)db_->CompactRange(rocksdb::CompactRangeOptions(), cf_[kBlocks], &b, &e);
    LogInfo("embedded store: expired ", dropped_blocks, " blocks older than the retention period");
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

}  // namespace spoor::embedded_internal

namespace spoor {

Result<std::unique_ptr<Storage>> OpenEmbeddedStore(const EmbeddedStoreOptions& options) {
  auto store = std::make_unique<embedded_internal::EmbeddedStore>(options);
  if (Status s = store->Open(); !s.ok()) return s;
  return std::unique_ptr<Storage>(std::move(store));
}

}  // namespace spoor
