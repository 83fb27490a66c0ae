#include "query/grpc_query_common.h"

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

}  // namespace spoor::grpc_query
