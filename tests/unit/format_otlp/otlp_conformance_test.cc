// Decodes Jaeger's storage-integration fixtures (OTLP/JSON written by the
// OpenTelemetry Collector's marshaller), when the shared data is present.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "formats/otlp/otlp_decode.h"

namespace spoor {
namespace {

namespace fs = std::filesystem;

const fs::path kFixtures =
    fs::path(SPOOR_SHARED_DIR) / "conformance/jaeger-storage-integration/traces";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(OtlpConformance, EveryJaegerFixtureDecodes) {
  if (!fs::is_directory(kFixtures)) GTEST_SKIP() << "no conformance data at " << kFixtures;
  // Span counts of the fixtures that hold more than one span.
  const std::map<std::string, size_t> kMultiSpan = {
      {"example_trace.json", 5}, {"multi_index_trace.json", 2}, {"opname_maxdur_trace.json", 2}};
  size_t files = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(kFixtures)) {
    if (entry.path().extension() != ".json") continue;
    const std::string name = entry.path().filename().string();
    SCOPED_TRACE(name);
    SpanBatch batch;
    DecodeStats stats;
    Status st = DecodeOtlpJson(ReadFile(entry.path()), &batch, &stats);
    ASSERT_TRUE(st.ok()) << st.message();
    EXPECT_EQ(stats.rejected_spans, 0u) << stats.rejection_reason;
    auto it = kMultiSpan.find(name);
    EXPECT_EQ(batch.SpanCount(), it == kMultiSpan.end() ? 1u : it->second);
    ++files;
  }
  EXPECT_EQ(files, 32u);
}

TEST(OtlpConformance, ExampleTrace_ServicesAndOperations) {
  const fs::path path = kFixtures / "example_trace.json";
  if (!fs::exists(path)) GTEST_SKIP() << "no conformance data at " << kFixtures;
  SpanBatch batch;
  DecodeStats stats;
  Status st = DecodeOtlpJson(ReadFile(path), &batch, &stats);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(batch.SpanCount(), 5u);
  std::set<std::string_view> services;
  std::set<std::pair<std::string_view, SpanKind>> service1_ops;
  for (const ResourceSpans& rs : batch.resource_spans) {
    services.insert(rs.resource->service_name);
    for (const ScopeSpans& ss : rs.scope_spans) {
      for (const Span& span : ss.spans) {
        EXPECT_EQ(span.trace_id, (TraceId{0, 0x11}));
        if (rs.resource->service_name == "example-service-1") {
          service1_ops.emplace(span.name, span.kind);
        }
      }
    }
  }
  EXPECT_EQ(services, (std::set<std::string_view>{"example-service-1", "example-service-2",
                                                  "example-service-3"}));
  EXPECT_EQ(service1_ops, (std::set<std::pair<std::string_view, SpanKind>>{
                              {"example-operation-1", SpanKind::kUnspecified},
                              {"example-operation-3", SpanKind::kServer},
                              {"example-operation-4", SpanKind::kClient}}));
}

}  // namespace
}  // namespace spoor
