// Command-line flags, the YAML config file and --help.
#include "app/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace spoor {
namespace {

// Runs ParseArgs expecting ConfigError; returns its message.
std::string ErrorOf(const std::vector<std::string>& args) {
  try {
    (void)ParseArgs(args);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ConfigError";
  return "";
}

void ExpectErrorNaming(const std::vector<std::string>& args, const std::string& part) {
  std::string message = ErrorOf(args);
  EXPECT_NE(message.find(part), std::string::npos)
      << "message '" << message << "' does not name " << part;
}

// A YAML file in the temporary directory, removed at the end of the test.
class TempYaml {
 public:
  explicit TempYaml(const std::string& content) {
    char name[] = "/tmp/spoor-config-test-XXXXXX";
    int fd = mkstemp(name);
    EXPECT_GE(fd, 0);
    if (fd >= 0) close(fd);
    path_ = name;
    std::ofstream(path_) << content;
  }
  ~TempYaml() { std::remove(path_.c_str()); }
  TempYaml(const TempYaml&) = delete;
  TempYaml& operator=(const TempYaml&) = delete;

  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// --- Defaults and flag syntax ----------------------------------------------------

TEST(ParseArgs, DefaultsWithoutArguments) {
  ParsedArgs p = ParseArgs({});
  const Config& c = p.config;
  EXPECT_FALSE(p.help);
  EXPECT_FALSE(p.version);
  EXPECT_EQ(c.role, "all-in-one");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.storage.type, StorageOptions{}.type);  // the factory's default
  EXPECT_EQ(c.storage.memory.max_traces, 100000u);
  EXPECT_EQ(c.pipeline.queue_size_spans, 100000u);
  EXPECT_EQ(c.pipeline.num_workers, 1);
  EXPECT_TRUE(c.otlp_enabled);
  EXPECT_EQ(c.otlp_grpc_host_port, ":4317");
  EXPECT_EQ(c.otlp_http_host_port, ":4318");
  EXPECT_EQ(c.otlp_max_request_bytes, 64u << 20);
  EXPECT_EQ(c.query_host_port, ":16686");
  EXPECT_EQ(c.query_base_path, "/");
  EXPECT_EQ(c.query_max_clock_skew_ns, 0u);
  EXPECT_EQ(c.admin_host_port, ":14269");
}

TEST(ParseArgs, EqualsAndSeparateValueFormsAreEquivalent) {
  Config a = ParseArgs({"--memory.max-traces=5", "--log-level=debug"}).config;
  Config b = ParseArgs({"--memory.max-traces", "5", "--log-level", "debug"}).config;
  EXPECT_EQ(a.storage.memory.max_traces, 5u);
  EXPECT_EQ(b.storage.memory.max_traces, 5u);
  EXPECT_EQ(a.log_level, "debug");
  EXPECT_EQ(b.log_level, "debug");
}

TEST(ParseArgs, EveryValueFlagIsApplied) {
  Config c = ParseArgs({"--span-storage.type=memory", "--collector.queue-size=7",
                        "--collector.num-workers=3", "--collector.write-linger=2ms",
                        "--collector.otlp.grpc.host-port=127.0.0.1:1",
                        "--collector.otlp.http.host-port=[::1]:2",
                        "--collector.otlp.http.max-request-size=512KiB",
                        "--query.http-server.host-port=:3", "--query.base-path=/jaeger",
                        "--query.max-clock-skew-adjustment=1.5s", "--admin.http.host-port=:4"})
                 .config;
  EXPECT_EQ(c.pipeline.queue_size_spans, 7u);
  EXPECT_EQ(c.pipeline.num_workers, 3);
  EXPECT_EQ(c.pipeline.group_linger, std::chrono::microseconds(2000));
  EXPECT_EQ(c.otlp_grpc_host_port, "127.0.0.1:1");
  EXPECT_EQ(c.otlp_http_host_port, "[::1]:2");
  EXPECT_EQ(c.otlp_max_request_bytes, 512u * 1024);
  EXPECT_EQ(c.query_host_port, ":3");
  EXPECT_EQ(c.query_base_path, "/jaeger");
  EXPECT_EQ(c.query_max_clock_skew_ns, 1'500'000'000u);
  EXPECT_EQ(c.admin_host_port, ":4");
}

TEST(ParseArgs, BoolFlagAloneMeansTrue) {
  EXPECT_TRUE(ParseArgs({"--collector.otlp.enabled=false", "--collector.otlp.enabled"})
                  .config.otlp_enabled);
  EXPECT_FALSE(ParseArgs({"--collector.otlp.enabled=false"}).config.otlp_enabled);
  EXPECT_FALSE(ParseArgs({"--collector.otlp.enabled=0"}).config.otlp_enabled);
  EXPECT_TRUE(ParseArgs({"--collector.otlp.enabled=TRUE"}).config.otlp_enabled);
}

TEST(ParseArgs, WriteLingerIsBounded) {
  ExpectErrorNaming({"--collector.write-linger=2s"}, "collector.write-linger");
  ExpectErrorNaming({"--collector.write-linger=-1ms"}, "collector.write-linger");
}

TEST(ParseArgs, BoolFlagAloneDoesNotTakeTheNextArgument) {
  ExpectErrorNaming({"--collector.otlp.enabled", "false"}, "'false'");
}

TEST(ParseArgs, LaterFlagWins) {
  EXPECT_EQ(ParseArgs({"--collector.num-workers=3", "--collector.num-workers=9"})
                .config.pipeline.num_workers,
            9);
}

TEST(ParseArgs, HostPortCanBeTurnedOff) {
  EXPECT_EQ(ParseArgs({"--collector.otlp.grpc.host-port=off"}).config.otlp_grpc_host_port, "off");
}

TEST(ParseArgs, RoleAllInOneIsAccepted) {
  ParsedArgs p = ParseArgs({"all-in-one", "--log-level=warn"});
  EXPECT_EQ(p.config.role, "all-in-one");
  EXPECT_EQ(p.config.log_level, "warn");
}

TEST(ParseArgs, UnknownRoleIsRejected) {
  ExpectErrorNaming({"agent"}, "'agent'");
}

TEST(ParseArgs, EveryRoleIsAccepted) {
  for (const char* role : kRoles) EXPECT_EQ(ParseArgs({role}).config.role, role);
  EXPECT_EQ(ParseArgs({}).config.role, "all-in-one");
}

TEST(ParseArgs, EachRoleHasJaegersAdminPort) {
  EXPECT_EQ(ParseArgs({}).config.admin_host_port, ":14269");
  EXPECT_EQ(ParseArgs({"collector"}).config.admin_host_port, ":14269");
  EXPECT_EQ(ParseArgs({"ingester"}).config.admin_host_port, ":14270");
  EXPECT_EQ(ParseArgs({"query"}).config.admin_host_port, ":16687");
  EXPECT_EQ(ParseArgs({"query", "--admin.http.host-port=:9"}).config.admin_host_port, ":9");
}

TEST(ParseArgs, AFlagOfAnotherRoleIsRefusedAndNamed) {
  ExpectErrorNaming({"query", "--nats.url=nats://h:4222"},
                    "--nats.url does not apply to the query");
  ExpectErrorNaming({"ingester", "--collector.otlp.grpc.host-port=:1"}, "ingester role");
  ExpectErrorNaming({"collector", "--query.base-path=/x"}, "--query.base-path");
  ExpectErrorNaming({"all-in-one", "--buffer.type=nats"}, "--buffer.type");
  ExpectErrorNaming({"collector", "--ingester.parallelism=3"}, "--ingester.parallelism");
}

TEST(ParseArgs, NatsFlags) {
  Config c = ParseArgs({"collector", "--buffer.type=nats", "--nats.url=nats://a:1, nats://b:2",
                        "--nats.stream=s1", "--nats.subject=x.y", "--nats.replicas=3",
                        "--nats.max-bytes=10MiB", "--nats.max-age=1h", "--nats.publish-timeout=2s",
                        "--nats.create-stream=false", "--nats.token=t"})
                 .config;
  EXPECT_EQ(c.buffer_type, "nats");
  EXPECT_EQ(c.nats.servers, (std::vector<std::string>{"nats://a:1", "nats://b:2"}));
  EXPECT_EQ(c.nats.stream, "s1");
  EXPECT_EQ(c.nats.subject, "x.y");
  EXPECT_EQ(c.nats.replicas, 3);
  EXPECT_EQ(c.nats.max_bytes, 10 << 20);
  EXPECT_EQ(c.nats.max_age_ns, int64_t{3600} * 1'000'000'000);
  EXPECT_EQ(c.nats.publish_timeout_ns, int64_t{2'000'000'000});
  EXPECT_FALSE(c.nats.create_stream);
  EXPECT_EQ(c.nats.token, "t");
  Config i = ParseArgs({"ingester", "--nats.consumer=c1", "--nats.fetch-batch=10",
                        "--nats.ack-wait=1m", "--ingester.parallelism=4"})
                 .config;
  EXPECT_EQ(i.nats.consumer, "c1");
  EXPECT_EQ(i.nats.fetch_batch, 10);
  EXPECT_EQ(i.nats.ack_wait_ns, int64_t{60'000'000'000});
  EXPECT_EQ(i.nats.parallelism, 4);
}

TEST(ParseArgs, BadNatsValuesNameTheFlag) {
  ExpectErrorNaming({"collector", "--buffer.type=kafka"}, "--buffer.type");
  ExpectErrorNaming({"collector", "--nats.url=nats://a:1,,nats://b:2"}, "--nats.url");
  ExpectErrorNaming({"collector", "--nats.stream=a.b"}, "--nats.stream");
  ExpectErrorNaming({"collector", "--nats.subject=a.*"}, "--nats.subject");
  ExpectErrorNaming({"collector", "--nats.replicas=0"}, "--nats.replicas");
  ExpectErrorNaming({"collector", "--nats.max-bytes=lots"}, "--nats.max-bytes");
  ExpectErrorNaming({"collector", "--nats.max-age=0s"}, "--nats.max-age");
  ExpectErrorNaming({"ingester", "--nats.fetch-batch=0"}, "--nats.fetch-batch");
  ExpectErrorNaming({"ingester", "--ingester.parallelism=65"}, "--ingester.parallelism");
}

TEST(HelpText, ListsEachRolesOwnFlags) {
  std::string collector = HelpText("collector");
  EXPECT_NE(collector.find("--nats.url"), std::string::npos);
  EXPECT_NE(collector.find("--buffer.type"), std::string::npos);
  EXPECT_EQ(collector.find("--query.base-path"), std::string::npos);
  std::string ingester = HelpText("ingester");
  EXPECT_NE(ingester.find("--nats.consumer"), std::string::npos);
  EXPECT_NE(ingester.find("(default :14270)"), std::string::npos);
  EXPECT_EQ(ingester.find("--collector.otlp.grpc.host-port"), std::string::npos);
  std::string query = HelpText("query");
  EXPECT_NE(query.find("--query.base-path"), std::string::npos);
  EXPECT_NE(query.find("(default :16687)"), std::string::npos);
  EXPECT_EQ(query.find("--nats."), std::string::npos);
}

TEST(ParseArgs, RoleOnlyComesFirst) {
  ExpectErrorNaming({"--log-level=warn", "all-in-one"}, "'all-in-one'");
}

TEST(ParseArgs, HelpAndVersion) {
  EXPECT_TRUE(ParseArgs({"--help"}).help);
  EXPECT_TRUE(ParseArgs({"-h"}).help);
  EXPECT_TRUE(ParseArgs({"all-in-one", "help"}).help);
  EXPECT_TRUE(ParseArgs({"--version"}).version);
  EXPECT_TRUE(ParseArgs({"version"}).version);
  EXPECT_FALSE(ParseArgs({"--version"}).help);
}

// --- Errors ----------------------------------------------------------------------

TEST(ParseArgs, UnknownFlagIsAConfigErrorNamingIt) {
  ExpectErrorNaming({"--no-such-flag=1"}, "--no-such-flag");
  ExpectErrorNaming({"--no-such-flag", "1"}, "--no-such-flag");
  ExpectErrorNaming({"--memory.max-trace=1"}, "--memory.max-trace");
}

TEST(ParseArgs, PositionalArgumentIsRejected) {
  ExpectErrorNaming({"all-in-one", "stray"}, "'stray'");
  ExpectErrorNaming({"-x"}, "'-x'");
}

TEST(ParseArgs, MissingValueNamesTheFlag) {
  ExpectErrorNaming({"--memory.max-traces"}, "--memory.max-traces");
}

TEST(ParseArgs, InvalidValuesNameTheFlagAndTheValue) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"memory.max-traces", "0"},
      {"memory.max-traces", "many"},
      {"collector.queue-size", "-5"},
      {"collector.num-workers", "1.5"},
      {"log-level", "loud"},
      {"span-storage.type", "cassandra"},
      {"collector.otlp.enabled", "maybe"},
      {"collector.otlp.grpc.host-port", "localhost"},
      {"collector.otlp.http.host-port", ":99999"},
      {"collector.otlp.http.max-request-size", "0"},
      {"collector.otlp.http.max-request-size", "3GiB"},
      {"collector.otlp.http.max-request-size", "big"},
      {"query.http-server.host-port", "16686"},
      {"query.base-path", "jaeger"},
      {"query.max-clock-skew-adjustment", "-1s"},
      {"query.max-clock-skew-adjustment", "5"},
      {"admin.http.host-port", "admin"},
  };
  for (const auto& [flag, value] : cases) {
    SCOPED_TRACE(flag + "=" + value);
    std::string message = ErrorOf({"--" + flag + "=" + value});
    EXPECT_NE(message.find("--" + flag), std::string::npos) << message;
    EXPECT_NE(message.find("'" + value + "'"), std::string::npos) << message;
  }
}

// --- YAML config file ------------------------------------------------------------

TEST(ConfigFile, OneFileServesEveryRole) {
  TempYaml file(R"(
nats:
  url: nats://n1:4222
  consumer: shared
query:
  base-path: /jaeger
collector:
  queue-size: 9
)");
  Config query = ParseArgs({"query", "--config-file=" + file.path()}).config;
  EXPECT_EQ(query.query_base_path, "/jaeger");
  Config ingester = ParseArgs({"ingester", "--config-file=" + file.path()}).config;
  EXPECT_EQ(ingester.nats.consumer, "shared");
  EXPECT_EQ(ingester.query_base_path, "/");  // another role's key, skipped
  Config collector = ParseArgs({"collector", "--config-file=" + file.path()}).config;
  EXPECT_EQ(collector.nats.servers, std::vector<std::string>{"nats://n1:4222"});
  EXPECT_EQ(collector.pipeline.queue_size_spans, 9u);
  EXPECT_EQ(collector.nats.consumer, "spoor-ingester");
}

TEST(ConfigFile, TailSamplingIsReadWhereSpansAreWritten) {
  TempYaml file(R"(
tail_sampling:
  decision_wait: 3s
  policies:
    - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
)");
  for (const char* role : {"all-in-one", "collector", "ingester"}) {
    Config c = ParseArgs({role, "--config-file=" + file.path()}).config;
    EXPECT_TRUE(c.tail_sampling.enabled) << role;
    EXPECT_EQ(c.tail_sampling.decision_wait_ns, 3'000'000'000u) << role;
  }
  EXPECT_FALSE(ParseArgs({"query", "--config-file=" + file.path()}).config.tail_sampling.enabled);
}

TEST(ParseArgs, NatsPartitionFlags) {
  Config c = ParseArgs({"ingester", "--nats.partitions=8", "--nats.partition-lease=5s"}).config;
  EXPECT_EQ(c.nats.partitions, 8);
  EXPECT_EQ(c.nats.partition_lease_ns, 5'000'000'000);
  EXPECT_EQ(ParseArgs({"collector", "--nats.partitions=4"}).config.nats.partitions, 4);
  ExpectErrorNaming({"collector", "--nats.partitions=0"}, "--nats.partitions");
  ExpectErrorNaming({"collector", "--nats.partitions=65"}, "--nats.partitions");
  ExpectErrorNaming({"ingester", "--nats.partition-lease=10ms"}, "--nats.partition-lease");
  ExpectErrorNaming({"collector", "--nats.partition-lease=5s"}, "--nats.partition-lease");
}

TEST(ConfigFile, NestedAndDottedKeysAreApplied) {
  TempYaml file(R"(
log-level: debug
memory:
  max-traces: 42
collector.queue-size: 7
collector:
  num-workers: 3
  otlp:
    enabled: false
    http:
      host-port: "127.0.0.1:14318"
query.base-path: /jaeger
query:
  max-clock-skew-adjustment: 250ms
)");
  Config c = ParseArgs({"--config-file=" + file.path()}).config;
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.storage.memory.max_traces, 42u);
  EXPECT_EQ(c.pipeline.queue_size_spans, 7u);
  EXPECT_EQ(c.pipeline.num_workers, 3);
  EXPECT_FALSE(c.otlp_enabled);
  EXPECT_EQ(c.otlp_http_host_port, "127.0.0.1:14318");
  EXPECT_EQ(c.query_base_path, "/jaeger");
  EXPECT_EQ(c.query_max_clock_skew_ns, 250'000'000u);
  EXPECT_EQ(c.admin_host_port, ":14269");  // untouched
}

TEST(ConfigFile, FlagsOverrideTheFileWhateverTheirOrder) {
  TempYaml file("memory:\n  max-traces: 42\nlog-level: debug\n");
  Config before = ParseArgs({"--memory.max-traces=5", "--config-file", file.path()}).config;
  EXPECT_EQ(before.storage.memory.max_traces, 5u);
  EXPECT_EQ(before.log_level, "debug");
  Config after = ParseArgs({"--config-file=" + file.path(), "--memory.max-traces=6"}).config;
  EXPECT_EQ(after.storage.memory.max_traces, 6u);
}

TEST(ConfigFile, UnknownKeyIsAnErrorNamingIt) {
  TempYaml top("no-such-key: 1\n");
  ExpectErrorNaming({"--config-file=" + top.path()}, "'no-such-key'");
  TempYaml nested("memory:\n  max-trace: 1\n");
  ExpectErrorNaming({"--config-file=" + nested.path()}, "'memory.max-trace'");
  TempYaml self("config-file: other.yaml\n");
  ExpectErrorNaming({"--config-file=" + self.path()}, "'config-file'");
}

TEST(ConfigFile, InvalidValueNamesTheKey) {
  TempYaml file("memory:\n  max-traces: lots\n");
  ExpectErrorNaming({"--config-file=" + file.path()}, "memory.max-traces");
}

TEST(ConfigFile, ListValueIsRejected) {
  TempYaml file("log-level:\n  - debug\n  - info\n");
  ExpectErrorNaming({"--config-file=" + file.path()}, "'log-level'");
}

TEST(ConfigFile, MalformedYamlNamesTheFile) {
  TempYaml file("memory: [unclosed\n");
  ExpectErrorNaming({"--config-file=" + file.path()}, file.path());
}

TEST(ConfigFile, TopLevelScalarIsRejected) {
  TempYaml file("just a string\n");
  ExpectErrorNaming({"--config-file=" + file.path()}, file.path());
}

TEST(ConfigFile, MissingFileIsAnError) {
  ExpectErrorNaming({"--config-file=/nonexistent/spoor.yaml"}, "/nonexistent/spoor.yaml");
}

TEST(ConfigFile, EmptyFileKeepsTheDefaults) {
  TempYaml file("");
  Config c = ParseArgs({"--config-file=" + file.path()}).config;
  EXPECT_EQ(c.storage.memory.max_traces, 100000u);
  EXPECT_EQ(c.log_level, "info");
}

// --- Help ------------------------------------------------------------------------

// The flag names listed by HelpText, in order.
std::vector<std::string> HelpFlags() {
  std::vector<std::string> flags;
  std::string text = HelpText("all-in-one");
  size_t pos = 0;
  while ((pos = text.find("\n  --", pos)) != std::string::npos) {
    pos += 5;
    size_t end = text.find_first_of(" \n", pos);
    flags.push_back(text.substr(pos, end - pos));
  }
  return flags;
}

TEST(HelpText, ListsEveryFlag) {
  const std::vector<std::string> want = {"config-file",
                                         "log-level",
                                         "span-storage.type",
                                         "memory.max-traces",
                                         "collector.queue-size",
                                         "collector.num-workers",
                                         "collector.otlp.enabled",
                                         "collector.otlp.grpc.host-port",
                                         "collector.otlp.http.host-port",
                                         "collector.otlp.http.max-request-size",
                                         "query.http-server.host-port",
                                         "query.base-path",
                                         "query.max-clock-skew-adjustment",
                                         "admin.http.host-port",
                                         "help",
                                         "version"};
  std::vector<std::string> listed = HelpFlags();
  for (const std::string& flag : want) {
    EXPECT_NE(std::find(listed.begin(), listed.end(), flag), listed.end()) << flag;
  }
  std::sort(listed.begin(), listed.end());
  EXPECT_EQ(std::adjacent_find(listed.begin(), listed.end()), listed.end()) << "listed twice";
}

// The value shown as "(default X)" on the flag's help line, or "".
std::string DocumentedDefault(const std::string& flag) {
  std::string text = HelpText("all-in-one");
  size_t line = text.find("  --" + flag + " ");
  if (line == std::string::npos) return "";
  size_t end = text.find('\n', line);
  size_t open = text.rfind("(default ", end);
  if (open == std::string::npos || open < line) return "";
  open += 9;
  return text.substr(open, text.rfind(')', end) - open);
}

TEST(HelpText, EveryListedFlagAcceptsItsDocumentedDefault) {
  Config defaults = ParseArgs({}).config;
  for (const std::string& flag : HelpFlags()) {
    std::string value = DocumentedDefault(flag);
    if (value.empty()) continue;
    SCOPED_TRACE(flag + "=" + value);
    EXPECT_NO_THROW((void)ParseArgs({"--" + flag + "=" + value}));
  }
  EXPECT_EQ(DocumentedDefault("memory.max-traces"),
            std::to_string(defaults.storage.memory.max_traces));
  EXPECT_EQ(DocumentedDefault("collector.queue-size"),
            std::to_string(defaults.pipeline.queue_size_spans));
  EXPECT_EQ(DocumentedDefault("query.http-server.host-port"), defaults.query_host_port);
  EXPECT_EQ(DocumentedDefault("span-storage.type"), defaults.storage.type);
}

TEST(HelpText, EveryTrueOrFalseFlagStandsAloneAsTheLastArgument) {
  // `spoor --x.enabled` means true, wherever the flag is (it used to need a
  // value when last, for two span metrics flags).
  for (const std::string& flag : HelpFlags()) {
    std::string value = DocumentedDefault(flag);
    if (value != "true" && value != "false") continue;
    SCOPED_TRACE(flag);
    try {
      (void)ParseArgs({"--" + flag});
    } catch (const ConfigError& e) {
      // Some need more flags (TLS: a certificate); none needs a value.
      EXPECT_EQ(std::string(e.what()).find("needs a value"), std::string::npos) << e.what();
    }
  }
  EXPECT_TRUE(ParseArgs({"--span-metrics.prometheus"}).config.span_metrics.prometheus);
}

TEST(HelpText, ShowsDefaults) {
  std::string text = HelpText("all-in-one");
  EXPECT_NE(text.find("(default 100000)"), std::string::npos);
  EXPECT_NE(text.find("(default :16686)"), std::string::npos);
  EXPECT_NE(text.find("(default 64MiB)"), std::string::npos);
  EXPECT_NE(text.find("Usage: spoor"), std::string::npos);
}

// --- The storage backend registry -------------------------------------------------

TEST(StorageRegistry, EveryBackendIsSelectableAndListsItsFlags) {
  std::vector<std::string> listed = HelpFlags();
  ASSERT_GE(StorageBackends().size(), 3u);
  for (const StorageBackend& backend : StorageBackends()) {
    EXPECT_EQ(ParseArgs({"--span-storage.type=" + backend.name}).config.storage.type, backend.name);
    EXPECT_NE(HelpText("all-in-one").find(backend.name), std::string::npos) << backend.name;
    for (const StorageFlag& flag : backend.flags) {
      EXPECT_EQ(flag.name.rfind(backend.name + ".", 0), 0u)
          << flag.name << " is not under " << backend.name << ".";
      EXPECT_NE(std::find(listed.begin(), listed.end(), flag.name), listed.end()) << flag.name;
    }
  }
  ExpectErrorNaming({"--span-storage.type=cassandra"}, "embedded, memory, clickhouse");
}

TEST(StorageRegistry, ClickHouseFlagsReachItsOptions) {
  Config c = ParseArgs({"--span-storage.type=clickhouse", "--clickhouse.servers=ch1:8123, ch2:8124",
                        "--clickhouse.database=traces", "--clickhouse.username=spoor",
                        "--clickhouse.password=", "--clickhouse.cluster=prod",
                        "--clickhouse.create-schema=false", "--clickhouse.span-ttl=48h",
                        "--clickhouse.batch-size=500", "--clickhouse.batch-linger=50ms",
                        "--clickhouse.timeout=5s", "--clickhouse.compression"})
                 .config;
  const ClickHouseStoreOptions& o = c.storage.clickhouse;
  EXPECT_EQ(o.servers, (std::vector<std::string>{"ch1:8123", "ch2:8124"}));
  EXPECT_EQ(o.database, "traces");
  EXPECT_EQ(o.username, "spoor");
  EXPECT_EQ(o.password, "");
  EXPECT_EQ(o.cluster, "prod");
  EXPECT_FALSE(o.create_schema);
  EXPECT_EQ(o.span_ttl_ns, 48ULL * 3600 * 1000000000);
  EXPECT_EQ(o.batch_spans, 500u);
  EXPECT_EQ(o.batch_linger, std::chrono::milliseconds(50));
  EXPECT_EQ(o.timeout, std::chrono::milliseconds(5000));
  EXPECT_TRUE(o.compress);
  // The documented defaults are the options' defaults.
  ClickHouseStoreOptions defaults;
  Config d = ParseArgs({"--clickhouse.servers=" + DocumentedDefault("clickhouse.servers"),
                        "--clickhouse.batch-linger=" + DocumentedDefault("clickhouse.batch-linger"),
                        "--clickhouse.batch-size=" + DocumentedDefault("clickhouse.batch-size"),
                        "--clickhouse.timeout=" + DocumentedDefault("clickhouse.timeout")})
                 .config;
  EXPECT_EQ(d.storage.clickhouse.servers, defaults.servers);
  EXPECT_EQ(d.storage.clickhouse.batch_linger, defaults.batch_linger);
  EXPECT_EQ(d.storage.clickhouse.batch_spans, defaults.batch_spans);
  EXPECT_EQ(d.storage.clickhouse.timeout, defaults.timeout);
}

TEST(StorageRegistry, BadClickHouseValuesNameTheFlag) {
  ExpectErrorNaming({"--clickhouse.servers=localhost"}, "--clickhouse.servers");
  ExpectErrorNaming({"--clickhouse.servers=a:1,,b:2"}, "'' is not HOST:PORT");
  ExpectErrorNaming({"--clickhouse.batch-linger=2m"}, "--clickhouse.batch-linger");
  ExpectErrorNaming({"--clickhouse.timeout=0s"}, "--clickhouse.timeout");
  ExpectErrorNaming({"--clickhouse.batch-size=0"}, "--clickhouse.batch-size");
  ExpectErrorNaming({"--clickhouse.database="}, "--clickhouse.database");
  ExpectErrorNaming({"--clickhouse.create-schema=maybe"}, "--clickhouse.create-schema");
}

}  // namespace
}  // namespace spoor

namespace spoor {
namespace {

TEST(MultiTenancyFlags, ReachTheirOptions) {
  Config c = ParseArgs({"--multi-tenancy.enabled", "--multi-tenancy.header=X-Org",
                        "--multi-tenancy.tenants=acme, beta", "--multi-tenancy.max-tenants=7",
                        "--multi-tenancy.retention=acme=720h,beta=0s"})
                 .config;
  EXPECT_TRUE(c.tenancy.enabled);
  EXPECT_EQ(c.tenancy.header, "x-org");
  EXPECT_EQ(c.tenancy.tenants, (std::vector<std::string>{"acme", "beta"}));
  EXPECT_EQ(c.tenancy.max_tenants, 7u);
  EXPECT_EQ(c.tenancy.retention_ns.at("acme"), 720ULL * 3600 * 1000000000);
  EXPECT_EQ(c.tenancy.retention_ns.at("beta"), 0u);
  EXPECT_FALSE(ParseArgs({}).config.tenancy.enabled);
  EXPECT_EQ(ParseArgs({}).config.tenancy.header, "x-tenant");
  // Every role takes them (a query node reads each tenant's store).
  EXPECT_TRUE(ParseArgs({"query", "--multi-tenancy.enabled"}).config.tenancy.enabled);
}

TEST(MultiTenancyFlags, BadValuesNameTheFlag) {
  ExpectErrorNaming({"--multi-tenancy.tenants=acme,../x"}, "--multi-tenancy.tenants");
  ExpectErrorNaming({"--multi-tenancy.retention=acme"}, "--multi-tenancy.retention");
  ExpectErrorNaming({"--multi-tenancy.retention=acme=soon"}, "--multi-tenancy.retention");
  ExpectErrorNaming({"--multi-tenancy.max-tenants=0"}, "--multi-tenancy.max-tenants");
  ExpectErrorNaming({"--multi-tenancy.header="}, "--multi-tenancy.header");
}

TEST(MultiTenancyFlags, AdaptiveSamplingAndTheArchiveAreKeptPerTenant) {
  Config c = ParseArgs({"--multi-tenancy.enabled", "--sampling.type=adaptive",
                        "--archive.span-storage.type=memory"})
                 .config;
  EXPECT_EQ(c.sampling_type, "adaptive");
  EXPECT_EQ(c.archive_storage_type, "memory");
}

TEST(MultiTenancyFlags, CollectorsAndIngestersUseTheTenantsSubjects) {
  EXPECT_TRUE(ParseArgs({"collector", "--multi-tenancy.enabled", "--buffer.type=nats"})
                  .config.nats.tenants);
  EXPECT_TRUE(ParseArgs({"ingester", "--multi-tenancy.enabled"}).config.nats.tenants);
  EXPECT_FALSE(ParseArgs({"ingester"}).config.nats.tenants);
}

}  // namespace
}  // namespace spoor

namespace spoor {
namespace {

TEST(ArchiveFlags, ReachTheirOptionsAndNameTheFlagWhenWrong) {
  Config c = ParseArgs({"--archive.span-storage.type=embedded", "--archive.span-ttl=8760h"}).config;
  EXPECT_EQ(c.archive_storage_type, "embedded");
  EXPECT_EQ(c.archive_span_ttl_ns, 8760ULL * 3600 * 1000000000);
  EXPECT_TRUE(ParseArgs({}).config.archive_storage_type.empty());
  EXPECT_EQ(ParseArgs({"query", "--archive.span-storage.type=memory"}).config.archive_storage_type,
            "memory");
  ExpectErrorNaming({"--archive.span-storage.type=cassandra"}, "--archive.span-storage.type");
  ExpectErrorNaming({"--archive.span-ttl=-1s"}, "--archive.span-ttl");
  ExpectErrorNaming({"collector", "--archive.span-storage.type=memory"}, "does not apply");
  // Each tenant has an archive of its own (tenancy/tenant_stores.h).
  EXPECT_EQ(ParseArgs({"--multi-tenancy.enabled", "--archive.span-storage.type=memory"})
                .config.archive_storage_type,
            "memory");
}

}  // namespace
}  // namespace spoor
