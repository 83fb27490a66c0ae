#include "spanmetrics/span_metrics_aggregator.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "common/hash.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/time_format.h"

namespace spoor {
namespace {

constexpr uint64_t kHourNs = 3600ULL * 1000000000;
// Rows kept for the next flush while the store fails.
constexpr size_t kMaxPendingRows = 1000000;

// The OpenTelemetry span-metrics connector's default histogram bounds, ms.
constexpr std::array<double, 16> kPrometheusBoundsMs = {
    2, 4, 6, 8, 10, 50, 100, 200, 400, 800, 1000, 1400, 2000, 5000, 10000, 15000};

struct KeyView {
  std::string_view service;
  std::string_view operation;
  SpanKind kind;
  bool operator==(const KeyView&) const = default;
};

struct KeyViewHash {
  size_t operator()(const KeyView& k) const {
    std::hash<std::string_view> h;
    return h(k.service) * 31 + h(k.operation) * 7 + static_cast<size_t>(k.kind);
  }
};

std::string_view PrometheusKind(SpanKind kind) {
  switch (kind) {
    case SpanKind::kInternal: return "SPAN_KIND_INTERNAL";
    case SpanKind::kServer: return "SPAN_KIND_SERVER";
    case SpanKind::kClient: return "SPAN_KIND_CLIENT";
    case SpanKind::kProducer: return "SPAN_KIND_PRODUCER";
    case SpanKind::kConsumer: return "SPAN_KIND_CONSUMER";
    case SpanKind::kUnspecified: break;
  }
  return "SPAN_KIND_UNSPECIFIED";
}

constexpr const char* kDurationFamily = "traces_span_metrics_duration_milliseconds";
constexpr std::array<std::string_view, 3> kPrometheusStatus = {
    "STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"};

// Service names are keys of the embedded store, where NUL separates them.
std::string SafeName(std::string_view s) {
  std::string out(s);
  std::replace(out.begin(), out.end(), '\0', '?');
  return out;
}

}  // namespace

struct SpanMetricsAggregator::Impl {
  struct Cumulative {
    uint64_t calls = 0;
    std::array<uint64_t, kPrometheusBoundsMs.size() + 1> buckets{};
    double sum_ms = 0;
  };
  struct KeyState {
    std::string raw_service;  // as received; key.service is its stored form
    SpanMetricsKey key;
    std::map<uint64_t, SpanMetricsValue> open;  // fine bucket start -> counts
    std::array<Cumulative, 3> by_status;        // for /metrics
    bool active = false;
  };

  std::mutex mu;
  std::unordered_map<KeyView, std::unique_ptr<KeyState>, KeyViewHash> keys;
  std::unordered_map<std::string, size_t> operations_per_service;
  std::vector<KeyState*> active;
  std::vector<SpanMetricsRow> pending;  // put back after a failed flush
  Counter& overflow_spans = MetricsRegistry::Global().GetCounter(
      "spoor_span_metrics_overflow_spans_total",
      "Spans counted under an overflow service or operation because of the span metrics limits");
  Counter& dropped_rows = MetricsRegistry::Global().GetCounter(
      "spoor_span_metrics_dropped_rows_total",
      "Span metrics rows given up after failed writes to the store");

