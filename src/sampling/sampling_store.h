// The sampling store contract: what adaptive sampling shares between
// collectors. Each collector stores the throughput it counted per
// aggregation bucket; the leader (the holder of a lease in this store) reads
// every collector's throughput, computes probabilities and stores them; every
// collector reads the latest probabilities back. Implementations:
// memory_sampling_store.h (one process) and embedded_sampling_store.h
// (RocksDB, survives restarts).
//
// Threading: every method may be called concurrently from any thread.
// Time: all times are nanoseconds since the Unix epoch, passed in by the
// caller (the store never reads a clock).
// Errors: InvalidArgument for malformed input, Internal for corrupt stored
// data, Unavailable or Internal for storage failures.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace spoor {

// What one collector saw of one operation during one aggregation bucket.
struct Throughput {
  std::string service;
  std::string operation;
  uint64_t count = 0;                 // sampled root spans seen
  std::vector<double> probabilities;  // the distinct probabilities they were sampled with
  bool operator==(const Throughput&) const = default;
};

// One collector's report for one bucket, as GetThroughput returns it.
struct ThroughputReport {
  uint64_t bucket_start_ns = 0;
  std::string collector;
  std::vector<Throughput> throughput;  // in the order inserted
  bool operator==(const ThroughputReport&) const = default;
};

// service -> operation -> value.
using ServiceOperationProbabilities = std::map<std::string, std::map<std::string, double>>;
using ServiceOperationQps = std::map<std::string, std::map<std::string, double>>;

// One calculation by the leader.
struct CalculatedProbabilities {
  std::string host;            // the leader that calculated them
  uint64_t calculated_ns = 0;  // when
  ServiceOperationProbabilities probabilities;
  ServiceOperationQps qps;  // the observed sampled traces per second they are based on
  bool operator==(const CalculatedProbabilities&) const = default;
};

class SamplingStore {
 public:
  virtual ~SamplingStore() = default;

  // Stores `collector`'s counts for the bucket starting at bucket_start_ns.
  // A later insert by the same collector for the same bucket replaces the
  // earlier one (a retry is harmless); other collectors' reports are kept
  // apart. An empty list is stored as an empty report. InvalidArgument when
  // collector is empty.
  [[nodiscard]] virtual Status InsertThroughput(const std::string& collector,
                                                uint64_t bucket_start_ns,
                                                const std::vector<Throughput>& throughput) = 0;

  // Every collector's reports for buckets starting in [start_ns, end_ns),
  // ordered by bucket start, then by collector (bytewise). Empty when
  // start_ns >= end_ns.
  [[nodiscard]] virtual Result<std::vector<ThroughputReport>> GetThroughput(uint64_t start_ns,
                                                                            uint64_t end_ns) = 0;

  // Replaces the latest calculation (last write wins, whatever its
  // calculated_ns).
  [[nodiscard]] virtual Status InsertProbabilitiesAndQps(const CalculatedProbabilities& latest) = 0;

  // The latest calculation; a default CalculatedProbabilities (empty host
  // and maps) before the first insert.
  [[nodiscard]] virtual Result<CalculatedProbabilities> GetLatestProbabilities() = 0;

  // Leader election. A lease named `name` is held by one holder while
  // now_ns < its expiry. AcquireLease returns true when `holder` holds the
  // lease until now_ns + ttl_ns (saturating) afterwards: the lease was free,
  // had expired, or was already `holder`'s (extended, or shortened, to
  // now_ns + ttl_ns). It returns false, changing nothing, while another
  // holder's lease has not expired. InvalidArgument when name or holder is
  // empty or ttl_ns is 0.
  [[nodiscard]] virtual Result<bool> AcquireLease(const std::string& name,
                                                  const std::string& holder, uint64_t ttl_ns,
                                                  uint64_t now_ns) = 0;

  // Frees the lease when `holder` was the last to acquire it (expired or
  // not) and returns true; returns false, changing nothing, otherwise.
  [[nodiscard]] virtual Result<bool> ReleaseLease(const std::string& name,
                                                  const std::string& holder) = 0;

  // The holder of the lease at now_ns; "" when free or expired.
  [[nodiscard]] virtual Result<std::string> LeaseHolder(const std::string& name,
                                                        uint64_t now_ns) = 0;

  // Retention: drops the throughput of buckets starting before cutoff_ns.
  // Probabilities and leases are kept.
  [[nodiscard]] virtual Status ExpireBefore(uint64_t cutoff_ns) = 0;
};

}  // namespace spoor
