#include "propagation.h"

#include <cctype>
#include <istream>
#include <ostream>
#include <system_error>

#include "wire.h"

namespace spoor::internal {
namespace {

using opentracing::expected;
using opentracing::make_unexpected;
using opentracing::span_context_corrupted_error;

constexpr char kTraceParent[] = "traceparent";
constexpr char kTraceState[] = "tracestate";
constexpr char kBaggage[] = "baggage";
constexpr char kB3Single[] = "b3";
constexpr char kB3TraceId[] = "x-b3-traceid";
constexpr char kB3SpanId[] = "x-b3-spanid";
constexpr char kB3ParentSpanId[] = "x-b3-parentspanid";
constexpr char kB3Sampled[] = "x-b3-sampled";
constexpr char kB3Flags[] = "x-b3-flags";

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const std::string* Find(const Entries& entries, const std::string& key) {
  for (const auto& [k, v] : entries) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

std::unique_ptr<SpanContextImpl> Make(Ids ids, std::map<std::string, std::string> baggage = {},
                                      std::string trace_state = {}) {
  return std::make_unique<SpanContextImpl>(ids, std::move(baggage), std::move(trace_state));
}

expected<std::unique_ptr<SpanContextImpl>> Corrupted() {
  return make_unexpected(span_context_corrupted_error);
}

// --- Jaeger: {trace-id}:{span-id}:{parent-span-id}:{flags}, all hex.

expected<void> InjectJaeger(const PropagationSettings& settings, bool http,
                            const SpanContextImpl& ctx, const Setter& set) {
  const Ids& ids = ctx.ids();
  std::string value = TraceIdHex(ids.trace_high, ids.trace_low, true) + ":" + Hex16(ids.span_id) +
                      ":" + (ids.parent_id == 0 ? std::string("0") : Hex16(ids.parent_id)) + ":" +
                      std::to_string(ids.flags & 0xf);
  if (auto r = set(settings.jaeger_header, value); !r) return r;
  for (const auto& [key, v] : ctx.baggage()) {
    if (auto r = set(settings.jaeger_baggage_prefix + key, http ? PercentEncode(v) : v); !r) {
      return r;
    }
  }
  return {};
}

expected<std::unique_ptr<SpanContextImpl>> ExtractJaeger(const PropagationSettings& settings,
                                                         bool http, const Entries& entries) {
  const std::string* header = Find(entries, Lower(settings.jaeger_header));
  std::map<std::string, std::string> baggage;
  const std::string baggage_prefix = Lower(settings.jaeger_baggage_prefix);
  const size_t prefix = baggage_prefix.size();
  const std::string baggage_header = Lower(settings.jaeger_baggage_header);
  const std::string debug_header = Lower(settings.jaeger_debug_header);
  std::string debug_id;
  for (const auto& [k, v] : entries) {
    if (k.size() > prefix && k.compare(0, prefix, baggage_prefix) == 0) {
      std::string value = v;
      if (http && !PercentDecode(v, &value)) return Corrupted();
      baggage[k.substr(prefix)] = value;
    } else if (k == baggage_header) {
      // k1=v1, k2=v2 (as Jaeger's clients read it: pairs without '=' are
      // skipped).
      for (const std::string& pair : Split(v, ',')) {
        size_t eq = pair.find('=');
        if (eq == std::string::npos) continue;
        std::string key = Trim(pair.substr(0, eq));
        if (!key.empty()) baggage[key] = Trim(pair.substr(eq + 1));
      }
    } else if (k == debug_header && !Trim(v).empty()) {
      debug_id = Trim(v);
    }
  }
  if (header == nullptr) {
    if (debug_id.empty() && baggage.empty()) return std::unique_ptr<SpanContextImpl>();
    return std::make_unique<SpanContextImpl>(Ids{}, std::move(baggage), std::string(),
                                             std::move(debug_id));
  }
  std::string value = *header;
  if (http && !PercentDecode(*header, &value)) return Corrupted();
  std::vector<std::string> parts = Split(value, ':');
  Ids ids;
  uint64_t flags = 0;
  if (parts.size() != 4 || !ParseHex128(parts[0], &ids.trace_high, &ids.trace_low) ||
      !ParseHex64(parts[1], &ids.span_id) || !ParseHex64(parts[2], &ids.parent_id) ||
      !ParseHex64(parts[3], &flags) || !ids.valid()) {
    return Corrupted();
  }
  ids.flags = static_cast<uint8_t>(flags & 0xff);
  if (!debug_id.empty()) ids.flags |= kSampledFlag | kDebugFlag;  // as Jaeger's clients
  return Make(ids, std::move(baggage));
}

// --- W3C: traceparent 00-{32 hex}-{16 hex}-{2 hex}; tracestate as is;
// baggage k=v,k=v (values percent-encoded, properties after ';' dropped).

expected<void> InjectW3C(const SpanContextImpl& ctx, const Setter& set) {
  const Ids& ids = ctx.ids();
  std::string flags = (ids.flags & kSampledFlag) != 0 ? "01" : "00";
  std::string value = "00-" + TraceIdHex(ids.trace_high, ids.trace_low, false) + "-" +
                      Hex16(ids.span_id) + "-" + flags;
  if (auto r = set(kTraceParent, value); !r) return r;
  if (!ctx.trace_state().empty()) {
    if (auto r = set(kTraceState, ctx.trace_state()); !r) return r;
  }
  std::string baggage;
  for (const auto& [key, v] : ctx.baggage()) {
    if (!baggage.empty()) baggage += ',';
    baggage += PercentEncode(key) + "=" + PercentEncode(v);
  }
  if (!baggage.empty()) return set(kBaggage, baggage);
  return {};
}

expected<std::unique_ptr<SpanContextImpl>> ExtractW3C(const Entries& entries) {
  const std::string* header = Find(entries, kTraceParent);
  if (header == nullptr) return std::unique_ptr<SpanContextImpl>();
  std::vector<std::string> parts = Split(Trim(*header), '-');
  Ids ids;
  uint64_t flags = 0;
  uint64_t version = 0;
  if (parts.size() < 4 || parts[0].size() != 2 || !ParseHex64(parts[0], &version) ||
      version == 0xff || (version == 0 && parts.size() != 4) || parts[1].size() != 32 ||
      !ParseHex128(parts[1], &ids.trace_high, &ids.trace_low) || parts[2].size() != 16 ||
      !ParseHex64(parts[2], &ids.span_id) || parts[3].size() != 2 ||
      !ParseHex64(parts[3], &flags) || !ids.valid()) {
    return Corrupted();
  }
  ids.flags = (flags & 1) != 0 ? kSampledFlag : 0;
  std::map<std::string, std::string> baggage;
  if (const std::string* b = Find(entries, kBaggage)) {
    for (const std::string& member : Split(*b, ',')) {
      std::string kv = Trim(member.substr(0, member.find(';')));
      if (kv.empty()) continue;
      size_t eq = kv.find('=');
      std::string key;
      std::string value;
      if (eq == std::string::npos || !PercentDecode(Trim(kv.substr(0, eq)), &key) ||
          !PercentDecode(Trim(kv.substr(eq + 1)), &value) || key.empty()) {
        return Corrupted();
      }
      baggage[key] = value;
    }
  }
  const std::string* state = Find(entries, kTraceState);
  return Make(ids, std::move(baggage), state != nullptr ? *state : std::string());
}

// --- B3: X-B3-* headers, or the single `b3` header
// {trace}-{span}[-{sampled}[-{parent}]].

expected<void> InjectB3(bool single, const SpanContextImpl& ctx, const Setter& set) {
  const Ids& ids = ctx.ids();
  std::string trace = TraceIdHex(ids.trace_high, ids.trace_low, true);
  bool debug = (ids.flags & kDebugFlag) != 0;
  std::string sampled = debug ? "d" : ((ids.flags & kSampledFlag) != 0 ? "1" : "0");
  if (single) {
    std::string value = trace + "-" + Hex16(ids.span_id) + "-" + sampled;
    if (ids.parent_id != 0) value += "-" + Hex16(ids.parent_id);
    return set(kB3Single, value);
  }
  if (auto r = set("X-B3-TraceId", trace); !r) return r;
  if (auto r = set("X-B3-SpanId", Hex16(ids.span_id)); !r) return r;
  if (ids.parent_id != 0) {
    if (auto r = set("X-B3-ParentSpanId", Hex16(ids.parent_id)); !r) return r;
  }
  if (debug) return set("X-B3-Flags", "1");
  return set("X-B3-Sampled", sampled);
}

expected<std::unique_ptr<SpanContextImpl>> ExtractB3(const Entries& entries) {
  Ids ids;
  if (const std::string* single = Find(entries, kB3Single)) {
    std::vector<std::string> parts = Split(Trim(*single), '-');
    if (parts.size() == 1) return std::unique_ptr<SpanContextImpl>();  // a decision only
    if (parts.size() > 4 || !ParseHex128(parts[0], &ids.trace_high, &ids.trace_low) ||
        !ParseHex64(parts[1], &ids.span_id) || !ids.valid()) {
      return Corrupted();
    }
    if (parts.size() >= 3) {
      if (parts[2] == "1") {
        ids.flags = kSampledFlag;
      } else if (parts[2] == "d") {
        ids.flags = kSampledFlag | kDebugFlag;
      } else if (parts[2] != "0") {
        return Corrupted();
      }
    }
    if (parts.size() == 4 && !ParseHex64(parts[3], &ids.parent_id)) return Corrupted();
    return Make(ids);
  }
  const std::string* trace = Find(entries, kB3TraceId);
  const std::string* span = Find(entries, kB3SpanId);
  if (trace == nullptr && span == nullptr) return std::unique_ptr<SpanContextImpl>();
  if (trace == nullptr || span == nullptr ||
      !ParseHex128(Trim(*trace), &ids.trace_high, &ids.trace_low) ||
      !ParseHex64(Trim(*span), &ids.span_id) || !ids.valid()) {
    return Corrupted();
  }
  if (const std::string* parent = Find(entries, kB3ParentSpanId);
      parent != nullptr && !ParseHex64(Trim(*parent), &ids.parent_id)) {
    return Corrupted();
  }
  if (const std::string* sampled = Find(entries, kB3Sampled)) {
    std::string s = Trim(*sampled);
    if (s == "1" || s == "true") {
      ids.flags = kSampledFlag;
    } else if (s != "0" && s != "false") {
      return Corrupted();
    }
  }
  if (const std::string* flags = Find(entries, kB3Flags); flags != nullptr && Trim(*flags) == "1") {
    ids.flags = kSampledFlag | kDebugFlag;
  }
  return Make(ids);
}

}  // namespace

expected<void> InjectFormat(PropagationFormat format, const PropagationSettings& settings,
                            bool http, const SpanContextImpl& ctx, const Setter& set) {
  switch (format) {
    case PropagationFormat::kJaeger: return InjectJaeger(settings, http, ctx, set);
    case PropagationFormat::kW3C: return InjectW3C(ctx, set);
    case PropagationFormat::kB3: return InjectB3(settings.b3_single, ctx, set);
  }
  return {};
}

expected<std::unique_ptr<SpanContextImpl>> ExtractFormat(PropagationFormat format,
                                                         const PropagationSettings& settings,
                                                         bool http, const Entries& entries) {
  switch (format) {
    case PropagationFormat::kJaeger: return ExtractJaeger(settings, http, entries);
    case PropagationFormat::kW3C: return ExtractW3C(entries);
    case PropagationFormat::kB3: return ExtractB3(entries);
  }
  return std::unique_ptr<SpanContextImpl>();
}

std::string PercentEncode(const std::string& s) {
  static const char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kDigits[c >> 4];
      out += kDigits[c & 0xf];
    }
  }
  return out;
}

