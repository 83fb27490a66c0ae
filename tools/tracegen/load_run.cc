#include "load_run.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "sender.h"
#include "workload.h"

namespace spoor::tracegen {
namespace {

using Clock = std::chrono::steady_clock;

// Totals shared by the sender threads.
class SharedTotals {
 public:
  void Add(const SendOutcome& o) {
    requests_sent_ += static_cast<uint64_t>(o.messages_sent);
    requests_acked_ += static_cast<uint64_t>(o.messages_acked);
    requests_failed_ += static_cast<uint64_t>(o.messages_failed);
    spans_sent_ += static_cast<uint64_t>(o.spans_sent);
    spans_acked_ += static_cast<uint64_t>(o.spans_acked);
    spans_failed_ += static_cast<uint64_t>(o.spans_failed);
    if (!o.error.empty()) {
      std::lock_guard lock(mu_);
      if (first_error_.empty()) first_error_ = o.error;
    }
  }

  RunTotals Snapshot() {
    RunTotals t{requests_sent_, requests_acked_, requests_failed_,
                spans_sent_,    spans_acked_,    spans_failed_};
    std::lock_guard lock(mu_);
    t.first_error = first_error_;
    return t;
  }

 private:
  std::atomic<uint64_t> requests_sent_{0}, requests_acked_{0}, requests_failed_{0};
  std::atomic<uint64_t> spans_sent_{0}, spans_acked_{0}, spans_failed_{0};
  std::mutex mu_;
  std::string first_error_;
};

uint64_t NowUnixNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// Sleeps until `until` in short steps, so that a stop is noticed; false when
// stopped.
bool SleepUntil(Clock::time_point until, const std::atomic<bool>& stop) {
  for (;;) {
    if (stop.load()) return false;
    const Clock::time_point now = Clock::now();
    if (now >= until) return true;
    std::this_thread::sleep_for(
        std::min<Clock::duration>(until - now, std::chrono::milliseconds(100)));
  }
}

void SendLoop(const Options& o, Clock::time_point start, const std::atomic<bool>& stop,
              std::atomic<uint64_t>& next_request, SharedTotals& totals) {
  std::unique_ptr<Sender> sender = MakeSender(o);
  const auto spans_per_request = static_cast<uint64_t>(o.spans_per_request);
  const Clock::time_point end = start + std::chrono::nanoseconds(o.duration_ns);
  ExportRequest request;  // reused: each request overwrites the last
  for (;;) {
    const uint64_t n = next_request.fetch_add(1);
    uint64_t spans = spans_per_request;
    if (o.count_spans > 0) {
      if (n >= (o.count_spans + spans_per_request - 1) / spans_per_request) return;
      spans = std::min(spans, o.count_spans - n * spans_per_request);
    }
    if (o.rate_spans_per_s > 0) {
      const auto due =
          start + std::chrono::nanoseconds(static_cast<int64_t>(
                      static_cast<double>(n * spans_per_request) * 1e9 / o.rate_spans_per_s));
      if (o.duration_ns > 0 && due >= end) return;
      if (!SleepUntil(due, stop)) return;
    }
    if (stop.load() || (o.duration_ns > 0 && Clock::now() >= end)) return;
    BuildTracegenRequest(RequestSeed(o.seed.value_or(1), n), NowUnixNs(), kSpansPerTrace,
                         static_cast<int>(spans), &request, o.sampler_tags);
    totals.Add(sender->Send(request));
  }
}

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

RunTotals RunLoad(const Options& o, std::ostream& progress, const std::atomic<bool>& stop) {
  SharedTotals totals;
  std::atomic<uint64_t> next_request{0};
  const Clock::time_point start = Clock::now();

  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread reporter;
  if (o.progress) {
    const bool acks = Acknowledges(o.protocol);
    reporter = std::thread([&, acks] {
      uint64_t last_spans = 0;
      std::unique_lock lock(mu);
      for (int second = 1;; ++second) {
        if (cv.wait_until(lock, start + std::chrono::seconds(second), [&] { return done; })) {
          return;
        }
        const RunTotals t = totals.Snapshot();
        char line[256];
        std::snprintf(line, sizeof line, "%4ds  spans sent %llu (%llu/s), ", second,
                      static_cast<unsigned long long>(t.spans_sent),
                      static_cast<unsigned long long>(t.spans_sent - last_spans));
        progress << line;
        if (acks) progress << "acknowledged " << t.spans_acked << ", ";
        progress << "failed " << t.spans_failed << "\n" << std::flush;
        last_spans = t.spans_sent;
      }
    });
  }

  std::vector<std::thread> senders;
  senders.reserve(static_cast<size_t>(o.connections));
  for (int i = 0; i < o.connections; ++i) {
    senders.emplace_back(SendLoop, std::cref(o), start, std::cref(stop), std::ref(next_request),
                         std::ref(totals));
  }
  for (std::thread& t : senders) t.join();
  const double elapsed = SecondsSince(start);
  if (reporter.joinable()) {
    {
      std::lock_guard lock(mu);
      done = true;
    }
    cv.notify_all();
    reporter.join();
  }
  RunTotals result = totals.Snapshot();
  result.elapsed_s = elapsed;
  return result;
}

std::string FormatReport(const Options& o, const RunTotals& t) {
  const bool acks = Acknowledges(o.protocol);
  auto u = [](uint64_t v) { return std::to_string(v); };
  std::string out = "tracegen: " + std::string(ProtocolName(o.protocol)) + " to " + o.host + ":" +
                    std::to_string(o.port) + ", " + std::to_string(o.connections) +
                    (o.connections == 1 ? " connection" : " connections") + ", seed " +
                    std::to_string(o.seed.value_or(1)) + "\n";
  auto line = [&](const char* what, uint64_t sent, uint64_t acked, uint64_t failed) {
    out += std::string(what) + "sent " + u(sent) + ", acknowledged " +
           (acks ? u(acked) : "unknown (UDP has no acknowledgements)") + ", failed " + u(failed) +
           "\n";
  };
  line("requests: ", t.requests_sent, t.requests_acked, t.requests_failed);
  line("spans:    ", t.spans_sent, t.spans_acked, t.spans_failed);
  char tail[128];
  std::snprintf(tail, sizeof tail, "elapsed:  %.3f s, %.0f spans/s sent\n", t.elapsed_s,
                t.elapsed_s > 0 ? static_cast<double>(t.spans_sent) / t.elapsed_s : 0.0);
  out += tail;
  if (!t.first_error.empty()) out += "first error: " + t.first_error + "\n";
  return out;
}

}  // namespace spoor::tracegen
