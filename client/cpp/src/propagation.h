// Writing a span context into a carrier and reading it back, in Jaeger's,
// W3C's and B3's formats (docs/client-cpp.md).
#pragma once

#include <opentracing/propagation.h>

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "span_context.h"
#include "spoor/tracer.h"

namespace spoor::internal {

using Setter = std::function<opentracing::expected<void>(const std::string&, const std::string&)>;

// How the formats are written: B3 as one header or several; Jaeger's header
// names (its clients let them be renamed). Names are matched in lower case.
struct PropagationSettings {
  bool b3_single = false;
  std::string jaeger_header = "uber-trace-id";
  std::string jaeger_baggage_prefix = "uberctx-";
  std::string jaeger_debug_header = "jaeger-debug-id";
  std::string jaeger_baggage_header = "jaeger-baggage";
};

// Writes `ctx` in `format`. `http`: values escaped for HTTP headers.
[[nodiscard]] opentracing::expected<void> InjectFormat(PropagationFormat format,
                                                       const PropagationSettings& settings,
                                                       bool http, const SpanContextImpl& ctx,
                                                       const Setter& set);

// The carrier's entries, keys lower-cased.
using Entries = std::vector<std::pair<std::string, std::string>>;

// The context `format` finds in `entries`: null when the format's headers
// are absent; span_context_corrupted_error when present but malformed.
// Jaeger's format may find a context without IDs (is_container()): only a
// debug ID or baggage, from Jaeger's debug and baggage headers.
[[nodiscard]] opentracing::expected<std::unique_ptr<SpanContextImpl>> ExtractFormat(
    PropagationFormat format, const PropagationSettings& settings, bool http,
    const Entries& entries);

// Jaeger's binary format (its clients' `Inject(ctx, std::ostream&)`), all
// big-endian: trace ID high and low (8 + 8 bytes), span ID (8), parent ID
// (8), flags (1), baggage count (4), then per item key length (4), key,
// value length (4), value. Extract: null for an empty stream,
// span_context_corrupted_error when truncated, malformed or larger than
// kMaxBinaryContext bytes.
inline constexpr size_t kMaxBinaryContext = 64 * 1024;
[[nodiscard]] opentracing::expected<void> InjectBinary(const SpanContextImpl& ctx,
                                                       std::ostream& out);
[[nodiscard]] opentracing::expected<std::unique_ptr<SpanContextImpl>> ExtractBinary(
    std::istream& in);

// Percent-encoding of what is not a URL-safe character, and its inverse
// (false on a malformed escape).
[[nodiscard]] std::string PercentEncode(const std::string& s);
[[nodiscard]] bool PercentDecode(const std::string& s, std::string* out);

}  // namespace spoor::internal
