// What the gRPC query services share (api_v3 in grpc_query.cc, api_v2 in
// grpc_query_v2.cc): errors, times, streamed answers, request parsing and
// the admission of a call (its token, its tenant's stores).
#pragma once

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/time_format.h"
#include "query/grpc_query.h"
#include "query/query_params.h"
#include "receivers/grpc_ingest.h"
#include "storage/storage.h"

namespace spoor::grpc_query {

inline constexpr uint64_t kNsPerSecond = 1'000'000'000;

// Our status as the gRPC status with the same meaning and message.
[[nodiscard]] grpc::Status ToGrpc(const Status& s);

// A timestamp or duration in nanoseconds; false when negative or out of
// range (nanos in [0, 1e9)).
template <typename T>
bool ToNs(const T& t, uint64_t* ns) {
  if (t.seconds() < 0 || t.nanos() < 0 || t.nanos() >= 1'000'000'000 ||
      static_cast<uint64_t>(t.seconds()) > UINT64_MAX / kNsPerSecond - 1) {
    return false;
  }
  *ns = static_cast<uint64_t>(t.seconds()) * kNsPerSecond + static_cast<uint64_t>(t.nanos());
  return true;
}

// Writes the encoded messages one after the other, then ends the call with
// `end`.
class ChunkWriter final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  ChunkWriter(std::vector<std::string> chunks, grpc::Status end)
      : chunks_(std::move(chunks)), end_(std::move(end)) {
    Next();
  }
  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the stream was closed"));
      return;
    }
    Next();
  }
  void OnDone() override { delete this; }

 private:
  void Next() {
    if (next_ == chunks_.size()) {
      Finish(end_);
      return;
    }
    SetGrpcResponse(chunks_[next_++], &buffer_);
    StartWrite(&buffer_);
  }

  std::vector<std::string> chunks_;
  const grpc::Status end_;
  size_t next_ = 0;
  grpc::ByteBuffer buffer_;
};

template <typename Message>
[[nodiscard]] bool ParseRequest(const grpc::ByteBuffer& request, Message* out) {
  std::vector<grpc::Slice> slices;
  if (!request.Dump(&slices).ok()) return false;
  std::string bytes;
  for (const grpc::Slice& s : slices)
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out->ParseFromString(bytes);
}

// `trace`'s spans as messages of at most `per_message` spans, each written
// by encode(first, last, &bytes) for the records [first, last).
template <typename Encode>
void AppendChunks(const Trace& trace, size_t per_message, const Encode& encode,
                  std::vector<std::string>* chunks) {
  for (size_t begin = 0; begin < trace.spans.size(); begin += per_message) {
    size_t end = std::min(begin + per_message, trace.spans.size());
    std::string bytes;
    encode(trace.spans.data() + begin, trace.spans.data() + end, &bytes);
    chunks->push_back(std::move(bytes));
  }
}

// A streaming call that ends at once with `status`.
[[nodiscard]] inline grpc::ServerWriteReactor<grpc::ByteBuffer>* Failed(
    const grpc::Status& status) {
  return new ChunkWriter({}, status);
}

// A unary call's end.
[[nodiscard]] inline grpc::ServerUnaryReactor* Done(grpc::CallbackServerContext* context,
                                                    const grpc::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(status);
  return reactor;
}

[[nodiscard]] inline grpc::Status Malformed(const char* what) {
  return {grpc::StatusCode::INVALID_ARGUMENT, std::string("cannot parse the ") + what};
}

// The token check, then the store of the call's tenant (or `storage`), and
// its archive when `archive` is given (null: none).
[[nodiscard]] grpc::Status Admit(const QueryGrpcOptions& options, Storage& storage,
                                 const grpc::CallbackServerContext& context, Storage** store,
                                 Storage** archive = nullptr);

