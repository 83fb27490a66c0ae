#include "tenancy/tenancy.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/metrics.h"
#include "tenancy/tenant_stores.h"
#include "tests/unit/storage/storage_test_util.h"

namespace spoor {
namespace {

using storagetest::Batch;
using storagetest::MakeSpan;
using storagetest::Tid;

uint64_t Refusals(const std::string& server, const std::string& reason) {
  return MetricsRegistry::Global()
      .GetCounter("spoor_tenant_refusals_total", "", {{"server", server}, {"reason", reason}})
      .value();
}

std::filesystem::path TempDir() {
  auto dir = std::filesystem::temp_directory_path() /
             ("spoor-tenancy-test-" + std::to_string(getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(TenantName, AcceptsLettersDigitsDashAndUnderscore) {
  EXPECT_TRUE(CheckTenantName("acme").ok());
  EXPECT_TRUE(CheckTenantName("Team_7-eu").ok());
  EXPECT_TRUE(CheckTenantName(std::string(64, 'a')).ok());
}

TEST(TenantName, RefusesWhatCouldNameAnotherPlace) {
  for (const char* bad : {"", "../etc", "a/b", "a.b", "-acme", "_acme", "a b", "tenant\n", "é"}) {
    EXPECT_FALSE(CheckTenantName(bad).ok()) << bad;
  }
  EXPECT_FALSE(CheckTenantName(std::string(65, 'a')).ok());
}

TEST(TenantResolver, TakesTheHeader) {
  TenantResolver resolver({.enabled = true}, nullptr);
  auto tenant = resolver.Resolve("acme", "", "t_header");
  ASSERT_TRUE(tenant.ok());
  EXPECT_EQ(tenant.value(), "acme");
}

TEST(TenantResolver, RefusesMissingAndInvalidTenantsAndCountsThem) {
  TenantResolver resolver({.enabled = true}, nullptr);
  auto missing = resolver.Resolve("", "", "t_refuse");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.status().message(), "missing tenant: send the x-tenant header");
  EXPECT_EQ(Refusals("t_refuse", "missing"), 1u);
  auto invalid = resolver.Resolve("../other", "", "t_refuse");
  ASSERT_FALSE(invalid.ok());
  EXPECT_NE(invalid.status().message().find("invalid tenant in x-tenant"), std::string::npos);
  EXPECT_EQ(Refusals("t_refuse", "invalid"), 1u);
}

TEST(TenantResolver, AllowListRefusesOthersWithoutListingIt) {
  TenantResolver resolver({.enabled = true, .tenants = {"acme", "beta"}}, nullptr);
  EXPECT_TRUE(resolver.Resolve("beta", "", "t_allow").ok());
  auto other = resolver.Resolve("gamma", "", "t_allow");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().message(), "unknown tenant 'gamma'");
  EXPECT_EQ(other.status().message().find("acme"), std::string::npos);
  EXPECT_EQ(Refusals("t_allow", "unknown"), 1u);
}

class TenantTokens : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir();
    std::ofstream(dir_ / "tokens") << "tok-acme acme\ntok-beta beta\ntok-any\n";
    auto tokens = BearerTokens::Load((dir_ / "tokens").string(), "--test");
    ASSERT_TRUE(tokens.ok());
    tokens_ = std::move(tokens).value();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
  std::shared_ptr<BearerTokens> tokens_;
};

TEST_F(TenantTokens, TheTokensTenantWithoutAHeader) {
  TenantResolver resolver({.enabled = true}, tokens_);
  auto tenant = resolver.Resolve("", "Bearer tok-beta", "t_token");
  ASSERT_TRUE(tenant.ok());
  EXPECT_EQ(tenant.value(), "beta");
}

TEST_F(TenantTokens, AHeaderNamingAnotherTenantIsRefused) {
  TenantResolver resolver({.enabled = true}, tokens_);
  EXPECT_TRUE(resolver.Resolve("acme", "Bearer tok-acme", "t_mismatch").ok());
  auto other = resolver.Resolve("beta", "Bearer tok-acme", "t_mismatch");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().message(), "the bearer token is not for the tenant in x-tenant");
  EXPECT_EQ(Refusals("t_mismatch", "mismatch"), 1u);
}

TEST_F(TenantTokens, ATokenWithoutATenantTakesTheHeader) {
  TenantResolver resolver({.enabled = true}, tokens_);
  auto tenant = resolver.Resolve("gamma", "Bearer tok-any", "t_any");
  ASSERT_TRUE(tenant.ok());
  EXPECT_EQ(tenant.value(), "gamma");
  EXPECT_FALSE(resolver.Resolve("", "Bearer tok-any", "t_any").ok());
  // An unknown token names no tenant (the authentication refuses it).
  EXPECT_FALSE(resolver.Resolve("", "Bearer nope", "t_any").ok());
}

TEST(TenantStorageOptions, EachTenantInItsOwnPlaceWithItsRetention) {
  StorageOptions base;
  base.embedded.directory = "/var/lib/spoor";
  base.embedded.span_ttl_ns = 72;
  base.clickhouse.database = "spoor";
  TenancyOptions tenancy;
  tenancy.retention_ns["acme"] = 720;
  StorageOptions acme = TenantStorageOptions(base, "acme", tenancy);
  EXPECT_EQ(acme.embedded.directory, "/var/lib/spoor/tenants/acme");
  EXPECT_EQ(acme.clickhouse.database, "spoor_acme");
  EXPECT_EQ(acme.embedded.span_ttl_ns, 720u);
  EXPECT_EQ(acme.clickhouse.span_ttl_ns, 720u);
  StorageOptions beta = TenantStorageOptions(base, "beta", tenancy);
  EXPECT_EQ(beta.embedded.span_ttl_ns, 72u);
  EXPECT_EQ(beta.clickhouse.span_ttl_ns, 0u);
}

TenantStoresOptions MemoryTenants() {
  TenantStoresOptions o;
  o.tenancy.enabled = true;
  o.storage.type = "memory";
  o.span_metrics.enabled = true;
  return o;
}

std::vector<std::string> OperationNames(Storage& storage, const TraceId& id) {
  auto trace = storage.GetTrace(id, {});
  std::vector<std::string> names;
  if (!trace.ok()) return names;
  for (const SpanRecord& r : trace.value().spans) names.emplace_back(r.span.name);
  std::sort(names.begin(), names.end());
  return names;
}

TEST(TenantStores, SameTraceIdAndServiceStayApart) {
  TenantStores stores(MemoryTenants());
  ASSERT_TRUE(stores.Start().ok());
  IngestMetrics metrics("test", "tenancy");
  for (const char* tenant : {"acme", "beta"}) {
    auto sink = stores.SinkFor(tenant, "test");
    ASSERT_TRUE(sink.ok());
    std::string op = std::string(tenant) + "-op";
    ASSERT_TRUE(sink.value()->Submit(Batch("shop", {MakeSpan(Tid(7), 1, 0, op)}), metrics).ok());
  }
  stores.Shutdown();  // writes what the queues hold
  EXPECT_EQ(stores.size(), 2u);
  Storage& acme = *stores.Find("acme")->storage;
  Storage& beta = *stores.Find("beta")->storage;
  EXPECT_EQ(OperationNames(acme, Tid(7)), std::vector<std::string>{"acme-op"});
  EXPECT_EQ(OperationNames(beta, Tid(7)), std::vector<std::string>{"beta-op"});
  auto ops = acme.GetOperations("shop", false, SpanKind::kUnspecified);
  ASSERT_TRUE(ops.ok());
  ASSERT_EQ(ops.value().size(), 1u);
  EXPECT_EQ(ops.value()[0].name, "acme-op");
  EXPECT_NE(stores.Find("acme")->span_metrics, nullptr);
  EXPECT_EQ(stores.Find("gamma"), nullptr);
  EXPECT_TRUE(stores.Close().ok());
}

TEST(TenantStores, EachTenantsTracesAreTailSampledApart) {
  TenantStoresOptions o = MemoryTenants();
  auto parsed = ParseTailSampling(YAML::Load(
      "policies: [{name: errors, type: status_code, status_code: {status_codes: [ERROR]}}]"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  o.tail_sampling = std::move(parsed).value();
  TenantStores stores(o);
  IngestMetrics metrics("test", "tenancy");
  // The same trace ID: acme's has an error, beta's has none.
  Span failed = MakeSpan(Tid(11), 1, 0, "acme-op");
  failed.status.code = SpanStatusCode::kError;
  auto acme = stores.SinkFor("acme", "test");
  auto beta = stores.SinkFor("beta", "test");
  ASSERT_TRUE(acme.ok() && beta.ok());
  EXPECT_NE(stores.Find("acme")->tail_sampler, nullptr);
  ASSERT_TRUE(acme.value()->Submit(Batch("shop", {failed}), metrics).ok());
  ASSERT_TRUE(
      beta.value()->Submit(Batch("shop", {MakeSpan(Tid(11), 1, 0, "beta-op")}), metrics).ok());
  EXPECT_EQ(stores.Find("acme")->tail_sampler->held_traces(), 1u);
  EXPECT_EQ(stores.Find("beta")->tail_sampler->held_traces(), 1u);
  stores.Shutdown();  // decides what is held, then writes it
  EXPECT_EQ(OperationNames(*stores.Find("acme")->storage, Tid(11)),
            std::vector<std::string>{"acme-op"});
  EXPECT_TRUE(OperationNames(*stores.Find("beta")->storage, Tid(11)).empty());
}

TEST(TenantStores, NoMoreThanMaxTenantsWithoutAnAllowList) {
  TenantStoresOptions o = MemoryTenants();
  o.tenancy.max_tenants = 2;
  TenantStores stores(o);
  ASSERT_TRUE(stores.Open("a", "t_max").ok());
  ASSERT_TRUE(stores.Open("b", "t_max").ok());
  ASSERT_TRUE(stores.Open("a", "t_max").ok());  // already open
  auto third = stores.Open("c", "t_max");
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Refusals("t_max", "too_many"), 1u);
  EXPECT_EQ(stores.size(), 2u);
}

TEST(TenantStores, AnAllowListIsOpenedAtStart) {
  TenantStoresOptions o = MemoryTenants();
  o.tenancy.tenants = {"acme", "beta"};
  o.tenancy.max_tenants = 1;  // not applied with an allow-list
  TenantStores stores(o);
  ASSERT_TRUE(stores.Start().ok());
  EXPECT_NE(stores.Find("acme"), nullptr);
  EXPECT_NE(stores.Find("beta"), nullptr);
}

TEST(TenantStores, AQueryNodeOpensNoWriters) {
  TenantStoresOptions o = MemoryTenants();
  o.mode = TenantStoresOptions::Mode::kRead;
  TenantStores stores(o);
  auto tenant = stores.Open("acme", "test");
  ASSERT_TRUE(tenant.ok());
  EXPECT_EQ(tenant.value()->pipeline, nullptr);
  EXPECT_FALSE(stores.SinkFor("acme", "test").ok());
  // Reading a memory store's tenant that never wrote: nothing to read.
  EXPECT_EQ(stores.ForReading("beta", "test"), nullptr);
}

TEST(TenantStores, EmbeddedTenantsAreFoundAgainAfterARestart) {
  auto dir = TempDir();
  TenantStoresOptions o;
  o.tenancy.enabled = true;
  o.storage.type = "embedded";
  o.storage.embedded.directory = dir.string();
  o.span_metrics.enabled = false;
  IngestMetrics metrics("test", "tenancy");
  {
    TenantStores stores(o);
    ASSERT_TRUE(stores.Start().ok());
    EXPECT_EQ(stores.size(), 0u);
    for (const char* tenant : {"acme", "beta"}) {
      auto sink = stores.SinkFor(tenant, "test");
      ASSERT_TRUE(sink.ok());
      std::string op = std::string(tenant) + "-op";
      ASSERT_TRUE(sink.value()->Submit(Batch("shop", {MakeSpan(Tid(9), 1, 0, op)}), metrics).ok());
    }
    stores.Shutdown();
    ASSERT_TRUE(stores.Close().ok());
  }
  EXPECT_TRUE(std::filesystem::is_directory(dir / "tenants" / "acme"));
  EXPECT_TRUE(std::filesystem::is_directory(dir / "tenants" / "beta"));
  {
    TenantStores stores(o);
    ASSERT_TRUE(stores.Start().ok());
    EXPECT_EQ(stores.size(), 2u);
    ASSERT_NE(stores.Find("beta"), nullptr);
    EXPECT_EQ(OperationNames(*stores.Find("beta")->storage, Tid(9)),
              std::vector<std::string>{"beta-op"});
    EXPECT_EQ(OperationNames(*stores.Find("acme")->storage, Tid(9)),
              std::vector<std::string>{"acme-op"});
  }
  {
    // With an allow-list, a tenant on disk but not listed is not served.
    o.tenancy.tenants = {"acme"};
    TenantStores stores(o);
    ASSERT_TRUE(stores.Start().ok());
    EXPECT_EQ(stores.size(), 1u);
    EXPECT_EQ(stores.Find("beta"), nullptr);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace spoor
