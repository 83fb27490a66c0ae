#include "spoor/reporter.h"

#include <cinttypes>
#include <cstdio>

namespace spoor {

TagValue TagValue::String(std::string v) {
  TagValue t;
  t.type = Type::kString;
  t.string_value = std::move(v);
  return t;
}
TagValue TagValue::Bool(bool v) {
  TagValue t;
  t.type = Type::kBool;
  t.bool_value = v;
  return t;
}
TagValue TagValue::Int64(int64_t v) {
  TagValue t;
  t.type = Type::kInt64;
  t.int64_value = v;
  return t;
}
TagValue TagValue::Double(double v) {
  TagValue t;
  t.type = Type::kDouble;
  t.double_value = v;
  return t;
}

bool TagValue::operator==(const TagValue& o) const {
  if (type != o.type) return false;
  switch (type) {
    case Type::kString: return string_value == o.string_value;
    case Type::kBool: return bool_value == o.bool_value;
    case Type::kInt64: return int64_value == o.int64_value;
    case Type::kDouble: return double_value == o.double_value;
  }
  return false;
}

void InMemoryReporter::Report(SpanData span, const ProcessData& process) {
  std::lock_guard<std::mutex> lock(mu_);
  process_ = process;
  spans_.push_back(std::move(span));
}

std::vector<SpanData> InMemoryReporter::spans() const {
  std::lock_guard<std::mutex> lock(mu_);
  return spans_;
}

ProcessData InMemoryReporter::process() const {
  std::lock_guard<std::mutex> lock(mu_);
  return process_;
}

void InMemoryReporter::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  spans_.clear();
}

namespace {

class LoggingReporter final : public Reporter {
 public:
  explicit LoggingReporter(std::ostream& out) : out_(out) {}
  void Report(SpanData span, const ProcessData& process) override {
    char ids[80];
    std::snprintf(ids, sizeof ids, "%016" PRIx64 "%016" PRIx64 ":%016" PRIx64, span.trace_id_high,
                  span.trace_id_low, span.span_id);
    std::lock_guard<std::mutex> lock(mu_);
    out_ << "span " << ids << " " << process.service_name << " " << span.operation_name << " "
         << span.duration_ns / 1000 << "us\n";
  }
  void Flush() override {
    std::lock_guard<std::mutex> lock(mu_);
    out_.flush();
  }

 private:
  std::ostream& out_;
  std::mutex mu_;
};

}  // namespace

std::unique_ptr<Reporter> NewLoggingReporter(std::ostream& out) {
  return std::make_unique<LoggingReporter>(out);
}

}  // namespace spoor
