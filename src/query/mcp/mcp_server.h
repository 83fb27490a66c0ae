// An MCP server (Model Context Protocol, streamable HTTP transport) on the
// query port at <base path>mcp: assistants list and call read-only tools
// over the traces (mcp_tools.h). docs/mcp.md.
//
// POST carries one JSON-RPC 2.0 message (or a batch); requests are answered
// with application/json, notifications and responses with 202. The server
// keeps no session and sends nothing unasked: GET (a stream for server
// messages) and DELETE answer 405. Methods: initialize, ping, tools/list,
// tools/call. A request from a browser page of another origin is refused
// (403), as the transport asks of servers against DNS rebinding.
#pragma once

#include "query/query_internal.h"
#include "server/http.h"

namespace spoor {

// `path` is relative to the base path ("/mcp").
[[nodiscard]] HttpResponse HandleMcp(const HttpRequest& req, const QueryContext& ctx);

}  // namespace spoor
