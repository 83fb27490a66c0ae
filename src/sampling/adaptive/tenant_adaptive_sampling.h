// Adaptive sampling for each tenant apart (--multi-tenancy.enabled,
// docs/security.md "Tenants"): each tenant has its own throughput counter,
// sampling store (in the tenant's place of the storage), leader lease and
// calculated strategies, so one tenant's traffic never moves another's
// probabilities.
//
// A tenant's sampler starts on first use: when its spans are counted
// (CountingSink), or when a poll names a tenant the caller says is served
// here (Open). Until then a poll gets the default strategies.
//
// Threading: every method may be called from any thread; a Tenant stays
// valid until the object is destroyed.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/status.h"
#include "pipeline/span_sink.h"
#include "sampling/adaptive/adaptive_options.h"
#include "sampling/adaptive/adaptive_sampler.h"
#include "sampling/adaptive/throughput_counter.h"
#include "sampling/sampling_http.h"
#include "sampling/sampling_store.h"

namespace spoor {

class TenantAdaptiveSampling {
 public:
  // Opens the sampling store of `tenant`.
  using OpenStore =
      std::function<Result<std::unique_ptr<SamplingStore>>(const std::string& tenant)>;

  struct Tenant {
    std::string name;
    std::unique_ptr<SamplingStore> store;
    ThroughputCounter counter;
    std::unique_ptr<StrategiesHolder> strategies;
    std::unique_ptr<AdaptiveSampler> sampler;
    std::unique_ptr<SpanSink> counting;  // made by the first CountingSink()
  };

  // `name` identifies this process among the ones sharing a store.
  TenantAdaptiveSampling(AdaptiveSamplingOptions options, std::string name, OpenStore open);
  ~TenantAdaptiveSampling();
  TenantAdaptiveSampling(const TenantAdaptiveSampling&) = delete;
  TenantAdaptiveSampling& operator=(const TenantAdaptiveSampling&) = delete;

  // The tenant's sampler, started on first use; Unavailable when its store
  // cannot be opened or the samplers are stopped. The caller checks the name.
  [[nodiscard]] Result<Tenant*> Open(const std::string& tenant);

  // The sink that counts the tenant's sampled roots in front of `next` (the
  // tenant's own sink, the same for each call; it must outlive this object).
  [[nodiscard]] Result<SpanSink*> CountingSink(const std::string& tenant, SpanSink& next);

  // The tenant's strategies when its sampler runs here, else null.
  [[nodiscard]] std::shared_ptr<const SamplingStrategies> StrategiesOf(
      const std::string& tenant) const;

  // Stops every sampler (each saves what it counted and frees its lease);
  // later Open() calls fail.
  void Stop();

  // Calls `fn` for each tenant, in name order.
  void ForEach(const std::function<void(const Tenant&)>& fn) const;

 private:
  const AdaptiveSamplingOptions options_;
  const std::string name_;
  const OpenStore open_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Tenant>> tenants_;
  bool stopped_ = false;
};

}  // namespace spoor
