// Zipkin v1 Thrift -> model, on inputs written by code that the Apache
// Thrift compiler generated from thrift/zipkinCore.thrift: the same v1 -> v2
// conversion as v1 JSON, typed binary annotations, 128-bit trace IDs, binary
// addresses, rejected spans and malformed input. Skipped where the Thrift
// library is not installed (see tests/CMakeLists.txt).
//
// The seeds of fuzz/zipkin_thrift_fuzz.cc are made here too: with
// SPOOR_WRITE_FUZZ_SEEDS=DIR set they are written to DIR (commit the output):
//
//   SPOOR_WRITE_FUZZ_SEEDS=fuzz/corpus/zipkin_thrift_fuzz
//   build/tests/unit_format_zipkin_tests --gtest_filter='ZipkinThriftFuzzSeeds.*'
#include <gtest/gtest.h>

#include <bit>
#include <cstdlib>
#include <fstream>
#include <string>

#include "formats/zipkin/zipkin_decode.h"
#include "zipkin_test_util.h"

#ifdef SPOOR_HAVE_LIBTHRIFT
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <memory>

#include "zipkinCore_types.h"
#endif

namespace spoor {
namespace {

#ifdef SPOOR_HAVE_LIBTHRIFT

namespace idl = spoor_zipkin_idl;
using namespace std::string_literals;
using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::transport::TMemoryBuffer;
using zipkin_test::ExpectSameBatch;
using zipkin_test::FlatSpan;
using zipkin_test::Flatten;
using zipkin_test::StringAttr;

constexpr uint64_t kUs = 1000;  // ns per µs

// A list<Span> in the binary protocol, as Zipkin's Thrift senders write it.
std::string Encode(const std::vector<idl::Span>& spans) {
  auto buffer = std::make_shared<TMemoryBuffer>();
  TBinaryProtocol protocol(buffer);
  protocol.writeListBegin(apache::thrift::protocol::T_STRUCT, static_cast<uint32_t>(spans.size()));
  for (const idl::Span& s : spans) s.write(&protocol);
  protocol.writeListEnd();
  return buffer->getBufferAsString();
}

idl::Endpoint Endpoint(const std::string& service, int32_t ipv4 = 0, int16_t port = 0) {
  idl::Endpoint e;
  e.service_name = service;
  e.ipv4 = ipv4;
  e.port = port;
  return e;
}

idl::Annotation Annotation(int64_t timestamp, const std::string& value, const idl::Endpoint& host) {
  idl::Annotation a;
  a.timestamp = timestamp;
  a.value = value;
  a.__set_host(host);
  return a;
}

idl::BinaryAnnotation Binary(const std::string& key, const std::string& value,
                             idl::AnnotationType::type type) {
  idl::BinaryAnnotation b;
  b.key = key;
  b.value = value;
  b.annotation_type = type;
  return b;
}

// Big-endian bytes of an integer, as BinaryAnnotation values are.
template <typename T>
std::string BigEndian(T v) {
  std::string out(sizeof(T), '\0');
  auto bits = static_cast<uint64_t>(v);
  for (size_t i = sizeof(T); i-- > 0; bits >>= 8) out[i] = static_cast<char>(bits & 0xff);
  return out;
}

idl::Span BaseSpan(int64_t id = 2) {
  idl::Span s;
  s.trace_id = 1;
  s.id = id;
  s.name = "rpc";
  return s;
}

std::vector<FlatSpan> DecodeThrift(const std::string& bytes, DecodeStats* stats = nullptr) {
  SpanBatch batch;
  Status status = DecodeZipkinV1Thrift(bytes, &batch, stats);
  EXPECT_TRUE(status.ok()) << status.message();
  return Flatten(batch);
}

std::string ErrorOf(const std::string& bytes) {
  SpanBatch batch;
  DecodeStats stats;
  Status status = DecodeZipkinV1Thrift(bytes, &batch, &stats);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(batch.resource_spans.empty());
  EXPECT_EQ(stats.rejected_spans, 0u);
  return status.message();
}

TEST(ZipkinThrift, ConvertsAsTheV1JsonDecoderDoes) {
  const int32_t client_ip = (10 << 24) | 1;  // 10.0.0.1
  const int32_t server_ip = (10 << 24) | 2;
  idl::Span s = BaseSpan();
  s.__set_parent_id(1);
  s.__set_timestamp(100);
  s.__set_duration(100);
  s.__set_debug(true);
  const idl::Endpoint client = Endpoint("client", client_ip, 8000);
  const idl::Endpoint server = Endpoint("server", server_ip, 8080);
  s.annotations = {Annotation(100, "cs", client), Annotation(120, "sr", server),
                   Annotation(150, "cache.miss", server), Annotation(170, "ss", server),
                   Annotation(200, "cr", client)};
  idl::BinaryAnnotation path = Binary("http.path", "/a", idl::AnnotationType::STRING);
  path.__set_host(server);
  idl::BinaryAnnotation sa = Binary("sa", std::string(1, '\1'), idl::AnnotationType::BOOL);
  sa.__set_host(server);
  idl::BinaryAnnotation ca = Binary("ca", std::string(1, '\1'), idl::AnnotationType::BOOL);
  ca.__set_host(client);
  s.binary_annotations = {path, sa, ca};

  SpanBatch from_thrift;
  ASSERT_TRUE(DecodeZipkinV1Thrift(Encode({s}), &from_thrift, nullptr).ok());
  SpanBatch from_json;
  ASSERT_TRUE(DecodeZipkinV1Json(R"([{
    "traceId": "0000000000000001", "id": "0000000000000002", "parentId": "0000000000000001",
    "name": "rpc", "timestamp": 100, "duration": 100, "debug": true,
    "annotations": [
      {"timestamp": 100, "value": "cs", "endpoint": {"serviceName": "client", "ipv4": "10.0.0.1", "port": 8000}},
      {"timestamp": 120, "value": "sr", "endpoint": {"serviceName": "server", "ipv4": "10.0.0.2", "port": 8080}},
      {"timestamp": 150, "value": "cache.miss", "endpoint": {"serviceName": "server", "ipv4": "10.0.0.2", "port": 8080}},
      {"timestamp": 170, "value": "ss", "endpoint": {"serviceName": "server", "ipv4": "10.0.0.2", "port": 8080}},
      {"timestamp": 200, "value": "cr", "endpoint": {"serviceName": "client", "ipv4": "10.0.0.1", "port": 8000}}],
    "binaryAnnotations": [
      {"key": "http.path", "value": "/a", "endpoint": {"serviceName": "server", "ipv4": "10.0.0.2", "port": 8080}},
      {"key": "sa", "value": true, "endpoint": {"serviceName": "server", "ipv4": "10.0.0.2", "port": 8080}},
      {"key": "ca", "value": true, "endpoint": {"serviceName": "client", "ipv4": "10.0.0.1", "port": 8000}}]
  }])",
                                 &from_json, nullptr)
                  .ok());
  ExpectSameBatch(from_thrift, from_json);

  // And the conversion itself: a client and a server span of one span ID.
  std::vector<FlatSpan> spans = Flatten(from_thrift);
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].service, "client");
  EXPECT_EQ(spans[0].span.kind, SpanKind::kClient);
  EXPECT_EQ(spans[0].span.start_time_ns, 100 * kUs);
  EXPECT_EQ(spans[0].span.end_time_ns, 200 * kUs);
  EXPECT_EQ(StringAttr(spans[0].span.attributes, "net.peer.ip"), "10.0.0.2");
  EXPECT_EQ(spans[1].service, "server");
  EXPECT_EQ(spans[1].span.kind, SpanKind::kServer);
  EXPECT_EQ(spans[1].span.start_time_ns, 120 * kUs);
  EXPECT_EQ(spans[1].span.end_time_ns, 170 * kUs);
  EXPECT_EQ(StringAttr(spans[1].span.attributes, "http.path"), "/a");
  EXPECT_EQ(StringAttr(spans[1].span.attributes, "peer.service"), "client");
  ASSERT_EQ(spans[1].span.events.size(), 1u);
  EXPECT_EQ(spans[1].span.events[0].name, "cache.miss");
  EXPECT_EQ(spans[0].span.flags, 3u);
}

