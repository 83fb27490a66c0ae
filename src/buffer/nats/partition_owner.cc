#include "buffer/nats/partition_owner.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "common/log.h"
#include "common/time_format.h"

namespace spoor {
namespace {

std::string SlotName(int slot) {
  return "slot-" + std::to_string(slot);
}
std::string PartitionName(uint32_t p) {
  return "partition-" + std::to_string(p);
}

}  // namespace

PartitionOwner::PartitionOwner(NatsLeases& leases, std::string holder, uint32_t partitions,
                               uint64_t lease_ns)
    : leases_(leases),
      holder_(std::move(holder)),
      partitions_(std::max<uint32_t>(partitions, 1)),
      lease_ns_(std::max<uint64_t>(lease_ns, 3)),
      owned_(new std::atomic<bool>[partitions_]),
      busy_(new std::atomic<bool>[partitions_]),
      releasing_(new bool[partitions_]),
      renewed_ns_(new uint64_t[partitions_]) {
  for (uint32_t p = 0; p < partitions_; ++p) {
    owned_[p] = false;
    busy_[p] = false;
    releasing_[p] = false;
    renewed_ns_[p] = 0;
  }
}

bool PartitionOwner::BeginRead(uint32_t partition) {
  if (partition >= partitions_) return false;
  // Sequentially consistent with Drop(): either the reader sees the
  // partition dropped, or the release waits for this read.
  busy_[partition].store(true);
  if (owned_[partition].load()) return true;
  busy_[partition].store(false);
  return false;
}

PartitionOwner::~PartitionOwner() {
  Stop();
}

void PartitionOwner::Start() {
  thread_ = std::thread([this] { Run(); });
}

void PartitionOwner::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  // The readers have stopped (the ingester stops them first).
  for (uint32_t p = 0; p < partitions_; ++p) {
    if (owned_[p]) Drop(p);
  }
  FinishReleases(NowNs());
  if (slot_ >= 0) std::ignore = leases_.Release(SlotName(slot_), holder_);
  slot_ = -1;
}

uint32_t PartitionOwner::owned_count() const {
  uint32_t n = 0;
  for (uint32_t p = 0; p < partitions_; ++p) n += Owns(p) ? 1 : 0;
  return n;
}

void PartitionOwner::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    Tick(NowNs());
    lock.lock();
    wake_.wait_for(lock, std::chrono::nanoseconds(lease_ns_ / 3), [this] { return stopping_; });
  }
}

void PartitionOwner::Drop(uint32_t p) {
  owned_[p].store(false);
  releasing_[p] = true;
}

void PartitionOwner::FinishReleases(uint64_t now_ns) {
  for (uint32_t p = 0; p < partitions_; ++p) {
    if (!releasing_[p]) continue;
    if (busy_[p].load()) {
      // Still read: keep the lease until the read has ended.
      std::ignore = leases_.Acquire(PartitionName(p), holder_, lease_ns_, now_ns);
      continue;
    }
    releasing_[p] = false;
    std::ignore = leases_.Release(PartitionName(p), holder_);
    LogInfo("NATS: stopped reading partition ", p);
  }
}

void PartitionOwner::Take(uint32_t p, uint64_t now_ns) {
  auto taken = leases_.Acquire(PartitionName(p), holder_, lease_ns_, now_ns);
  if (taken.ok()) {
    if (*taken) {
      if (!owned_[p]) LogInfo("NATS: reading partition ", p);
      renewed_ns_[p] = now_ns;
      owned_[p] = true;
    } else if (owned_[p]) {
      // Another ingester holds it: ours had expired.
      owned_[p] = false;
      LogWarn("NATS: partition ", p, " was taken over by another ingester");
    }
    return;
  }
  // NATS unreachable: read on only while the lease we took still runs.
  if (owned_[p] && now_ns >= renewed_ns_[p] + lease_ns_) {
    owned_[p] = false;
    LogWarn("NATS: stopped reading partition ", p, ": its lease could not be renewed (",
            taken.status().message(), ")");
  }
}

void PartitionOwner::Tick(uint64_t now_ns) {
  // 1. Membership: renew the slot, or take the lowest free one.
  if (slot_ >= 0) {
    auto kept = leases_.Acquire(SlotName(slot_), holder_, lease_ns_, now_ns);
    if (kept.ok() && *kept) {
      slot_renewed_ns_ = now_ns;
    } else if ((kept.ok() && !*kept) || now_ns >= slot_renewed_ns_ + lease_ns_) {
      slot_ = -1;
    }
  }
  for (uint32_t s = 0; slot_ < 0 && s < partitions_; ++s) {
    auto taken = leases_.Acquire(SlotName(static_cast<int>(s)), holder_, lease_ns_, now_ns);
    if (!taken.ok()) break;  // NATS unreachable: try again next round
    if (*taken) {
      slot_ = static_cast<int>(s);
      slot_renewed_ns_ = now_ns;
    }
  }
  // 2. The live ingesters, by slot; this one's rank among them.
  std::vector<int> members;
  bool complete = true;
  for (uint32_t s = 0; s < partitions_; ++s) {
    auto holder = leases_.Holder(SlotName(static_cast<int>(s)), now_ns);
    if (!holder.ok()) {
      complete = false;
      break;
    }
    if (!holder->empty()) members.push_back(static_cast<int>(s));
  }
  auto me = std::find(members.begin(), members.end(), slot_);
  // 3. Partitions: let go of those another ingester should read; take or
  // renew ours. Without a complete view, only renew what is held.
  for (uint32_t p = 0; p < partitions_; ++p) {
    if (!complete || slot_ < 0 || me == members.end()) {
      if (owned_[p]) Take(p, now_ns);
      continue;
    }
    auto rank = static_cast<uint32_t>(me - members.begin());
    bool mine = p % members.size() == rank;
    if (mine) {
      releasing_[p] = false;  // wanted again before it was released: still held
      Take(p, now_ns);
    } else if (owned_[p]) {
      Drop(p);
    }
  }
  FinishReleases(now_ns);
}

}  // namespace spoor
