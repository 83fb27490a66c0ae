// Multi-tenancy on the query port (docs/security.md, "Tenants"): each API
// request is answered by a query handler built over its tenant's store
// alone, so no route, parameter or predicate can read another tenant's
// data. Requests outside the API (the UI's files) and tenants with no data
// here are answered over an empty store.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "server/http.h"
#include "storage/storage.h"

namespace spoor {

// What the query API reads of one tenant.
struct TenantReadStores {
  Storage* storage = nullptr;  // null: the tenant has no data here
  Storage* archive = nullptr;  // its archive (query/archive.h); null: none
  std::string tenant;          // "" for the empty store
};

struct TenantReaders {
  std::string header;  // the tenant header, lower case
  // The stores of the tenant a request names (or its token's);
  // InvalidArgument (refused, a message for the caller) or Unavailable.
  std::function<Result<TenantReadStores>(std::string_view tenant, std::string_view authorization)>
      pick;
};

// `make(stores)`, a query handler over one tenant's stores (storage never
// null), per tenant: requests whose path starts with one of `prefixes` are
// answered by their tenant's (400 when the tenant is refused, with the
// header `Spoor-Tenant-Header` naming the tenant header for UIs, 503 when
// its store is unavailable); the rest, and tenants without data, by the
// handler over `empty` (no archive, no tenant).
[[nodiscard]] HttpHandler WithTenantReaders(
    TenantReaders tenants, std::function<HttpHandler(const TenantReadStores& stores)> make,
    Storage& empty, std::vector<std::string> prefixes);

}  // namespace spoor
