#include "sampling/sampling_http.h"

#include <utility>

#include "common/log.h"
#include "server/http_util.h"

namespace spoor {

HttpResponse HandleSamplingRequest(const HttpRequest& req, const SamplingStrategies& strategies) {
  if (req.method != "GET") {
    HttpResponse r = HttpResponse::Text(405, "method " + req.method + " not allowed; use GET\n");
    r.headers.emplace_back("Allow", "GET");
    return r;
  }
  QueryParams params(req.query);
  std::vector<std::string> services = params.GetAll("service");
  if (services.size() != 1 || services[0].empty()) {
    return HttpResponse::Text(400, "'service' parameter must be provided once\n");
  }
  return HttpResponse::Json(200, StrategyResponseJson(strategies, services[0]));
}

StrategiesHolder::StrategiesHolder(SamplingStrategies initial, std::string path)
    : path_(std::move(path)),
      current_(std::make_shared<const SamplingStrategies>(std::move(initial))) {}

std::shared_ptr<const SamplingStrategies> StrategiesHolder::Get() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

std::shared_ptr<const SamplingStrategies> StrategiesHolder::Get(std::string_view tenant) const {
  if (tenant_source_ && !tenant.empty()) {
    if (auto own = tenant_source_(tenant)) return own;
  }
  return Get();
}

void StrategiesHolder::SetTenantSource(std::string header, TenantSource source) {
  tenant_header_ = std::move(header);
  tenant_source_ = std::move(source);
}

void StrategiesHolder::Set(SamplingStrategies next) {
  auto shared = std::make_shared<const SamplingStrategies>(std::move(next));
  std::lock_guard<std::mutex> lock(mu_);
  current_ = std::move(shared);
}

Status StrategiesHolder::Reload() {
  if (path_.empty()) return Status::Ok();
  auto loaded = LoadStrategiesFile(path_);
  if (!loaded.ok()) {
    LogWarn("keeping the previous sampling strategies: ", loaded.status().message());
    return loaded.status();
  }
  auto next = std::make_shared<const SamplingStrategies>(std::move(loaded).value());
  std::lock_guard<std::mutex> lock(mu_);
  current_ = std::move(next);
  return Status::Ok();
}

}  // namespace spoor
