// Partitions of the NATS stream by trace ID (--nats.partitions): every span
// of a trace goes to one partition, so that the one ingester owning it sees
// the whole trace (tail sampling, docs/tail-sampling.md).
//
// With one partition (the default) the subject is --nats.subject and the
// consumer --nats.consumer, as without partitions. With N > 1, partition p
// is the subject `<subject>.<p>` read by the durable consumer
// `<consumer>-<p>`; the stream takes `<subject>.*`.
//
// With tenants (NatsOptions::tenants) a tenant's batches go to
// `<subject>.t.<tenant>`, or `<subject>.t.<tenant>.<p>` with partitions; the
// stream takes `<subject>.t.*` (`<subject>.t.*.*`), partition p's consumer
// reads `<subject>.t.*.<p>`, and an ingester finds the tenant of a message
// in its subject.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "buffer/nats/nats_options.h"
#include "model/span.h"

namespace spoor {

// The partition of `id` among `partitions` (>= 1); the same in every process.
[[nodiscard]] uint32_t PartitionOf(const TraceId& id, uint32_t partitions);

// What the consumer of `partition` reads.
[[nodiscard]] std::string PartitionSubject(const NatsOptions& options, uint32_t partition);
// Where a batch of `tenant` ("" without tenants) in `partition` is published.
[[nodiscard]] std::string PublishSubject(const NatsOptions& options, const std::string& tenant,
                                         uint32_t partition);
// The tenant of a message published on `subject`; "" when it names none.
[[nodiscard]] std::string TenantOfSubject(const NatsOptions& options, std::string_view subject);
[[nodiscard]] std::string PartitionConsumer(const NatsOptions& options, uint32_t partition);
// The subject the stream is created with.
[[nodiscard]] std::string StreamSubject(const NatsOptions& options);

// Moves the spans of `batch` into one batch per partition (index =
// partition; a partition without spans gets an empty batch). Resources and
// scopes are shared, not copied.
[[nodiscard]] std::vector<SpanBatch> SplitByPartition(SpanBatch batch, uint32_t partitions);

}  // namespace spoor
