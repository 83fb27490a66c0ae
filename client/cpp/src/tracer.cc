#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <opentracing/util.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <typeinfo>

#include "propagation.h"
#include "tracer_impl.h"

namespace spoor {

namespace internal {
namespace {

std::string HostName() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) return {};
  return host;
}

// The first IPv4 address that is not loopback, as Jaeger clients report it.
std::string HostIp() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return {};
  std::string ip;
  for (ifaddrs* a = list; a != nullptr && ip.empty(); a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    auto* in = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
    if ((ntohl(in->sin_addr.s_addr) >> 24) == 127) continue;
    char buf[INET_ADDRSTRLEN] = {};
    if (inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf) != nullptr) ip = buf;
  }
  freeifaddrs(list);
  return ip;
}

// `ref` when it is a context of this tracer, else null. (typeid, not
// dynamic_cast: the class is final, and this is on every span's path.)
const SpanContextImpl* OursOrContainer(const opentracing::SpanContext* ref) {
  if (ref == nullptr || typeid(*ref) != typeid(SpanContextImpl)) return nullptr;
  return static_cast<const SpanContextImpl*>(ref);
}

// `ref` when it is a context of this tracer with IDs, else null.
const SpanContextImpl* Ours(const opentracing::SpanContext* ref) {
  const SpanContextImpl* ctx = OursOrContainer(ref);
  return ctx != nullptr && !ctx->is_container() ? ctx : nullptr;
}

bool PriorityAboveZero(const TagValue& v) {
  switch (v.type) {
    case TagValue::Type::kInt64: return v.int64_value > 0;
    case TagValue::Type::kDouble: return v.double_value > 0;
    case TagValue::Type::kBool: return v.bool_value;
    case TagValue::Type::kString: return !v.string_value.empty() && v.string_value != "0";
  }
  return false;
}

}  // namespace

TracerImpl::TracerImpl(TracerOptions options) : options_(std::move(options)) {
  propagation_.b3_single = options_.b3_single_header;
  propagation_.jaeger_header = options_.jaeger_header;
  propagation_.jaeger_baggage_prefix = options_.jaeger_baggage_prefix;
  propagation_.jaeger_debug_header = options_.jaeger_debug_header;
  propagation_.jaeger_baggage_header = options_.jaeger_baggage_header;
  process_.service_name = options_.service_name;
  if (std::string host = HostName(); !host.empty()) {
    process_.tags.emplace_back("hostname", TagValue::String(host));
  }
  if (std::string ip = HostIp(); !ip.empty())
    process_.tags.emplace_back("ip", TagValue::String(ip));
  process_.tags.emplace_back("jaeger.version", TagValue::String(kClientVersion));
  for (const Tag& t : options_.tags) process_.tags.push_back(t);
}

