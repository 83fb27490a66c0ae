// Starts root spans through a tracer whose sampler follows the sampling
// endpoint, and prints how each operation's roots were decided, as JSON:
//
//   spoor_tracer_sample_remote http://127.0.0.1:5778/sampling service hot:10000 cold:10
//   {"hot":{"spans":10000,"probabilistic":1002,"lowerbound":1},"cold":{...}}
//
// Exits 1 when the strategy could not be fetched.
#include <spoor/tracer.h>

#include <iostream>
#include <map>
#include <string>

namespace {

// Counts the sampled roots of each operation by their sampler.type tag.
class Counting final : public spoor::Reporter {
 public:
  void Report(spoor::SpanData span, const spoor::ProcessData&) override {
    for (const spoor::Tag& t : span.tags) {
      if (t.first == "sampler.type") ++counts[span.operation_name][t.second.string_value];
    }
  }
  std::map<std::string, std::map<std::string, int>> counts;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: " << argv[0] << " SAMPLING_URL SERVICE OPERATION:COUNT...\n";
    return 2;
  }
  spoor::RemoteSamplerOptions sampler_options;
  sampler_options.sampling_server_url = argv[1];
  sampler_options.service_name = argv[2];
  sampler_options.refresh_interval = std::chrono::hours(1);  // the one fetch below
  std::shared_ptr<spoor::RemoteSampler> sampler = spoor::NewRemoteSampler(sampler_options);
  if (!sampler->Refresh()) {
    std::cerr << "no strategy from " << argv[1] << "\n";
    return 1;
  }
  auto reporter = std::make_shared<Counting>();
  spoor::TracerOptions options;
  options.service_name = argv[2];
  options.sampler = sampler;
  options.reporter = reporter;
  auto tracer = spoor::MakeTracer(std::move(options));
  std::map<std::string, int> started;
  for (int i = 3; i < argc; ++i) {
    std::string arg = argv[i];
    size_t colon = arg.rfind(':');
    std::string op = arg.substr(0, colon);
    int n = std::stoi(arg.substr(colon + 1));
    for (int k = 0; k < n; ++k) tracer->StartSpan(op)->Finish();
    started[op] += n;
  }
  tracer->Close();
  std::cout << "{";
  bool first = true;
  for (const auto& [op, n] : started) {
    std::cout << (first ? "" : ",") << "\"" << op << "\":{\"spans\":" << n;
    for (const auto& [type, count] : reporter->counts[op]) {
      std::cout << ",\"" << type << "\":" << count;
    }
    std::cout << "}";
    first = false;
  }
  std::cout << "}\n";
  return 0;
}
