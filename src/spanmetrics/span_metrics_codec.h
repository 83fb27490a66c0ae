// The binary form of span metrics rows in a key-value store (the embedded
// store's "metrics" column family; docs/storage-embedded.md).
//
// Key: resolution (1 byte), service, 0x00, bucket start (8 bytes, big
// endian), span kind (1 byte), operation. Rows of one service are
// contiguous and ordered by bucket, so a read seeks once per service.
// Value: varint calls, varint errors, the latency histogram
// (LatencyHistogram::AppendEncoded).
#pragma once

#include <string>
#include <string_view>

#include "spanmetrics/span_metrics_store.h"

namespace spoor::span_metrics_codec {

[[nodiscard]] std::string EncodeKey(MetricsResolution resolution, std::string_view service,
                                    uint64_t bucket_start_ns, SpanKind kind,
                                    std::string_view operation);
// The smallest key of a service's rows at `bucket_start_ns` and after.
[[nodiscard]] std::string ServicePrefix(MetricsResolution resolution, std::string_view service,
                                        uint64_t bucket_start_ns);
// False, leaving *row unchanged, on a malformed key.
[[nodiscard]] bool DecodeKey(std::string_view key, SpanMetricsRow* row);

void EncodeValue(const SpanMetricsValue& value, std::string& out);
[[nodiscard]] bool DecodeValue(std::string_view in, SpanMetricsValue* value);

}  // namespace spoor::span_metrics_codec
