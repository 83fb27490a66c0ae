#include "tenancy/tenant_stores.h"

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <utility>

#include "common/log.h"
#include "common/metrics.h"
#include "storage/factory.h"

namespace spoor {

StorageOptions TenantStorageOptions(const StorageOptions& base, const std::string& tenant,
                                    const TenancyOptions& tenancy) {
  StorageOptions o = base;
  o.embedded.directory = base.embedded.directory + "/tenants/" + tenant;
  o.clickhouse.database = base.clickhouse.database + "_" + tenant;
  if (auto it = tenancy.retention_ns.find(tenant); it != tenancy.retention_ns.end()) {
    o.embedded.span_ttl_ns = it->second;
    o.clickhouse.span_ttl_ns = it->second;
  }
  return o;
}

StorageOptions TenantArchiveOptions(const StorageOptions& archive, const std::string& tenant) {
  StorageOptions o = archive;
  o.embedded.directory = archive.embedded.directory + "/tenants/" + tenant;
  o.clickhouse.database = archive.clickhouse.database + "." + tenant;
  return o;
}

TenantStores::TenantStores(TenantStoresOptions options)
    : options_(std::move(options)),
      ack_after_write_(FindStorageBackend(options_.storage.type)
                           ->capabilities(options_.storage)
                           .ack_after_write) {}

TenantStores::~TenantStores() {
  Shutdown();
  (void)Close();
}

Status TenantStores::Start() {
  std::vector<std::string> names = options_.tenancy.tenants;
  if (options_.storage.type == "embedded" && options_.mode != TenantStoresOptions::Mode::kPublish) {
    std::error_code ec;
    std::filesystem::path dir = options_.storage.embedded.directory + "/tenants";
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      std::string name = entry.path().filename().string();
      if (!entry.is_directory() || !CheckTenantName(name).ok()) continue;
      if (!options_.tenancy.tenants.empty() &&
          std::find(names.begin(), names.end(), name) == names.end()) {
        LogWarn("multi-tenancy: ", dir.string(), "/", name,
                " is kept but not served: the tenant is not in --multi-tenancy.tenants");
        continue;
      }
      names.push_back(name);
    }
  }
  for (const std::string& name : names) {
    auto opened = Open(name, "startup");
    if (!opened.ok()) return Unavailable("tenant " + name + ": " + opened.status().message());
  }
  return Status::Ok();
}

Result<std::unique_ptr<TenantStores::Tenant>> TenantStores::Create(const std::string& name) const {
  using Mode = TenantStoresOptions::Mode;
  auto tenant = std::make_unique<Tenant>();
  tenant->name = name;
  if (options_.mode == Mode::kPublish) {
    tenant->publisher = options_.publish(name);
    return tenant;
  }
  auto storage = CreateStorage(TenantStorageOptions(options_.storage, name, options_.tenancy));
  if (!storage.ok()) return storage.status();
  tenant->storage = std::move(storage).value();
  if (options_.archive && options_.mode != Mode::kStore) {
    auto archive = CreateStorage(TenantArchiveOptions(*options_.archive, name));
    if (!archive.ok()) {
      (void)tenant->storage->Close();
      return Unavailable("its archive: " + archive.status().message());
    }
    tenant->archive = std::move(archive).value();
  }
  if (options_.mode == Mode::kRead) return tenant;
  SpanMetricsStore* metrics_store = tenant->storage->span_metrics();
  if (options_.span_metrics.enabled && metrics_store != nullptr) {
    tenant->span_metrics = std::make_unique<SpanMetricsAggregator>(options_.span_metrics);
    tenant->flusher = std::make_unique<SpanMetricsFlusher>(*tenant->span_metrics, *metrics_store);
    tenant->flusher->Start();
  }
  if (options_.mode == Mode::kStore) return tenant;
  PipelineOptions pipeline = options_.pipeline;
  pipeline.ack_after_write = ack_after_write_;
  tenant->pipeline =
      std::make_unique<Pipeline>(pipeline, *tenant->storage, tenant->span_metrics.get());
  Pipeline* p = tenant->pipeline.get();
  auto& registry = MetricsRegistry::Global();
  registry.AddGauge("spoor_queue_length", "Spans waiting in the queue", {{"tenant", name}},
                    [p] { return static_cast<double>(p->queue().length_spans()); });
  registry.AddGauge("spoor_queue_capacity", "Capacity of the queue in spans", {{"tenant", name}},
                    [p] { return static_cast<double>(p->queue().capacity_spans()); });
  if (options_.tail_sampling.enabled) {
    tenant->tail_sampler = std::make_unique<TailSampler>(options_.tail_sampling, *p);
    TailSampler* sampler = tenant->tail_sampler.get();
    registry.AddGauge("spoor_tail_sampling_traces_held",
                      "Traces held by tail sampling, waiting for their decision",
                      {{"tenant", name}},
                      [sampler] { return static_cast<double>(sampler->held_traces()); });
    sampler->Start();
  }
  return tenant;
}

