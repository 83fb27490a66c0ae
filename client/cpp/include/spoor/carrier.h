// A text map and HTTP headers carrier over a std::map, for code that keeps
// its headers in one (and for tests):
//
//   spoor::MapCarrier carrier;
//   tracer->Inject(span->context(), carrier.http_writer());
//   auto context = tracer->Extract(carrier.http_reader());
#pragma once

#include <opentracing/propagation.h>

#include <map>
#include <string>

namespace spoor {

class MapCarrier final : public opentracing::HTTPHeadersReader,
                         public opentracing::HTTPHeadersWriter {
 public:
  MapCarrier() = default;
  explicit MapCarrier(std::map<std::string, std::string> values) : values_(std::move(values)) {}

  opentracing::expected<void> Set(opentracing::string_view key,
                                  opentracing::string_view value) const override {
    values_[std::string(key)] = std::string(value);
    return {};
  }
  opentracing::expected<void> ForeachKey(
      std::function<opentracing::expected<void>(opentracing::string_view, opentracing::string_view)>
          f) const override {
    for (const auto& [k, v] : values_) {
      if (auto r = f(k, v); !r) return r;
    }
    return {};
  }

  // The carrier as the HTTP headers reader and writer (Tracer::Inject and
  // Extract have an overload for each carrier kind).
  [[nodiscard]] const opentracing::HTTPHeadersReader& http_reader() const { return *this; }
  [[nodiscard]] const opentracing::HTTPHeadersWriter& http_writer() const { return *this; }

  [[nodiscard]] std::map<std::string, std::string>& values() { return values_; }
  [[nodiscard]] const std::map<std::string, std::string>& values() const { return values_; }

 private:
  mutable std::map<std::string, std::string> values_;  // Set() is const in the interface
};

}  // namespace spoor
