// jaeger.api_v2.SamplingManager/GetSamplingStrategy: the strategies of
// --sampling.strategies-file over gRPC, as the HTTP sampling endpoints serve
// them as JSON. Hosted on the Jaeger gRPC port (14250).
#pragma once

#include <memory>

#include "sampling/sampling_http.h"

namespace grpc {
class Service;
}  // namespace grpc

namespace jaeger::api_v2 {
class SamplingStrategyResponse;
}  // namespace jaeger::api_v2

namespace spoor {

// The response for `strategy` (what StrategyFor() chose for a service).
void FillSamplingResponse(const Strategy& strategy, jaeger::api_v2::SamplingStrategyResponse* out);

// The gRPC service; an empty serviceName is INVALID_ARGUMENT. `strategies`
// must outlive it.
[[nodiscard]] std::unique_ptr<grpc::Service> NewSamplingManagerService(
    const StrategiesHolder& strategies);

}  // namespace spoor
