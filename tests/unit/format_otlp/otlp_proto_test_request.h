// The full-featured OTLP request of the decoder tests in protobuf form
// (testing::FullBatch() in otlp_test_util.h is the model it maps to), and
// helpers to build requests.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <utility>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace spoor::testing {

namespace pb_common = opentelemetry::proto::common::v1;
namespace pb_trace = opentelemetry::proto::trace::v1;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;

inline std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

inline std::string Repeat(int byte, size_t n) {
  return std::string(n, static_cast<char>(byte));
}

inline void SetAllValueTypes(google::protobuf::RepeatedPtrField<pb_common::KeyValue>* attrs) {
  auto add = [&](const char* key) {
    pb_common::KeyValue* kv = attrs->Add();
    kv->set_key(key);
    return kv->mutable_value();
  };
  add("http.method")->set_string_value("GET");
  add("cache.hit")->set_bool_value(true);
  add("http.status_code")->set_int_value(200);
  add("big.negative")->set_int_value(std::numeric_limits<int64_t>::min());
  add("ratio")->set_double_value(0.25);
  add("payload")->set_bytes_value(Bytes({0x00, 0x01, 0xfe, 0xff}));
  pb_common::ArrayValue* tags = add("tags")->mutable_array_value();
  tags->add_values()->set_string_value("a");
  tags->add_values()->set_int_value(1);
  pb_common::ArrayValue* inner = tags->add_values()->mutable_array_value();
  inner->add_values()->set_bool_value(false);
  pb_common::KeyValue* x = inner->add_values()->mutable_kvlist_value()->add_values();
  x->set_key("x");
  x->mutable_value()->set_double_value(1.5);
  pb_common::KeyValueList* map = add("map")->mutable_kvlist_value();
  pb_common::KeyValue* inner_kv = map->add_values();
  inner_kv->set_key("inner");
  pb_common::KeyValue* deep = inner_kv->mutable_value()->mutable_kvlist_value()->add_values();
  deep->set_key("deep");
  deep->mutable_value()->set_string_value("v");
  map->add_values()->set_key("nothing");
  add("empty.array")->mutable_array_value();
  add("nothing");
}

// The request that testing::FullBatch() describes, built field by field.
inline ExportTraceServiceRequest FullRequest() {
  ExportTraceServiceRequest request;
  pb_trace::ResourceSpans* rs = request.add_resource_spans();
  rs->set_schema_url("https://opentelemetry.io/schemas/1.21.0");
  auto* res_attrs = rs->mutable_resource()->mutable_attributes();
  pb_common::KeyValue* service = res_attrs->Add();
  service->set_key("service.name");
  service->mutable_value()->set_string_value("checkout");
  pb_common::KeyValue* host = res_attrs->Add();
  host->set_key("host.id");
  host->mutable_value()->set_int_value(42);
  rs->mutable_resource()->set_dropped_attributes_count(3);

  pb_trace::ScopeSpans* ss = rs->add_scope_spans();
  ss->set_schema_url("https://example.com/scope-schema");
  pb_common::InstrumentationScope* scope = ss->mutable_scope();
  scope->set_name("io.spoor.test");
  scope->set_version("1.2.3");
  pb_common::KeyValue* scope_attr = scope->add_attributes();
  scope_attr->set_key("scope.attr");
  scope_attr->mutable_value()->set_bool_value(true);
  scope->set_dropped_attributes_count(1);

  pb_trace::Span* span = ss->add_spans();
  span->set_trace_id(Bytes({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}));
  span->set_span_id(Bytes({0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18}));
  span->set_parent_span_id(Bytes({0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28}));
  span->set_trace_state("vendor=abc,other=x");
  span->set_flags(0x301);
  span->set_name("GET /cart");
  span->set_kind(pb_trace::Span::SPAN_KIND_SERVER);
  span->set_start_time_unix_nano(1700000000123456789ULL);
  span->set_end_time_unix_nano(1700000000223456789ULL);
  SetAllValueTypes(span->mutable_attributes());
  span->set_dropped_attributes_count(4);
  pb_trace::Span::Event* event = span->add_events();
  event->set_time_unix_nano(1700000000150000000ULL);
  event->set_name("exception");
  pb_common::KeyValue* message = event->add_attributes();
  message->set_key("exception.message");
  message->mutable_value()->set_string_value("boom");
  event->set_dropped_attributes_count(2);
  span->add_events();
  span->set_dropped_events_count(5);
  pb_trace::Span::Link* link = span->add_links();
  link->set_trace_id(Bytes({0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab,
                            0xac, 0xad, 0xae, 0xaf}));
  link->set_span_id(Bytes({0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7}));
  link->set_trace_state("k=v");
  pb_common::KeyValue* link_attr = link->add_attributes();
  link_attr->set_key("link.kind");
  link_attr->mutable_value()->set_string_value("follows");
  link->set_dropped_attributes_count(6);
  link->set_flags(1);
  span->set_dropped_links_count(7);
  span->mutable_status()->set_code(pb_trace::Status::STATUS_CODE_ERROR);
  span->mutable_status()->set_message("it broke");

  pb_trace::Span* minimal = ss->add_spans();
  minimal->set_trace_id(span->trace_id());
  minimal->set_span_id(Bytes({0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38}));
  minimal->set_name("minimal");
  minimal->set_start_time_unix_nano(1);
  minimal->set_end_time_unix_nano(2);
  return request;
}

inline pb_trace::Span* AddSpan(pb_trace::ScopeSpans* ss, std::string trace_id,
                               std::string span_id) {
  pb_trace::Span* span = ss->add_spans();
  span->set_trace_id(std::move(trace_id));
  span->set_span_id(std::move(span_id));
  span->set_name("op");
  return span;
}

}  // namespace spoor::testing
