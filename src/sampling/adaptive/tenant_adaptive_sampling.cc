#include "sampling/adaptive/tenant_adaptive_sampling.h"

#include <utility>

#include "common/log.h"
#include "common/metrics.h"

namespace spoor {

TenantAdaptiveSampling::TenantAdaptiveSampling(AdaptiveSamplingOptions options, std::string name,
                                               OpenStore open)
    : options_(std::move(options)), name_(std::move(name)), open_(std::move(open)) {}

TenantAdaptiveSampling::~TenantAdaptiveSampling() {
  Stop();
}

Result<TenantAdaptiveSampling::Tenant*> TenantAdaptiveSampling::Open(const std::string& tenant) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = tenants_.find(tenant); it != tenants_.end()) return it->second.get();
  if (stopped_) return Unavailable("shutting down");
  // Done once per tenant, under the lock (opening a store takes a while).
  auto store = open_(tenant);
  if (!store.ok()) {
    LogError("adaptive sampling: cannot open the sampling store of tenant ", tenant, ": ",
             store.status().message());
    return Unavailable("the tenant's sampling store cannot be opened");
  }
  auto t = std::make_unique<Tenant>();
  t->name = tenant;
  t->store = std::move(store).value();
  t->strategies =
      std::make_unique<StrategiesHolder>(AdaptiveStrategies(options_, {}), std::string());
  t->sampler =
      std::make_unique<AdaptiveSampler>(options_, name_, *t->store, t->counter, *t->strategies);
  if (Status s = t->sampler->Start(); !s.ok()) {
    // The probabilities stored earlier are read again at the next round.
    LogWarn("adaptive sampling of tenant ", tenant, ": ", s.message());
  }
  AdaptiveSampler* sampler = t->sampler.get();
  MetricsRegistry::Global().AddGauge(
      "spoor_sampling_leader", "1 while this collector calculates adaptive sampling",
      {{"tenant", tenant}}, [sampler] { return sampler->is_leader() ? 1.0 : 0.0; });
  LogInfo("adaptive sampling: tenant ", tenant, " started");
  Tenant* out = t.get();
  tenants_.emplace(tenant, std::move(t));
  return out;
}

Result<SpanSink*> TenantAdaptiveSampling::CountingSink(const std::string& tenant, SpanSink& next) {
  auto opened = Open(tenant);
  if (!opened.ok()) return opened.status();
  Tenant* t = opened.value();
  std::lock_guard<std::mutex> lock(mu_);
  if (!t->counting) t->counting = std::make_unique<ThroughputCountingSink>(next, t->counter);
  return t->counting.get();
}

std::shared_ptr<const SamplingStrategies> TenantAdaptiveSampling::StrategiesOf(
    const std::string& tenant) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tenants_.find(tenant);
  return it == tenants_.end() ? nullptr : it->second->strategies->Get();
}

void TenantAdaptiveSampling::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_) return;
  stopped_ = true;
  for (auto& [name, t] : tenants_) t->sampler->Stop();
}

void TenantAdaptiveSampling::ForEach(const std::function<void(const Tenant&)>& fn) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, t] : tenants_) fn(*t);
}

}  // namespace spoor
