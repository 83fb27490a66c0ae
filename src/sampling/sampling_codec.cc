#include "sampling/sampling_codec.h"

#include <bit>
#include <map>

#include "common/encoding.h"

namespace spoor::sampling_codec {
namespace {

using encoding::PutLengthPrefixed;
using encoding::PutVarint;

constexpr uint8_t kValueVersion = 1;

void PutDouble(std::string& out, double d) {
  auto bits = std::bit_cast<uint64_t>(d);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(bits >> (8 * i)));
}

// Bounds-checked reads over one value; every method returns false instead of
// reading past the end.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  [[nodiscard]] bool Byte(uint8_t* b) {
    if (in_.empty()) return false;
    *b = static_cast<uint8_t>(in_.front());
    in_.remove_prefix(1);
    return true;
  }

  [[nodiscard]] bool Varint(uint64_t* v) {
    uint64_t out = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b;
      if (!Byte(&b)) return false;
      if (shift == 63 && b > 1) return false;  // more than 64 bits
      out |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *v = out;
        return true;
      }
    }
    return false;
  }

  // A count of items taking at least min_bytes each: bounded by what is left,
  // so that a corrupt count cannot drive a large allocation.
  [[nodiscard]] bool Count(uint64_t* n, size_t min_bytes) {
    return Varint(n) && *n <= in_.size() / min_bytes;
  }

  [[nodiscard]] bool String(std::string* s) {
    uint64_t len;
    if (!Varint(&len) || len > in_.size()) return false;
    s->assign(in_.data(), static_cast<size_t>(len));
    in_.remove_prefix(static_cast<size_t>(len));
    return true;
  }

  [[nodiscard]] bool Double(double* d) {
    if (in_.size() < 8) return false;
    uint64_t bits = 0;
    for (size_t i = 8; i-- > 0;) bits = (bits << 8) | static_cast<unsigned char>(in_[i]);
    in_.remove_prefix(8);
    *d = std::bit_cast<double>(bits);
    return true;
  }

  [[nodiscard]] bool Version() {
    uint8_t v;
    return Byte(&v) && v == kValueVersion;
  }

  [[nodiscard]] bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

}  // namespace

std::string EncodeThroughput(const std::vector<Throughput>& list) {
  std::string out(1, static_cast<char>(kValueVersion));
  PutVarint(out, list.size());
  for (const Throughput& t : list) {
    PutLengthPrefixed(out, t.service);
    PutLengthPrefixed(out, t.operation);
    PutVarint(out, t.count);
    PutVarint(out, t.probabilities.size());
    for (double p : t.probabilities) PutDouble(out, p);
  }
  return out;
}

bool DecodeThroughput(std::string_view in, std::vector<Throughput>* list) {
  Reader r(in);
  uint64_t n;
  if (!r.Version() || !r.Count(&n, 4)) return false;
  list->resize(static_cast<size_t>(n));
  for (Throughput& t : *list) {
    uint64_t probabilities;
    if (!r.String(&t.service) || !r.String(&t.operation) || !r.Varint(&t.count) ||
        !r.Count(&probabilities, 8)) {
      return false;
    }
    t.probabilities.resize(static_cast<size_t>(probabilities));
    for (double& p : t.probabilities) {
      if (!r.Double(&p)) return false;
    }
  }
  return r.done();
}

namespace {

void PutTable(std::string& out, const std::map<std::string, std::map<std::string, double>>& t) {
  PutVarint(out, t.size());
  for (const auto& [service, operations] : t) {
    PutLengthPrefixed(out, service);
    PutVarint(out, operations.size());
    for (const auto& [operation, value] : operations) {
      PutLengthPrefixed(out, operation);
      PutDouble(out, value);
    }
  }
}

// Keys were written from a map: they must come strictly increasing.
bool GetTable(Reader& r, std::map<std::string, std::map<std::string, double>>* t) {
  uint64_t services;
  if (!r.Count(&services, 2)) return false;
  for (uint64_t i = 0; i < services; ++i) {
    std::string service;
    uint64_t operations;
    if (!r.String(&service) || !r.Count(&operations, 9)) return false;
    if (!t->empty() && t->rbegin()->first >= service) return false;
    auto& ops = (*t)[service];
    for (uint64_t j = 0; j < operations; ++j) {
      std::string operation;
      double value;
      if (!r.String(&operation) || !r.Double(&value)) return false;
      if (!ops.empty() && ops.rbegin()->first >= operation) return false;
      ops.emplace_hint(ops.end(), std::move(operation), value);
    }
  }
  return true;
}

}  // namespace

std::string EncodeProbabilities(const CalculatedProbabilities& p) {
  std::string out(1, static_cast<char>(kValueVersion));
  PutLengthPrefixed(out, p.host);
  PutVarint(out, p.calculated_ns);
  PutTable(out, p.probabilities);
  PutTable(out, p.qps);
  return out;
}

bool DecodeProbabilities(std::string_view in, CalculatedProbabilities* p) {
  Reader r(in);
  return r.Version() && r.String(&p->host) && r.Varint(&p->calculated_ns) &&
         GetTable(r, &p->probabilities) && GetTable(r, &p->qps) && r.done();
}

std::string EncodeLease(const Lease& lease) {
  std::string out(1, static_cast<char>(kValueVersion));
  PutLengthPrefixed(out, lease.holder);
  PutVarint(out, lease.expires_ns);
  return out;
}

bool DecodeLease(std::string_view in, Lease* lease) {
  Reader r(in);
  return r.Version() && r.String(&lease->holder) && !lease->holder.empty() &&
         r.Varint(&lease->expires_ns) && r.done();
}

}  // namespace spoor::sampling_codec
