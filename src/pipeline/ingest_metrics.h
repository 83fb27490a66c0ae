// Per-(transport, format) ingest counters, created once per receiver
// endpoint. See docs/operations.md for the metric names.
#pragma once

#include <string>

#include "common/metrics.h"

namespace spoor {

struct IngestMetrics {
  IngestMetrics(const std::string& transport, const std::string& format);

  Counter& spans_received;             // decoded from requests (valid or not)
  Counter& spans_accepted;             // taken by the sink (queued, or acknowledged by the buffer)
  Counter& spans_refused_invalid;      // rejected individually (bad IDs)
  Counter& spans_refused_queue_full;   // refused because the queue was full
  Counter& spans_refused_unavailable;  // refused because the buffer (NATS) did not take them
  Counter& requests_malformed;
  Counter& requests_too_large;
  Counter& requests_unsupported_media_type;  // wrong content type or encoding (415)
  Counter& requests_method_not_allowed;      // 405

  const std::string transport;
  const std::string format;
};

}  // namespace spoor
