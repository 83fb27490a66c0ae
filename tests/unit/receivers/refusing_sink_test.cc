// What senders are told when the sink refuses a batch: retry later
// (Unavailable: 503 with Retry-After, gRPC UNAVAILABLE), or not at all
// (TooLarge, a span the NATS buffer can never take: 413, gRPC
// INVALID_ARGUMENT). Either way the spans are counted as refused.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <string>

#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "pipeline/span_sink.h"
#include "receivers/otlp_grpc/otlp_grpc_receiver.h"
#include "receivers/otlp_http/otlp_http_receiver.h"
#include "receivers/zipkin/zipkin_receiver.h"
#include "tests/unit/receivers/http_post.h"

namespace spoor {
namespace {

namespace otlp = opentelemetry::proto::collector::trace::v1;

// Refuses every batch with `status`, counting the spans as a sink does.
class RefusingSink final : public SpanSink {
 public:
  explicit RefusingSink(Status status) : status_(std::move(status)) {}
  Status Submit(SpanBatch batch, IngestMetrics& metrics) override {
    metrics.spans_refused_unavailable.Inc(batch.SpanCount());
    return status_;
  }

 private:
  Status status_;
};

std::string OtlpRequest() {
  otlp::ExportTraceServiceRequest req;
  auto* s = req.add_resource_spans()->add_scope_spans()->add_spans();
  s->set_trace_id(std::string(15, '\0') + "\x01");
  s->set_span_id(std::string(7, '\0') + "\x01");
  s->set_name("op");
  s->set_start_time_unix_nano(1'700'000'000'000'000'000ULL);
  s->set_end_time_unix_nano(1'700'000'000'000'001'000ULL);
  return req.SerializeAsString();
}

using testing::Post;

const Status kTooLarge{StatusCode::kTooLarge, "a span exceeds the NATS max_payload"};
const Status kUnavailable = Unavailable("NATS: no server");

TEST(RefusingSink, OtlpHttpSays413ForASpanTooLargeAnd503Otherwise) {
  for (const Status& refusal : {kTooLarge, kUnavailable}) {
    RefusingSink sink(refusal);
    OtlpHttpHandlers handlers = NewOtlpHttpHandlers({}, sink);
    IngestMetrics metrics("http", "otlp_proto");
    uint64_t before = metrics.spans_refused_unavailable.value();
    HttpResponse r = handlers.handle(Post("/v1/traces", "application/x-protobuf", OtlpRequest()));
    EXPECT_EQ(r.status, refusal.code() == StatusCode::kTooLarge ? 413 : 503);
    EXPECT_NE(r.body.find(refusal.message()), std::string::npos);
    EXPECT_EQ(metrics.spans_refused_unavailable.value() - before, 1u);
  }
}

TEST(RefusingSink, ZipkinSays413ForASpanTooLargeAnd503Otherwise) {
  const std::string span =
      R"([{"traceId":"0000000000000001","id":"0000000000000001","name":"op",)"
      R"("timestamp":1700000000000000,"duration":5,"localEndpoint":{"serviceName":"s"}}])";
  for (const Status& refusal : {kTooLarge, kUnavailable}) {
    RefusingSink sink(refusal);
    HttpReceiverHandlers handlers = NewZipkinHandlers({}, sink);
    HttpResponse r = handlers.handle(Post("/api/v2/spans", "application/json", span));
    EXPECT_EQ(r.status, refusal.code() == StatusCode::kTooLarge ? 413 : 503);
  }
}

TEST(RefusingSink, OtlpGrpcSaysInvalidArgumentForASpanTooLargeAndUnavailableOtherwise) {
  for (const Status& refusal : {kTooLarge, kUnavailable}) {
    RefusingSink sink(refusal);
    auto receiver = NewOtlpGrpcReceiver({.host = "127.0.0.1", .port = 0}, sink);
    ASSERT_TRUE(receiver->Start().ok());
    auto stub = otlp::TraceService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(receiver->port()), grpc::InsecureChannelCredentials()));
    otlp::ExportTraceServiceRequest req;
    ASSERT_TRUE(req.ParseFromString(OtlpRequest()));
    grpc::ClientContext ctx;
    otlp::ExportTraceServiceResponse resp;
    grpc::Status status = stub->Export(&ctx, req, &resp);
    EXPECT_EQ(status.error_code(), refusal.code() == StatusCode::kTooLarge
                                       ? grpc::StatusCode::INVALID_ARGUMENT
                                       : grpc::StatusCode::UNAVAILABLE);
    EXPECT_EQ(status.error_message(), refusal.message());
    receiver->Stop();
  }
}

}  // namespace
}  // namespace spoor
