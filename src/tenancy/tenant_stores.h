// Each tenant's own stores (docs/security.md, "Tenants"): a storage
// instance of the configured backend, its span metrics, and the queue and
// writers in front of it. A tenant's spans go only to its own instance and
// its queries read only that instance, so no predicate can reach another
// tenant's data: isolation is by construction, not by a filter.
//
// Where each backend keeps a tenant: memory, an instance of its own;
// embedded, the directory <directory>/tenants/<tenant>; ClickHouse, the
// database <database>_<tenant>. A tenant's archive (query/archive.h) is in
// the archive store's place the same way, except that ClickHouse names it
// <archive database>.<tenant>: a dot, which no tenant name holds, so that
// no tenant's database can be another's archive.
//
// Threading: Open() and Find() may be called from any thread; a Tenant
// stays valid until Close().
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "pipeline/pipeline.h"
#include "pipeline/span_sink.h"
#include "spanmetrics/span_metrics_aggregator.h"
#include "storage/options.h"
#include "storage/storage.h"
#include "tailsampling/tail_sampler.h"
#include "tenancy/tenancy.h"

namespace spoor {

struct TenantStoresOptions {
  // What a tenant has in this process.
  enum class Mode {
    kQueue,    // a store, span metrics, and a queue with writers (all-in-one, collector)
    kStore,    // a store and span metrics, written by the caller (the NATS ingester)
    kRead,     // a store to read (a query node)
    kPublish,  // no store: `publish` makes the tenant's sink (a collector publishing to NATS)
  };
  TenancyOptions tenancy;
  StorageOptions storage;  // the backend and its options, as for one tenant
  PipelineOptions pipeline;
  SpanMetricsOptions span_metrics;
  Mode mode = Mode::kQueue;
  // kQueue: tail sampling (enabled) in front of each tenant's queue, so
  // that each tenant's traces are held and decided apart.
  TailSamplingOptions tail_sampling;
  std::function<std::unique_ptr<SpanSink>(const std::string& tenant)> publish;
  // kQueue, kRead: each tenant's archive store too, in the tenant's place
  // of these options (TenantArchiveOptions); retention is the archive's.
  std::optional<StorageOptions> archive;
};

// The storage options of `tenant`: `base` in the tenant's own place, with
// its retention when --multi-tenancy.retention names it.
[[nodiscard]] StorageOptions TenantStorageOptions(const StorageOptions& base,
                                                  const std::string& tenant,
                                                  const TenancyOptions& tenancy);

// The options of `tenant`'s archive: `archive` in the tenant's own place.
[[nodiscard]] StorageOptions TenantArchiveOptions(const StorageOptions& archive,
                                                  const std::string& tenant);

class TenantStores {
 public:
  struct Tenant {
    std::string name;
    std::unique_ptr<Storage> storage;
    std::unique_ptr<Storage> archive;                     // with options.archive, kQueue and kRead
    std::unique_ptr<SpanMetricsAggregator> span_metrics;  // null: not counted
    std::unique_ptr<SpanMetricsFlusher> flusher;
    std::unique_ptr<Pipeline> pipeline;         // kQueue
    std::unique_ptr<TailSampler> tail_sampler;  // kQueue with tail sampling
    std::unique_ptr<SpanSink> publisher;        // kPublish
  };

  explicit TenantStores(TenantStoresOptions options);
  ~TenantStores();
  TenantStores(const TenantStores&) = delete;
  TenantStores& operator=(const TenantStores&) = delete;

  // Opens the allow-listed tenants, and those the embedded store holds
  // from earlier runs; an error names the tenant whose store failed.
  [[nodiscard]] Status Start();

  // The tenant's stores, opened on first use. InvalidArgument for a name
  // that is not valid or not in the allow-list, or when there are already
  // max_tenants (counted for `server`); Unavailable when its store cannot
  // be opened.
  [[nodiscard]] Result<Tenant*> Open(const std::string& tenant, const std::string& server);

  // The tenant's stores when open, else null.
  [[nodiscard]] Tenant* Find(const std::string& tenant) const;

  // For reading: Find(), or for ClickHouse, whose databases other
  // processes create, Open(). Null when the tenant has no data here.
  [[nodiscard]] Tenant* ForReading(const std::string& tenant, const std::string& server);

  // The sink of `tenant`'s batches (its queue, or its publisher), opening
  // it first. Receivers pick one per request (receivers/tenant_sinks.h).
  [[nodiscard]] Result<SpanSink*> SinkFor(const std::string& tenant, const std::string& server);

  [[nodiscard]] size_t size() const;

  // Stops accepting; writes what the queues hold; last span metrics flush.
  void Shutdown();
  // Closes every store; the first error. The objects live on until the
  // destructor (gauges on /metrics refer to them).
  [[nodiscard]] Status Close();

  // Calls `fn` for each open tenant, in name order.
  void ForEach(const std::function<void(const Tenant&)>& fn) const;

 private:
  [[nodiscard]] Result<std::unique_ptr<Tenant>> Create(const std::string& tenant) const;

  const TenantStoresOptions options_;
  const bool ack_after_write_;
  mutable std::shared_mutex mu_;
  std::map<std::string, std::unique_ptr<Tenant>> tenants_;
  bool shut_down_ = false;
  bool closed_ = false;
};

}  // namespace spoor
