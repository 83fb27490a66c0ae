#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <tuple>

#include "http_post.h"
#include "json.h"
#include "propagation.h"
#include "spoor/sampler.h"

namespace spoor {
namespace {

// A token bucket: `rate` a second, at most `max_balance` saved, full at
// first.
class TokenBucket {
 public:
  TokenBucket(double rate, double max_balance) : rate_(rate), max_(max_balance), balance_(max_) {}
  bool Take() {
    auto now = std::chrono::steady_clock::now();
    balance_ =
        std::min(max_, balance_ + std::chrono::duration<double>(now - last_).count() * rate_);
    last_ = now;
    if (balance_ < 1.0) return false;
    balance_ -= 1.0;
    return true;
  }

 private:
  double rate_;
  double max_;
  double balance_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

bool ProbabilisticYes(double p, uint64_t trace_id_low) {
  constexpr uint64_t kMax = (uint64_t{1} << 63) - 1;
  auto boundary = static_cast<uint64_t>(static_cast<double>(kMax) * std::clamp(p, 0.0, 1.0));
  return boundary >= (trace_id_low & kMax);
}

// One operation's sampler under a per-operation strategy.
struct OperationSampler {
  double probability;
  TokenBucket lower_bound;
};

struct Strategy {
  enum class Kind { kProbabilistic, kRateLimiting, kPerOperation };
  Kind kind = Kind::kProbabilistic;
  double probability = 0.001;  // probabilistic, and the per-operation default
  double rate = 0;             // rate limiting
  double lower_bound = 0;      // per operation
  std::map<std::string, double> operations;
};

double NumberAt(const internal::Json& obj, const char* outer, const char* inner, bool* ok) {
  const internal::Json* o = obj.Get(outer);
  const internal::Json* v = o != nullptr ? o->Get(inner) : nullptr;
  if (v == nullptr || !v->is(internal::Json::Type::kNumber)) {
    *ok = false;
    return 0;
  }
  return v->number;
}

bool ReadStrategy(const std::string& body, Strategy* out) {
  internal::Json doc;
  std::string error;
  if (!internal::ParseJson(body, &doc, &error) || !doc.is(internal::Json::Type::kObject)) {
    return false;
  }
  bool ok = true;
  if (const internal::Json* ops = doc.Get("operationSampling");
      ops != nullptr && ops->is(internal::Json::Type::kObject)) {
    Strategy s;
    s.kind = Strategy::Kind::kPerOperation;
    const internal::Json* def = ops->Get("defaultSamplingProbability");
    const internal::Json* lb = ops->Get("defaultLowerBoundTracesPerSecond");
    if (def == nullptr || !def->is(internal::Json::Type::kNumber)) return false;
    s.probability = def->number;
    s.lower_bound = lb != nullptr && lb->is(internal::Json::Type::kNumber) ? lb->number : 0;
    if (const internal::Json* list = ops->Get("perOperationStrategies");
        list != nullptr && list->is(internal::Json::Type::kArray)) {
      for (const internal::Json& item : list->array) {
        const internal::Json* name = item.Get("operation");
        double p = NumberAt(item, "probabilisticSampling", "samplingRate", &ok);
        if (name == nullptr || !name->is(internal::Json::Type::kString) || !ok) return false;
        s.operations[name->string] = p;
      }
    }
    *out = std::move(s);
    return true;
  }
  const internal::Json* type = doc.Get("strategyType");
  bool rate_limiting = (type != nullptr && type->is(internal::Json::Type::kString) &&
                        type->string == "RATE_LIMITING") ||
                       doc.Get("rateLimitingSampling") != nullptr;
  Strategy s;
  if (rate_limiting) {
    s.kind = Strategy::Kind::kRateLimiting;
    s.rate = NumberAt(doc, "rateLimitingSampling", "maxTracesPerSecond", &ok);
  } else {
    s.kind = Strategy::Kind::kProbabilistic;
    s.probability = NumberAt(doc, "probabilisticSampling", "samplingRate", &ok);
  }
  if (!ok) return false;
  *out = std::move(s);
  return true;
}

class RemoteSamplerImpl final : public RemoteSampler {
 public:
  explicit RemoteSamplerImpl(RemoteSamplerOptions options) : options_(std::move(options)) {
    std::string error;
    std::string url = options_.sampling_server_url +
                      (options_.sampling_server_url.find('?') == std::string::npos ? "?" : "&") +
                      "service=" + internal::PercentEncode(options_.service_name);
    if (!internal::ParseHttpUrl(url, &url_, &error)) {
      throw std::invalid_argument("sampling server: " + error);
    }
    if (url_.https) {
      tls_ = internal::TlsClientContext::Create(options_.tls, &error);
      if (!tls_) throw std::invalid_argument("sampling server TLS: " + error);
    }
    strategy_.probability = options_.initial_probability;
    thread_ = std::thread([this] { Run(); });
  }
  ~RemoteSamplerImpl() override { Close(); }

