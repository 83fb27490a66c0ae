#include "storage/embedded/wal_codec.h"

#include <bit>
#include <cstring>
#include <memory>

#include "model/string_table.h"
#include "storage/embedded/block_codec.h"  // kMaxBlockValueDepth
#include "storage/embedded/block_columns.h"

namespace spoor {
namespace {

using block_internal::ByteReader;

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

// Writes into a buffer sized beforehand by Bound(), without checks.
class Sink {
 public:
  explicit Sink(char* p) : p_(p) {}
  [[nodiscard]] char* position() const { return p_; }

  void Byte(uint8_t b) { *p_++ = static_cast<char>(b); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      *p_++ = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    *p_++ = static_cast<char>(v);
  }
  void Fixed64(uint64_t v) {
    for (int i = 0; i < 8; ++i) p_[i] = static_cast<char>(v >> (8 * i));
    p_ += 8;
  }
  void String(std::string_view s) {
    Varint(s.size());
    if (!s.empty()) std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  void TraceIdOf(const TraceId& id) {
    Fixed64(id.high);
    Fixed64(id.low);
  }

 private:
  char* p_;
};

constexpr size_t kVarintMax = 10;

// Upper bounds of the encoded sizes.
size_t StringBound(std::string_view s) {
  return kVarintMax + s.size();
}

size_t AttributesBound(const Attributes& attrs);

size_t ValueBound(const AnyValue& v) {
  size_t n = 1 + kVarintMax;
  switch (v.type) {
    case ValueType::kString:
    case ValueType::kBytes: return n + v.string_value.size();
    case ValueType::kArray:
      for (const AnyValue& e : v.array) n += ValueBound(e);
      return n;
    case ValueType::kKvList: return n + AttributesBound(v.kvlist);
    default: return n;
  }
}

size_t AttributesBound(const Attributes& attrs) {
  size_t n = kVarintMax;
  for (const KeyValue& kv : attrs) n += 1 + StringBound(kv.key) + ValueBound(kv.value);
  return n;
}

size_t SpanBound(const Span& s) {
  size_t n = 48 + 12 * kVarintMax + StringBound(s.trace_state) + StringBound(s.name) +
             StringBound(s.status.message) + AttributesBound(s.attributes);
  for (const Event& e : s.events)
    n += 3 * kVarintMax + 1 + StringBound(e.name) + AttributesBound(e.attributes);
  for (const Link& l : s.links)
    n += 24 + 3 * kVarintMax + StringBound(l.trace_state) + AttributesBound(l.attributes);
  return n;
}

// Writes an entry. Names (attribute keys, span, event and scope names) are
// written once per entry and then referred to by number: a small table
// keyed by the address of the interned string, so that a lookup costs a
// hash of a pointer.
class EntryWriter {
 public:
  explicit EntryWriter(Sink& out) : out_(out), slots_(256) {}

  void Name(std::string_view name) {
    if (2 * (count_ + 1) > slots_.size()) Grow();
    const size_t mask = slots_.size() - 1;
    for (size_t i = Hash(name.data()) & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.id == 0) {
        slot = {name.data(), name.size(), static_cast<uint32_t>(++count_)};
        out_.Byte(0);
        out_.String(name);
        return;
      }
      if (slot.data == name.data() && slot.size == name.size()) {
        out_.Varint(slot.id);
        return;
      }
    }
  }

  // A span's trace ID: 0 and the 16 bytes the first time in the entry, then
  // the trace's number.
  void Trace(const TraceId& id) {
    if (2 * (traces_ + 1) > trace_slots_.size()) GrowTraces();
    const size_t mask = trace_slots_.size() - 1;
    for (size_t i = TraceHash(id) & mask;; i = (i + 1) & mask) {
      TraceSlot& slot = trace_slots_[i];
      if (slot.number == 0) {
        slot = {id, static_cast<uint32_t>(++traces_)};
        out_.Byte(0);
        out_.TraceIdOf(id);
        return;
      }
      if (slot.id == id) {
        out_.Varint(slot.number);
        return;
      }
    }
  }

  // A span's start: the difference from the previous span's start.
  void Start(uint64_t start_ns) {
    out_.Varint(ZigZag(static_cast<int64_t>(start_ns - last_start_)));
    last_start_ = start_ns;
  }

