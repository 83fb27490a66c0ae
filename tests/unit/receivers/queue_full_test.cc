// Every receiver under backpressure: while the queue is full, gRPC senders
// get UNAVAILABLE, HTTP senders 503 with Retry-After, UDP datagrams are
// dropped, and each refused span is counted by transport and format. Once
// the store catches up, the same requests are accepted again.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "jaeger/api_v2/collector.grpc.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "pipeline/pipeline.h"
#include "receivers/jaeger/jaeger_receivers.h"
#include "receivers/jaeger_grpc/jaeger_grpc_receiver.h"
#include "receivers/otlp_grpc/otlp_grpc_receiver.h"
#include "receivers/otlp_http/otlp_http_receiver.h"
#include "receivers/zipkin/zipkin_receiver.h"
#include "tests/unit/format_jaeger_thrift/thrift_writer.h"
#include "tests/unit/gated_storage.h"
#include "tests/unit/receivers/http_post.h"

namespace spoor {
namespace {

namespace otlp = opentelemetry::proto::collector::trace::v1;
namespace jpb = jaeger::api_v2;

double Refused(const std::string& transport, const std::string& format) {
  return static_cast<double>(IngestMetrics(transport, format).spans_refused_queue_full.value());
}

std::string OtlpRequest(int spans) {
  otlp::ExportTraceServiceRequest req;
  auto* ss = req.add_resource_spans()->add_scope_spans();
  for (int i = 0; i < spans; ++i) {
    auto* s = ss->add_spans();
    s->set_trace_id(std::string(15, '\0') + "\x01");
    s->set_span_id(std::string(7, '\0') + static_cast<char>(i + 1));
    s->set_name("op");
    s->set_start_time_unix_nano(1'700'000'000'000'000'000ULL);
    s->set_end_time_unix_nano(1'700'000'000'000'001'000ULL);
  }
  return req.SerializeAsString();
}

thrift_test::JBatch JaegerBatch() {
  thrift_test::JBatch b;
  b.process.service_name = "svc";
  thrift_test::JSpan s;
  s.trace_id_low = 7;
  s.span_id = 1;
  s.operation_name = "op";
  s.start_time = 1'700'000'000'000'000;
  s.duration = 5;
  b.spans.push_back(s);
  return b;
}

using testing::Post;

std::string RetryAfter(const HttpResponse& r) {
  for (const auto& [name, value] : r.headers)
    if (name == "Retry-After") return value;
  return "";
}

// A pipeline with room for one span and one writer, held full: the first
// batch sits in the (gated) store, the second in the queue.
class QueueFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    IngestMetrics filler("test", "queue-full-filler");
    ASSERT_TRUE(pipeline_.Submit(OneSpan(1), filler).ok());
    ASSERT_TRUE(storage_.WaitForWrites(1));
    ASSERT_TRUE(pipeline_.Submit(OneSpan(2), filler).ok());
  }
  void TearDown() override { storage_.Release(); }

  static SpanBatch OneSpan(uint64_t trace) {
    SpanBatch batch;
    batch.resource_spans.emplace_back();
    batch.resource_spans.back().resource = std::make_shared<Resource>();
    batch.resource_spans.back().scope_spans.emplace_back();
    Span s;
    s.trace_id = TraceId{0, trace};
    s.span_id = SpanId{1};
    s.start_time_ns = 1'700'000'000'000'000'000ULL;
    s.end_time_ns = s.start_time_ns + 1;
    batch.resource_spans.back().scope_spans.back().spans.push_back(s);
    return batch;
  }

  GatedStorage storage_{/*gated=*/true};
  Pipeline pipeline_{PipelineOptions{.queue_size_spans = 1, .num_workers = 1}, storage_};
};

TEST_F(QueueFullTest, OtlpGrpcAnswersUnavailable) {
  auto receiver = NewOtlpGrpcReceiver({.host = "127.0.0.1", .port = 0}, pipeline_);
  ASSERT_TRUE(receiver->Start().ok());
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(receiver->port()),
                                     grpc::InsecureChannelCredentials());
  auto stub = otlp::TraceService::NewStub(channel);
  otlp::ExportTraceServiceRequest req;
  ASSERT_TRUE(req.ParseFromString(OtlpRequest(3)));
  double before = Refused("grpc", "otlp_proto");
  grpc::ClientContext ctx;
  otlp::ExportTraceServiceResponse resp;
  grpc::Status status = stub->Export(&ctx, req, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(status.error_message().find("queue"), std::string::npos) << status.error_message();
  EXPECT_EQ(Refused("grpc", "otlp_proto") - before, 3);
  receiver->Stop();
}