std::unique_ptr<opentracing::Span> TracerImpl::StartSpanWithOptions(
    opentracing::string_view operation_name,
    const opentracing::StartSpanOptions& options) const noexcept {
  try {
    // The parent: the first child-of reference of ours, else the first
    // reference of ours. Baggage comes from every reference, also from a
    // context that has nothing else (Jaeger's debug and baggage headers).
    const SpanContextImpl* first_child_of = nullptr;
    const SpanContextImpl* first = nullptr;
    const std::string* debug_id = nullptr;
    std::map<std::string, std::string> baggage;
    for (const auto& [type, ref] : options.references) {
      const SpanContextImpl* ctx = OursOrContainer(ref);
      if (ctx == nullptr) continue;
      if (ctx->is_container()) {
        if (debug_id == nullptr && !ctx->debug_id().empty()) debug_id = &ctx->debug_id();
        if (ctx->has_baggage()) {
          for (const auto& [k, v] : ctx->baggage()) baggage.emplace(k, v);
        }
        continue;
      }
      if (first == nullptr) first = ctx;
      if (first_child_of == nullptr && type == opentracing::SpanReferenceType::ChildOfRef) {
        first_child_of = ctx;
      }
      if (ctx->has_baggage()) {
        for (const auto& [k, v] : ctx->baggage()) baggage.emplace(k, v);
      }
    }

    const SpanContextImpl* parent = first_child_of != nullptr ? first_child_of : first;
    Ids ids;
    ids.span_id = RandomId();
    std::string name;
    std::vector<Tag> sampler_tags;
    if (parent != nullptr) {
      ids.trace_high = parent->ids().trace_high;
      ids.trace_low = parent->ids().trace_low;
      ids.parent_id = parent->ids().span_id;
      ids.flags = parent->ids().flags;
    } else {
      ids.trace_low = RandomId();
      ids.trace_high = options_.trace_id_128bit ? RandomId() : 0;
      bool debug = std::any_of(options.tags.begin(), options.tags.end(), [](const auto& t) {
        return t.first == "sampling.priority" && PriorityAboveZero(FromValue(t.second));
      });
      if (debug_id != nullptr) {
        // A new trace asked for by Jaeger's debug header: sampled, debug,
        // and tagged with the ID so that it can be found.
        ids.flags = kSampledFlag | kDebugFlag;
        sampler_tags.emplace_back("jaeger-debug-id", TagValue::String(*debug_id));
      } else if (debug) {
        ids.flags = kSampledFlag | kDebugFlag;
      } else if (options_.sampler) {
        name.assign(operation_name.data(), operation_name.size());
        SamplingDecision d = options_.sampler->Sample(ids.trace_low, name);
        if (d.sampled) {
          ids.flags = kSampledFlag;
          sampler_tags.emplace_back("sampler.type", TagValue::String(d.type));
          sampler_tags.emplace_back("sampler.param", d.type == "const"
                                                         ? TagValue::Bool(d.param != 0)
                                                         : TagValue::Double(d.param));
        }
      } else {
        ids.flags = kSampledFlag;
        sampler_tags.emplace_back("sampler.type", TagValue::String("const"));
        sampler_tags.emplace_back("sampler.param", TagValue::Bool(true));
      }
    }
    std::string trace_state = parent != nullptr ? parent->trace_state() : std::string();
    auto span = std::make_unique<SpanImpl>(shared_from_this(), ids, std::move(baggage),
                                           std::move(trace_state));
    // An unsampled span keeps nothing but its context: no name, times, tags
    // or references (nothing of it would be sent).
    if ((ids.flags & kSampledFlag) == 0) return span;

    // References: a child-of parent is carried as the parent ID alone; a
    // follows-from one (no child-of reference given) stays a reference
    // too, so that its kind is not lost (OTLP has no follows-from parent:
    // a link).
    std::vector<ReferenceData> references;
    for (const auto& [type, ref] : options.references) {
      const SpanContextImpl* ctx = Ours(ref);
      if (ctx == nullptr || (ctx == parent && type == opentracing::SpanReferenceType::ChildOfRef)) {
        continue;
      }
      references.push_back({type == opentracing::SpanReferenceType::ChildOfRef
                                ? ReferenceType::kChildOf
                                : ReferenceType::kFollowsFrom,
                            ctx->ids().trace_high, ctx->ids().trace_low, ctx->ids().span_id});
    }
    // The start options' tags go first.
    std::vector<Tag> tags;
    if (!options.tags.empty() || !sampler_tags.empty()) {
      tags.reserve(options.tags.size() + sampler_tags.size());
      for (const auto& [key, value] : options.tags) tags.emplace_back(key, FromValue(value));
      for (Tag& t : sampler_tags) tags.push_back(std::move(t));
    }
    // Start times: as given, the other clock estimated from the one given,
    // or now.
    opentracing::SystemTime system = options.start_system_timestamp;
    opentracing::SteadyTime steady = options.start_steady_timestamp;
    if (system == opentracing::SystemTime() && steady == opentracing::SteadyTime()) {
      Now(&system, &steady);
    } else if (system == opentracing::SystemTime()) {
      system = opentracing::convert_time_point<opentracing::SystemClock>(steady);
    } else if (steady == opentracing::SteadyTime()) {
      steady = opentracing::convert_time_point<opentracing::SteadyClock>(system);
    }
    if (name.empty()) name.assign(operation_name.data(), operation_name.size());
    span->Record(std::move(name), system, steady, std::move(tags), std::move(references));
    return span;
  } catch (...) {
    return nullptr;
  }
}

