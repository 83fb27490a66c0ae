// Which partitions of the stream this ingester reads, when a partition must
// be read by one ingester at a time (tail sampling needs every span of a
// trace in one process; partitions.h).
//
// Ownership is kept in leases in a NATS key-value bucket
// (`<stream>-partitions`, nats_leases.h), renewed every lease / 3:
//  - each ingester holds one membership slot (`slot-<i>`, the lowest free
//    one; at most one slot per partition, so ingesters beyond the number of
//    partitions wait as standbys);
//  - the live ingesters, ordered by slot, share the partitions round-robin:
//    the one of rank r among M wants partition p when p % M == r;
//  - an ingester reads partition p only while it holds the lease
//    `partition-<p>`: it releases the partitions it no longer wants (once
//    the read in progress, a fetch and its hand-over, has ended: no two
//    ingesters ever read a partition at once), and takes those it wants
//    once free. A stopped ingester releases what it
//    holds; one that dies loses it when its leases expire, and the others
//    take its partitions over within a lease and a renewal.
// An ingester that cannot renew (NATS unreachable) stops reading a
// partition when its lease would have expired.
//
// Threading: Start()/Stop() from one thread; Owns() from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "buffer/nats/nats_leases.h"

namespace spoor {

class PartitionOwner {
 public:
  // `leases` must outlive the owner; `holder` names this ingester (unique).
  PartitionOwner(NatsLeases& leases, std::string holder, uint32_t partitions, uint64_t lease_ns);
  ~PartitionOwner();
  PartitionOwner(const PartitionOwner&) = delete;
  PartitionOwner& operator=(const PartitionOwner&) = delete;

  void Start();
  // Stops renewing and releases the slot and the partitions held.
  void Stop();

  // One round of renewing, releasing and taking (what the thread runs
  // every lease / 3); public for tests.
  void Tick(uint64_t now_ns);

  [[nodiscard]] bool Owns(uint32_t partition) const {
    return partition < partitions_ && owned_[partition].load();
  }
  // A reader of `partition` calls BeginRead before fetching and, when it
  // returned true, EndRead once what it fetched was handed on. False: not
  // ours (now), do not read.
  [[nodiscard]] bool BeginRead(uint32_t partition);
  void EndRead(uint32_t partition) { busy_[partition].store(false); }
  [[nodiscard]] uint32_t owned_count() const;
  [[nodiscard]] uint32_t partitions() const { return partitions_; }

 private:
  void Run();
  void Take(uint32_t p, uint64_t now_ns);
  // Stops reading p; its lease is released once no read is in progress.
  void Drop(uint32_t p);
  // Releases the dropped partitions no longer read (renewing the others).
  void FinishReleases(uint64_t now_ns);

  NatsLeases& leases_;
  const std::string holder_;
  const uint32_t partitions_;
  const uint64_t lease_ns_;
  std::unique_ptr<std::atomic<bool>[]> owned_;
  std::unique_ptr<std::atomic<bool>[]> busy_;  // a read of the partition is in progress
  std::unique_ptr<bool[]> releasing_;          // dropped, lease not yet released
  std::unique_ptr<uint64_t[]> renewed_ns_;     // when each owned lease was last taken or renewed
  int slot_ = -1;                              // membership slot held; -1: none
  uint64_t slot_renewed_ns_ = 0;

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace spoor
