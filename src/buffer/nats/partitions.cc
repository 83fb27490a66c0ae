#include "buffer/nats/partitions.h"

#include <algorithm>

#include "common/hash.h"

namespace spoor {

uint32_t PartitionOf(const TraceId& id, uint32_t partitions) {
  if (partitions <= 1) return 0;
  // Another mix than the probabilistic tail policy's (tail_policy.cc), so
  // that a partition's traces are not those of one probability band.
  uint64_t h = HashAvalanche(HashMix(id.low ^ 0x5bd1e9955bd1e995ULL, id.high));
  return static_cast<uint32_t>((h >> 32) % partitions);
}

std::string PartitionSubject(const NatsOptions& options, uint32_t partition) {
  if (options.tenants) {
    return options.subject + ".t.*" +
           (options.partitions <= 1 ? "" : "." + std::to_string(partition));
  }
  if (options.partitions <= 1) return options.subject;
  return options.subject + "." + std::to_string(partition);
}

std::string PublishSubject(const NatsOptions& options, const std::string& tenant,
                           uint32_t partition) {
  if (!options.tenants) return PartitionSubject(options, partition);
  return options.subject + ".t." + tenant +
         (options.partitions <= 1 ? "" : "." + std::to_string(partition));
}

std::string TenantOfSubject(const NatsOptions& options, std::string_view subject) {
  const std::string prefix = options.subject + ".t.";
  if (!options.tenants || subject.substr(0, prefix.size()) != prefix) return "";
  subject.remove_prefix(prefix.size());
  return std::string(subject.substr(0, subject.find('.')));
}

std::string PartitionConsumer(const NatsOptions& options, uint32_t partition) {
  if (options.partitions <= 1) return options.consumer;
  return options.consumer + "-" + std::to_string(partition);
}

std::string StreamSubject(const NatsOptions& options) {
  if (options.tenants) return options.subject + (options.partitions <= 1 ? ".t.*" : ".t.*.*");
  return options.partitions <= 1 ? options.subject : options.subject + ".*";
}

std::vector<SpanBatch> SplitByPartition(SpanBatch batch, uint32_t partitions) {
  std::vector<SpanBatch> out(std::max<uint32_t>(partitions, 1));
  if (out.size() == 1) {
    out[0] = std::move(batch);
    return out;
  }
  for (ResourceSpans& rs : batch.resource_spans) {
    for (ScopeSpans& ss : rs.scope_spans) {
      for (Span& span : ss.spans) {
        SpanBatch& to = out[PartitionOf(span.trace_id, partitions)];
        // Append under the same resource and scope as the previous span
        // when they match (the usual case: spans arrive grouped).
        if (to.resource_spans.empty() || to.resource_spans.back().resource != rs.resource) {
          to.resource_spans.push_back({rs.resource, {}});
        }
        ResourceSpans& trs = to.resource_spans.back();
        if (trs.scope_spans.empty() || trs.scope_spans.back().scope != ss.scope) {
          trs.scope_spans.push_back({ss.scope, {}});
        }
        trs.scope_spans.back().spans.push_back(std::move(span));
      }
    }
  }
  return out;
}

}  // namespace spoor
