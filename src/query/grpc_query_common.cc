#include "query/grpc_query_common.h"

#include <memory>
#include <vector>

#include "query/archive.h"
#include "query/query_internal.h"
#include "server/auth.h"

namespace spoor::grpc_query {

grpc::Status ToGrpc(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk: return grpc::Status::OK;
    case StatusCode::kInvalidArgument: return {grpc::StatusCode::INVALID_ARGUMENT, s.message()};
    case StatusCode::kNotFound: return {grpc::StatusCode::NOT_FOUND, s.message()};
    case StatusCode::kUnavailable: return {grpc::StatusCode::UNAVAILABLE, s.message()};
    case StatusCode::kUnimplemented: return {grpc::StatusCode::UNIMPLEMENTED, s.message()};
    default: return {grpc::StatusCode::INTERNAL, s.message()};
  }
}

grpc::Status Admit(const QueryGrpcOptions& options, Storage& storage,
                   const grpc::CallbackServerContext& context, Storage** store, Storage** archive) {
  if (grpc::Status s = AuthenticateGrpcCall(context, options.auth, "query_grpc"); !s.ok()) {
    return s;
  }
  *store = &storage;
  if (archive != nullptr) *archive = options.query.archive;
  if (!options.tenants.pick) return grpc::Status::OK;
  auto picked = options.tenants.pick(GrpcMetadata(context, options.tenants.header),
                                     GrpcMetadata(context, "authorization"));
  if (!picked.ok()) {
    return {picked.status().code() == StatusCode::kUnavailable
                ? grpc::StatusCode::UNAVAILABLE
                : grpc::StatusCode::PERMISSION_DENIED,
            picked.status().message()};
  }
  if (picked.value().storage == nullptr) {
    if (archive != nullptr) *archive = nullptr;  // the empty store has none
    return grpc::Status::OK;
  }
  *store = picked.value().storage;
  if (archive != nullptr) *archive = picked.value().archive;
  return grpc::Status::OK;
}

Result<Trace> ReadTrace(const QueryGrpcOptions& options, Storage& store, Storage* archive,
                        const TraceId& id, const TraceTimeHint& hint, bool raw) {
  // Reads fall back to the archive, as the HTTP routes' do.
  std::unique_ptr<ArchiveFallbackReader> fallback;
  if (archive != nullptr) fallback = std::make_unique<ArchiveFallbackReader>(store, *archive);
  SpanReader& reader = fallback ? static_cast<SpanReader&>(*fallback) : store;
  auto trace = reader.GetTrace(id, hint);
  if (!trace.ok()) return trace.status();
  std::vector<Trace> traces;
  traces.push_back(std::move(trace).value());
  PrepareTraces(traces, raw, QueryContext{options.query, reader, store});
  return std::move(traces[0]);
}

}  // namespace spoor::grpc_query