TEST_F(QueueFullTest, JaegerGrpcAnswersUnavailableThenAcceptsOnceDrained) {
  auto receiver = NewJaegerGrpcReceiver({.host = "127.0.0.1", .port = 0}, pipeline_, nullptr);
  ASSERT_TRUE(receiver->Start().ok());
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(receiver->port()),
                                     grpc::InsecureChannelCredentials());
  auto stub = jpb::CollectorService::NewStub(channel);
  jpb::PostSpansRequest req;
  req.mutable_batch()->mutable_process()->set_service_name("svc");
  for (int i = 0; i < 2; ++i) {
    jpb::Span* s = req.mutable_batch()->add_spans();
    s->set_trace_id(std::string(15, '\0') + "\x09");
    s->set_span_id(std::string(7, '\0') + static_cast<char>(i + 1));
    s->set_operation_name("op");
    s->mutable_start_time()->set_seconds(1'700'000'000);
  }
  double before = Refused("grpc", "jaeger_proto");
  {
    grpc::ClientContext ctx;
    jpb::PostSpansResponse resp;
    grpc::Status status = stub->PostSpans(&ctx, req, &resp);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_NE(status.error_message().find("queue"), std::string::npos) << status.error_message();
  }
  EXPECT_EQ(Refused("grpc", "jaeger_proto") - before, 2);

  storage_.Release();
  pipeline_.Shutdown();  // drains the queue; later submits are refused
  // A fresh pipeline with room: the same request goes through.
  GatedStorage open_storage;
  Pipeline open_pipeline(PipelineOptions{.queue_size_spans = 10, .num_workers = 1}, open_storage);
  auto open_receiver =
      NewJaegerGrpcReceiver({.host = "127.0.0.1", .port = 0}, open_pipeline, nullptr);
  ASSERT_TRUE(open_receiver->Start().ok());
  auto open_stub = jpb::CollectorService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(open_receiver->port()), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  jpb::PostSpansResponse resp;
  EXPECT_TRUE(open_stub->PostSpans(&ctx, req, &resp).ok());
  open_pipeline.Shutdown();
  EXPECT_EQ(open_storage.StoredSpans(TraceId{0, 9}), 2u);
  open_receiver->Stop();
  receiver->Stop();
}

TEST_F(QueueFullTest, HttpReceiversAnswer503WithRetryAfter) {
  struct Case {
    const char* name;
    HttpReceiverHandlers handlers;
    HttpRequest request;
    const char* transport;
    const char* format;
  };
  OtlpHttpHandlers otlp_handlers = NewOtlpHttpHandlers({}, pipeline_);
  Case cases[] = {
      {"OTLP/HTTP",
       {otlp_handlers.handle, otlp_handlers.body_too_large},
       Post("/v1/traces", "application/x-protobuf", OtlpRequest(2)),
       "http",
       "otlp_proto"},
      {"Jaeger HTTP", NewJaegerHttpHandlers({}, pipeline_),
       Post("/api/traces", "application/x-thrift",
            thrift_test::EncodeBatch(JaegerBatch(), ThriftProtocol::kBinary)),
       "http", "jaeger_thrift"},
      {"Zipkin", NewZipkinHandlers({}, pipeline_),
       Post("/api/v2/spans", "application/json",
            R"([{"traceId":"0000000000000001","id":"0000000000000002","name":"op",)"
            R"("timestamp":1700000000000000,"duration":3,"localEndpoint":{"serviceName":"z"}}])"),
       "http", "zipkin_json"},
  };
  for (Case& c : cases) {
    SCOPED_TRACE(c.name);
    double before = Refused(c.transport, c.format);
    HttpResponse r = c.handlers.handle(c.request);
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_FALSE(RetryAfter(r).empty());
    EXPECT_NE(r.body.find("queue"), std::string::npos) << r.body;
    EXPECT_GT(Refused(c.transport, c.format) - before, 0);
  }
}

TEST_F(QueueFullTest, UdpDatagramsAreDroppedAndCounted) {
  UdpHandler compact = NewJaegerAgentHandler(ThriftProtocol::kCompact, pipeline_);
  double before = Refused("udp", "jaeger_compact");
  compact(thrift_test::EncodeEmitBatch(JaegerBatch(), ThriftProtocol::kCompact));
  EXPECT_EQ(Refused("udp", "jaeger_compact") - before, 1);
}

}  // namespace
}  // namespace spoor
