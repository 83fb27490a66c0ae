// jaeger.api_v2.QueryService on the query gRPC port, beside api_v3
// (grpc_query.cc): Jaeger's span model in SpansResponseChunk messages of
// ten spans, as Jaeger's query service streams them, with the semantics
// and messages of the /api routes.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/time_format.h"
#include "formats/jaeger_proto/jaeger_proto_encode.h"
#include "jaeger/api_v2/query.grpc.pb.h"
#include "query/archive.h"
#include "query/grpc_query_common.h"
#include "query/query_internal.h"
#include "query/query_params.h"

namespace spoor {
namespace {

namespace v2 = jaeger::api_v2;
using grpc_query::ChunkWriter;
using grpc_query::Done;
using grpc_query::Failed;
using grpc_query::Malformed;
using grpc_query::ParseRequest;
using grpc_query::ToGrpc;
using grpc_query::ToNs;

// Spans per SpansResponseChunk, as Jaeger's query service sends them.
constexpr size_t kChunkSpans = 10;

void AppendChunks(const Trace& trace, std::vector<std::string>* chunks) {
  grpc_query::AppendChunks(trace, kChunkSpans, EncodeJaegerSpansChunk, chunks);
}

// A request's trace ID: 16 bytes, big-endian (Jaeger's model), not zero.
grpc::Status TraceIdOf(const std::string& bytes, TraceId* id) {
  auto parsed = TraceId::FromBytes(bytes);
  if (!parsed) {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            "trace_id must be 16 bytes, not " + std::to_string(bytes.size())};
  }
  *id = *parsed;
  if (!id->valid()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "uninitialized TraceID is not allowed"};
  }
  return grpc::Status::OK;
}

using RawQueryService = v2::QueryService::WithRawCallbackMethod_GetTrace<
    v2::QueryService::WithRawCallbackMethod_FindTraces<v2::QueryService::CallbackService>>;

class QueryServiceV2 final : public RawQueryService {
 public:
  QueryServiceV2(const QueryGrpcOptions& options, Storage& storage)
      : options_(options), storage_(storage) {}

  grpc::ServerWriteReactor<grpc::ByteBuffer>* GetTrace(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* request) override {
    Storage* store = nullptr;
    Storage* archive = nullptr;
    if (grpc::Status s = grpc_query::Admit(options_, storage_, *context, &store, &archive);
        !s.ok()) {
      return Failed(s);
    }
    v2::GetTraceRequest req;
    if (!ParseRequest(*request, &req)) return Failed(Malformed("GetTraceRequest"));
    TraceId id;
    TraceTimeHint hint;
    if (grpc::Status s = TraceIdOf(req.trace_id(), &id); !s.ok()) return Failed(s);
    if (grpc::Status s = grpc_query::TimeHintOf(req, &hint); !s.ok()) return Failed(s);
    auto trace = grpc_query::ReadTrace(options_, *store, archive, id, hint, req.raw_traces());
    if (!trace.ok()) {
      if (trace.status().code() == StatusCode::kNotFound) {
        return Failed({grpc::StatusCode::NOT_FOUND, "trace not found"});
      }
      return Failed(ToGrpc(trace.status()));
    }
    std::vector<std::string> chunks;
    AppendChunks(*trace, &chunks);
    return new ChunkWriter(std::move(chunks), grpc::Status::OK);
  }

  grpc::ServerUnaryReactor* ArchiveTrace(grpc::CallbackServerContext* context,
                                         const v2::ArchiveTraceRequest* request,
                                         v2::ArchiveTraceResponse* /*response*/) override {
    Storage* store = nullptr;
    Storage* archive = nullptr;
    grpc::Status status = grpc_query::Admit(options_, storage_, *context, &store, &archive);
    TraceId id;
    if (status.ok()) status = TraceIdOf(request->trace_id(), &id);
    if (status.ok() && archive == nullptr) {
      status = {grpc::StatusCode::UNIMPLEMENTED,
                "no archive storage is configured (--archive.span-storage.type)"};
    }
    if (status.ok()) {
      Status archived = spoor::ArchiveTrace(*store, *archive, id);
      if (archived.code() == StatusCode::kNotFound) {
        status = {grpc::StatusCode::NOT_FOUND, "trace not found"};
      } else {
        status = ToGrpc(archived);
      }
    }
    return Done(context, status);
  }

