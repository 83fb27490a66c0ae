#include "spanmetrics/span_metrics_store.h"

#include <string>

namespace spoor {

Status ValidateSpanMetricsRows(const std::vector<SpanMetricsRow>& rows) {
  for (const SpanMetricsRow& r : rows) {
    if (r.bucket_start_ns % BucketWidthNs(r.resolution) != 0) {
      return InvalidArgument("span metrics: bucket start " + std::to_string(r.bucket_start_ns) +
                             " is not a multiple of the bucket width");
    }
    if (r.key.service.find('\0') != std::string::npos) {
      return InvalidArgument("span metrics: a service name contains NUL");
    }
  }
  return Status::Ok();
}

Status ValidateSpanMetricsRead(const SpanMetricsRead& read) {
  if (read.services.empty()) return InvalidArgument("span metrics: no service given");
  return Status::Ok();
}

}  // namespace spoor
