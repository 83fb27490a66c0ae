// A tracer from a configuration document: YAML (or JSON) with the keys of
// Jaeger's C++ client configuration, so that plugin configurations move
// over unchanged, plus keys of Spoor's own; environment variables named as
// Jaeger's and OpenTelemetry's override it. docs/client-cpp.md lists them.
#pragma once

#include <opentracing/tracer.h>

#include <map>
#include <memory>
#include <string>

namespace spoor {

// The process environment, or a map for tests.
using Environment = std::map<std::string, std::string>;
[[nodiscard]] Environment ProcessEnvironment();

// The tracer `document` describes (empty: the defaults), with `env`'s
// overrides. Null with `error` saying which key is wrong.
[[nodiscard]] std::shared_ptr<opentracing::Tracer> MakeTracerFromConfig(const std::string& document,
                                                                        const Environment& env,
                                                                        std::string* error);

}  // namespace spoor
