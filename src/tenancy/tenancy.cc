#include "tenancy/tenancy.h"

#include <algorithm>

#include "common/metrics.h"

namespace spoor {
namespace {

constexpr size_t kMaxTenantName = 64;

bool NameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

const char* ReasonLabel(TenantRefusal reason) {
  switch (reason) {
    case TenantRefusal::kMissing: return "missing";
    case TenantRefusal::kInvalid: return "invalid";
    case TenantRefusal::kUnknown: return "unknown";
    case TenantRefusal::kMismatch: return "mismatch";
    case TenantRefusal::kTooMany: return "too_many";
  }
  return "invalid";
}

}  // namespace

Status CheckTenantName(std::string_view name) {
  if (name.empty()) return InvalidArgument("the tenant is empty");
  if (name.size() > kMaxTenantName) {
    return InvalidArgument("the tenant is longer than " + std::to_string(kMaxTenantName) +
                           " characters");
  }
  if (name[0] == '-' || name[0] == '_' || !std::all_of(name.begin(), name.end(), NameChar)) {
    return InvalidArgument(
        "the tenant may hold only letters, digits, '_' and '-', and starts with a letter or "
        "digit");
  }
  return Status::Ok();
}

void CountTenantRefusal(const std::string& server, TenantRefusal reason) {
  MetricsRegistry::Global()
      .GetCounter("spoor_tenant_refusals_total",
                  "Requests refused for their tenant, by server and reason",
                  {{"server", server}, {"reason", ReasonLabel(reason)}})
      .Inc();
}

TenantResolver::TenantResolver(TenancyOptions options, std::shared_ptr<BearerTokens> tokens)
    : options_(std::move(options)), tokens_(std::move(tokens)) {}

Result<std::string> TenantResolver::Resolve(std::string_view header_value,
                                            std::string_view authorization,
                                            const std::string& server) const {
  auto refuse = [&server](TenantRefusal reason, std::string message) -> Result<std::string> {
    CountTenantRefusal(server, reason);
    return InvalidArgument(std::move(message));
  };
  std::string token_tenant;
  if (tokens_ != nullptr && !authorization.empty()) {
    BearerTokens::Checked checked = tokens_->Check(authorization);
    if (checked.outcome == BearerTokens::Outcome::kOk) token_tenant = std::move(checked.tenant);
  }
  std::string tenant(header_value);
  if (tenant.empty()) tenant = token_tenant;
  if (tenant.empty()) {
    return refuse(TenantRefusal::kMissing,
                  "missing tenant: send the " + options_.header + " header");
  }
  if (Status s = CheckTenantName(tenant); !s.ok()) {
    return refuse(TenantRefusal::kInvalid,
                  "invalid tenant in " + options_.header + ": " + s.message());
  }
  if (!token_tenant.empty() && token_tenant != tenant) {
    return refuse(TenantRefusal::kMismatch,
                  "the bearer token is not for the tenant in " + options_.header);
  }
  if (!options_.tenants.empty() && std::find(options_.tenants.begin(), options_.tenants.end(),
                                             tenant) == options_.tenants.end()) {
    return refuse(TenantRefusal::kUnknown, "unknown tenant '" + tenant + "'");
  }
  return tenant;
}

}  // namespace spoor
