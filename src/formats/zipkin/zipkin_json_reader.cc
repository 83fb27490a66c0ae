#include "formats/zipkin/zipkin_json_reader.h"

#include <cmath>

namespace spoor::zipkin {
namespace {

// A parser keeps the capacity of the largest document it has seen; past this
// it is replaced after use so that one huge request does not pin memory.
constexpr size_t kMaxRetainedParserCapacity = 16 * 1024 * 1024;

}  // namespace

bool JsonReader::Fail(const JsonPath& path, std::string_view what) {
  error_ = prefix_;
  std::string where = path.ToString();
  if (!where.empty()) error_.append(where).append(": ");
  error_.append(what);
  return false;
}

bool JsonReader::GetUint(dom::element e, const JsonPath& p, uint64_t max, uint64_t* out) {
  uint64_t v = 0;
  switch (e.type()) {
    case dom::element_type::INT64: {
      const int64_t i = e.get<int64_t>().value_unsafe();
      if (i < 0) return Fail(p, "integer out of range");
      v = static_cast<uint64_t>(i);
      break;
    }
    case dom::element_type::UINT64: v = e.get<uint64_t>().value_unsafe(); break;
    case dom::element_type::DOUBLE: {
      const double d = e.get<double>().value_unsafe();
      if (std::trunc(d) != d) return Fail(p, "expected integer");
      if (!(d >= 0 && d < std::ldexp(1.0, 64))) return Fail(p, "integer out of range");
      v = static_cast<uint64_t>(d);
      break;
    }
    default: return Fail(p, "expected integer");
  }
  if (v > max) return Fail(p, "integer out of range");
  *out = v;
  return true;
}

bool JsonReader::DecodeEndpoint(dom::element e, const JsonPath& p, ZipkinEndpoint* out) {
  return ForEachField(e, p, [&](std::string_view key, dom::element v, const JsonPath& fp) {
    std::string_view text;
    if (key == "serviceName") return GetString(v, fp, &out->service_name);
    if (key == "ipv4") {
      if (!GetString(v, fp, &text)) return false;
      out->ipv4 = text;
      return true;
    }
    if (key == "ipv6") {
      if (!GetString(v, fp, &text)) return false;
      out->ipv6 = text;
      return true;
    }
    if (key == "port") {
      uint64_t port = 0;
      if (!GetUint(v, fp, 65535, &port)) return false;
      out->port = static_cast<uint32_t>(port);
      return true;
    }
    return true;
  });
}

bool JsonReader::TagText(dom::element v, const JsonPath& p, std::string* out) {
  switch (v.type()) {
    case dom::element_type::STRING: *out = v.get<std::string_view>().value_unsafe(); return true;
    case dom::element_type::BOOL:
      *out = v.get<bool>().value_unsafe() ? "true" : "false";
      return true;
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE: *out = simdjson::minify(v); return true;
    default: return Fail(p, "expected string");
  }
}

Status DecodeJsonDocument(
    std::string_view json, std::string_view prefix,
    const std::function<bool(dom::element root, std::string* error)>& decode) {
  thread_local dom::parser parser;
  Status result = Status::Ok();
  {
    dom::element root;
    // realloc_if_needed: simdjson reads past the end of its input, so the
    // body is copied into the parser's padded buffer (reused across calls).
    simdjson::error_code err = parser.parse(json.data(), json.size(), true).get(root);
    std::string error;
    if (err != simdjson::SUCCESS) {
      result = InvalidArgument(std::string(prefix) + simdjson::error_message(err));
    } else if (!decode(root, &error)) {
      result = InvalidArgument(std::move(error));
    }
  }
  if (parser.capacity() > kMaxRetainedParserCapacity) parser = dom::parser();
  return result;
}

}  // namespace spoor::zipkin
