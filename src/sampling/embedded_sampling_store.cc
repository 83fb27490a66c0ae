#include "sampling/embedded_sampling_store.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <bit>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "sampling/sampling_codec.h"

namespace spoor {
namespace {

using sampling_codec::DecodeLease;
using sampling_codec::DecodeProbabilities;
using sampling_codec::DecodeThroughput;
using sampling_codec::EncodeLease;
using sampling_codec::EncodeProbabilities;
using sampling_codec::EncodeThroughput;
using sampling_codec::Lease;

constexpr char kFormatKey[] = "format";
constexpr char kFormatValue[] = "spoor-sampling-1";
constexpr char kLatestKey[] = "latest";

// Column families: see docs/storage-embedded.md ("Sampling store").
enum Family { kDefault = 0, kMeta, kThroughput, kProbabilities, kLeases, kFamilies };
const char* const kFamilyNames[kFamilies] = {"default", "meta", "throughput", "probabilities",
                                             "leases"};

std::string BucketKey(uint64_t bucket_start_ns) {
  std::string k;
  for (int i = 7; i >= 0; --i) k.push_back(static_cast<char>(bucket_start_ns >> (8 * i)));
  return k;
}

uint64_t ParseBucketKey(std::string_view k) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(k[i]);
  return v;
}

// --- Store -------------------------------------------------------------------------

std::string_view View(const rocksdb::Slice& s) {
  return {s.data(), s.size()};
}

Status RocksError(const std::string& what, const rocksdb::Status& s) {
  std::string message = "sampling store: " + what + ": " + s.ToString();
  if (s.IsNoSpace() || s.IsIOError()) return Unavailable(std::move(message));
  return Internal(std::move(message));
}

class EmbeddedSamplingStore final : public SamplingStore {
 public:
  EmbeddedSamplingStore(std::string directory, bool sync_writes)
      : directory_(std::move(directory)) {
    write_options_.sync = sync_writes;
  }

  ~EmbeddedSamplingStore() override {
    if (db_ == nullptr) return;
    for (rocksdb::ColumnFamilyHandle* cf : cf_) {
      if (cf != nullptr) (void)db_->DestroyColumnFamilyHandle(cf);
    }
    delete db_;
  }

  EmbeddedSamplingStore(const EmbeddedSamplingStore&) = delete;
  EmbeddedSamplingStore& operator=(const EmbeddedSamplingStore&) = delete;

  Status Open() {
    std::error_code ec;
    std::filesystem::create_directories(directory_, ec);
    if (ec) {
      return Unavailable("sampling store: cannot create directory '" + directory_ +
                         "': " + ec.message());
    }
    rocksdb::DBOptions db_options;
    db_options.create_if_missing = true;
    db_options.create_missing_column_families = true;
    db_options.max_background_jobs = 1;
    db_options.keep_log_file_num = 3;
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name : kFamilyNames) {
      rocksdb::ColumnFamilyOptions cf;
      cf.write_buffer_size = 4u << 20;  // the data is small
      families.emplace_back(name, cf);
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::Status s = rocksdb::DB::Open(db_options, directory_, families, &handles, &db_);
    if (!s.ok()) return RocksError("cannot open '" + directory_ + "'", s);
    for (size_t f = 0; f < kFamilies; ++f) cf_[f] = handles[f];
    return CheckFormat();
  }

  Status InsertThroughput(const std::string& collector, uint64_t bucket_start_ns,
                          const std::vector<Throughput>& throughput) override {
    if (collector.empty()) return InvalidArgument("sampling store: empty collector name");
    rocksdb::Status s =
        db_->Put(write_options_, cf_[kThroughput], BucketKey(bucket_start_ns) + collector,
                 EncodeThroughput(throughput));
    return s.ok() ? Status::Ok() : RocksError("cannot store throughput", s);
  }