void TracerImpl::Report(SpanData span) const {
  if (options_.reporter) options_.reporter->Report(std::move(span), process_);
}

opentracing::expected<void> TracerImpl::InjectText(const opentracing::SpanContext& sc,
                                                   const opentracing::TextMapWriter& writer,
                                                   bool http) const {
  const auto* ctx = dynamic_cast<const SpanContextImpl*>(&sc);
  if (ctx == nullptr || ctx->is_container()) {
    return opentracing::make_unexpected(opentracing::invalid_span_context_error);
  }
  Setter set = [&writer](const std::string& key, const std::string& value) {
    return writer.Set(key, value);
  };
  for (PropagationFormat f : options_.propagation) {
    if (auto r = InjectFormat(f, propagation_, http, *ctx, set); !r) return r;
  }
  return {};
}

opentracing::expected<std::unique_ptr<opentracing::SpanContext>> TracerImpl::ExtractText(
    const opentracing::TextMapReader& reader, bool http) const {
  Entries entries;
  auto read =
      reader.ForeachKey([&entries](opentracing::string_view key, opentracing::string_view value) {
        std::string k(key);
        std::transform(k.begin(), k.end(), k.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        entries.emplace_back(std::move(k), std::string(value));
        return opentracing::expected<void>();
      });
  if (!read) return opentracing::make_unexpected(read.error());
  // The first context with IDs; a context of Jaeger's debug or baggage
  // header alone only when no format finds one.
  std::unique_ptr<SpanContextImpl> container;
  for (PropagationFormat f : options_.propagation) {
    auto found = ExtractFormat(f, propagation_, http, entries);
    if (!found) return opentracing::make_unexpected(found.error());
    if (*found && (*found)->is_container()) {
      container = std::move(*found);
    } else if (*found) {
      return std::unique_ptr<opentracing::SpanContext>(std::move(*found));
    }
  }
  return std::unique_ptr<opentracing::SpanContext>(std::move(container));
}

opentracing::expected<void> TracerImpl::Inject(const opentracing::SpanContext& sc,
                                               std::ostream& writer) const {
  const auto* ctx = dynamic_cast<const SpanContextImpl*>(&sc);
  if (ctx == nullptr || ctx->is_container()) {
    return opentracing::make_unexpected(opentracing::invalid_span_context_error);
  }
  return InjectBinary(*ctx, writer);
}

opentracing::expected<void> TracerImpl::Inject(const opentracing::SpanContext& sc,
                                               const opentracing::TextMapWriter& writer) const {
  return InjectText(sc, writer, false);
}

opentracing::expected<void> TracerImpl::Inject(const opentracing::SpanContext& sc,
                                               const opentracing::HTTPHeadersWriter& writer) const {
  return InjectText(sc, writer, true);
}

opentracing::expected<std::unique_ptr<opentracing::SpanContext>> TracerImpl::Extract(
    std::istream& reader) const {
  auto found = ExtractBinary(reader);
  if (!found) return opentracing::make_unexpected(found.error());
  return std::unique_ptr<opentracing::SpanContext>(std::move(*found));
}

opentracing::expected<std::unique_ptr<opentracing::SpanContext>> TracerImpl::Extract(
    const opentracing::TextMapReader& reader) const {
  return ExtractText(reader, false);
}

opentracing::expected<std::unique_ptr<opentracing::SpanContext>> TracerImpl::Extract(
    const opentracing::HTTPHeadersReader& reader) const {
  return ExtractText(reader, true);
}

void TracerImpl::Close() noexcept {
  try {
    if (options_.reporter) options_.reporter->Close();
    if (options_.sampler) options_.sampler->Close();
  } catch (...) {
  }
}

}  // namespace internal

std::shared_ptr<opentracing::Tracer> MakeTracer(TracerOptions options) {
  return std::make_shared<internal::TracerImpl>(std::move(options));
}

}  // namespace spoor