  grpc::ServerWriteReactor<grpc::ByteBuffer>* FindTraces(grpc::CallbackServerContext* context,
                                                         const grpc::ByteBuffer* request) override {
    Storage* store = nullptr;
    if (grpc::Status s = grpc_query::Admit(options_, storage_, *context, &store); !s.ok()) {
      return Failed(s);
    }
    v2::FindTracesRequest req;
    if (!ParseRequest(*request, &req)) return Failed(Malformed("FindTracesRequest"));
    if (!req.has_query()) return Failed({grpc::StatusCode::INVALID_ARGUMENT, "missing query"});
    uint64_t now = NowNs();
    auto query = grpc_query::SearchOf(req.query(), req.query().tags(), "", false, now);
    if (!query.ok()) return Failed(ToGrpc(query.status()));
    ApplyQueryLimits(options_.query.limits, now, &query.value());
    auto found = store->FindTraces(*query);
    if (!found.ok()) return Failed(ToGrpc(found.status()));
    std::vector<Trace> traces = std::move(found).value();
    PrepareTraces(traces, req.query().raw_traces(), QueryContext{options_.query, *store, *store});
    // No match is an empty stream, as Jaeger answers.
    std::vector<std::string> chunks;
    for (const Trace& t : traces) AppendChunks(t, &chunks);
    return new ChunkWriter(std::move(chunks), grpc::Status::OK);
  }

  grpc::ServerUnaryReactor* GetServices(grpc::CallbackServerContext* context,
                                        const v2::GetServicesRequest* /*request*/,
                                        v2::GetServicesResponse* response) override {
    Storage* store = nullptr;
    grpc::Status status = grpc_query::Admit(options_, storage_, *context, &store);
    if (status.ok()) {
      auto services = store->GetServices();
      status = ToGrpc(services.status());
      if (services.ok()) {
        for (const std::string& s : *services) response->add_services(s);
      }
    }
    return Done(context, status);
  }

  // As /api/operations: the service is required, an operation recorded
  // without a kind has span_kind "", and operationNames (deprecated) lists
  // each name once.
  grpc::ServerUnaryReactor* GetOperations(grpc::CallbackServerContext* context,
                                          const v2::GetOperationsRequest* request,
                                          v2::GetOperationsResponse* response) override {
    Storage* store = nullptr;
    grpc::Status status = grpc_query::Admit(options_, storage_, *context, &store);
    bool match_kind = false;
    SpanKind kind = SpanKind::kUnspecified;
    if (status.ok() && request->service().empty()) {
      status = {grpc::StatusCode::INVALID_ARGUMENT, "service is required"};
    }
    if (status.ok()) status = ToGrpc(ParseSpanKindParam(request->span_kind(), &match_kind, &kind));
    if (status.ok()) {
      auto ops = store->GetOperations(request->service(), match_kind, kind);
      status = ToGrpc(ops.status());
      if (ops.ok()) {
        std::vector<std::string> names;
        for (const Operation& op : *ops) {
          v2::Operation* out = response->add_operations();
          out->set_name(op.name);
          out->set_span_kind(std::string(SpanKindName(op.kind)));
          names.push_back(op.name);
        }
        std::sort(names.begin(), names.end());
        names.erase(std::unique(names.begin(), names.end()), names.end());
        for (std::string& n : names) response->add_operationnames(std::move(n));
      }
    }
    return Done(context, status);
  }

  grpc::ServerUnaryReactor* GetDependencies(grpc::CallbackServerContext* context,
                                            const v2::GetDependenciesRequest* request,
                                            v2::GetDependenciesResponse* response) override {
    Storage* store = nullptr;
    grpc::Status status = grpc_query::Admit(options_, storage_, *context, &store);
    std::vector<DependencyLink> links;
    if (status.ok()) {
      status = grpc_query::ReadDependencies(options_, *store, *request,
                                            "StartTime and EndTime must be initialized.", &links);
    }
    for (const DependencyLink& l : links) {
      v2::DependencyLink* out = response->add_dependencies();
      out->set_parent(l.parent);
      out->set_child(l.child);
      out->set_call_count(l.call_count);
    }
    return Done(context, status);
  }

 private:
  const QueryGrpcOptions& options_;
  Storage& storage_;
};

}  // namespace

std::unique_ptr<grpc::Service> NewQueryServiceV2(const QueryGrpcOptions& options,
                                                 Storage& storage) {
  return std::make_unique<QueryServiceV2>(options, storage);
}

}  // namespace spoor
