// The sampling endpoint clients poll for their strategy: GET /sampling (and
// GET /) on the agent's port 5778, GET /api/sampling on the collector's
// 14268, each with ?service=NAME.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "sampling/strategies.h"
#include "server/http.h"

namespace spoor {

// 400 unless `service` appears exactly once and is non-empty; 405 for
// anything but GET; else 200 with the strategy as JSON.
[[nodiscard]] HttpResponse HandleSamplingRequest(const HttpRequest& req,
                                                 const SamplingStrategies& strategies);

// The strategies currently served, optionally re-read from their file.
// With multi-tenancy and adaptive sampling, each tenant is served its own
// (SetTenantSource). Thread-safe.
class StrategiesHolder {
 public:
  // The strategies of a tenant, or null to serve the holder's own.
  using TenantSource =
      std::function<std::shared_ptr<const SamplingStrategies>(std::string_view tenant)>;

  // Without a path, Reload() does nothing.
  StrategiesHolder(SamplingStrategies initial, std::string path);

  [[nodiscard]] std::shared_ptr<const SamplingStrategies> Get() const;
  // The strategies of `tenant` (empty: none named) from the tenant source,
  // else the holder's own.
  [[nodiscard]] std::shared_ptr<const SamplingStrategies> Get(std::string_view tenant) const;

  // Before serving: polls naming a tenant in `header` (HTTP header or gRPC
  // metadata, lower case) are answered from `source`.
  void SetTenantSource(std::string header, TenantSource source);
  [[nodiscard]] const std::string& tenant_header() const { return tenant_header_; }
  // Re-reads the file; on failure keeps the last good strategies, logs a
  // warning and returns the error.
  Status Reload();
  // Serves `next` from now on (adaptive sampling's calculated strategies).
  void Set(SamplingStrategies next);

  [[nodiscard]] HttpResponse Handle(const HttpRequest& req) const {
    return HandleSamplingRequest(req, *(tenant_source_ ? Get(req.Header(tenant_header_)) : Get()));
  }

 private:
  const std::string path_;
  std::string tenant_header_;
  TenantSource tenant_source_;
  mutable std::mutex mu_;
  std::shared_ptr<const SamplingStrategies> current_;
};

}  // namespace spoor
