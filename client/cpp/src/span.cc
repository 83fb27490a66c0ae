#include <opentracing/util.h>

#include <algorithm>

#include "tracer_impl.h"

namespace spoor::internal {

uint64_t ToUnixNs(opentracing::SystemTime t) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  return ns > 0 ? static_cast<uint64_t>(ns) : 0;
}

namespace {

void AppendJsonString(const std::string& s, std::string& out) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static const char kDigits[] = "0123456789abcdef";
      out += "\\u00";
      out += kDigits[(c >> 4) & 0xf];
      out += kDigits[c & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
}

// A value as JSON text (for lists and maps, which tags cannot hold).
struct JsonVisitor {
  std::string& out;
  void operator()(bool v) const { out += v ? "true" : "false"; }
  void operator()(double v) const { out += std::to_string(v); }
  void operator()(int64_t v) const { out += std::to_string(v); }
  void operator()(uint64_t v) const { out += std::to_string(v); }
  void operator()(const std::string& v) const { AppendJsonString(v, out); }
  void operator()(opentracing::string_view v) const { AppendJsonString(std::string(v), out); }
  void operator()(std::nullptr_t) const { out += "null"; }
  void operator()(const char* v) const { AppendJsonString(v != nullptr ? v : "", out); }
  void operator()(const opentracing::Values& list) const {
    out += '[';
    for (size_t i = 0; i < list.size(); ++i) {
      if (i > 0) out += ',';
      opentracing::util::apply_visitor(*this, list[i]);
    }
    out += ']';
  }
  void operator()(const opentracing::Dictionary& map) const {
    out += '{';
    bool first = true;
    for (const auto& [k, v] : map) {
      if (!first) out += ',';
      first = false;
      AppendJsonString(k, out);
      out += ':';
      opentracing::util::apply_visitor(*this, v);
    }
    out += '}';
  }
};

struct TagVisitor {
  TagValue operator()(bool v) const { return TagValue::Bool(v); }
  TagValue operator()(double v) const { return TagValue::Double(v); }
  TagValue operator()(int64_t v) const { return TagValue::Int64(v); }
  TagValue operator()(uint64_t v) const {
    return v <= static_cast<uint64_t>(INT64_MAX) ? TagValue::Int64(static_cast<int64_t>(v))
                                                 : TagValue::String(std::to_string(v));
  }
  TagValue operator()(const std::string& v) const { return TagValue::String(v); }
  TagValue operator()(opentracing::string_view v) const { return TagValue::String(std::string(v)); }
  TagValue operator()(std::nullptr_t) const { return TagValue::String(""); }
  TagValue operator()(const char* v) const { return TagValue::String(v != nullptr ? v : ""); }
  TagValue operator()(const opentracing::Values& v) const { return Json(v); }
  TagValue operator()(const opentracing::Dictionary& v) const { return Json(v); }
  template <typename T>
  TagValue Json(const T& v) const {
    std::string out;
    JsonVisitor{out}(v);
    return TagValue::String(std::move(out));
  }
};

}  // namespace

TagValue FromValue(const opentracing::Value& value) {
  return opentracing::util::apply_visitor(TagVisitor{}, value);
}

static_assert(sizeof(SpanImpl) <= BlockPool::kBlockSize, "a span fits a pool block");

SpanImpl::SpanImpl(std::shared_ptr<const TracerImpl> tracer, Ids ids,
                   std::map<std::string, std::string> baggage, std::string trace_state)
    : tracer_(std::move(tracer)), context_(ids, std::move(baggage), std::move(trace_state)) {}

void SpanImpl::Record(std::string operation_name, opentracing::SystemTime start_system,
                      opentracing::SteadyTime start_steady, std::vector<Tag> tags,
                      std::vector<ReferenceData> references) {
  const Ids& ids = context_.ids();
  start_steady_ = start_steady;
  data_.trace_id_high = ids.trace_high;
  data_.trace_id_low = ids.trace_low;
  data_.span_id = ids.span_id;
  data_.parent_span_id = ids.parent_id;
  data_.flags = ids.flags;
  data_.operation_name = std::move(operation_name);
  data_.start_time_ns = ToUnixNs(start_system);
  data_.tags = std::move(tags);
  data_.references = std::move(references);
}

