#include "sampling/strategies.h"

#include <simdjson.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <unordered_set>

#include "common/json_writer.h"

namespace spoor {
namespace {

namespace dom = simdjson::dom;

Status Fail(const std::string& path, const std::string& why) {
  return InvalidArgument("strategies file: " + path + ": " + why);
}

// Reads a required string field of `obj`.
Status GetString(dom::object obj, const std::string& path, const char* key, std::string* out) {
  dom::element e;
  if (obj[key].get(e) != simdjson::SUCCESS) return Fail(path + "." + key, "missing");
  std::string_view s;
  if (e.get(s) != simdjson::SUCCESS) return Fail(path + "." + key, "expected a string");
  if (s.empty()) return Fail(path + "." + key, "must not be empty");
  *out = std::string(s);
  return Status::Ok();
}

Status GetNumber(dom::object obj, const std::string& path, const char* key, double* out) {
  dom::element e;
  if (obj[key].get(e) != simdjson::SUCCESS) return Fail(path + "." + key, "missing");
  if (e.get(*out) != simdjson::SUCCESS) return Fail(path + "." + key, "expected a number");
  return Status::Ok();
}

Status ParseType(dom::object obj, const std::string& path, StrategyType* type) {
  std::string name;
  if (Status s = GetString(obj, path, "type", &name); !s.ok()) return s;
  if (name == "probabilistic") {
    *type = StrategyType::kProbabilistic;
  } else if (name == "ratelimiting") {
    *type = StrategyType::kRateLimiting;
  } else {
    return Fail(path + ".type",
                "unknown type '" + name + "' (expected probabilistic or ratelimiting)");
  }
  return Status::Ok();
}

Status CheckProbability(double p, const std::string& path) {
  if (!(p >= 0 && p <= 1)) return Fail(path, "probabilistic param must be in [0, 1]");
  return Status::Ok();
}

Status ParseOperations(dom::object obj, const std::string& path,
                       std::vector<OperationStrategy>* out) {
  dom::element e;
  if (obj["operation_strategies"].get(e) != simdjson::SUCCESS || e.is_null()) return Status::Ok();
  dom::array arr;
  if (e.get(arr) != simdjson::SUCCESS)
    return Fail(path + ".operation_strategies", "expected an array");
  size_t i = 0;
  for (dom::element op : arr) {
    std::string p = path + ".operation_strategies[" + std::to_string(i++) + "]";
    dom::object op_obj;
    if (op.get(op_obj) != simdjson::SUCCESS) return Fail(p, "expected an object");
    OperationStrategy os;
    if (Status s = GetString(op_obj, p, "operation", &os.operation); !s.ok()) return s;
    StrategyType type;
    if (Status s = ParseType(op_obj, p, &type); !s.ok()) return s;
    if (type != StrategyType::kProbabilistic)
      return Fail(p + ".type", "operation strategies must be probabilistic");
    if (Status s = GetNumber(op_obj, p, "param", &os.probability); !s.ok()) return s;
    if (Status s = CheckProbability(os.probability, p + ".param"); !s.ok()) return s;
    out->push_back(std::move(os));
  }
  return Status::Ok();
}

Status ParseStrategy(dom::element e, const std::string& path, Strategy* out) {
  dom::object obj;
  if (e.get(obj) != simdjson::SUCCESS) return Fail(path, "expected an object");
  if (Status s = ParseType(obj, path, &out->type); !s.ok()) return s;
  if (Status s = GetNumber(obj, path, "param", &out->param); !s.ok()) return s;
  if (out->type == StrategyType::kProbabilistic) {
    if (Status s = CheckProbability(out->param, path + ".param"); !s.ok()) return s;
  } else if (!(out->param >= 0 && out->param <= 2147483647.0)) {
    return Fail(path + ".param", "ratelimiting param must be a non-negative number");
  }
  return ParseOperations(obj, path, &out->operation_strategies);
}

Status ParseRoot(dom::element root, SamplingStrategies* out) {
  dom::object obj;
  if (root.get(obj) != simdjson::SUCCESS)
    return InvalidArgument("strategies file: expected an object");
  out->default_strategy = Strategy{};
  out->default_strategy.param = kDefaultSamplingProbability;
  dom::element e;
  if (obj["default_strategy"].get(e) == simdjson::SUCCESS && !e.is_null()) {
    if (Status s = ParseStrategy(e, "default_strategy", &out->default_strategy); !s.ok()) return s;
  }
  if (obj["service_strategies"].get(e) != simdjson::SUCCESS || e.is_null()) return Status::Ok();
  dom::array arr;
  if (e.get(arr) != simdjson::SUCCESS) return Fail("service_strategies", "expected an array");
  size_t i = 0;
  for (dom::element se : arr) {
    std::string p = "service_strategies[" + std::to_string(i++) + "]";
    dom::object so;
    if (se.get(so) != simdjson::SUCCESS) return Fail(p, "expected an object");
    ServiceStrategy ss;
    if (Status s = GetString(so, p, "service", &ss.service); !s.ok()) return s;
    if (Status s = ParseStrategy(se, p, &ss.strategy); !s.ok()) return s;
    out->service_strategies.push_back(std::move(ss));
  }
  return Status::Ok();
}

void WriteProbabilistic(JsonWriter& w, double rate) {
  w.Key("probabilisticSampling").BeginObject().Key("samplingRate").Double(rate).EndObject();
}

}  // namespace

Result<SamplingStrategies> ParseStrategies(std::string_view json) {
  dom::parser parser;
  dom::element root;
  simdjson::padded_string padded(json);
  if (auto err = parser.parse(padded).get(root); err != simdjson::SUCCESS) {
    return InvalidArgument(std::string("strategies file: invalid JSON: ") +
                           simdjson::error_message(err));
  }
  SamplingStrategies out;
  if (Status s = ParseRoot(root, &out); !s.ok()) return s;
  return out;
}

Result<SamplingStrategies> LoadStrategiesFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument("cannot read strategies file '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return InvalidArgument("cannot read strategies file '" + path + "'");
  auto parsed = ParseStrategies(text.str());
  if (!parsed.ok()) return InvalidArgument(path + ": " + parsed.status().message());
  return parsed;
}

SamplingStrategies DefaultStrategies(double probability) {
  SamplingStrategies s;
  s.default_strategy.type = StrategyType::kProbabilistic;
  s.default_strategy.param = probability;
  return s;
}

Strategy StrategyFor(const SamplingStrategies& strategies, std::string_view service) {
  const ServiceStrategy* found = nullptr;
  // A service listed twice: the later entry wins, as in Jaeger.
  for (const ServiceStrategy& ss : strategies.service_strategies) {
    if (ss.service == service) found = &ss;
  }
  if (found == nullptr) return strategies.default_strategy;
  Strategy s = found->strategy;
  const auto& defaults = strategies.default_strategy.operation_strategies;
  if (s.operation_strategies.empty()) {
    // Only probabilistic services inherit the default's operations.
    if (s.type == StrategyType::kProbabilistic) s.operation_strategies = defaults;
    return s;
  }
  std::unordered_set<std::string_view> own;
  for (const OperationStrategy& op : s.operation_strategies) own.insert(op.operation);
  for (const OperationStrategy& op : defaults) {
    if (!own.contains(op.operation)) s.operation_strategies.push_back(op);
  }
  return s;
}

std::string StrategyResponseJson(const SamplingStrategies& strategies, std::string_view service) {
  Strategy s = StrategyFor(strategies, service);
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  if (s.type == StrategyType::kProbabilistic) {
    w.Field("strategyType", "PROBABILISTIC");
    WriteProbabilistic(w, s.param);
  } else {
    w.Field("strategyType", "RATE_LIMITING");
    w.Key("rateLimitingSampling")
        .BeginObject()
        .FieldInt("maxTracesPerSecond", static_cast<int64_t>(s.param))
        .EndObject();
  }
  if (!s.operation_strategies.empty() || s.per_operation) {
    w.Key("operationSampling").BeginObject();
    w.Key("defaultSamplingProbability").Double(OperationDefaultProbability(s));
    w.Key("defaultLowerBoundTracesPerSecond").Double(s.lower_bound_traces_per_second);
    w.Key("perOperationStrategies").BeginArray();
    for (const OperationStrategy& op : s.operation_strategies) {
      w.BeginObject().Field("operation", op.operation);
      WriteProbabilistic(w, op.probability);
      w.EndObject();
    }
    w.EndArray();
    w.FieldInt("defaultUpperBoundTracesPerSecond", 0);
    w.EndObject();
  }
  w.EndObject();
  return out;
}

}  // namespace spoor