  KeyState& Find(const SpanMetricsOptions& o, std::string_view service, std::string_view operation,
                 SpanKind kind) {
    auto it = keys.find(KeyView{service, operation, kind});
    if (it != keys.end()) return *it->second;
    auto svc = operations_per_service.find(std::string(service));
    if (svc == operations_per_service.end()) {
      if (operations_per_service.size() >= o.max_services && service != kOverflowService) {
        overflow_spans.Inc();
        return Find(o, kOverflowService, kOverflowOperation, kind);
      }
      svc = operations_per_service.emplace(std::string(service), 0).first;
    }
    if (svc->second >= o.max_operations_per_service && operation != kOverflowOperation) {
      overflow_spans.Inc();
      return Find(o, service, kOverflowOperation, kind);
    }
    ++svc->second;
    auto state = std::make_unique<KeyState>();
    state->raw_service = std::string(service);
    state->key = SpanMetricsKey{SafeName(service), std::string(operation), kind};
    // The map's key views the state's own strings.
    KeyView view{state->raw_service, state->key.operation, kind};
    KeyState& ref = *state;
    keys.emplace(view, std::move(state));
    return ref;
  }
};

SpanMetricsAggregator::SpanMetricsAggregator(const SpanMetricsOptions& options)
    : options_(options), impl_(std::make_unique<Impl>()) {}

SpanMetricsAggregator::~SpanMetricsAggregator() = default;

void SpanMetricsAggregator::Observe(const SpanBatch& batch, Observation* out) {
  out->spans_.reserve(out->spans_.size() + batch.SpanCount());
  for (const ResourceSpans& rs : batch.resource_spans) {
    std::string_view service = rs.resource->service_name;
    for (const ScopeSpans& ss : rs.scope_spans) {
      for (const Span& span : ss.spans) {
        out->spans_.push_back({service, span.name, span.kind, span.status.code, span.start_time_ns,
                               span.duration_ns()});
      }
    }
  }
}

void SpanMetricsAggregator::Commit(const Observation& observation, uint64_t now_ns) {
  uint64_t oldest = now_ns > options_.retention_ns ? now_ns - options_.retention_ns : 0;
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl::KeyState* last = nullptr;
  for (const Observation::Entry& e : observation.spans_) {
    // Spans of one resource and operation come together: skip the lookup.
    Impl::KeyState* state = last;
    if (state == nullptr || state->key.kind != e.kind || state->key.operation != e.operation ||
        state->raw_service != e.service) {
      state = &impl_->Find(options_, e.service, e.operation, e.kind);
      last = state;
    }
    uint64_t at = e.start_ns;
    if (at < oldest || at > now_ns + kHourNs) at = now_ns;
    SpanMetricsValue& v = state->open[at - at % kFineBucketNs];
    ++v.calls;
    bool error = e.status == SpanStatusCode::kError;
    v.errors += error ? 1 : 0;
    v.latency.Add(e.duration_ns);
    if (!state->active) {
      state->active = true;
      impl_->active.push_back(state);
    }
    if (options_.prometheus) {
      Impl::Cumulative& c = state->by_status[static_cast<size_t>(e.status) % 3];
      double ms = static_cast<double>(e.duration_ns) / 1e6;
      ++c.calls;
      c.sum_ms += ms;
      size_t i = 0;
      while (i < kPrometheusBoundsMs.size() && ms > kPrometheusBoundsMs[i]) ++i;
      ++c.buckets[i];
    }
  }
}

std::vector<SpanMetricsRow> SpanMetricsAggregator::TakeRows() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<SpanMetricsRow> rows = std::move(impl_->pending);
  impl_->pending.clear();
  for (Impl::KeyState* state : impl_->active) {
    std::map<uint64_t, SpanMetricsValue> coarse;
    for (auto& [bucket, value] : state->open) {
      coarse[bucket - bucket % kCoarseBucketNs].Merge(value);
      rows.push_back({MetricsResolution::kFine, bucket, state->key, std::move(value)});
    }
    for (auto& [bucket, value] : coarse) {
      rows.push_back({MetricsResolution::kCoarse, bucket, state->key, std::move(value)});
    }
    state->open.clear();
    state->active = false;
  }
  impl_->active.clear();
  return rows;
}

void SpanMetricsAggregator::PutBack(const std::vector<SpanMetricsRow>& rows) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->pending.insert(impl_->pending.end(), rows.begin(), rows.end());
  // Bounded: past the limit the oldest rows go first.
  if (impl_->pending.size() > kMaxPendingRows) {
    size_t excess = impl_->pending.size() - kMaxPendingRows;
    impl_->dropped_rows.Inc(excess);
    impl_->pending.erase(impl_->pending.begin(),
                         impl_->pending.begin() + static_cast<std::ptrdiff_t>(excess));
  }
}

size_t SpanMetricsAggregator::key_count() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->keys.size();
}

void SpanMetricsAggregator::RenderPrometheus(std::string& out) const {
  RenderPrometheus({{"", this}}, out);
}

void SpanMetricsAggregator::RenderPrometheus(
    const std::vector<std::pair<std::string, const SpanMetricsAggregator*>>& aggregators,
    std::string& out) {
  // Each family's lines together under one HELP and TYPE, as the text
  // format wants: first every aggregator's calls, then their durations.
  bool any = false;
  for (const auto& [tenant, a] : aggregators) any = any || a->options_.prometheus;
  if (!any) return;
  out +=
      "# HELP traces_span_metrics_calls_total Spans received, by service, operation, kind "
      "and status\n# TYPE traces_span_metrics_calls_total counter\n";
  for (const auto& [tenant, a] : aggregators) a->RenderFamily(tenant, false, out);
  out += "# HELP " + std::string(kDurationFamily) + " Span durations in milliseconds\n# TYPE " +
         std::string(kDurationFamily) + " histogram\n";
  for (const auto& [tenant, a] : aggregators) a->RenderFamily(tenant, true, out);
}

