// The tools of the MCP server (mcp_server.h): read-only questions an
// assistant asks while investigating a problem, each answered small (paged,
// long values cut with a note) so that it need not read whole traces.
//
//   list_services, list_operations        what is there
//   search_traces                          summaries of traces (the query language)
//   get_trace_topology                     a trace's spans without attributes, paged
//   get_span                               one span in full
//   get_critical_path                      what decided a trace's duration
//   get_trace_errors                       a trace's failed spans and exceptions
//   get_dependencies                       which services call which
//   get_service_metrics                    request rate, error rate, latency (span metrics)
#pragma once

#include <simdjson.h>

#include <string>
#include <vector>

#include "query/query_internal.h"

namespace spoor::mcp {

struct ToolResult {
  std::string text;  // JSON, or a message when is_error
  bool is_error = false;
};

struct Tool {
  const char* name;
  const char* title;
  const char* description;
  const char* input_schema;  // JSON Schema of the arguments
  ToolResult (*call)(const simdjson::dom::object& args, const QueryContext& ctx);
};

// Every tool, in the order tools/list shows them.
[[nodiscard]] const std::vector<Tool>& Tools();

}  // namespace spoor::mcp
