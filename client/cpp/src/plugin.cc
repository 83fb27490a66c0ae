// OpenTracing's dynamic-load entry point: hosts that load a tracer library
// at run time (opentracing::DynamicallyLoadTracingLibrary, HAProxy's
// OpenTracing filter, NGINX's module) get a factory whose configuration is
// the document of spoor/config.h.
#include <opentracing/dynamic_load.h>
#include <opentracing/tracer_factory.h>

#include <cstring>

#include "spoor/config.h"

namespace {

class TracerFactory final : public opentracing::TracerFactory {
 public:
  opentracing::expected<std::shared_ptr<opentracing::Tracer>> MakeTracer(
      const char* configuration, std::string& error_message) const noexcept override {
    try {
      std::string error;
      auto tracer = spoor::MakeTracerFromConfig(configuration != nullptr ? configuration : "",
                                                spoor::ProcessEnvironment(), &error);
      if (tracer == nullptr) {
        error_message = error;
        return opentracing::make_unexpected(opentracing::invalid_configuration_error);
      }
      return tracer;
    } catch (...) {
      error_message = "spoor tracer: out of memory";
      return opentracing::make_unexpected(opentracing::invalid_configuration_error);
    }
  }
};

int MakeTracerFactory(const char* opentracing_version, const char* opentracing_abi_version,
                      const void** error_category, void* error_message, void** tracer_factory) {
  if (std::strcmp(opentracing_version, OPENTRACING_VERSION) != 0 ||
      std::strcmp(opentracing_abi_version, OPENTRACING_ABI_VERSION) != 0) {
    *error_category = static_cast<const void*>(&opentracing::dynamic_load_error_category());
    if (error_message != nullptr) {
      *static_cast<std::string*>(error_message) =
          std::string("spoor tracer: built for OpenTracing ") + OPENTRACING_VERSION + " (ABI " +
          OPENTRACING_ABI_VERSION + "), loaded by " + opentracing_version + " (ABI " +
          opentracing_abi_version + ")";
    }
    return opentracing::incompatible_library_versions_error.value();
  }
  *tracer_factory = new (std::nothrow) TracerFactory();
  if (*tracer_factory == nullptr) {
    *error_category = static_cast<const void*>(&std::generic_category());
    return static_cast<int>(std::errc::not_enough_memory);
  }
  return 0;
}

}  // namespace

OPENTRACING_DECLARE_IMPL_FACTORY(MakeTracerFactory)