  Result<std::vector<ThroughputReport>> GetThroughput(uint64_t start_ns, uint64_t end_ns) override {
    std::vector<ThroughputReport> out;
    if (start_ns >= end_ns) return out;
    std::string upper = BucketKey(end_ns);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions read_options;
    read_options.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, cf_[kThroughput]));
    for (it->Seek(BucketKey(start_ns)); it->Valid(); it->Next()) {
      std::string_view key = View(it->key());
      if (key.size() <= 8) return Internal("sampling store: corrupt throughput key");
      ThroughputReport report{ParseBucketKey(key), std::string(key.substr(8)), {}};
      if (!DecodeThroughput(View(it->value()), &report.throughput)) {
        return Internal("sampling store: corrupt throughput of collector '" + report.collector +
                        "' for bucket " + std::to_string(report.bucket_start_ns));
      }
      out.push_back(std::move(report));
    }
    if (!it->status().ok()) return RocksError("cannot read throughput", it->status());
    return out;
  }

  Status InsertProbabilitiesAndQps(const CalculatedProbabilities& latest) override {
    rocksdb::Status s =
        db_->Put(write_options_, cf_[kProbabilities], kLatestKey, EncodeProbabilities(latest));
    return s.ok() ? Status::Ok() : RocksError("cannot store probabilities", s);
  }

  Result<CalculatedProbabilities> GetLatestProbabilities() override {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_[kProbabilities], kLatestKey, &value);
    if (s.IsNotFound()) return CalculatedProbabilities{};
    if (!s.ok()) return RocksError("cannot read probabilities", s);
    CalculatedProbabilities latest;
    if (!DecodeProbabilities(value, &latest))
      return Internal("sampling store: corrupt probabilities");
    return latest;
  }

  Result<bool> AcquireLease(const std::string& name, const std::string& holder, uint64_t ttl_ns,
                            uint64_t now_ns) override {
    if (name.empty() || holder.empty()) {
      return InvalidArgument("sampling store: empty lease name or holder");
    }
    if (ttl_ns == 0) return InvalidArgument("sampling store: lease ttl must be positive");
    std::lock_guard lock(lease_mu_);
    auto current = ReadLease(name);
    if (!current.ok()) return current.status();
    if (current->has_value() && (*current)->holder != holder && now_ns < (*current)->expires_ns) {
      return false;
    }
    uint64_t expires_ns = ttl_ns > std::numeric_limits<uint64_t>::max() - now_ns
                              ? std::numeric_limits<uint64_t>::max()
                              : now_ns + ttl_ns;
    rocksdb::Status s =
        db_->Put(write_options_, cf_[kLeases], name, EncodeLease(Lease{holder, expires_ns}));
    if (!s.ok()) return RocksError("cannot store lease '" + name + "'", s);
    return true;
  }

  Result<bool> ReleaseLease(const std::string& name, const std::string& holder) override {
    std::lock_guard lock(lease_mu_);
    auto current = ReadLease(name);
    if (!current.ok()) return current.status();
    if (!current->has_value() || (*current)->holder != holder) return false;
    rocksdb::Status s = db_->Delete(write_options_, cf_[kLeases], name);
    if (!s.ok()) return RocksError("cannot release lease '" + name + "'", s);
    return true;
  }

  Result<std::string> LeaseHolder(const std::string& name, uint64_t now_ns) override {
    auto current = ReadLease(name);
    if (!current.ok()) return current.status();
    if (!current->has_value() || now_ns >= (*current)->expires_ns) return std::string();
    return std::move((*current)->holder);
  }

  Status ExpireBefore(uint64_t cutoff_ns) override {
    if (cutoff_ns == 0) return Status::Ok();
    rocksdb::Status s =
        db_->DeleteRange(write_options_, cf_[kThroughput], BucketKey(0), BucketKey(cutoff_ns));
    return s.ok() ? Status::Ok() : RocksError("cannot expire throughput", s);
  }

 private:
  Status CheckFormat() {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_[kMeta], kFormatKey, &value);
    if (s.IsNotFound()) {
      rocksdb::WriteOptions sync;
      sync.sync = true;
      s = db_->Put(sync, cf_[kMeta], kFormatKey, kFormatValue);
      return s.ok() ? Status::Ok() : RocksError("cannot initialize '" + directory_ + "'", s);
    }
    if (!s.ok()) return RocksError("cannot read the format marker", s);
    if (value != kFormatValue) {
      return Internal("sampling store: '" + directory_ + "' holds data in an unknown format ('" +
                      value + "')");
    }
    return Status::Ok();
  }

  // nullopt when no lease of that name is stored.
  Result<std::optional<Lease>> ReadLease(const std::string& name) {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_[kLeases], name, &value);
    if (s.IsNotFound()) return std::optional<Lease>();
    if (!s.ok()) return RocksError("cannot read lease '" + name + "'", s);
    Lease lease;
    if (!DecodeLease(value, &lease))
      return Internal("sampling store: corrupt lease '" + name + "'");
    return std::optional<Lease>(std::move(lease));
  }

  std::string directory_;
  rocksdb::WriteOptions write_options_;
  rocksdb::DB* db_ = nullptr;
  rocksdb::ColumnFamilyHandle* cf_[kFamilies] = {};
  std::mutex lease_mu_;  // serializes the read-modify-write of leases
};

}  // namespace

Result<std::unique_ptr<SamplingStore>> OpenEmbeddedSamplingStore(const std::string& directory,
                                                                 bool sync_writes) {
  auto store = std::make_unique<EmbeddedSamplingStore>(directory, sync_writes);
  if (Status s = store->Open(); !s.ok()) return s;
  return std::unique_ptr<SamplingStore>(std::move(store));
}

}  // namespace spoor
