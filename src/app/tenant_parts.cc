#include "app/role.h"
#include "common/log.h"
#include "storage/factory.h"

namespace spoor::app {
namespace {

// Where receivers of a multi-tenant process hand what belongs to no tenant:
// nothing, since every ingest route picks its tenant's sink first.
class NoTenantSink final : public SpanSink {
 public:
  Status Submit(SpanBatch /*batch*/, IngestMetrics& metrics) override {
    metrics.spans_refused_invalid.Inc();
    return InvalidArgument("spans need a tenant");
  }
};

}  // namespace

// Closed after the receivers (or the ingester) stop, having written what
// they hold.
bool AddTenantStores(Role& role, TenantStoresOptions::Mode mode) {
  const Config& config = role.config;
  TenantStoresOptions options;
  options.tenancy = config.tenancy;
  options.storage = config.storage;
  options.pipeline = config.pipeline;
  options.span_metrics = config.span_metrics;
  options.mode = mode;
  options.tail_sampling = config.tail_sampling;
  if (!config.archive_storage_type.empty()) options.archive = ArchiveStorageOptions(config);
  if (mode == TenantStoresOptions::Mode::kPublish) {
    // A collector publishing to NATS: each tenant's batches on its subjects.
    role.publisher.reset(static_cast<NatsPublisher*>(role.sink.release()));
    options.publish = [publisher = role.publisher.get()](const std::string& tenant) {
      return std::make_unique<NatsTenantSink>(*publisher, tenant);
    };
  }
  role.tenants = std::make_unique<TenantStores>(std::move(options));
  StorageOptions empty;
  empty.type = "memory";
  empty.memory.max_traces = 1;
  auto opened = CreateStorage(empty);
  if (!opened.ok()) {
    LogError("cannot open storage: ", opened.status().message());
    return false;
  }
  role.empty_store = std::move(opened).value();
  if (mode == TenantStoresOptions::Mode::kQueue || mode == TenantStoresOptions::Mode::kPublish) {
    role.sink = std::make_unique<NoTenantSink>();
  }
  TenantStores* tenants = role.tenants.get();
  if (config.span_metrics.prometheus) {
    // Every tenant's span metrics on /metrics, each series with its tenant.
    MetricsRegistry::Global().AddCollector([tenants](std::string& out) {
      std::vector<std::pair<std::string, const SpanMetricsAggregator*>> aggregators;
      tenants->ForEach([&aggregators](const TenantStores::Tenant& t) {
        if (t.span_metrics) aggregators.emplace_back(t.name, t.span_metrics.get());
      });
      SpanMetricsAggregator::RenderPrometheus(aggregators, out);
    });
  }
  MetricsRegistry::Global().AddGauge("spoor_tenants", "Tenants with stores open in this process",
                                     {},
                                     [tenants] { return static_cast<double>(tenants->size()); });
  role.parts.Add(
      "tenants", [tenants] { return tenants->Start(); },
      [tenants] {
        tenants->Shutdown();
        Status s = tenants->Close();
        return s.ok() ? s : Unavailable("closing storage failed: " + s.message());
      });
  return true;
}

}  // namespace spoor::app