  void Value(const AnyValue& v) {
    out_.Byte(static_cast<uint8_t>(v.type));
    switch (v.type) {
      case ValueType::kEmpty: break;
      case ValueType::kString:
      case ValueType::kBytes: out_.String(v.string_value); break;
      case ValueType::kBool: out_.Byte(v.bool_value ? 1 : 0); break;
      case ValueType::kInt: out_.Varint(ZigZag(v.int_value)); break;
      case ValueType::kDouble: out_.Fixed64(std::bit_cast<uint64_t>(v.double_value)); break;
      case ValueType::kArray:
        out_.Varint(v.array.size());
        for (const AnyValue& e : v.array) Value(e);
        break;
      case ValueType::kKvList: Attributes(v.kvlist); break;
    }
  }

  void Attributes(const spoor::Attributes& attrs) {
    out_.Varint(attrs.size());
    for (const KeyValue& kv : attrs) {
      Name(kv.key);
      Value(kv.value);
    }
  }

 private:
  struct Slot {
    const char* data = nullptr;
    size_t size = 0;
    uint32_t id = 0;  // 0 = empty
  };
  struct TraceSlot {
    TraceId id;
    uint32_t number = 0;  // 0 = empty
  };
  static size_t TraceHash(const TraceId& id) {
    return static_cast<size_t>((id.low ^ (id.high * 0x9E3779B97F4A7C15ULL)) >> 17);
  }
  void GrowTraces() {
    std::vector<TraceSlot> old(trace_slots_.size() * 2);
    old.swap(trace_slots_);
    const size_t mask = trace_slots_.size() - 1;
    for (const TraceSlot& s : old) {
      if (s.number == 0) continue;
      size_t i = TraceHash(s.id) & mask;
      while (trace_slots_[i].number != 0) i = (i + 1) & mask;
      trace_slots_[i] = s;
    }
  }
  static size_t Hash(const char* p) {
    uint64_t h = reinterpret_cast<uintptr_t>(p) * 0x9E3779B97F4A7C15ULL;
    return static_cast<size_t>(h >> 32);
  }
  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.id == 0) continue;
      size_t i = Hash(s.data) & mask;
      while (slots_[i].id != 0) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  Sink& out_;
  std::vector<Slot> slots_;
  size_t count_ = 0;
  std::vector<TraceSlot> trace_slots_ = std::vector<TraceSlot>(64);
  size_t traces_ = 0;
  uint64_t last_start_ = 0;
};

class Reader {
 public:
  explicit Reader(std::string_view data) : in_(data) {}

  [[nodiscard]] size_t remaining() const { return in_.remaining(); }
  bool Byte(uint8_t* v) { return in_.Byte(v); }
  bool Varint(uint64_t* v) { return in_.Varint(v); }
  bool U32(uint32_t* v) {
    uint64_t x = 0;
    if (!in_.Varint(&x) || x > UINT32_MAX) return false;
    *v = static_cast<uint32_t>(x);
    return true;
  }
  bool Fixed64(uint64_t* v) { return in_.Fixed64(v); }
  bool String(std::string* out) {
    std::string_view v;
    if (!View(&v)) return false;
    out->assign(v);
    return true;
  }
  // A name: 0 and the string the first time in the entry, then its number.
  bool Name(std::string_view* out) {
    uint64_t id = 0;
    if (!in_.Varint(&id)) return false;
    if (id == 0) {
      std::string_view v;
      if (!View(&v)) return false;
      *out = Intern(v);
      names_.push_back(*out);
      return true;
    }
    if (id > names_.size()) return false;
    *out = names_[static_cast<size_t>(id - 1)];
    return true;
  }
  // A time given as a signed difference from `base`.
  bool TimeFrom(uint64_t base, uint64_t* out) {
    uint64_t d = 0;
    if (!in_.Varint(&d)) return false;
    *out = base + static_cast<uint64_t>(UnZigZag(d));
    return true;
  }
  bool TraceIdOf(TraceId* id) { return in_.Fixed64(&id->high) && in_.Fixed64(&id->low); }
  // A span's trace ID, as EntryWriter::Trace writes it.
  bool Trace(TraceId* id) {
    uint64_t number = 0;
    if (!in_.Varint(&number)) return false;
    if (number == 0) {
      if (!TraceIdOf(id)) return false;
      traces_.push_back(*id);
      return true;
    }
    if (number > traces_.size()) return false;
    *id = traces_[static_cast<size_t>(number - 1)];
    return true;
  }
  // A span's start, as EntryWriter::Start writes it.
  bool Start(uint64_t* start_ns) {
    uint64_t d = 0;
    if (!in_.Varint(&d)) return false;
    last_start_ += static_cast<uint64_t>(UnZigZag(d));
    *start_ns = last_start_;
    return true;
  }
  // A count of items of at least `min_bytes` each, bounded by what is left.
  bool Count(uint64_t* n, size_t min_bytes) {
    return in_.Varint(n) && *n <= in_.remaining() / min_bytes;
  }

