// Multi-tenancy (docs/security.md, "Tenants"): which tenant a request is
// for. The tenant is decided here, at the edge, once per request: from the
// tenant header (--multi-tenancy.header, `x-tenant` as Jaeger's), or from
// the tenant the request's bearer token was issued for. Each tenant then
// has stores of its own (tenant_stores.h), so nothing downstream filters by
// tenant.
//
// Threading: Resolve() may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "server/auth.h"

namespace spoor {

struct TenancyOptions {
  bool enabled = false;             // --multi-tenancy.enabled
  std::string header = "x-tenant";  // --multi-tenancy.header, lower case
  // --multi-tenancy.tenants: the only tenants accepted; empty: any name
  // CheckTenantName() accepts, up to max_tenants of them.
  std::vector<std::string> tenants;
  size_t max_tenants = 100;  // --multi-tenancy.max-tenants, without an allow-list
  // --multi-tenancy.retention: how long each listed tenant's spans are kept,
  // instead of the store's own setting (0 = forever).
  std::map<std::string, uint64_t> retention_ns;
};

// A tenant name is 1 to 64 letters, digits, '_' or '-', starting with a
// letter or digit: it names directories and databases, so nothing else is
// accepted. InvalidArgument saying what is wrong otherwise.
[[nodiscard]] Status CheckTenantName(std::string_view name);

// Why a request's tenant was refused, the `reason` label of
// spoor_tenant_refusals_total{server, reason}.
enum class TenantRefusal { kMissing, kInvalid, kUnknown, kMismatch, kTooMany };

// Counts a refusal for `server` ("otlp_http", "query", ...).
void CountTenantRefusal(const std::string& server, TenantRefusal reason);

class TenantResolver {
 public:
  // `tokens`: the bearer tokens of the same port (null: none), whose
  // tenants are checked against the header.
  TenantResolver(TenancyOptions options, std::shared_ptr<BearerTokens> tokens);

  // The tenant of a request carrying `header_value` in the tenant header
  // and `authorization`: the header's tenant, or the token's when the
  // header is absent. A refusal says why in its message, without naming
  // any other tenant, and is counted for `server`: no tenant, a name that
  // is not valid, one not in the allow-list, or a header that names
  // another tenant than the token's.
  [[nodiscard]] Result<std::string> Resolve(std::string_view header_value,
                                            std::string_view authorization,
                                            const std::string& server) const;

  [[nodiscard]] const std::string& header() const { return options_.header; }
  [[nodiscard]] const TenancyOptions& options() const { return options_; }

 private:
  TenancyOptions options_;
  std::shared_ptr<BearerTokens> tokens_;
};

}  // namespace spoor
