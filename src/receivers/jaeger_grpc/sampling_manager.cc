#include "receivers/jaeger_grpc/sampling_manager.h"

#include <grpcpp/grpcpp.h>

#include <limits>

#include "jaeger/api_v2/sampling.grpc.pb.h"
#include "receivers/grpc_ingest.h"

namespace spoor {
namespace {

namespace pb = jaeger::api_v2;

int32_t TracesPerSecond(double param) {
  if (!(param > 0)) return 0;
  if (param >= static_cast<double>(std::numeric_limits<int32_t>::max()))
    return std::numeric_limits<int32_t>::max();
  return static_cast<int32_t>(param);
}

class SamplingManagerService final : public pb::SamplingManager::CallbackService {
 public:
  explicit SamplingManagerService(const StrategiesHolder& strategies) : strategies_(strategies) {}

  grpc::ServerUnaryReactor* GetSamplingStrategy(grpc::CallbackServerContext* context,
                                                const pb::SamplingStrategyParameters* request,
                                                pb::SamplingStrategyResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (request->servicename().empty()) {
      reactor->Finish(
          grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                       "serviceName is required: the service whose strategy to return"));
      return reactor;
    }
    // With tenants, the strategies of the tenant the call names.
    auto strategies = strategies_.tenant_header().empty()
                          ? strategies_.Get()
                          : strategies_.Get(GrpcMetadata(*context, strategies_.tenant_header()));
    FillSamplingResponse(StrategyFor(*strategies, request->servicename()), response);
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  const StrategiesHolder& strategies_;
};

}  // namespace

void FillSamplingResponse(const Strategy& strategy, pb::SamplingStrategyResponse* out) {
  out->Clear();
  if (strategy.type == StrategyType::kProbabilistic) {
    out->set_strategytype(pb::PROBABILISTIC);
    out->mutable_probabilisticsampling()->set_samplingrate(strategy.param);
  } else {
    out->set_strategytype(pb::RATE_LIMITING);
    out->mutable_ratelimitingsampling()->set_maxtracespersecond(TracesPerSecond(strategy.param));
  }
  if (strategy.operation_strategies.empty() && !strategy.per_operation) return;
  pb::PerOperationSamplingStrategies* ops = out->mutable_operationsampling();
  ops->set_defaultsamplingprobability(OperationDefaultProbability(strategy));
  ops->set_defaultlowerboundtracespersecond(strategy.lower_bound_traces_per_second);
  for (const OperationStrategy& op : strategy.operation_strategies) {
    pb::OperationSamplingStrategy* o = ops->add_peroperationstrategies();
    o->set_operation(op.operation);
    o->mutable_probabilisticsampling()->set_samplingrate(op.probability);
  }
}

std::unique_ptr<grpc::Service> NewSamplingManagerService(const StrategiesHolder& strategies) {
  return std::make_unique<SamplingManagerService>(strategies);
}

}  // namespace spoor
