// Static sampling strategies, as Jaeger's collector serves them to clients
// from its strategies file (--sampling.strategies-file).
//
// The file names a default strategy and per-service strategies; each is
// probabilistic (param = probability) or rate limiting (param = traces per
// second), optionally with per-operation probabilistic strategies.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace spoor {

enum class StrategyType { kProbabilistic, kRateLimiting };

struct OperationStrategy {
  std::string operation;
  double probability = 0;
};

struct Strategy {
  StrategyType type = StrategyType::kProbabilistic;
  double param = 0.001;
  std::vector<OperationStrategy> operation_strategies;
  // Adaptive sampling's: the per-operation section is sent even while its
  // list is empty, with the lower bound clients apply to every operation.
  bool per_operation = false;
  double lower_bound_traces_per_second = 0;
};

struct ServiceStrategy {
  std::string service;
  Strategy strategy;
};

struct SamplingStrategies {
  Strategy default_strategy;
  std::vector<ServiceStrategy> service_strategies;
};

// Probability used when a file has no default strategy, as in Jaeger.
inline constexpr double kDefaultSamplingProbability = 0.001;

// Parses and validates the JSON of a strategies file. Errors are
// InvalidArgument and name the offending field, e.g. "strategies file:
// service_strategies[1].param: probabilistic param must be in [0, 1]".
[[nodiscard]] Result<SamplingStrategies> ParseStrategies(std::string_view json);
[[nodiscard]] Result<SamplingStrategies> LoadStrategiesFile(const std::string& path);

// Every service probabilistic with `probability`; used without a file.
[[nodiscard]] SamplingStrategies DefaultStrategies(double probability);

// The strategy `service` gets, after the merging rules: a probabilistic
// service without operation strategies inherits the default's; when both
// have lists they merge, the service's entry winning for an operation; an
// unlisted service gets the default strategy.
[[nodiscard]] Strategy StrategyFor(const SamplingStrategies& strategies, std::string_view service);

// The defaultSamplingProbability of a strategy's per-operation list: its own
// probability when probabilistic, else Jaeger's default.
[[nodiscard]] inline double OperationDefaultProbability(const Strategy& s) {
  return s.type == StrategyType::kProbabilistic ? s.param : kDefaultSamplingProbability;
}

// The JSON body of GET /sampling?service=S (Jaeger's SamplingStrategyResponse).
[[nodiscard]] std::string StrategyResponseJson(const SamplingStrategies& strategies,
                                               std::string_view service);

}  // namespace spoor
