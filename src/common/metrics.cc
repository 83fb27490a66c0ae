#include "common/metrics.h"

#include <charconv>
#include <map>
#include <mutex>

namespace spoor {
namespace {

enum class Kind { kCounter, kGauge, kHistogram };

}  // namespace

std::string LabelString(const Labels& labels, std::string_view extra_key,
                        std::string_view extra_value) {
  std::string out;
  auto add = [&](std::string_view k, std::string_view v) {
    out += out.empty() ? "{" : ",";
    out += k;
    out += "=\"";
    for (char c : v) {
      if (c == '\\' || c == '"') {
        out += '\\';
        out += c;
      } else if (c == '\n') {
        out += "\\n";
      } else {
        out += c;
      }
    }
    out += '"';
  };
  for (const auto& [k, v] : labels) add(k, v);
  if (!extra_key.empty()) add(extra_key, extra_value);
  if (!out.empty()) out += '}';
  return out;
}

std::string FormatNumber(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

struct MetricsRegistry::Impl {
  struct Series {
    Labels labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> gauge;
  };
  struct Family {
    Kind kind;
    std::string help;
    std::map<std::string, Series> series;  // by rendered label string
  };
  mutable std::mutex mu;
  std::map<std::string, Family, std::less<>> families;
  std::vector<std::function<void(std::string&)>> collectors;

  Series& Get(std::string_view name, std::string_view help, Kind kind, const Labels& labels) {
    auto it = families.find(name);
    if (it == families.end()) {
      it = families.emplace(std::string(name), Family{kind, std::string(help), {}}).first;
    }
    auto [sit, inserted] = it->second.series.try_emplace(LabelString(labels));
    if (inserted) sit->second.labels = labels;
    return sit->second;
  }
};

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::Observe(double value) {
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(value * 1e6), std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

void Histogram::Snapshot(std::vector<uint64_t>* cumulative, double* sum, uint64_t* count) const {
  cumulative->clear();
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    cumulative->push_back(running);
  }
  *sum = static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6;
  *count = running;
}

MetricsRegistry::MetricsRegistry() : impl_(std::make_unique<Impl>()) {}

MetricsRegistry& MetricsRegistry::Global() {
  static auto* registry = new MetricsRegistry();  // never destroyed: used until exit
  return *registry;
}

Counter& MetricsRegistry::GetCounter(std::string_view name, std::string_view help,
                                     const Labels& labels) {
  std::lock_guard lock(impl_->mu);
  auto& s = impl_->Get(name, help, Kind::kCounter, labels);
  if (!s.counter) s.counter = std::make_unique<Counter>();
  return *s.counter;
}

Histogram& MetricsRegistry::GetHistogram(std::string_view name, std::string_view help,
                                         const Labels& labels,
                                         const std::vector<double>& upper_bounds) {
  std::lock_guard lock(impl_->mu);
  auto& s = impl_->Get(name, help, Kind::kHistogram, labels);
  if (!s.histogram) s.histogram = std::make_unique<Histogram>(upper_bounds);
  return *s.histogram;
}

void MetricsRegistry::AddGauge(std::string_view name, std::string_view help, const Labels& labels,
                               std::function<double()> read) {
  std::lock_guard lock(impl_->mu);
  impl_->Get(name, help, Kind::kGauge, labels).gauge = std::move(read);
}

void MetricsRegistry::ClearGauges() {
  std::lock_guard lock(impl_->mu);
  for (auto& [name, family] : impl_->families) {
    if (family.kind == Kind::kGauge) family.series.clear();
  }
  impl_->collectors.clear();
}

void MetricsRegistry::AddCollector(std::function<void(std::string&)> render) {
  std::lock_guard lock(impl_->mu);
  impl_->collectors.push_back(std::move(render));
}

std::string MetricsRegistry::RenderPrometheus() const {
  // The text is laid out under the lock; gauges and collectors are called
  // after it is released, so that they may take locks of their own that a
  // thread holds while it registers a metric (a store opening a tenant).
  struct Piece {
    std::string text;
    std::function<double()> gauge;  // its value and a newline follow `text`
  };
  std::vector<Piece> pieces(1);
  std::vector<std::function<void(std::string&)>> collectors;
  {
    std::lock_guard lock(impl_->mu);
    std::vector<uint64_t> cumulative;
    for (const auto& [name, family] : impl_->families) {
      if (family.series.empty()) continue;
      const char* type = family.kind == Kind::kCounter ? "counter"
                         : family.kind == Kind::kGauge ? "gauge"
                                                       : "histogram";
      std::string* out = &pieces.back().text;
      *out += "# HELP " + name + " " + family.help + "\n";
      *out += "# TYPE " + name + " " + type + "\n";
      for (const auto& [label_string, s] : family.series) {
        out = &pieces.back().text;
        if (s.counter) {
          *out += name + label_string + " " + std::to_string(s.counter->value()) + "\n";
        } else if (s.gauge) {
          *out += name + label_string + " ";
          pieces.back().gauge = s.gauge;
          pieces.emplace_back();
        } else if (s.histogram) {
          double sum;
          uint64_t count;
          s.histogram->Snapshot(&cumulative, &sum, &count);
          const auto& bounds = s.histogram->bounds();
          for (size_t i = 0; i <= bounds.size(); ++i) {
            std::string le = i < bounds.size() ? FormatNumber(bounds[i]) : "+Inf";
            *out += name + "_bucket" + LabelString(s.labels, "le", le) + " " +
                    std::to_string(cumulative[i]) + "\n";
          }
          out->append(name).append("_sum").append(label_string).append(" ");
          out->append(FormatNumber(sum)).append("\n");
          out->append(name).append("_count").append(label_string).append(" ");
          out->append(std::to_string(count)).append("\n");
        }
      }
    }
    collectors = impl_->collectors;
  }
  std::string out;
  for (const Piece& piece : pieces) {
    out += piece.text;
    if (piece.gauge) out.append(FormatNumber(piece.gauge())).append("\n");
  }
  for (const auto& render : collectors) render(out);
  return out;
}

const std::vector<double>& LatencyBucketsSeconds() {
  static const std::vector<double> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                               0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                               1,      2.5,     5,      10};
  return kBuckets;
}

}  // namespace spoor