// The search of a TraceQueryParameters, api_v2's or api_v3's (the same
// field names; `tags` is api_v2's tags or api_v3's attributes). `prefix`
// names the fields in messages ("query." for api_v3). With
// `window_required` a missing start_time_min or start_time_max is refused
// (api_v3); else the window defaults to the 48 hours before `now_ns`, as
// /api/traces (api_v2). search_depth 0 means 100.
template <typename Params, typename Tags>
Result<TraceQuery> SearchOf(const Params& p, const Tags& tags, const std::string& prefix,
                            bool window_required, uint64_t now_ns) {
  TraceQuery q;
  q.service = p.service_name();
  q.operation = p.operation_name();
  q.start_time_max_ns = now_ns;
  q.start_time_min_ns = now_ns > kDefaultSearchLookbackNs ? now_ns - kDefaultSearchLookbackNs : 0;
  if (window_required && !p.has_start_time_min()) {
    return InvalidArgument(prefix + "start_time_min is required");
  }
  if (window_required && !p.has_start_time_max()) {
    return InvalidArgument(prefix + "start_time_max is required");
  }
  if ((p.has_start_time_min() && !ToNs(p.start_time_min(), &q.start_time_min_ns)) ||
      (p.has_start_time_max() && !ToNs(p.start_time_max(), &q.start_time_max_ns))) {
    return InvalidArgument(prefix + "start_time_min and " + prefix +
                           "start_time_max must be valid times");
  }
  if (q.start_time_max_ns < q.start_time_min_ns) {
    return InvalidArgument(prefix + "start_time_max must not be before " + prefix +
                           "start_time_min");
  }
  if ((p.has_duration_min() && !ToNs(p.duration_min(), &q.duration_min_ns)) ||
      (p.has_duration_max() && !ToNs(p.duration_max(), &q.duration_max_ns))) {
    return InvalidArgument(prefix + "duration_min and " + prefix +
                           "duration_max must not be negative");
  }
  if (q.duration_max_ns != 0 && q.duration_max_ns < q.duration_min_ns) {
    return InvalidArgument(prefix + "duration_max must not be less than " + prefix +
                           "duration_min");
  }
  if (p.search_depth() < 0) return InvalidArgument(prefix + "search_depth must not be negative");
  q.limit = p.search_depth() == 0 ? kDefaultSearchLimit : static_cast<size_t>(p.search_depth());
  for (const auto& [key, value] : tags) q.tags.emplace_back(key, value);
  std::sort(q.tags.begin(), q.tags.end());
  return q;
}

// A read's optional start_time and end_time hints.
template <typename Request>
grpc::Status TimeHintOf(const Request& req, TraceTimeHint* hint) {
  if ((req.has_start_time() && !ToNs(req.start_time(), &hint->start_ns)) ||
      (req.has_end_time() && !ToNs(req.end_time(), &hint->end_ns))) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "start_time and end_time must be valid times"};
  }
  return grpc::Status::OK;
}

// The trace with its adjusters run (unless `raw`), read from `store` and
// then from `archive` (may be null) when the store does not have it.
[[nodiscard]] Result<Trace> ReadTrace(const QueryGrpcOptions& options, Storage& store,
                                      Storage* archive, const TraceId& id,
                                      const TraceTimeHint& hint, bool raw);

// The dependency links between a request's start_time and end_time (both
// required, else INVALID_ARGUMENT with `missing`), within the query limits.
template <typename Request>
grpc::Status ReadDependencies(const QueryGrpcOptions& options, Storage& store,
                              const Request& request, const char* missing,
                              std::vector<DependencyLink>* links) {
  uint64_t start_ns = 0;
  uint64_t end_ns = 0;
  if (!request.has_start_time() || !request.has_end_time()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, missing};
  }
  if (!ToNs(request.start_time(), &start_ns) || !ToNs(request.end_time(), &end_ns) ||
      end_ns < start_ns) {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            "start_time and end_time must be valid times, the start not after the end"};
  }
  start_ns = std::max(start_ns, EarliestQueryTimeNs(options.query.limits, NowNs()));
  auto found = store.GetDependencies(end_ns, end_ns > start_ns ? end_ns - start_ns : 0);
  if (!found.ok()) return ToGrpc(found.status());
  *links = std::move(found).value();
  return grpc::Status::OK;
}

}  // namespace spoor::grpc_query

namespace spoor {

// jaeger.api_v2.QueryService over `storage` (grpc_query_v2.cc); `options`
// and `storage` must outlive it.
[[nodiscard]] std::unique_ptr<grpc::Service> NewQueryServiceV2(const QueryGrpcOptions& options,
                                                               Storage& storage);

}  // namespace spoor
