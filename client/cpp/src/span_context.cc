#include "span_context.h"

namespace spoor::internal {

void SpanContextImpl::ForeachBaggageItem(
    std::function<bool(const std::string&, const std::string&)> f) const {
  for (const auto& [key, value] : baggage()) {
    if (!f(key, value)) return;
  }
}

std::unique_ptr<opentracing::SpanContext> SpanContextImpl::Clone() const noexcept {
  try {
    return std::make_unique<SpanContextImpl>(ids_, baggage(), trace_state_, debug_id_);
  } catch (...) {
    return nullptr;
  }
}

std::string SpanContextImpl::ToTraceID() const noexcept {
  return TraceIdHex(ids_.trace_high, ids_.trace_low, false);
}

std::string SpanContextImpl::ToSpanID() const noexcept {
  return Hex16(ids_.span_id);
}

std::map<std::string, std::string> SpanContextImpl::baggage() const {
  std::lock_guard<std::mutex> lock(mu_);
  return baggage_;
}

std::string SpanContextImpl::BaggageItem(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = baggage_.find(key);
  return it == baggage_.end() ? std::string() : it->second;
}

void SpanContextImpl::SetBaggageItem(const std::string& key, const std::string& value) {
  std::lock_guard<std::mutex> lock(mu_);
  baggage_[key] = value;
  has_baggage_.store(true, std::memory_order_release);
}

std::string Hex16(uint64_t v) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) out[static_cast<size_t>(i)] = kDigits[v & 0xf];
  return out;
}

std::string TraceIdHex(uint64_t high, uint64_t low, bool short_form) {
  if (high == 0 && short_form) return Hex16(low);
  return Hex16(high) + Hex16(low);
}

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool ParseHex64(const std::string& s, uint64_t* out) {
  if (s.empty() || s.size() > 16) return false;
  uint64_t v = 0;
  for (char c : s) {
    int d = HexDigit(c);
    if (d < 0) return false;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  *out = v;
  return true;
}

bool ParseHex128(const std::string& s, uint64_t* high, uint64_t* low) {
  if (s.empty() || s.size() > 32) return false;
  size_t split = s.size() > 16 ? s.size() - 16 : 0;
  uint64_t h = 0;
  uint64_t l = 0;
  if (split > 0 && !ParseHex64(s.substr(0, split), &h)) return false;
  if (!ParseHex64(s.substr(split), &l)) return false;
  *high = h;
  *low = l;
  return true;
}

}  // namespace spoor::internal