Result<TenantStores::Tenant*> TenantStores::Open(const std::string& name,
                                                 const std::string& server) {
  if (Tenant* found = Find(name)) return found;
  if (Status s = CheckTenantName(name); !s.ok()) {
    CountTenantRefusal(server, TenantRefusal::kInvalid);
    return s;
  }
  const std::vector<std::string>& listed = options_.tenancy.tenants;
  if (!listed.empty() && std::find(listed.begin(), listed.end(), name) == listed.end()) {
    CountTenantRefusal(server, TenantRefusal::kUnknown);
    return InvalidArgument("unknown tenant '" + name + "'");
  }
  std::unique_lock<std::shared_mutex> lock(mu_);
  if (auto it = tenants_.find(name); it != tenants_.end()) return it->second.get();
  if (shut_down_) return Unavailable("shutting down");
  if (options_.tenancy.tenants.empty() && tenants_.size() >= options_.tenancy.max_tenants) {
    CountTenantRefusal(server, TenantRefusal::kTooMany);
    return InvalidArgument("no room for another tenant (--multi-tenancy.max-tenants=" +
                           std::to_string(options_.tenancy.max_tenants) + ")");
  }
  // Opening a store takes a while (ClickHouse: a round trip, the schema);
  // it is done once per tenant, under the lock, so it is done once.
  auto created = Create(name);
  if (!created.ok()) {
    LogError("multi-tenancy: cannot open the stores of tenant ", name, ": ",
             created.status().message());
    return Unavailable("the tenant's storage cannot be opened");
  }
  Tenant* tenant = created.value().get();
  tenants_.emplace(name, std::move(created).value());
  LogInfo("multi-tenancy: tenant ", name, " opened (", tenants_.size(), " open)");
  return tenant;
}

TenantStores::Tenant* TenantStores::Find(const std::string& name) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  auto it = tenants_.find(name);
  return it == tenants_.end() ? nullptr : it->second.get();
}

TenantStores::Tenant* TenantStores::ForReading(const std::string& name, const std::string& server) {
  if (Tenant* found = Find(name)) return found;
  // ClickHouse databases are made by other processes (collectors,
  // ingesters); the other stores are this process's own.
  if (options_.storage.type != "clickhouse") return nullptr;
  auto opened = Open(name, server);
  return opened.ok() ? opened.value() : nullptr;
}

Result<SpanSink*> TenantStores::SinkFor(const std::string& name, const std::string& server) {
  auto tenant = Open(name, server);
  if (!tenant.ok()) return tenant.status();
  Tenant* t = tenant.value();
  if (t->tail_sampler != nullptr) return static_cast<SpanSink*>(t->tail_sampler.get());
  if (t->pipeline != nullptr) return static_cast<SpanSink*>(t->pipeline.get());
  if (t->publisher != nullptr) return t->publisher.get();
  return Unavailable("this process does not take spans");
}

size_t TenantStores::size() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return tenants_.size();
}

void TenantStores::ForEach(const std::function<void(const Tenant&)>& fn) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  for (const auto& [name, tenant] : tenants_) fn(*tenant);
}

void TenantStores::Shutdown() {
  std::unique_lock<std::shared_mutex> lock(mu_);
  if (shut_down_) return;
  shut_down_ = true;
  for (auto& [name, tenant] : tenants_) {
    // What tail sampling holds is decided and queued, then written.
    if (tenant->tail_sampler) tenant->tail_sampler->Stop();
    if (tenant->storage) tenant->storage->BeginShutdown();
    if (tenant->pipeline) tenant->pipeline->Shutdown();
    if (tenant->flusher) {
      if (Status s = tenant->flusher->Stop(); !s.ok()) {
        LogWarn("span metrics of tenant ", name, ": the last flush failed: ", s.message());
      }
    }
  }
}

Status TenantStores::Close() {
  std::unique_lock<std::shared_mutex> lock(mu_);
  Status first = Status::Ok();
  if (closed_) return first;
  closed_ = true;
  // The objects stay until destruction: /metrics may still read the gauges.
  for (auto& [name, tenant] : tenants_) {
    for (Storage* store : {tenant->storage.get(), tenant->archive.get()}) {
      if (store == nullptr) continue;
      Status s = store->Close();
      if (!s.ok() && first.ok()) first = Unavailable("tenant " + name + ": " + s.message());
    }
  }
  return first;
}

}  // namespace spoor
