#include "spoor/config.h"

#include <opentracing/noop.h>
#include <yaml-cpp/yaml.h>

#include <iostream>
#include <sstream>

#include "spoor/tracer.h"

extern char** environ;

namespace spoor {

Environment ProcessEnvironment() {
  Environment env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry = *e;
    size_t eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return env;
}

namespace {

struct Bad {
  std::string message;
};

[[noreturn]] void Fail(const std::string& key, const std::string& what) {
  throw Bad{key + ": " + what};
}

std::string Text(const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) Fail(key, "expected a value");
  return n.Scalar();
}

double Number(const std::string& text, const std::string& key) {
  try {
    size_t used = 0;
    double v = std::stod(text, &used);
    if (used == text.size()) return v;
  } catch (...) {
  }
  Fail(key, "expected a number, got '" + text + "'");
}

bool Boolean(const std::string& text, const std::string& key) {
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  Fail(key, "expected true or false, got '" + text + "'");
}

// A duration in seconds as Jaeger's configuration writes it (a number), or
// with a unit: 500ms, 10s, 1m.
std::chrono::milliseconds Duration(const std::string& text, const std::string& key) {
  size_t digits = text.find_first_not_of("0123456789.");
  double v = Number(text.substr(0, digits), key);
  std::string unit = digits == std::string::npos ? "s" : text.substr(digits);
  double ms = 0;
  if (unit == "ms") {
    ms = v;
  } else if (unit == "s") {
    ms = v * 1000;
  } else if (unit == "m") {
    ms = v * 60000;
  } else {
    Fail(key, "expected seconds or a duration like 500ms, 10s, 1m; got '" + text + "'");
  }
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

// The settings, from the document and then the environment.
struct Settings {
  bool disabled = false;
  std::string service_name;
  std::vector<Tag> tags;
  std::string sampler_type = "remote";
  double sampler_param = 0.001;
  std::string sampling_server_url = "http://127.0.0.1:5778/sampling";
  std::chrono::milliseconds sampling_refresh{60000};
  size_t max_operations = 2000;
  std::string otlp_endpoint = "http://127.0.0.1:4318/v1/traces";
  std::string agent_host_port;  // set: Jaeger Thrift over UDP instead of OTLP
  std::string jaeger_endpoint;  // set: Jaeger Thrift over HTTP (wins over the agent)
  TlsOptions reporter_tls;      // for https:// endpoints
  TlsOptions sampler_tls;
  size_t queue_size = 10000;
  std::chrono::milliseconds flush_interval{1000};
  bool log_spans = false;
  std::vector<PropagationFormat> propagation = {PropagationFormat::kJaeger,
                                                PropagationFormat::kW3C};
  bool b3_single = false;
  bool trace_id_128bit = true;
  std::string jaeger_header = "uber-trace-id";
  std::string jaeger_baggage_prefix = "uberctx-";
  std::string jaeger_debug_header = "jaeger-debug-id";
  std::string jaeger_baggage_header = "jaeger-baggage";
};

// {ca, cert, key, serverName, skipVerify} under `at`.
TlsOptions ReadTls(const YAML::Node& v, const std::string& at) {
  if (!v.IsMap()) Fail(at, "expected {ca, cert, key, serverName, skipVerify}");
  TlsOptions tls;
  for (const auto& e : v) {
    std::string k = e.first.Scalar();
    std::string key = at + "." + k;
    if (k == "ca") {
      tls.ca_file = Text(e.second, key);
    } else if (k == "cert") {
      tls.cert_file = Text(e.second, key);
    } else if (k == "key") {
      tls.key_file = Text(e.second, key);
    } else if (k == "serverName") {
      tls.server_name = Text(e.second, key);
    } else if (k == "skipVerify") {
      tls.skip_verify = Boolean(Text(e.second, key), key);
    } else {
      Fail(key, "unknown key");
    }
  }
  return tls;
}

PropagationFormat FormatNamed(const std::string& name, const std::string& key) {
  if (name == "jaeger") return PropagationFormat::kJaeger;
  if (name == "w3c") return PropagationFormat::kW3C;
  if (name == "b3") return PropagationFormat::kB3;
  Fail(key, "expected jaeger, w3c or b3, got '" + name + "'");
}

void ReadDocument(const YAML::Node& root, Settings& s) {
  if (!root || root.IsNull()) return;
  if (!root.IsMap()) Fail("configuration", "expected a map of keys");
  for (const auto& kv : root) {
    std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (key == "service_name") {
      s.service_name = Text(v, key);
    } else if (key == "disabled") {
      s.disabled = Boolean(Text(v, key), key);
    } else if (key == "traceid_128bit") {
      s.trace_id_128bit = Boolean(Text(v, key), key);
    } else if (key == "tags") {
      if (!v.IsMap()) Fail(key, "expected a map of tags");
      for (const auto& t : v)
        s.tags.emplace_back(t.first.Scalar(),
                            TagValue::String(Text(t.second, "tags." + t.first.Scalar())));
    } else if (key == "sampler") {
      if (!v.IsMap()) Fail(key, "expected {type, param, samplingServerURL}");
      for (const auto& e : v) {
        std::string k = e.first.Scalar();
        std::string at = "sampler." + k;
        if (k == "type") {
          s.sampler_type = Text(e.second, at);
        } else if (k == "param") {
          s.sampler_param = Number(Text(e.second, at), at);
        } else if (k == "samplingServerURL") {
          s.sampling_server_url = Text(e.second, at);
        } else if (k == "samplingRefreshInterval") {
          s.sampling_refresh = Duration(Text(e.second, at), at);
        } else if (k == "maxOperations") {
          s.max_operations = static_cast<size_t>(Number(Text(e.second, at), at));
        } else if (k == "tls") {
          s.sampler_tls = ReadTls(e.second, at);
        } else {
          Fail(at, "unknown key");
        }
      }
    } else if (key == "reporter") {
      if (!v.IsMap())
        Fail(key,
             "expected {otlpEndpoint, localAgentHostPort, endpoint, queueSize, "
             "bufferFlushInterval, logSpans}");
      for (const auto& e : v) {
        std::string k = e.first.Scalar();
        std::string at = "reporter." + k;
        if (k == "otlpEndpoint") {
          s.otlp_endpoint = Text(e.second, at);
          s.agent_host_port.clear();
          s.jaeger_endpoint.clear();
        } else if (k == "localAgentHostPort") {
          s.agent_host_port = Text(e.second, at);
        } else if (k == "queueSize") {
          s.queue_size = static_cast<size_t>(Number(Text(e.second, at), at));
        } else if (k == "bufferFlushInterval") {
          s.flush_interval = Duration(Text(e.second, at), at);
        } else if (k == "logSpans") {
          s.log_spans = Boolean(Text(e.second, at), at);
        } else if (k == "endpoint") {
          s.jaeger_endpoint = Text(e.second, at);
        } else if (k == "tls") {
          s.reporter_tls = ReadTls(e.second, at);
        } else {
          Fail(at, "unknown key");
        }
      }
    } else if (key == "propagation_format") {
      s.propagation = {FormatNamed(Text(v, key), key)};
    } else if (key == "propagation") {
      if (!v.IsSequence()) Fail(key, "expected a list of jaeger, w3c, b3");
      s.propagation.clear();
      for (size_t i = 0; i < v.size(); ++i) {
        s.propagation.push_back(FormatNamed(Text(v[i], key), key + "[" + std::to_string(i) + "]"));
      }
    } else if (key == "b3_single_header") {
      s.b3_single = Boolean(Text(v, key), key);
    } else if (key == "headers") {
      if (!v.IsMap()) Fail(key, "expected a map");
      for (const auto& e : v) {
        std::string k = e.first.Scalar();
        std::string at = "headers." + k;
        if (k == "TraceContextHeaderName") {
          s.jaeger_header = Text(e.second, at);
        } else if (k == "traceBaggageHeaderPrefix") {
          s.jaeger_baggage_prefix = Text(e.second, at);
        } else if (k == "jaegerDebugHeader") {
          s.jaeger_debug_header = Text(e.second, at);
        } else if (k == "jaegerBaggageHeader") {
          s.jaeger_baggage_header = Text(e.second, at);
        } else {
          Fail(at, "unknown key");
        }
      }
    } else if (key == "baggage_restrictions") {
      // Accepted so that configurations load; baggage is not restricted.
    } else {
      Fail(key, "unknown key");
    }
  }
}

void ReadEnvironment(const Environment& env, Settings& s) {
  auto get = [&env](const std::string& name) -> const std::string* {
    auto it = env.find(name);
    return it == env.end() || it->second.empty() ? nullptr : &it->second;
  };
  if (auto v = get("OTEL_SERVICE_NAME")) s.service_name = *v;
  if (auto v = get("JAEGER_SERVICE_NAME")) s.service_name = *v;
  if (auto v = get("JAEGER_DISABLED")) s.disabled = Boolean(*v, "JAEGER_DISABLED");
  if (auto v = get("JAEGER_SAMPLER_TYPE")) s.sampler_type = *v;
  if (auto v = get("JAEGER_SAMPLER_PARAM")) s.sampler_param = Number(*v, "JAEGER_SAMPLER_PARAM");
  if (auto v = get("JAEGER_SAMPLING_ENDPOINT")) s.sampling_server_url = *v;
  if (auto v = get("JAEGER_SAMPLER_MANAGER_HOST_PORT")) {
    s.sampling_server_url = "http://" + *v + "/sampling";
  }
  if (get("JAEGER_AGENT_HOST") != nullptr || get("JAEGER_AGENT_PORT") != nullptr) {
    const std::string* host = get("JAEGER_AGENT_HOST");
    const std::string* port = get("JAEGER_AGENT_PORT");
    s.agent_host_port = (host != nullptr ? *host : std::string("127.0.0.1")) + ":" +
                        (port != nullptr ? *port : std::string("6831"));
  }
  if (auto v = get("OTEL_EXPORTER_OTLP_ENDPOINT")) {
    std::string base = *v;
    while (!base.empty() && base.back() == '/') base.pop_back();
    s.otlp_endpoint = base + "/v1/traces";
    s.agent_host_port.clear();
    s.jaeger_endpoint.clear();
  }
  if (auto v = get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) {
    s.otlp_endpoint = *v;
    s.agent_host_port.clear();
    s.jaeger_endpoint.clear();
  }
  if (auto v = get("JAEGER_REPORTER_LOG_SPANS")) {
    s.log_spans = Boolean(*v, "JAEGER_REPORTER_LOG_SPANS");
  }
  if (auto v = get("JAEGER_PROPAGATION")) {
    s.propagation.clear();
    std::stringstream list(*v);
    for (std::string name; std::getline(list, name, ',');) {
      s.propagation.push_back(FormatNamed(name, "JAEGER_PROPAGATION"));
    }
  }
  if (auto v = get("JAEGER_TAGS")) {
    std::stringstream list(*v);
    for (std::string kv; std::getline(list, kv, ',');) {
      size_t eq = kv.find('=');
      if (eq == std::string::npos) Fail("JAEGER_TAGS", "expected key=value,...; got '" + kv + "'");
      s.tags.emplace_back(kv.substr(0, eq), TagValue::String(kv.substr(eq + 1)));
    }
  }
  if (auto v = get("JAEGER_ENDPOINT")) s.jaeger_endpoint = *v;
  // The OpenTelemetry exporters' TLS variables, for the reporters.
  for (const char* prefix : {"OTEL_EXPORTER_OTLP_", "OTEL_EXPORTER_OTLP_TRACES_"}) {
    std::string p = prefix;
    if (auto v = get(p + "CERTIFICATE")) s.reporter_tls.ca_file = *v;
    if (auto v = get(p + "CLIENT_CERTIFICATE")) s.reporter_tls.cert_file = *v;
    if (auto v = get(p + "CLIENT_KEY")) s.reporter_tls.key_file = *v;
  }
}

std::shared_ptr<Sampler> MakeSampler(const Settings& s) {
  const std::string& t = s.sampler_type;
  if (t == "const") return NewConstSampler(s.sampler_param != 0);
  if (t == "probabilistic") {
    if (s.sampler_param < 0 || s.sampler_param > 1) Fail("sampler.param", "expected 0 to 1");
    return NewProbabilisticSampler(s.sampler_param);
  }
  if (t == "ratelimiting") return NewRateLimitingSampler(s.sampler_param);
  if (t == "remote") {
    RemoteSamplerOptions o;
    o.service_name = s.service_name;
    o.sampling_server_url = s.sampling_server_url;
    o.initial_probability = s.sampler_param;
    o.refresh_interval = s.sampling_refresh;
    o.max_operations = s.max_operations;
    o.tls = s.sampler_tls;
    try {
      return NewRemoteSampler(o);
    } catch (const std::invalid_argument& e) {
      Fail("sampler.samplingServerURL", e.what());
    }
  }
  Fail("sampler.type", "expected const, probabilistic, ratelimiting or remote, got '" + t + "'");
}

}  // namespace

std::shared_ptr<opentracing::Tracer> MakeTracerFromConfig(const std::string& document,
                                                          const Environment& env,
                                                          std::string* error) {
  try {
    Settings s;
    YAML::Node root = document.empty() ? YAML::Node() : YAML::Load(document);
    ReadDocument(root, s);
    ReadEnvironment(env, s);
    if (s.disabled) return opentracing::MakeNoopTracer();
    if (s.service_name.empty()) Fail("service_name", "missing (or set JAEGER_SERVICE_NAME)");
    TracerOptions options;
    options.service_name = s.service_name;
    options.tags = s.tags;
    options.propagation = s.propagation;
    options.b3_single_header = s.b3_single;
    options.jaeger_header = s.jaeger_header;
    options.jaeger_baggage_prefix = s.jaeger_baggage_prefix;
    options.jaeger_debug_header = s.jaeger_debug_header;
    options.jaeger_baggage_header = s.jaeger_baggage_header;
    options.trace_id_128bit = s.trace_id_128bit;
    options.sampler = MakeSampler(s);
    if (s.log_spans) {
      options.reporter = NewLoggingReporter(std::clog);
    } else if (!s.jaeger_endpoint.empty()) {
      JaegerHttpReporterOptions r;
      r.endpoint = s.jaeger_endpoint;
      r.tls = s.reporter_tls;
      r.queue_size = s.queue_size;
      r.flush_interval = s.flush_interval;
      try {
        options.reporter = NewJaegerHttpReporter(r);
      } catch (const std::invalid_argument& e) {
        Fail("reporter.endpoint", e.what());
      }
    } else if (!s.agent_host_port.empty()) {
      JaegerUdpReporterOptions r;
      r.host_port = s.agent_host_port;
      r.queue_size = s.queue_size;
      r.flush_interval = s.flush_interval;
      try {
        options.reporter = NewJaegerUdpReporter(r);
      } catch (const std::invalid_argument& e) {
        Fail("reporter.localAgentHostPort", e.what());
      }
    } else {
      OtlpHttpReporterOptions r;
      r.endpoint = s.otlp_endpoint;
      r.tls = s.reporter_tls;
      r.queue_size = s.queue_size;
      r.flush_interval = s.flush_interval;
      try {
        options.reporter = NewOtlpHttpReporter(r);
      } catch (const std::invalid_argument& e) {
        Fail("reporter.otlpEndpoint", e.what());
      }
    }
    return MakeTracer(std::move(options));
  } catch (const Bad& b) {
    *error = b.message;
  } catch (const YAML::Exception& e) {
    *error = std::string("configuration: not YAML or JSON: ") + e.what();
  }
  return nullptr;
}

}  // namespace spoor