  bool Value(AnyValue* v, int depth) {
    uint8_t type = 0;
    if (depth > kMaxBlockValueDepth || !in_.Byte(&type) ||
        type > static_cast<uint8_t>(ValueType::kKvList)) {
      return false;
    }
    v->type = static_cast<ValueType>(type);
    uint64_t n = 0;
    switch (v->type) {
      case ValueType::kEmpty: return true;
      case ValueType::kString:
      case ValueType::kBytes: return String(&v->string_value);
      case ValueType::kBool: {
        uint8_t b = 0;
        if (!in_.Byte(&b) || b > 1) return false;
        v->bool_value = b != 0;
        return true;
      }
      case ValueType::kInt:
        if (!in_.Varint(&n)) return false;
        v->int_value = UnZigZag(n);
        return true;
      case ValueType::kDouble:
        if (!in_.Fixed64(&n)) return false;
        v->double_value = std::bit_cast<double>(n);
        return true;
      case ValueType::kArray:
        if (!Count(&n, 1)) return false;
        v->array.resize(static_cast<size_t>(n));
        for (AnyValue& e : v->array) {
          if (!Value(&e, depth + 1)) return false;
        }
        return true;
      case ValueType::kKvList: return Attributes(&v->kvlist.mut(), depth + 1);
    }
    return false;
  }

  bool Attributes(spoor::Attributes* out, int depth = 1) {
    uint64_t n = 0;
    if (!Count(&n, 2)) return false;
    out->resize(static_cast<size_t>(n));
    for (KeyValue& kv : *out) {
      if (!Name(&kv.key) || !Value(&kv.value, depth)) return false;
    }
    return true;
  }

 private:
  bool View(std::string_view* out) {
    uint64_t n = 0;
    return in_.Varint(&n) && in_.Bytes(n, out);
  }

  ByteReader in_;
  std::vector<std::string_view> names_;
  std::vector<TraceId> traces_;
  uint64_t last_start_ = 0;
};

Status Malformed(const char* what) {
  return InvalidArgument(std::string("malformed write-ahead entry: ") + what);
}

}  // namespace

void EncodeWalEntry(const SpanBatch& batch, std::string* out) {
  size_t bound = 1 + kVarintMax;
  for (const ResourceSpans& rs : batch.resource_spans) {
    bound += 3 * kVarintMax + AttributesBound(rs.resource->attributes) +
             StringBound(rs.resource->schema_url);
    for (const ScopeSpans& ss : rs.scope_spans) {
      const Scope& sc = *ss.scope;
      bound += 3 * kVarintMax + StringBound(sc.name) + StringBound(sc.version) +
               AttributesBound(sc.attributes) + StringBound(sc.schema_url);
      for (const Span& s : ss.spans) bound += SpanBound(s);
    }
  }
  const size_t start = out->size();
  out->resize(start + bound);
  Sink o(out->data() + start);
  EntryWriter w(o);
  o.Byte(kWalEntryVersion);
  o.Varint(batch.resource_spans.size());
  for (const ResourceSpans& rs : batch.resource_spans) {
    w.Attributes(rs.resource->attributes);
    o.Varint(rs.resource->dropped_attributes_count);
    o.String(rs.resource->schema_url);
    o.Varint(rs.scope_spans.size());
    for (const ScopeSpans& ss : rs.scope_spans) {
      const Scope& sc = *ss.scope;
      w.Name(sc.name);
      w.Name(sc.version);
      w.Attributes(sc.attributes);
      o.Varint(sc.dropped_attributes_count);
      o.String(sc.schema_url);
      o.Varint(ss.spans.size());
      for (const Span& s : ss.spans) {
        w.Trace(s.trace_id);
        o.Fixed64(s.span_id.value);
        o.Fixed64(s.parent_span_id.value);
        o.String(s.trace_state);
        o.Varint(s.flags);
        w.Name(s.name);
        o.Byte(static_cast<uint8_t>(s.kind));
        w.Start(s.start_time_ns);
        o.Varint(ZigZag(static_cast<int64_t>(s.end_time_ns - s.start_time_ns)));
        w.Attributes(s.attributes);
        o.Varint(s.dropped_attributes_count);
        o.Varint(s.events.size());
        for (const Event& e : s.events) {
          o.Varint(ZigZag(static_cast<int64_t>(e.time_ns - s.start_time_ns)));
          w.Name(e.name);
          w.Attributes(e.attributes);
          o.Varint(e.dropped_attributes_count);
        }
        o.Varint(s.dropped_events_count);
        o.Varint(s.links.size());
        for (const Link& l : s.links) {
          o.TraceIdOf(l.trace_id);
          o.Fixed64(l.span_id.value);
          o.String(l.trace_state);
          w.Attributes(l.attributes);
          o.Varint(l.dropped_attributes_count);
          o.Varint(l.flags);
        }
        o.Varint(s.dropped_links_count);
        o.Byte(static_cast<uint8_t>(s.status.code));
        o.String(s.status.message);
      }
    }
  }
  out->resize(static_cast<size_t>(o.position() - out->data()));
}

