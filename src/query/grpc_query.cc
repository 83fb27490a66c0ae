#include "query/grpc_query.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "common/time_format.h"
#include "formats/otlp/otlp_proto_encode.h"
#include "jaeger/api_v3/query_service.grpc.pb.h"
#include "query/grpc_query_common.h"
#include "query/query_internal.h"
#include "query/query_params.h"
#include "query/trace_summary.h"
#include "receivers/grpc_ingest.h"

namespace spoor {
namespace {

namespace v3 = jaeger::api_v3;
using grpc_query::ChunkWriter;
using grpc_query::Done;
using grpc_query::Failed;
using grpc_query::Malformed;
using grpc_query::ParseRequest;
using grpc_query::ToGrpc;
using grpc_query::ToNs;

// Spans per streamed TracesData: a 10,000-span trace goes in ten messages,
// each well under gRPC's default 4 MiB limit of a client.
constexpr size_t kChunkSpans = 1000;

// The spans of `trace` as TracesData messages of at most kChunkSpans spans,
// spans of one resource and scope grouped as stored.
void AppendChunks(const Trace& trace, std::vector<std::string>* chunks) {
  grpc_query::AppendChunks(
      trace, kChunkSpans,
      [](const SpanRecord* first, const SpanRecord* last, std::string* bytes) {
        // ExportTraceServiceRequest and TracesData share a layout.
        EncodeOtlpProto(BatchOfRecords(first, last), bytes);
      },
      chunks);
}

using RawQueryService = v3::QueryService::WithRawCallbackMethod_GetTrace<
    v3::QueryService::WithRawCallbackMethod_FindTraces<
        v3::QueryService::WithRawCallbackMethod_FindTraceSummaries<
            v3::QueryService::CallbackService>>>;

class QueryServiceImpl final : public RawQueryService {
 public:
  QueryServiceImpl(const QueryGrpcOptions& options, Storage& storage)
      : options_(options), storage_(storage) {}

  grpc::ServerWriteReactor<grpc::ByteBuffer>* GetTrace(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* request) override {
    Storage* store = nullptr;
    Storage* archive = nullptr;
    if (grpc::Status s = Admit(*context, &store, &archive); !s.ok()) return Failed(s);
    v3::GetTraceRequest req;
    if (!ParseRequest(*request, &req)) return Failed(Malformed("GetTraceRequest"));
    auto id = TraceId::ParseHex(req.trace_id());
    if (!id) {
      return Failed(
          {grpc::StatusCode::INVALID_ARGUMENT, "malformed trace ID '" + req.trace_id() + "'"});
    }
    TraceTimeHint hint;
    if (grpc::Status s = grpc_query::TimeHintOf(req, &hint); !s.ok()) return Failed(s);
    auto trace = grpc_query::ReadTrace(options_, *store, archive, *id, hint, req.raw_traces());
    if (!trace.ok()) return Failed(ToGrpc(trace.status()));
    std::vector<std::string> chunks;
    AppendChunks(*trace, &chunks);
    return new ChunkWriter(std::move(chunks), grpc::Status::OK);
  }

  grpc::ServerWriteReactor<grpc::ByteBuffer>* FindTraces(grpc::CallbackServerContext* context,
                                                         const grpc::ByteBuffer* request) override {
    Storage* store = nullptr;
    std::vector<Trace> traces;
    bool raw = false;
    if (grpc::Status s = Search<v3::FindTracesRequest>(*context, *request, &store, &traces, &raw);
        !s.ok()) {
      return Failed(s);
    }
    if (traces.empty()) return Failed({grpc::StatusCode::NOT_FOUND, "no traces found"});
    QueryContext ctx{options_.query, *store, *store};
    PrepareTraces(traces, raw, ctx);
    std::vector<std::string> chunks;
    for (const Trace& t : traces) AppendChunks(t, &chunks);
    return new ChunkWriter(std::move(chunks), grpc::Status::OK);
  }

  grpc::ServerWriteReactor<grpc::ByteBuffer>* FindTraceSummaries(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) override {
    Storage* store = nullptr;
    std::vector<Trace> traces;
    bool raw = false;
    if (grpc::Status s =
            Search<v3::FindTraceSummariesRequest>(*context, *request, &store, &traces, &raw);
        !s.ok()) {
      return Failed(s);
    }
    // One message of summaries per hundred traces.
    std::vector<std::string> chunks;
    v3::FindTraceSummariesResponse response;
    for (size_t i = 0; i < traces.size(); ++i) {
      TraceSummary summary = SummarizeTrace(traces[i]);
      v3::TraceSummary* out = response.add_summaries();
      out->set_trace_id(summary.trace_id.Hex32());
      out->set_root_service_name(summary.root_service_name);
      out->set_root_operation_name(summary.root_operation_name);
      out->set_min_start_time_unix_nano(summary.min_start_time_ns);
      out->set_max_end_time_unix_nano(summary.max_end_time_ns);
      out->set_span_count(static_cast<int32_t>(summary.span_count));
      out->set_error_span_count(static_cast<int32_t>(summary.error_span_count));
      out->set_orphan_span_count(static_cast<int32_t>(summary.orphan_span_count));
      for (const ServiceSummary& s : summary.services) {
        v3::ServiceSummary* service = out->add_services();
        service->set_name(s.name);
        service->set_span_count(static_cast<int32_t>(s.span_count));
        service->set_error_span_count(static_cast<int32_t>(s.error_span_count));
      }
      if (response.summaries_size() == 100 || i + 1 == traces.size()) {
        chunks.push_back(response.SerializeAsString());
        response.Clear();
      }
    }
    return new ChunkWriter(std::move(chunks), grpc::Status::OK);
  }