TEST(ZipkinThrift, TypedBinaryAnnotationsBecomeStringTags) {
  idl::Span s = BaseSpan();
  s.binary_annotations = {
      Binary("bool", std::string(1, '\0'), idl::AnnotationType::BOOL),
      Binary("bytes", std::string("\x00\x01\xff", 3), idl::AnnotationType::BYTES),
      Binary("i16", BigEndian<int16_t>(-2), idl::AnnotationType::I16),
      Binary("i32", BigEndian<int32_t>(70000), idl::AnnotationType::I32),
      Binary("i64", BigEndian<int64_t>(-(int64_t{1} << 40)), idl::AnnotationType::I64),
      Binary("double", BigEndian(std::bit_cast<uint64_t>(2.5)), idl::AnnotationType::DOUBLE),
      Binary("string", "text", idl::AnnotationType::STRING),
      Binary("newer", "x", static_cast<idl::AnnotationType::type>(9)),
  };
  std::vector<FlatSpan> spans = DecodeThrift(Encode({s}));
  ASSERT_EQ(spans.size(), 1u);
  const Attributes& a = spans[0].span.attributes;
  EXPECT_EQ(StringAttr(a, "bool"), "false");
  EXPECT_EQ(StringAttr(a, "bytes"), "AAH/");
  EXPECT_EQ(StringAttr(a, "i16"), "-2");
  EXPECT_EQ(StringAttr(a, "i32"), "70000");
  EXPECT_EQ(StringAttr(a, "i64"), "-1099511627776");
  EXPECT_EQ(StringAttr(a, "double"), "2.5");
  EXPECT_EQ(StringAttr(a, "string"), "text");
  EXPECT_EQ(FindAttribute(a, "newer"), nullptr);  // an unknown type is left out
  EXPECT_EQ(a.size(), 7u);
}

