// The v1 -> v2 conversion, following the rules of Zipkin's V1SpanConverter
// (see zipkin_v1.h). v2 spans are addressed by index into the output, which
// grows as spans are split off.

#include "formats/zipkin/zipkin_v1.h"

#include "model/string_table.h"

namespace spoor::zipkin {
namespace {

class V1Converter {
 public:
  V1Converter(const ZipkinV1Span& source, std::vector<ZipkinSpanView>* out)
      : source_(source), out_(*out), first_(out->size()) {
    NewSpan(nullptr);
  }

  void Run() {
    ProcessAnnotations();
    ProcessBinaryAnnotations();
  }

 private:
  ZipkinSpanView& At(size_t i) { return out_[i]; }

  size_t NewSpan(const ZipkinEndpoint* e) {
    ZipkinSpanView& s = out_.emplace_back();
    s.span.trace_id = source_.trace_id;
    s.span.span_id = source_.id;
    s.span.parent_span_id = source_.parent_id;
    s.span.name = Intern(source_.name);
    s.span.flags = kSampledFlag | (source_.debug ? kDebugFlag : 0);
    has_local_.push_back(e != nullptr);
    if (e != nullptr) s.local = *e;
    return out_.size() - 1;
  }

  // Whether span i is the one for `e`; a span without a local endpoint
  // takes it.
  bool CloseEnough(size_t i, const ZipkinEndpoint& e) {
    if (!has_local_[i - first_]) {
      has_local_[i - first_] = true;
      At(i).local = e;
      return true;
    }
    return At(i).local.service_name == e.service_name;
  }

  // The span for endpoint `e` (the first span when null), made if needed.
  size_t ForEndpoint(const ZipkinEndpoint* e) {
    if (e == nullptr) return first_;
    for (size_t i = first_; i < out_.size(); ++i) {
      if (CloseEnough(i, *e)) return i;
    }
    return NewSpan(e);
  }
  size_t ForEndpoint(const std::optional<ZipkinEndpoint>& e) {
    return ForEndpoint(e ? &*e : nullptr);
  }

  void AddAnnotation(size_t i, uint64_t timestamp_us, std::string_view value) {
    At(i).span.events.push_back({MicrosToNanos(timestamp_us), Intern(value), {}, 0});
  }

  static uint64_t Between(uint64_t begin, uint64_t end) { return end > begin ? end - begin : 0; }

  void MaybeTimestampDuration(const ZipkinV1Annotation& begin, const ZipkinV1Annotation* end) {
    ZipkinSpanView& s = At(ForEndpoint(begin.endpoint));
    if (source_.timestamp_us != 0 && source_.duration_us != 0) {
      s.timestamp_us = source_.timestamp_us;
      s.duration_us = source_.duration_us;
    } else {
      s.timestamp_us = begin.timestamp_us;
      if (end != nullptr) s.duration_us = Between(begin.timestamp_us, end->timestamp_us);
    }
  }

  // The end annotation is at timestamp + duration: the start annotation was
  // lost but the span's own timestamp stands for it.
  bool EndReflectsSpanDuration(const ZipkinV1Annotation* end) const {
    return end != nullptr && source_.timestamp_us != 0 && source_.duration_us != 0 &&
           source_.timestamp_us + source_.duration_us == end->timestamp_us;
  }

  static bool SameService(const ZipkinEndpoint& a, const ZipkinEndpoint& b) {
    return a.service_name == b.service_name;
  }

  void ProcessAnnotations();
  void HandleIncompleteRpc();
  void ProcessBinaryAnnotations();

