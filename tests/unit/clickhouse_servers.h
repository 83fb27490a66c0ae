// The ClickHouse server of a test run, for the unit tests that need one:
// $SPOOR_CLICKHOUSE_SERVERS, or the first line of the file that
// $SPOOR_CLICKHOUSE_SERVERS_FILE names (the ctest fixture in
// tests/CMakeLists.txt writes it). "" when neither is set: those tests skip.
#pragma once

#include <cstdlib>
#include <fstream>
#include <string>

namespace spoor::testenv {

inline std::string ClickHouseServers() {
  if (const char* v = std::getenv("SPOOR_CLICKHOUSE_SERVERS"); v != nullptr) return v;
  const char* file = std::getenv("SPOOR_CLICKHOUSE_SERVERS_FILE");
  if (file == nullptr) return "";
  std::ifstream in(file);
  std::string servers;
  std::getline(in, servers);
  return servers;
}

}  // namespace spoor::testenv