TEST(ZipkinThrift, TraceIdHighMakesA128BitTraceId) {
  idl::Span s = BaseSpan();
  s.trace_id = 0x48485a3953bb6124;
  s.__set_trace_id_high(0x463ac35c9f6413ad);
  std::vector<FlatSpan> spans = DecodeThrift(Encode({s}));
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].span.trace_id, (TraceId{0x463ac35c9f6413adULL, 0x48485a3953bb6124ULL}));
  EXPECT_FALSE(spans[0].span.parent_span_id.valid());
}

TEST(ZipkinThrift, EndpointAddressesAndUnsignedPorts) {
  idl::Span s = BaseSpan();
  idl::Endpoint e = Endpoint("api", static_cast<int32_t>(0xc0a86301), -1);  // 192.168.99.1:65535
  s.annotations = {Annotation(10, "sr", e), Annotation(20, "ss", e)};
  idl::Endpoint v6 = Endpoint("web");
  v6.__set_ipv6(std::string("\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16));
  idl::BinaryAnnotation ca = Binary("ca", std::string(1, '\1'), idl::AnnotationType::BOOL);
  ca.__set_host(v6);
  s.binary_annotations = {ca};
  std::vector<FlatSpan> spans = DecodeThrift(Encode({s}));
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].span.kind, SpanKind::kServer);
  EXPECT_EQ(spans[0].span.start_time_ns, 10 * kUs);
  EXPECT_EQ(spans[0].span.end_time_ns, 20 * kUs);
  SpanBatch batch;
  ASSERT_TRUE(DecodeZipkinV1Thrift(Encode({s}), &batch, nullptr).ok());
  const Attributes& resource = batch.resource_spans[0].resource->attributes;
  EXPECT_EQ(StringAttr(resource, "net.host.ip"), "192.168.99.1");
  EXPECT_EQ(*FindAttribute(resource, "net.host.port"), AnyValue::Int(65535));
  EXPECT_EQ(StringAttr(spans[0].span.attributes, "net.peer.ip"), "2001:db8::1");
  EXPECT_EQ(StringAttr(spans[0].span.attributes, "peer.service"), "web");
}

TEST(ZipkinThrift, AnnotationsWithoutTimeAreLeftOutAndBadUtf8IsReplaced) {
  idl::Span s = BaseSpan();
  s.name = "caf\xe9";
  s.annotations = {Annotation(0, "lost", Endpoint("svc")), Annotation(5, "kept", Endpoint("svc"))};
  std::vector<FlatSpan> spans = DecodeThrift(Encode({s}));
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].span.name, "caf\xef\xbf\xbd");
  ASSERT_EQ(spans[0].span.events.size(), 1u);
  EXPECT_EQ(spans[0].span.events[0].name, "kept");
}

TEST(ZipkinThrift, SpansWithZeroIdsAreRejectedOneByOne) {
  idl::Span no_trace = BaseSpan();
  no_trace.trace_id = 0;
  idl::Span no_id = BaseSpan(0);
  DecodeStats stats;
  std::vector<FlatSpan> spans = DecodeThrift(Encode({no_trace, no_id, BaseSpan()}), &stats);
  EXPECT_EQ(spans.size(), 1u);
  EXPECT_EQ(stats.rejected_spans, 2u);
  EXPECT_EQ(stats.rejection_reason, "span 0: trace_id is zero");
}

