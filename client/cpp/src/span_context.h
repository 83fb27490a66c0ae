// The tracer's SpanContext: trace and span IDs, flags, baggage and the W3C
// tracestate it was extracted with.
#pragma once

#include <opentracing/span.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace spoor::internal {

inline constexpr uint8_t kSampledFlag = 1;
inline constexpr uint8_t kDebugFlag = 2;

struct Ids {
  uint64_t trace_high = 0;
  uint64_t trace_low = 0;
  uint64_t span_id = 0;
  uint64_t parent_id = 0;
  uint8_t flags = 0;

  [[nodiscard]] bool sampled() const { return (flags & kSampledFlag) != 0; }
  [[nodiscard]] bool valid() const { return (trace_high != 0 || trace_low != 0) && span_id != 0; }
};

// Threading: baggage may be read and set from several threads.
class SpanContextImpl final : public opentracing::SpanContext {
 public:
  SpanContextImpl(Ids ids, std::map<std::string, std::string> baggage, std::string trace_state,
                  std::string debug_id = {})
      : ids_(ids),
        baggage_(std::move(baggage)),
        has_baggage_(!baggage_.empty()),
        trace_state_(std::move(trace_state)),
        debug_id_(std::move(debug_id)) {}

  void ForeachBaggageItem(
      std::function<bool(const std::string&, const std::string&)> f) const override;
  [[nodiscard]] std::unique_ptr<opentracing::SpanContext> Clone() const noexcept override;
  [[nodiscard]] std::string ToTraceID() const noexcept override;
  [[nodiscard]] std::string ToSpanID() const noexcept override;

  [[nodiscard]] const Ids& ids() const { return ids_; }
  [[nodiscard]] const std::string& trace_state() const { return trace_state_; }
  // A context without IDs, extracted from Jaeger's debug or baggage header
  // alone: a span started under it begins a new trace, carrying its
  // baggage, sampled and debug when it has a debug ID.
  [[nodiscard]] bool is_container() const { return !ids_.valid(); }
  [[nodiscard]] const std::string& debug_id() const { return debug_id_; }
  [[nodiscard]] std::map<std::string, std::string> baggage() const;
  [[nodiscard]] bool has_baggage() const { return has_baggage_.load(std::memory_order_acquire); }
  [[nodiscard]] std::string BaggageItem(const std::string& key) const;
  void SetBaggageItem(const std::string& key, const std::string& value);

 private:
  const Ids ids_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> baggage_;
  std::atomic<bool> has_baggage_{false};
  const std::string trace_state_;
  const std::string debug_id_;
};

// Lower-case hex of `v`, 16 digits.
[[nodiscard]] std::string Hex16(uint64_t v);
// The trace ID as hex: 32 digits, or 16 when the high half is 0 and
// `short_form`.
[[nodiscard]] std::string TraceIdHex(uint64_t high, uint64_t low, bool short_form);
// Parses 1 to 16 hex digits; false otherwise.
[[nodiscard]] bool ParseHex64(const std::string& s, uint64_t* out);
// Parses 1 to 32 hex digits into a 128-bit ID; false otherwise.
[[nodiscard]] bool ParseHex128(const std::string& s, uint64_t* high, uint64_t* low);

}  // namespace spoor::internal