  grpc::ServerUnaryReactor* GetServices(grpc::CallbackServerContext* context,
                                        const v3::GetServicesRequest* /*request*/,
                                        v3::GetServicesResponse* response) override {
    Storage* store = nullptr;
    grpc::Status status = Admit(*context, &store);
    if (status.ok()) {
      auto services = store->GetServices();
      status = ToGrpc(services.status());
      if (services.ok()) {
        for (const std::string& s : *services) response->add_services(s);
      }
    }
    return Done(context, status);
  }

  grpc::ServerUnaryReactor* GetOperations(grpc::CallbackServerContext* context,
                                          const v3::GetOperationsRequest* request,
                                          v3::GetOperationsResponse* response) override {
    Storage* store = nullptr;
    grpc::Status status = Admit(*context, &store);
    if (status.ok()) {
      auto ops = V3Operations(*store, request->service(), request->span_kind());
      status = ToGrpc(ops.status());
      if (ops.ok()) {
        for (const Operation& op : *ops) {
          v3::Operation* out = response->add_operations();
          out->set_name(op.name);
          out->set_span_kind(std::string(SpanKindName(op.kind)));
        }
      }
    }
    return Done(context, status);
  }

  grpc::ServerUnaryReactor* GetDependencies(grpc::CallbackServerContext* context,
                                            const v3::GetDependenciesRequest* request,
                                            v3::DependenciesResponse* response) override {
    Storage* store = nullptr;
    grpc::Status status = Admit(*context, &store);
    std::vector<DependencyLink> links;
    if (status.ok()) {
      status = grpc_query::ReadDependencies(options_, *store, *request,
                                            "start_time and end_time are required", &links);
    }
    for (const DependencyLink& l : links) {
      v3::Dependency* out = response->add_dependencies();
      out->set_parent(l.parent);
      out->set_child(l.child);
      out->set_call_count(l.call_count);
    }
    return Done(context, status);
  }

 private:
  grpc::Status Admit(const grpc::CallbackServerContext& context, Storage** store,
                     Storage** archive = nullptr) {
    return grpc_query::Admit(options_, storage_, context, store, archive);
  }

  // Admits the call, parses a request holding `query` and runs the search.
  template <typename Request>
  grpc::Status Search(const grpc::CallbackServerContext& context, const grpc::ByteBuffer& bytes,
                      Storage** store, std::vector<Trace>* traces, bool* raw) {
    if (grpc::Status s = Admit(context, store); !s.ok()) return s;
    Request req;
    if (!ParseRequest(bytes, &req)) return Malformed("request");
    auto query =
        grpc_query::SearchOf(req.query(), req.query().attributes(), "query.", true, NowNs());
    if (!query.ok()) return ToGrpc(query.status());
    ApplyQueryLimits(options_.query.limits, NowNs(), &query.value());
    *raw = req.query().raw_traces();
    auto found = (*store)->FindTraces(*query);
    if (!found.ok()) return ToGrpc(found.status());
    *traces = std::move(found).value();
    return grpc::Status::OK;
  }

  const QueryGrpcOptions& options_;
  Storage& storage_;
};

class Server final : public QueryGrpcServer {
 public:
  Server(const QueryGrpcOptions& options, Storage& storage)
      : options_(options),
        service_(options_, storage),
        v2_(NewQueryServiceV2(options_, storage)),
        server_("query_grpc", {&service_, v2_.get()}) {}
  Status Start() override {
    return server_.Start(options_.host, options_.port, options_.max_message_bytes, options_.tls);
  }
  void Stop() override { server_.Stop(); }
  [[nodiscard]] uint16_t port() const override { return server_.port(); }

 private:
  const QueryGrpcOptions options_;
  QueryServiceImpl service_;
  std::unique_ptr<grpc::Service> v2_;  // jaeger.api_v2.QueryService (grpc_query_v2.cc)
  GrpcServiceServer server_;
};

}  // namespace

std::unique_ptr<QueryGrpcServer> NewQueryGrpcServer(const QueryGrpcOptions& options,
                                                    Storage& storage) {
  return std::make_unique<Server>(options, storage);
}

}  // namespace spoor
