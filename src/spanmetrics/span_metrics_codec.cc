#include "spanmetrics/span_metrics_codec.h"

#include "common/encoding.h"
#include "formats/protowire/wire_reader.h"

namespace spoor::span_metrics_codec {
std::string ServicePrefix(MetricsResolution resolution, std::string_view service,
                          uint64_t bucket_start_ns) {
  std::string k;
  k.reserve(service.size() + 10);
  k.push_back(static_cast<char>(resolution));
  k.append(service);
  k.push_back('\0');
  encoding::PutBigEndian64(k, bucket_start_ns);
  return k;
}

std::string EncodeKey(MetricsResolution resolution, std::string_view service,
                      uint64_t bucket_start_ns, SpanKind kind, std::string_view operation) {
  std::string k = ServicePrefix(resolution, service, bucket_start_ns);
  k.push_back(static_cast<char>(kind));
  k.append(operation);
  return k;
}

bool DecodeKey(std::string_view key, SpanMetricsRow* row) {
  if (key.empty() || static_cast<unsigned char>(key[0]) > 1) return false;
  size_t nul = key.find('\0', 1);
  if (nul == std::string_view::npos || key.size() < nul + 10) return false;
  auto kind = static_cast<unsigned char>(key[nul + 9]);
  if (kind > static_cast<unsigned char>(SpanKind::kConsumer)) return false;
  row->resolution = static_cast<MetricsResolution>(key[0]);
  row->key.service.assign(key.substr(1, nul - 1));
  row->bucket_start_ns = encoding::GetBigEndian64(key.substr(nul + 1, 8));
  row->key.kind = static_cast<SpanKind>(kind);
  row->key.operation.assign(key.substr(nul + 10));
  return true;
}

void EncodeValue(const SpanMetricsValue& value, std::string& out) {
  encoding::PutVarint(out, value.calls);
  encoding::PutVarint(out, value.errors);
  value.latency.AppendEncoded(out);
}

bool DecodeValue(std::string_view in, SpanMetricsValue* value) {
  protowire::WireReader r(in);
  SpanMetricsValue v;
  if (!r.ReadVarint(&v.calls) || !r.ReadVarint(&v.errors)) return false;
  if (!v.latency.Decode(in.substr(r.offset()))) return false;
  *value = std::move(v);
  return true;
}

}  // namespace spoor::span_metrics_codec