  SamplingDecision Sample(uint64_t trace_id_low, const std::string& operation) override {
    std::lock_guard<std::mutex> lock(mu_);
    switch (strategy_.kind) {
      case Strategy::Kind::kProbabilistic:
        return {ProbabilisticYes(strategy_.probability, trace_id_low), "probabilistic",
                strategy_.probability};
      case Strategy::Kind::kRateLimiting:
        return {rate_limiter_ && rate_limiter_->Take(), "ratelimiting", strategy_.rate};
      case Strategy::Kind::kPerOperation: break;
    }
    OperationSampler* op = Operation(operation);
    double p = op != nullptr ? op->probability : strategy_.probability;
    if (ProbabilisticYes(p, trace_id_low)) {
      if (op != nullptr) std::ignore = op->lower_bound.Take();
      return {true, "probabilistic", p};
    }
    bool lower = op != nullptr && op->lower_bound.Take();
    return {lower, "lowerbound", p};
  }

  bool Refresh() override {
    internal::HttpResult r =
        internal::HttpRequest(url_, "GET", "", "", options_.timeout, {}, tls_.get());
    Strategy s;
    if (r.status != 200 || !ReadStrategy(r.body, &s)) return false;
    std::lock_guard<std::mutex> lock(mu_);
    Apply(std::move(s));
    ++updates_;
    return true;
  }

  uint64_t updates() const override { return updates_.load(); }

  void Close() override {
    {
      std::lock_guard<std::mutex> lock(wait_mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(wait_mu_);
    while (!stopping_) {
      lock.unlock();
      std::ignore = Refresh();
      lock.lock();
      wake_.wait_for(lock, options_.refresh_interval, [this] { return stopping_; });
    }
  }

  // Under mu_. Per-operation samplers keep their rate limiter's state when
  // only the probabilities change.
  void Apply(Strategy s) {
    if (s.kind == Strategy::Kind::kRateLimiting &&
        (strategy_.kind != Strategy::Kind::kRateLimiting || strategy_.rate != s.rate)) {
      rate_limiter_ = std::make_unique<TokenBucket>(s.rate, std::max(1.0, s.rate));
    }
    if (s.kind == Strategy::Kind::kPerOperation) {
      bool same_bound =
          strategy_.kind == Strategy::Kind::kPerOperation && strategy_.lower_bound == s.lower_bound;
      if (!same_bound) operations_.clear();
      for (auto& [name, op] : operations_) {
        auto it = s.operations.find(name);
        op.probability = it != s.operations.end() ? it->second : s.probability;
      }
    } else {
      operations_.clear();
    }
    strategy_ = std::move(s);
  }

  // Under mu_: the sampler of `name`, made on first sight (null beyond
  // max_operations: the default applies, without a lower bound).
  OperationSampler* Operation(const std::string& name) {
    auto it = operations_.find(name);
    if (it != operations_.end()) return &it->second;
    if (operations_.size() >= options_.max_operations) return nullptr;
    auto known = strategy_.operations.find(name);
    double p = known != strategy_.operations.end() ? known->second : strategy_.probability;
    return &operations_
                .emplace(name,
                         OperationSampler{p, TokenBucket(strategy_.lower_bound,
                                                         std::max(1.0, strategy_.lower_bound))})
                .first->second;
  }

  const RemoteSamplerOptions options_;
  internal::HttpUrl url_;
  std::shared_ptr<internal::TlsClientContext> tls_;  // https only
  std::mutex mu_;
  Strategy strategy_;
  std::unique_ptr<TokenBucket> rate_limiter_;
  std::map<std::string, OperationSampler> operations_;
  std::atomic<uint64_t> updates_{0};
  std::mutex wait_mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<RemoteSampler> NewRemoteSampler(RemoteSamplerOptions options) {
  return std::make_unique<RemoteSamplerImpl>(std::move(options));
}

}  // namespace spoor
