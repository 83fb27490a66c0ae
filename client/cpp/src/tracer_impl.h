// The tracer and its spans (spoor/tracer.h). Internal.
#pragma once

#include <opentracing/span.h>
#include <opentracing/tracer.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hot_path.h"
#include "propagation.h"
#include "span_context.h"
#include "spoor/tracer.h"

namespace spoor::internal {

class TracerImpl final : public opentracing::Tracer,
                         public std::enable_shared_from_this<TracerImpl> {
 public:
  explicit TracerImpl(TracerOptions options);

  [[nodiscard]] std::unique_ptr<opentracing::Span> StartSpanWithOptions(
      opentracing::string_view operation_name,
      const opentracing::StartSpanOptions& options) const noexcept override;

  [[nodiscard]] opentracing::expected<void> Inject(const opentracing::SpanContext& sc,
                                                   std::ostream& writer) const override;
  [[nodiscard]] opentracing::expected<void> Inject(
      const opentracing::SpanContext& sc, const opentracing::TextMapWriter& writer) const override;
  [[nodiscard]] opentracing::expected<void> Inject(
      const opentracing::SpanContext& sc,
      const opentracing::HTTPHeadersWriter& writer) const override;

  [[nodiscard]] opentracing::expected<std::unique_ptr<opentracing::SpanContext>> Extract(
      std::istream& reader) const override;
  [[nodiscard]] opentracing::expected<std::unique_ptr<opentracing::SpanContext>> Extract(
      const opentracing::TextMapReader& reader) const override;
  [[nodiscard]] opentracing::expected<std::unique_ptr<opentracing::SpanContext>> Extract(
      const opentracing::HTTPHeadersReader& reader) const override;

  void Close() noexcept override;

  // A finished, sampled span.
  void Report(SpanData span) const;

 private:
  [[nodiscard]] opentracing::expected<void> InjectText(const opentracing::SpanContext& sc,
                                                       const opentracing::TextMapWriter& writer,
                                                       bool http) const;
  [[nodiscard]] opentracing::expected<std::unique_ptr<opentracing::SpanContext>> ExtractText(
      const opentracing::TextMapReader& reader, bool http) const;

  const TracerOptions options_;
  ProcessData process_;
  PropagationSettings propagation_;
};

class SpanImpl final : public opentracing::Span {
 public:
  // The context is held in the span (one allocation for both). A span is
  // started unsampled: it keeps nothing but its context until Record()
  // gives it what a sampled span reports.
  SpanImpl(std::shared_ptr<const TracerImpl> tracer, Ids ids,
           std::map<std::string, std::string> baggage, std::string trace_state);
  // Called once, by the tracer, before the span is handed out.
  void Record(std::string operation_name, opentracing::SystemTime start_system,
              opentracing::SteadyTime start_steady, std::vector<Tag> tags,
              std::vector<ReferenceData> references);
  ~SpanImpl() override;

  // Spans come from a per-thread pool of blocks, not from malloc.
  static void* operator new(std::size_t size) { return BlockPool::Allocate(size); }
  static void operator delete(void* p, std::size_t size) noexcept { BlockPool::Free(p, size); }

  void FinishWithOptions(const opentracing::FinishSpanOptions& options) noexcept override;
  void SetOperationName(opentracing::string_view name) noexcept override;
  void SetTag(opentracing::string_view key, const opentracing::Value& value) noexcept override;
  void SetBaggageItem(opentracing::string_view key,
                      opentracing::string_view value) noexcept override;
  [[nodiscard]] std::string BaggageItem(opentracing::string_view key) const noexcept override;
  void Log(std::initializer_list<std::pair<opentracing::string_view, opentracing::Value>>
               fields) noexcept override;
  void Log(opentracing::SystemTime timestamp,
           std::initializer_list<std::pair<opentracing::string_view, opentracing::Value>>
               fields) noexcept override;
  void Log(opentracing::SystemTime timestamp,
           const std::vector<std::pair<opentracing::string_view, opentracing::Value>>&
               fields) noexcept override;
  [[nodiscard]] const opentracing::SpanContext& context() const noexcept override {
    return context_;
  }
  [[nodiscard]] const opentracing::Tracer& tracer() const noexcept override { return *tracer_; }

 private:
  template <typename Fields>
  void AddLog(opentracing::SystemTime timestamp, const Fields& fields) noexcept;

  const std::shared_ptr<const TracerImpl> tracer_;
  SpanContextImpl context_;
  opentracing::SteadyTime start_steady_;
  SpinLock mu_;
  bool finished_ = false;
  SpanData data_;
};

// An OpenTracing value as a tag value: lists and maps as JSON text.
[[nodiscard]] TagValue FromValue(const opentracing::Value& value);
[[nodiscard]] uint64_t ToUnixNs(opentracing::SystemTime t);

}  // namespace spoor::internal
