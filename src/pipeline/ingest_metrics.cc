#include "pipeline/ingest_metrics.h"

namespace spoor {
namespace {

Counter& IngestCounter(const char* name, const char* help, const std::string& transport,
                       const std::string& format, const char* reason = nullptr) {
  Labels labels = {{"transport", transport}, {"format", format}};
  if (reason != nullptr) labels.emplace_back("reason", reason);
  return MetricsRegistry::Global().GetCounter(name, help, labels);
}

constexpr const char* kSpansRefusedHelp = "Spans refused to the sender, by reason";
constexpr const char* kRequestsRefusedHelp = "Requests refused as a whole, by reason";

}  // namespace

IngestMetrics::IngestMetrics(const std::string& t, const std::string& f)
    : spans_received(IngestCounter("spoor_spans_received_total", "Spans received", t, f)),
      spans_accepted(IngestCounter("spoor_spans_accepted_total",
                                   "Spans accepted into the queue or the buffer", t, f)),
      spans_refused_invalid(
          IngestCounter("spoor_spans_refused_total", kSpansRefusedHelp, t, f, "invalid_span")),
      spans_refused_queue_full(
          IngestCounter("spoor_spans_refused_total", kSpansRefusedHelp, t, f, "queue_full")),
      spans_refused_unavailable(IngestCounter("spoor_spans_refused_total", kSpansRefusedHelp, t, f,
                                              "buffer_unavailable")),
      requests_malformed(
          IngestCounter("spoor_requests_refused_total", kRequestsRefusedHelp, t, f, "malformed")),
      requests_too_large(
          IngestCounter("spoor_requests_refused_total", kRequestsRefusedHelp, t, f, "too_large")),
      requests_unsupported_media_type(IngestCounter(
          "spoor_requests_refused_total", kRequestsRefusedHelp, t, f, "unsupported_media_type")),
      requests_method_not_allowed(IngestCounter("spoor_requests_refused_total",
                                                kRequestsRefusedHelp, t, f, "method_not_allowed")),
      transport(t),
      format(f) {}

}  // namespace spoor