bool PercentDecode(const std::string& s, std::string* out) {
  std::string r;
  r.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      r += s[i];
      continue;
    }
    uint64_t byte = 0;
    if (i + 2 >= s.size() || !ParseHex64(s.substr(i + 1, 2), &byte)) return false;
    r += static_cast<char>(byte);
    i += 2;
  }
  *out = std::move(r);
  return true;
}

expected<void> InjectBinary(const SpanContextImpl& ctx, std::ostream& out) {
  const Ids& ids = ctx.ids();
  std::string bytes = BigEndian64(ids.trace_high) + BigEndian64(ids.trace_low) +
                      BigEndian64(ids.span_id) + BigEndian64(ids.parent_id);
  bytes += static_cast<char>(ids.flags);
  std::map<std::string, std::string> baggage = ctx.baggage();
  bytes += BigEndian32(static_cast<uint32_t>(baggage.size()));
  for (const auto& [key, value] : baggage) {
    bytes += BigEndian32(static_cast<uint32_t>(key.size())) + key;
    bytes += BigEndian32(static_cast<uint32_t>(value.size())) + value;
  }
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) return make_unexpected(std::make_error_code(std::errc::io_error));
  return {};
}

expected<std::unique_ptr<SpanContextImpl>> ExtractBinary(std::istream& in) {
  // Read at most one byte more than the limit, to know it was passed.
  std::string bytes(kMaxBinaryContext + 1, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<size_t>(in.gcount()));
  if (bytes.empty()) return std::unique_ptr<SpanContextImpl>();
  if (bytes.size() > kMaxBinaryContext) return Corrupted();
  size_t pos = 0;
  auto take = [&](size_t n, uint64_t* v) {
    if (bytes.size() - pos < n) return false;
    *v = 0;
    for (size_t i = 0; i < n; ++i) *v = (*v << 8) | static_cast<unsigned char>(bytes[pos + i]);
    pos += n;
    return true;
  };
  auto take_string = [&](std::string* s) {
    uint64_t n = 0;
    if (!take(4, &n) || bytes.size() - pos < n) return false;
    s->assign(bytes, pos, n);
    pos += n;
    return true;
  };
  Ids ids;
  uint64_t flags = 0;
  uint64_t count = 0;
  if (!take(8, &ids.trace_high) || !take(8, &ids.trace_low) || !take(8, &ids.span_id) ||
      !take(8, &ids.parent_id) || !take(1, &flags) || !take(4, &count) || !ids.valid()) {
    return Corrupted();
  }
  ids.flags = static_cast<uint8_t>(flags);
  std::map<std::string, std::string> baggage;
  for (uint64_t i = 0; i < count; ++i) {
    std::string key;
    std::string value;
    if (!take_string(&key) || !take_string(&value)) return Corrupted();
    baggage[std::move(key)] = std::move(value);
  }
  if (pos != bytes.size()) return Corrupted();  // bytes after the context
  return Make(ids, std::move(baggage));
}

}  // namespace spoor::internal
