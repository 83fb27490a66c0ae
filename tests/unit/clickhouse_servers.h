// The ClickHouse server of a test run, for the unit tests that need one:
// $SPOOR_CLICKHOUSE_SERVERS, or the first line of the file that
// $SPOOR_CLICKHOUSE_SERVERS_FILE names (the ctest fixtures in
// tests/CMakeLists.txt write these files). "" when not set: those tests skip.
#pragma once

#include <cstdlib>
#include <fstream>
#include <string>

namespace spoor::testenv {

// The first line of the file the variable `file_variable` names; "".
inline std::string FirstLineOfFileIn(const char* file_variable) {
  const char* file = std::getenv(file_variable);
  if (file == nullptr) return "";
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

inline std::string ClickHouseServers() {
  if (const char* v = std::getenv("SPOOR_CLICKHOUSE_SERVERS"); v != nullptr) return v;
  return FirstLineOfFileIn("SPOOR_CLICKHOUSE_SERVERS_FILE");
}

// Every server of the test run's cluster "spoor" (2 shards x 2 replicas),
// from $SPOOR_CLICKHOUSE_CLUSTER_SERVERS_FILE; "" without it.
inline std::string ClickHouseClusterServers() {
  return FirstLineOfFileIn("SPOOR_CLICKHOUSE_CLUSTER_SERVERS_FILE");
}

}  // namespace spoor::testenv
