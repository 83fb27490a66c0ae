// The sampling endpoint clients poll for their strategy: GET /sampling (and
// GET /) on the agent's port 5778, GET /api/sampling on the collector's
// 14268, each with ?service=NAME.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "sampling/strategies.h"
#include "server/http.h"

namespace spoor {

// 400 unless `service` appears exactly once and is non-empty; 405 for
// anything but GET; else 200 with the strategy as JSON.
[[nodiscard]] HttpResponse HandleSamplingRequest(const HttpRequest& req,
                                                 const SamplingStrategies& strategies);

// The strategies currently served, optionally re-read from their file.
// Thread-safe.
class StrategiesHolder {
 public:
  // Without a path, Reload() does nothing.
  StrategiesHolder(SamplingStrategies initial, std::string path);

  [[nodiscard]] std::shared_ptr<const SamplingStrategies> Get() const;
  // Re-reads the file; on failure keeps the last good strategies, logs a
  // warning and returns the error.
  Status Reload();
  // Serves `next` from now on (adaptive sampling's calculated strategies).
  void Set(SamplingStrategies next);

  [[nodiscard]] HttpResponse Handle(const HttpRequest& req) const {
    return HandleSamplingRequest(req, *Get());
  }

 private:
  const std::string path_;
  mutable std::mutex mu_;
  std::shared_ptr<const SamplingStrategies> current_;
};

}  // namespace spoor
