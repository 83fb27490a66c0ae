// The C++ tracer's readers of untrusted input: propagation headers (Jaeger,
// W3C, B3; as text map and as HTTP headers), Jaeger's binary format and
// the JSON of sampling strategies. The first byte picks the reader; the
// rest is the input. A context that is read must be written back and read
// again to the same IDs, flags and baggage.

#include <cstddef>
#include <cstdint>
#include <map>
#include <sstream>
#include <string>

#include "client/cpp/src/json.h"
#include "client/cpp/src/propagation.h"
#include "fuzz/fuzz_check.h"

namespace {

using spoor::PropagationFormat;
using spoor::internal::Entries;

// Lines of "key: value" (keys lower-cased, as the tracer gives them).
Entries Headers(std::string_view text) {
  Entries out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? end : end - start);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string key(line.substr(0, colon));
      for (char& c : key) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      std::string_view value = line.substr(colon + 1);
      if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
      out.emplace_back(std::move(key), std::string(value));
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

void RoundTrip(PropagationFormat format, bool http, const spoor::internal::SpanContextImpl& ctx) {
  for (bool single : {false, true}) {
    Entries written;
    auto set = [&written](const std::string& k, const std::string& v) {
      std::string key = k;
      for (char& c : key) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      written.emplace_back(std::move(key), v);
      return opentracing::expected<void>();
    };
    spoor::internal::PropagationSettings settings;
    settings.b3_single = single;
    SPOOR_FUZZ_CHECK(spoor::internal::InjectFormat(format, settings, http, ctx, set), "inject");
    auto again = spoor::internal::ExtractFormat(format, settings, http, written);
    SPOOR_FUZZ_CHECK(again && *again, "a written context reads back");
    const auto& a = ctx.ids();
    const auto& b = (*again)->ids();
    SPOOR_FUZZ_CHECK(
        a.trace_high == b.trace_high && a.trace_low == b.trace_low && a.span_id == b.span_id,
        "the IDs read back");
    SPOOR_FUZZ_CHECK((a.flags & 1) == (b.flags & 1), "the sampled flag reads back");
    if (format == PropagationFormat::kW3C) {
      SPOOR_FUZZ_CHECK(ctx.baggage() == (*again)->baggage(), "the baggage reads back");
    } else if (format == PropagationFormat::kJaeger) {
      // Baggage keys travel in header names (uberctx-{key}), which lose
      // their case; keys from Jaeger's baggage header may have one.
      std::map<std::string, std::string> lowered;
      for (const auto& [k, v] : ctx.baggage()) lowered[Lower(k)] = v;
      SPOOR_FUZZ_CHECK(lowered == (*again)->baggage(), "the baggage reads back");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text = spoor::fuzz::AsText(data + 1, size - 1);
  switch (data[0] % 5) {
    case 0: {
      spoor::internal::Json doc;
      std::string error;
      bool ok = spoor::internal::ParseJson(std::string(text), &doc, &error);
      SPOOR_FUZZ_CHECK(ok || !error.empty(), "a refusal says why");
      break;
    }
    case 4: {
      // Jaeger's binary format: what is read writes back byte for byte.
      std::istringstream in{std::string(text)};
      auto ctx = spoor::internal::ExtractBinary(in);
      if (!ctx || !*ctx) break;
      std::ostringstream out;
      SPOOR_FUZZ_CHECK(spoor::internal::InjectBinary(**ctx, out), "inject");
      std::istringstream again_in(out.str());
      auto again = spoor::internal::ExtractBinary(again_in);
      SPOOR_FUZZ_CHECK(again && *again, "a written context reads back");
      const auto& a = (*ctx)->ids();
      const auto& b = (*again)->ids();
      SPOOR_FUZZ_CHECK(a.trace_high == b.trace_high && a.trace_low == b.trace_low &&
                           a.span_id == b.span_id && a.parent_id == b.parent_id &&
                           a.flags == b.flags && (*ctx)->baggage() == (*again)->baggage(),
                       "the binary context reads back");
      break;
    }
    default: {
      bool http = data[0] % 5 != 1;
      Entries entries = Headers(text);
      for (PropagationFormat f :
           {PropagationFormat::kJaeger, PropagationFormat::kW3C, PropagationFormat::kB3}) {
        auto ctx = spoor::internal::ExtractFormat(f, spoor::internal::PropagationSettings{}, http,
                                                  entries);
        if (!ctx || !*ctx) continue;
        if ((*ctx)->is_container()) {
          // Jaeger's debug or baggage header alone: something to start a
          // trace with, nothing to propagate.
          SPOOR_FUZZ_CHECK(f == PropagationFormat::kJaeger, "only Jaeger's headers make one");
          SPOOR_FUZZ_CHECK(!(*ctx)->debug_id().empty() || (*ctx)->has_baggage(), "not empty");
          continue;
        }
        RoundTrip(f, http, **ctx);
      }
    }
  }
  return 0;
}