TEST(ZipkinThrift, MalformedInputNamesThePlace) {
  const std::string good = Encode({BaseSpan(), BaseSpan(3)});
  EXPECT_EQ(ErrorOf(good.substr(0, good.size() - 3)).rfind("zipkin thrift: [1]", 0), 0u)
      << ErrorOf(good.substr(0, good.size() - 3));
  EXPECT_EQ(ErrorOf(good + "x"), "zipkin thrift: 1 bytes after the end of the message");
  EXPECT_EQ(ErrorOf("\x0b\0\0\0\0"s), "zipkin thrift: list<Span>: expected struct, got string");

  idl::Span bad_value = BaseSpan();
  bad_value.binary_annotations = {Binary("n", "abc", idl::AnnotationType::I32)};
  EXPECT_EQ(ErrorOf(Encode({bad_value})),
            "zipkin thrift: [0].binary_annotations[0].value: annotation_type 3 needs 4 bytes, "
            "got 3");

  // Field 3 (name) as an i32 instead of a string.
  std::string wrong_type =
      "\x0c\0\0\0\x01"s        // list<struct>, 1 element
      "\x08\0\x03\0\0\0\x07"s  // i32 field 3
      "\0"s;
  EXPECT_EQ(ErrorOf(wrong_type), "zipkin thrift: [0].name: expected string, got i32");
}

// A shared RPC with every kind of annotation, typed binary annotations and
// a 128-bit trace ID; and a list with a rejected span.
std::vector<std::pair<std::string, std::string>> FuzzSeeds() {
  idl::Span rpc = BaseSpan();
  rpc.__set_trace_id_high(0x463ac35c9f6413ad);
  rpc.__set_parent_id(7);
  rpc.__set_timestamp(100);
  rpc.__set_duration(100);
  rpc.__set_debug(true);
  idl::Endpoint client = Endpoint("client", (10 << 24) | 1, 8000);
  idl::Endpoint server = Endpoint("server", (10 << 24) | 2, -1);
  server.__set_ipv6(std::string("\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16));
  rpc.annotations = {Annotation(100, "cs", client), Annotation(120, "sr", server),
                     Annotation(150, "retry", server), Annotation(170, "ss", server),
                     Annotation(200, "cr", client)};
  idl::BinaryAnnotation sa = Binary("sa", std::string(1, '\1'), idl::AnnotationType::BOOL);
  sa.__set_host(server);
  idl::BinaryAnnotation ca = Binary("ca", std::string(1, '\1'), idl::AnnotationType::BOOL);
  ca.__set_host(client);
  rpc.binary_annotations = {
      sa,
      ca,
      Binary("http.path", "/a", idl::AnnotationType::STRING),
      Binary("i16", BigEndian<int16_t>(-2), idl::AnnotationType::I16),
      Binary("i32", BigEndian<int32_t>(7), idl::AnnotationType::I32),
      Binary("i64", BigEndian<int64_t>(8), idl::AnnotationType::I64),
      Binary("double", BigEndian(std::bit_cast<uint64_t>(0.5)), idl::AnnotationType::DOUBLE),
      Binary("bytes", "ab", idl::AnnotationType::BYTES),
  };
  idl::Span producer = BaseSpan(3);
  const idl::Endpoint p = Endpoint("producer");
  producer.annotations = {Annotation(10, "ms", p), Annotation(12, "ws", p)};
  idl::BinaryAnnotation ma = Binary("ma", std::string(1, '\1'), idl::AnnotationType::BOOL);
  ma.__set_host(Endpoint("kafka"));
  producer.binary_annotations = {ma};
  idl::Span rejected = BaseSpan(0);
  return {{"shared_rpc", Encode({rpc})},
          {"spans", Encode({producer, rejected, BaseSpan(4)})},
          {"empty", Encode({})}};
}

TEST(ZipkinThriftFuzzSeeds, DecodeAndAreWrittenOnRequest) {
  const char* dir = std::getenv("SPOOR_WRITE_FUZZ_SEEDS");
  for (const auto& [name, bytes] : FuzzSeeds()) {
    SpanBatch batch;
    Status s = DecodeZipkinV1Thrift(bytes, &batch, nullptr);
    ASSERT_TRUE(s.ok()) << name << ": " << s.message();
    if (dir != nullptr) {
      std::ofstream out(std::string(dir) + "/" + name, std::ios::binary);
      out << bytes;
      ASSERT_TRUE(out.good()) << "cannot write " << dir << "/" << name;
    }
  }
}

#else

TEST(ZipkinThrift, NeedsTheThriftLibrary) {
  GTEST_SKIP() << "libthrift is not installed";
}

#endif

}  // namespace
}  // namespace spoor