  const ZipkinV1Span& source_;
  std::vector<ZipkinSpanView>& out_;
  const size_t first_;
  std::vector<bool> has_local_;  // per span from first_
  const ZipkinV1Annotation *cs_ = nullptr, *sr_ = nullptr, *ss_ = nullptr, *cr_ = nullptr,
                           *ms_ = nullptr, *mr_ = nullptr, *ws_ = nullptr, *wr_ = nullptr;
  ZipkinV1Annotation implied_cs_, implied_sr_;
};

void V1Converter::ProcessAnnotations() {
  for (const ZipkinV1Annotation& a : source_.annotations) {
    const size_t current = ForEndpoint(a.endpoint);
    // Core annotations need an endpoint; without one they are plain ones.
    const std::string_view v = a.value;
    if (v.size() == 2 && a.endpoint) {
      ZipkinSpanView& s = At(current);
      if (v == "cs") {
        s.span.kind = SpanKind::kClient;
        cs_ = &a;
      } else if (v == "sr") {
        s.span.kind = SpanKind::kServer;
        sr_ = &a;
      } else if (v == "ss") {
        s.span.kind = SpanKind::kServer;
        ss_ = &a;
      } else if (v == "cr") {
        s.span.kind = SpanKind::kClient;
        cr_ = &a;
      } else if (v == "ms") {
        s.span.kind = SpanKind::kProducer;
        ms_ = &a;
      } else if (v == "mr") {
        s.span.kind = SpanKind::kConsumer;
        mr_ = &a;
      } else if (v == "ws") {
        ws_ = &a;
      } else if (v == "wr") {
        wr_ = &a;
      } else {
        AddAnnotation(current, a.timestamp_us, a.value);
      }
    } else {
      AddAnnotation(current, a.timestamp_us, a.value);
    }
  }

  if (cs_ == nullptr && EndReflectsSpanDuration(cr_)) {
    implied_cs_ = {source_.timestamp_us, "cs", cr_->endpoint};
    cs_ = &implied_cs_;
  }
  if (sr_ == nullptr && EndReflectsSpanDuration(ss_)) {
    implied_sr_ = {source_.timestamp_us, "sr", ss_->endpoint};
    sr_ = &implied_sr_;
  }

  if (cs_ != nullptr && sr_ != nullptr) {
    // A shared span: the client side owns the span's timestamp and duration.
    MaybeTimestampDuration(*cs_, cr_);
    const size_t client = ForEndpoint(cs_->endpoint);
    size_t server = 0;
    if (SameService(*cs_->endpoint, *sr_->endpoint)) {
      // Loopback: the server side needs a span of its own.
      At(client).span.kind = SpanKind::kClient;
      server = NewSpan(&*sr_->endpoint);
      At(server).span.kind = SpanKind::kServer;
    } else {
      server = ForEndpoint(sr_->endpoint);
    }
    ZipkinSpanView& s = At(server);
    s.shared = true;
    s.timestamp_us = sr_->timestamp_us;
    if (ss_ != nullptr) s.duration_us = Between(sr_->timestamp_us, ss_->timestamp_us);
    // One-way: no duration.
    if (cr_ == nullptr && source_.duration_us == 0) At(client).duration_us = 0;
  } else if (cs_ != nullptr && cr_ != nullptr) {
    MaybeTimestampDuration(*cs_, cr_);
  } else if (sr_ != nullptr && ss_ != nullptr) {
    MaybeTimestampDuration(*sr_, ss_);
  } else {
    HandleIncompleteRpc();
  }

  // v1 had no shared flag: a server side without its own timestamp was one.
  if (cs_ == nullptr && sr_ != nullptr &&
      (source_.timestamp_us == 0 || (ss_ != nullptr && source_.duration_us == 0))) {
    At(ForEndpoint(sr_->endpoint)).shared = true;
  }

  if (ms_ != nullptr && mr_ != nullptr) {
    const size_t producer = ForEndpoint(ms_->endpoint);
    size_t consumer = 0;
    if (SameService(*ms_->endpoint, *mr_->endpoint)) {
      At(producer).span.kind = SpanKind::kProducer;
      consumer = NewSpan(&*mr_->endpoint);
      At(consumer).span.kind = SpanKind::kConsumer;
    } else {
      consumer = ForEndpoint(mr_->endpoint);
    }
    ZipkinSpanView& c = At(consumer);
    c.shared = true;
    if (wr_ != nullptr) {
      c.timestamp_us = wr_->timestamp_us;
      c.duration_us = Between(wr_->timestamp_us, mr_->timestamp_us);
    } else {
      c.timestamp_us = mr_->timestamp_us;
    }
    ZipkinSpanView& p = At(producer);
    p.timestamp_us = ms_->timestamp_us;
    p.duration_us = ws_ != nullptr ? Between(ms_->timestamp_us, ws_->timestamp_us) : 0;
  } else if (ms_ != nullptr) {
    MaybeTimestampDuration(*ms_, ws_);
  } else if (mr_ != nullptr) {
    if (wr_ != nullptr) {
      MaybeTimestampDuration(*wr_, mr_);
    } else {
      MaybeTimestampDuration(*mr_, nullptr);
    }
  } else {
    if (ws_ != nullptr) AddAnnotation(ForEndpoint(ws_->endpoint), ws_->timestamp_us, ws_->value);
    if (wr_ != nullptr) AddAnnotation(ForEndpoint(wr_->endpoint), wr_->timestamp_us, wr_->value);
  }
}

// Only one side of an RPC: its start annotation is the timestamp and its end
// annotation a plain annotation.
void V1Converter::HandleIncompleteRpc() {
  for (size_t i = first_; i < out_.size(); ++i) {
    ZipkinSpanView& s = At(i);
    if (s.span.kind == SpanKind::kClient) {
      if (cs_ != nullptr) s.timestamp_us = cs_->timestamp_us;
      if (cr_ != nullptr) AddAnnotation(i, cr_->timestamp_us, cr_->value);
    } else if (s.span.kind == SpanKind::kServer) {
      if (sr_ != nullptr) s.timestamp_us = sr_->timestamp_us;
      if (ss_ != nullptr) AddAnnotation(i, ss_->timestamp_us, ss_->value);
    }
  }
  if (source_.timestamp_us != 0) {
    At(first_).timestamp_us = source_.timestamp_us;
    At(first_).duration_us = source_.duration_us;
  }
}

void V1Converter::ProcessBinaryAnnotations() {
  const ZipkinEndpoint *ca = nullptr, *sa = nullptr, *ma = nullptr;
  for (const ZipkinV1BinaryAnnotation& b : source_.binary_annotations) {
    if (b.is_address) {
      if (b.key == "ca") {
        ca = &*b.endpoint;
      } else if (b.key == "sa") {
        sa = &*b.endpoint;
      } else if (b.key == "ma") {
        ma = &*b.endpoint;
      }
      continue;
    }
    const size_t current = ForEndpoint(b.endpoint);
    // "lc" without a value only marks a local span.
    if (b.key == "lc" && b.value.empty()) continue;
    At(current).span.attributes.push_back({Intern(b.key), AnyValue::String(b.value)});
  }

  const bool no_core = cs_ == nullptr && cr_ == nullptr && ss_ == nullptr && sr_ == nullptr;
  if (no_core && (ca != nullptr || sa != nullptr)) {
    if (ca != nullptr && sa != nullptr) {
      At(ForEndpoint(ca)).remote = *sa;
    } else if (sa != nullptr) {
      // "sa" alone is a remote address; it does not make a client span.
      At(ForEndpoint(nullptr)).remote = *sa;
    } else {
      // "ca" alone: the span is a server's.
      ZipkinSpanView& s = At(ForEndpoint(nullptr));
      s.span.kind = SpanKind::kServer;
      s.remote = *ca;
    }
    return;
  }

  const ZipkinV1Annotation* server = sr_ != nullptr ? sr_ : ss_;
  if (ca != nullptr && server != nullptr && !(*ca == *server->endpoint)) {
    // Finagle's "ca" on server spans carries the server's own service name
    // with the client's port; without the name it makes no loopback link.
    ZipkinEndpoint client = *ca;
    if (SameService(client, *server->endpoint)) client.service_name = {};
    At(ForEndpoint(server->endpoint)).remote = std::move(client);
  }
  if (sa != nullptr) {
    if (cs_ != nullptr) {
      At(ForEndpoint(cs_->endpoint)).remote = *sa;
    } else if (cr_ != nullptr) {
      At(ForEndpoint(cr_->endpoint)).remote = *sa;
    }
  }
  if (ma != nullptr) {
    // Both sides of a (wrongly) shared messaging span get the broker.
    if (ms_ != nullptr) At(ForEndpoint(ms_->endpoint)).remote = *ma;
    if (mr_ != nullptr) At(ForEndpoint(mr_->endpoint)).remote = *ma;
  }
}

}  // namespace

void ConvertV1Span(const ZipkinV1Span& v1, std::vector<ZipkinSpanView>* out) {
  V1Converter converter(v1, out);
  converter.Run();
}

}  // namespace spoor::zipkin