void SpanMetricsAggregator::RenderFamily(const std::string& tenant, bool durations,
                                         std::string& out) const {
  if (!options_.prometheus) return;
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<const Impl::KeyState*> states;
  states.reserve(impl_->keys.size());
  for (const auto& [view, state] : impl_->keys) states.push_back(state.get());
  std::sort(states.begin(), states.end(),
            [](const auto* a, const auto* b) { return a->key < b->key; });
  auto labels = [&tenant](const Impl::KeyState& s, size_t status) {
    Labels l{{"service_name", s.key.service},
             {"span_name", s.key.operation},
             {"span_kind", std::string(PrometheusKind(s.key.kind))},
             {"status_code", std::string(kPrometheusStatus[status])}};
    if (!tenant.empty()) l.emplace_back("tenant", tenant);
    return l;
  };
  const std::string name = kDurationFamily;
  for (const auto* s : states) {
    for (size_t st = 0; st < 3; ++st) {
      const Impl::Cumulative& c = s->by_status[st];
      if (c.calls == 0) continue;
      Labels l = labels(*s, st);
      if (!durations) {
        out += "traces_span_metrics_calls_total" + LabelString(l) + " " + std::to_string(c.calls) +
               "\n";
        continue;
      }
      uint64_t running = 0;
      for (size_t i = 0; i <= kPrometheusBoundsMs.size(); ++i) {
        running += c.buckets[i];
        std::string le =
            i < kPrometheusBoundsMs.size() ? FormatNumber(kPrometheusBoundsMs[i]) : "+Inf";
        out += name + "_bucket" + LabelString(l, "le", le) + " " + std::to_string(running) + "\n";
      }
      std::string ls = LabelString(l);
      out += name + "_sum" + ls + " " + FormatNumber(c.sum_ms) + "\n";
      out += name + "_count" + ls + " " + std::to_string(c.calls) + "\n";
    }
  }
}

struct SpanMetricsFlusher::State {
  SpanMetricsAggregator& aggregator;
  SpanMetricsStore& store;
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::mutex flush_mu;  // one flush at a time
  std::thread thread;
  uint64_t last_expiry_ns = 0;
};

SpanMetricsFlusher::SpanMetricsFlusher(SpanMetricsAggregator& aggregator, SpanMetricsStore& store)
    : state_(new State{aggregator, store}) {}

SpanMetricsFlusher::~SpanMetricsFlusher() {
  std::ignore = Stop();
}

void SpanMetricsFlusher::Start() {
  state_->thread = std::thread([this] {
    auto interval = std::chrono::nanoseconds(state_->aggregator.options().flush_interval_ns);
    std::unique_lock<std::mutex> lock(state_->mu);
    while (!state_->stopping) {
      if (state_->cv.wait_for(lock, interval, [this] { return state_->stopping; })) break;
      lock.unlock();
      if (Status s = Flush(); !s.ok()) LogWarn("span metrics: ", s.message(), "; retrying");
      lock.lock();
    }
  });
}

Status SpanMetricsFlusher::Flush() {
  std::lock_guard<std::mutex> flush_lock(state_->flush_mu);
  const SpanMetricsOptions& o = state_->aggregator.options();
  std::vector<SpanMetricsRow> rows = state_->aggregator.TakeRows();
  uint64_t now = NowNs();
  if (!rows.empty()) {
    Status s = state_->store.AddSpanMetrics(rows);
    if (!s.ok()) {
      state_->aggregator.PutBack(rows);
      return s;
    }
  }
  if (now - state_->last_expiry_ns >= kHourNs) {
    state_->last_expiry_ns = now;
    uint64_t fine_cutoff = now > o.fine_retention_ns ? now - o.fine_retention_ns : 0;
    uint64_t coarse_cutoff = now > o.retention_ns ? now - o.retention_ns : 0;
    if (Status s = state_->store.ExpireSpanMetrics(fine_cutoff, coarse_cutoff); !s.ok()) return s;
  }
  return Status::Ok();
}

Status SpanMetricsFlusher::Stop() {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->stopping) return Status::Ok();
    state_->stopping = true;
  }
  state_->cv.notify_all();
  if (state_->thread.joinable()) state_->thread.join();
  return Flush();
}

}  // namespace spoor