SpanImpl::~SpanImpl() {
  Finish();
}

void SpanImpl::FinishWithOptions(const opentracing::FinishSpanOptions& options) noexcept {
  if (!context_.ids().sampled()) return;  // nothing to report
  try {
    SpanData done;
    {
      std::lock_guard<SpinLock> lock(mu_);
      if (finished_) return;
      finished_ = true;
      auto end = options.finish_steady_timestamp == opentracing::SteadyTime()
                     ? opentracing::SteadyClock::now()
                     : options.finish_steady_timestamp;
      auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(end - start_steady_).count();
      data_.duration_ns = ns > 0 ? static_cast<uint64_t>(ns) : 0;
      for (const opentracing::LogRecord& record : options.log_records) {
        LogData log;
        log.time_ns = ToUnixNs(record.timestamp);
        for (const auto& [key, value] : record.fields)
          log.fields.emplace_back(key, FromValue(value));
        data_.logs.push_back(std::move(log));
      }
      done = std::move(data_);
    }
    tracer_->Report(std::move(done));
  } catch (...) {
    // An allocation failure loses this span, not the program.
  }
}

void SpanImpl::SetOperationName(opentracing::string_view name) noexcept {
  if (!context_.ids().sampled()) return;  // nothing of it would be sent
  try {
    std::lock_guard<SpinLock> lock(mu_);
    if (!finished_) data_.operation_name = std::string(name);
  } catch (...) {
  }
}

void SpanImpl::SetTag(opentracing::string_view key, const opentracing::Value& value) noexcept {
  if (!context_.ids().sampled()) return;
  try {
    TagValue v = FromValue(value);
    std::lock_guard<SpinLock> lock(mu_);
    if (finished_) return;
    for (Tag& t : data_.tags) {
      if (t.first == key) {
        t.second = std::move(v);
        return;
      }
    }
    if (data_.tags.size() == data_.tags.capacity()) {
      data_.tags.reserve(std::max<size_t>(8, 2 * data_.tags.size()));
    }
    data_.tags.emplace_back(std::string(key), std::move(v));
  } catch (...) {
  }
}

void SpanImpl::SetBaggageItem(opentracing::string_view key,
                              opentracing::string_view value) noexcept {
  try {
    context_.SetBaggageItem(std::string(key), std::string(value));
    // Jaeger clients log baggage changes on sampled spans.
    AddLog(opentracing::SystemClock::now(),
           std::vector<std::pair<opentracing::string_view, opentracing::Value>>{
               {"event", "baggage"}, {"key", key}, {"value", value}});
  } catch (...) {
  }
}

std::string SpanImpl::BaggageItem(opentracing::string_view key) const noexcept {
  try {
    return context_.BaggageItem(std::string(key));
  } catch (...) {
    return {};
  }
}

template <typename Fields>
void SpanImpl::AddLog(opentracing::SystemTime timestamp, const Fields& fields) noexcept {
  try {
    if (!context_.ids().sampled()) return;  // nothing of it would be sent
    LogData log;
    log.time_ns = ToUnixNs(timestamp);
    for (const auto& [key, value] : fields)
      log.fields.emplace_back(std::string(key), FromValue(value));
    std::lock_guard<SpinLock> lock(mu_);
    if (!finished_) data_.logs.push_back(std::move(log));
  } catch (...) {
  }
}

void SpanImpl::Log(std::initializer_list<std::pair<opentracing::string_view, opentracing::Value>>
                       fields) noexcept {
  AddLog(opentracing::SystemClock::now(), fields);
}

void SpanImpl::Log(opentracing::SystemTime timestamp,
                   std::initializer_list<std::pair<opentracing::string_view, opentracing::Value>>
                       fields) noexcept {
  AddLog(timestamp, fields);
}

void SpanImpl::Log(
    opentracing::SystemTime timestamp,
    const std::vector<std::pair<opentracing::string_view, opentracing::Value>>& fields) noexcept {
  AddLog(timestamp, fields);
}

}  // namespace spoor::internal