Status DecodeWalEntry(std::string_view entry, std::vector<SpanRecord>* out) {
  Reader r(entry);
  uint8_t version = 0;
  if (!r.Byte(&version) || version != kWalEntryVersion) return Malformed("unknown version");
  std::vector<SpanRecord> spans;
  uint64_t n_resources = 0;
  if (!r.Count(&n_resources, 4)) return Malformed("resource count");
  for (uint64_t i = 0; i < n_resources; ++i) {
    auto resource = std::make_shared<Resource>();
    uint64_t n_scopes = 0;
    if (!r.Attributes(&resource->attributes) || !r.U32(&resource->dropped_attributes_count) ||
        !r.String(&resource->schema_url) || !r.Count(&n_scopes, 6)) {
      return Malformed("resource");
    }
    resource->ResolveServiceName();
    std::shared_ptr<const Resource> shared_resource = std::move(resource);
    for (uint64_t j = 0; j < n_scopes; ++j) {
      auto scope = std::make_shared<Scope>();
      uint64_t n_spans = 0;
      if (!r.Name(&scope->name) || !r.Name(&scope->version) || !r.Attributes(&scope->attributes) ||
          !r.U32(&scope->dropped_attributes_count) || !r.String(&scope->schema_url) ||
          !r.Count(&n_spans, 31)) {
        return Malformed("scope");
      }
      std::shared_ptr<const Scope> shared_scope = std::move(scope);
      for (uint64_t k = 0; k < n_spans; ++k) {
        SpanRecord& rec = spans.emplace_back();
        rec.resource = shared_resource;
        rec.scope = shared_scope;
        Span& s = rec.span;
        uint8_t kind = 0, code = 0;
        uint64_t n_events = 0, n_links = 0;
        if (!r.Trace(&s.trace_id) || !r.Fixed64(&s.span_id.value) ||
            !r.Fixed64(&s.parent_span_id.value) || !r.String(&s.trace_state) || !r.U32(&s.flags) ||
            !r.Name(&s.name) || !r.Byte(&kind) || !r.Start(&s.start_time_ns) ||
            !r.TimeFrom(s.start_time_ns, &s.end_time_ns) || !r.Attributes(&s.attributes) ||
            !r.U32(&s.dropped_attributes_count) || !r.Count(&n_events, 4)) {
          return Malformed("span");
        }
        s.kind = static_cast<SpanKind>(kind);
        s.events.resize(static_cast<size_t>(n_events));
        for (Event& e : s.events) {
          if (!r.TimeFrom(s.start_time_ns, &e.time_ns) || !r.Name(&e.name) ||
              !r.Attributes(&e.attributes) || !r.U32(&e.dropped_attributes_count)) {
            return Malformed("event");
          }
        }
        if (!r.U32(&s.dropped_events_count) || !r.Count(&n_links, 28)) return Malformed("span");
        s.links.resize(static_cast<size_t>(n_links));
        for (Link& l : s.links) {
          if (!r.TraceIdOf(&l.trace_id) || !r.Fixed64(&l.span_id.value) ||
              !r.String(&l.trace_state) || !r.Attributes(&l.attributes) ||
              !r.U32(&l.dropped_attributes_count) || !r.U32(&l.flags)) {
            return Malformed("link");
          }
        }
        if (!r.U32(&s.dropped_links_count) || !r.Byte(&code) || !r.String(&s.status.message)) {
          return Malformed("span");
        }
        s.status.code = static_cast<SpanStatusCode>(code);
      }
    }
  }
  if (r.remaining() != 0) return Malformed("trailing bytes");
  if (out->empty()) {
    out->swap(spans);
  } else {
    out->insert(out->end(), std::make_move_iterator(spans.begin()),
                std::make_move_iterator(spans.end()));
  }
  return Status::Ok();
}

}  // namespace spoor
