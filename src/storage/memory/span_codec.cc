#include "storage/memory/span_codec.h"

#include <bit>
#include <cstring>

#include "common/encoding.h"
#include "model/string_table.h"
#include "storage/span_match.h"

namespace spoor {
namespace {

// Head flags (the byte after the name): bit 0 parent present, bit 1 events
// present, bit 2 rare fields present, bits 3-5 the kind, bits 6-7 the status
// code. A kind of 7 or a code of 3 means both follow as bytes.
constexpr uint8_t kHasParent = 1;
constexpr uint8_t kHasEvents = 2;
constexpr uint8_t kHasRare = 4;
constexpr uint8_t kKindEscape = 7;
constexpr uint8_t kCodeEscape = 3;

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

using encoding::PutFixed64;
using encoding::PutVarint;

void PutString(std::string* out, std::string_view s) {
  PutVarint(*out, s.size());
  out->append(s);
}

void PutAttributes(std::string* out, const Attributes& attrs, NameTable& names);

void PutValue(std::string* out, const AnyValue& v, NameTable& names) {
  switch (v.type) {
    case ValueType::kEmpty: break;
    case ValueType::kString:
    case ValueType::kBytes: PutString(out, v.string_value); break;
    case ValueType::kBool: out->push_back(v.bool_value ? 1 : 0); break;
    case ValueType::kInt: PutVarint(*out, ZigZag(v.int_value)); break;
    case ValueType::kDouble: PutFixed64(*out, std::bit_cast<uint64_t>(v.double_value)); break;
    case ValueType::kArray:
      PutVarint(*out, v.array.size());
      for (const AnyValue& e : v.array) {
        out->push_back(static_cast<char>(e.type));
        PutValue(out, e, names);
      }
      break;
    case ValueType::kKvList: PutAttributes(out, v.kvlist, names); break;
  }
}

// attributes := n:varint ((key << 3 | type):varint value)*n
void PutAttributes(std::string* out, const Attributes& attrs, NameTable& names) {
  PutVarint(*out, attrs.size());
  for (const KeyValue& kv : attrs) {
    PutVarint(*out, (uint64_t{names.Id(kv.key)} << 3) | static_cast<uint8_t>(kv.value.type));
    PutValue(out, kv.value, names);
  }
}

// Bounds-checked reads of bytes EncodeSpan wrote.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  [[nodiscard]] size_t position() const { return pos_; }
  [[nodiscard]] size_t remaining() const { return data_.size() - pos_; }

  bool Byte(uint8_t* v) {
    if (pos_ >= data_.size()) return false;
    *v = static_cast<uint8_t>(data_[pos_++]);
    return true;
  }
  bool Varint(uint64_t* v) {
    uint64_t x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return false;
      const auto b = static_cast<uint8_t>(data_[pos_++]);
      x |= uint64_t{b & 0x7Fu} << shift;
      if (b < 0x80) {
        *v = x;
        return true;
      }
    }
    return false;
  }
  bool U32(uint32_t* v) {
    uint64_t x = 0;
    if (!Varint(&x) || x > UINT32_MAX) return false;
    *v = static_cast<uint32_t>(x);
    return true;
  }
  bool Fixed64(uint64_t* v) {
    if (remaining() < 8) return false;
    uint64_t x = 0;
    for (int i = 0; i < 8; ++i) x |= uint64_t{static_cast<uint8_t>(data_[pos_ + i])} << (8 * i);
    pos_ += 8;
    *v = x;
    return true;
  }
  bool View(size_t n, std::string_view* out) {
    if (remaining() < n) return false;
    *out = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool String(std::string* out) {
    uint64_t n = 0;
    std::string_view v;
    if (!Varint(&n) || n > remaining() || !View(static_cast<size_t>(n), &v)) return false;
    out->assign(v);
    return true;
  }
  // A count of items of at least one byte each.
  bool Count(uint64_t* n) { return Varint(n) && *n <= remaining(); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

bool ReadAttributes(Reader& in, const NameTable& names, Attributes* out);

// Reads a value of `type` into `v`, clearing what `v` held before.
bool ReadValue(Reader& in, const NameTable& names, uint8_t type, AnyValue* v) {
  if (type > static_cast<uint8_t>(ValueType::kKvList)) return false;
  v->type = static_cast<ValueType>(type);
  v->bool_value = false;
  v->int_value = 0;
  v->double_value = 0;
  v->string_value.clear();
  v->array.clear();
  v->kvlist.clear();
  uint64_t n = 0;
  switch (v->type) {
    case ValueType::kEmpty: return true;
    case ValueType::kString:
    case ValueType::kBytes: return in.String(&v->string_value);
    case ValueType::kBool: {
      uint8_t b = 0;
      if (!in.Byte(&b) || b > 1) return false;
      v->bool_value = b != 0;
      return true;
    }
    case ValueType::kInt:
      if (!in.Varint(&n)) return false;
      v->int_value = UnZigZag(n);
      return true;
    case ValueType::kDouble:
      if (!in.Fixed64(&n)) return false;
      v->double_value = std::bit_cast<double>(n);
      return true;
    case ValueType::kArray:
      if (!in.Count(&n)) return false;
      v->array.resize(static_cast<size_t>(n));
      for (AnyValue& e : v->array) {
        uint8_t t = 0;
        if (!in.Byte(&t) || !ReadValue(in, names, t, &e)) return false;
      }
      return true;
    case ValueType::kKvList: return ReadAttributes(in, names, &v->kvlist.mut());
  }
  return false;
}

bool ReadAttributes(Reader& in, const NameTable& names, Attributes* out) {
  uint64_t n = 0;
  if (!in.Count(&n)) return false;
  out->resize(static_cast<size_t>(n));
  for (KeyValue& kv : *out) {
    uint64_t key_type = 0;
    if (!in.Varint(&key_type) || !names.Name(key_type >> 3, &kv.key) ||
        !ReadValue(in, names, static_cast<uint8_t>(key_type & 7), &kv.value)) {
      return false;
    }
  }
  return true;
}

// Steps over a value of `type`; arrays and maps are read into `scratch`.
bool SkipValue(Reader& in, const NameTable& names, uint8_t type, AnyValue* scratch) {
  uint64_t n = 0;
  std::string_view v;
  switch (static_cast<ValueType>(type)) {
    case ValueType::kEmpty: return true;
    case ValueType::kString:
    case ValueType::kBytes: return in.Varint(&n) && n <= in.remaining() && in.View(n, &v);
    case ValueType::kBool: return in.View(1, &v);
    case ValueType::kInt: return in.Varint(&n);
    case ValueType::kDouble: return in.View(8, &v);
    default: return ReadValue(in, names, type, scratch);
  }
}

}  // namespace

bool SpanAttributesHaveTag(const SpanHead& head, const NameTable& names, uint32_t key_id,
                           std::string_view value, AnyValue* scratch) {
  Reader in(head.body);
  uint64_t n = 0;
  if (!in.Count(&n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t key_type = 0;
    if (!in.Varint(&key_type)) return false;
    const auto type = static_cast<uint8_t>(key_type & 7);
    if ((key_type >> 3) != key_id) {
      if (!SkipValue(in, names, type, scratch)) return false;
      continue;
    }
    if (type == static_cast<uint8_t>(ValueType::kString)) {
      // Compared in place: the common case copies nothing.
      uint64_t size = 0;
      std::string_view v;
      if (!in.Varint(&size) || size > in.remaining() || !in.View(size, &v)) return false;
      if (v == value) return true;
      continue;
    }
    if (!ReadValue(in, names, type, scratch)) return false;
    if (ValueMatchesTag(*scratch, value)) return true;
  }
  return false;
}

bool NameTable::FindExact(std::string_view name, uint32_t* id) const {
  const size_t mask = slots_.size() - 1;
  const uint64_t h = reinterpret_cast<uintptr_t>(name.data()) * 0x9E3779B97F4A7C15ULL;
  for (size_t i = static_cast<size_t>(h >> 32) & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.id == UINT32_MAX) return false;
    if (slot.data == name.data() && slot.size == name.size()) {
      *id = slot.id;
      return true;
    }
  }
}

bool NameTable::Find(std::string_view name, uint32_t* id) const {
  if (FindExact(name, id)) return true;
  // By content, without interning: `name` comes from a query, and interning
  // what searches ask for would grow the process's string table.
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) {
      *id = static_cast<uint32_t>(i);
      return true;
    }
  }
  return false;
}

uint32_t NameTable::Id(std::string_view name) {
  uint32_t id = 0;
  if (FindExact(name, &id)) return id;
  // Not this view: intern it (a view of another copy of the same text, or
  // the first sight of the name) and look up the interned view.
  name = Intern(name);
  if (FindExact(name, &id)) return id;
  if (2 * (names_.size() + 1) > slots_.size()) Grow();
  id = static_cast<uint32_t>(names_.size());
  names_.push_back(name);
  const size_t mask = slots_.size() - 1;
  const uint64_t h = reinterpret_cast<uintptr_t>(name.data()) * 0x9E3779B97F4A7C15ULL;
  size_t i = static_cast<size_t>(h >> 32) & mask;
  while (slots_[i].id != UINT32_MAX) i = (i + 1) & mask;
  slots_[i] = {name.data(), name.size(), id};
  return id;
}

void NameTable::Grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.id == UINT32_MAX) continue;
    const uint64_t h = reinterpret_cast<uintptr_t>(s.data) * 0x9E3779B97F4A7C15ULL;
    size_t i = static_cast<size_t>(h >> 32) & mask;
    while (slots_[i].id != UINT32_MAX) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

// span := source:varint name:varint flags:u8 [kind:u8 code:u8] span_id:8
//         [parent:8] start-base:zigzag end-start:zigzag body_len:varint body
// body := attributes
//         [n:varint (time-start:zigzag name:varint attributes dropped:varint)*n]
//         [trace_state:string flags:varint dropped_attributes:varint
//          dropped_events:varint dropped_links:varint status_message:string
//          n:varint (trace_id:16 span_id:8 trace_state:string attributes
//                    dropped:varint flags:varint)*n]
uint32_t EncodeSpan(const Span& s, uint32_t source, uint64_t base_ns, NameTable& names,
                    std::string* out) {
  PutVarint(*out, source);
  const uint32_t name_id = names.Id(s.name);
  PutVarint(*out, name_id);
  const auto kind = static_cast<uint8_t>(s.kind);
  const auto code = static_cast<uint8_t>(s.status.code);
  const bool escape = kind >= kKindEscape || code >= kCodeEscape;
  const bool rare = !s.trace_state.empty() || s.flags != 0 || s.dropped_attributes_count != 0 ||
                    s.dropped_events_count != 0 || s.dropped_links_count != 0 ||
                    !s.status.message.empty() || !s.links.empty();
  uint8_t flags = (s.parent_span_id.value != 0 ? kHasParent : 0) |
                  (s.events.empty() ? 0 : kHasEvents) | (rare ? kHasRare : 0);
  flags |= static_cast<uint8_t>((escape ? kKindEscape : kind) << 3);
  flags |= static_cast<uint8_t>((escape ? kCodeEscape : code) << 6);
  out->push_back(static_cast<char>(flags));
  if (escape) {
    out->push_back(static_cast<char>(kind));
    out->push_back(static_cast<char>(code));
  }
  PutFixed64(*out, s.span_id.value);
  if (s.parent_span_id.value != 0) PutFixed64(*out, s.parent_span_id.value);
  PutVarint(*out, ZigZag(static_cast<int64_t>(s.start_time_ns - base_ns)));
  PutVarint(*out, ZigZag(static_cast<int64_t>(s.end_time_ns - s.start_time_ns)));

  // The body goes after a placeholder of one length byte, moved when longer.
  const size_t len_at = out->size();
  out->push_back(0);
  const size_t body_at = out->size();
  PutAttributes(out, s.attributes, names);
  if (!s.events.empty()) {
    PutVarint(*out, s.events.size());
    for (const Event& e : s.events) {
      PutVarint(*out, ZigZag(static_cast<int64_t>(e.time_ns - s.start_time_ns)));
      PutVarint(*out, names.Id(e.name));
      PutAttributes(out, e.attributes, names);
      PutVarint(*out, e.dropped_attributes_count);
    }
  }
  if (rare) {
    PutString(out, s.trace_state);
    PutVarint(*out, s.flags);
    PutVarint(*out, s.dropped_attributes_count);
    PutVarint(*out, s.dropped_events_count);
    PutVarint(*out, s.dropped_links_count);
    PutString(out, s.status.message);
    PutVarint(*out, s.links.size());
    for (const Link& l : s.links) {
      PutFixed64(*out, l.trace_id.high);
      PutFixed64(*out, l.trace_id.low);
      PutFixed64(*out, l.span_id.value);
      PutString(out, l.trace_state);
      PutAttributes(out, l.attributes, names);
      PutVarint(*out, l.dropped_attributes_count);
      PutVarint(*out, l.flags);
    }
  }
  const size_t body_len = out->size() - body_at;
  if (body_len < 0x80) {
    (*out)[len_at] = static_cast<char>(body_len);
    return name_id;
  }
  std::string len;
  PutVarint(len, body_len);
  (*out)[len_at] = len[0];
  out->insert(body_at, len, 1, std::string::npos);
  return name_id;
}

bool EncodedSpanReader::Next(SpanHead* h) {
  Reader in(bytes_.substr(pos_));
  uint64_t name = 0, start = 0, duration = 0, body_len = 0;
  uint8_t flags = 0;
  if (!in.U32(&h->source) || !in.Varint(&name) || name > UINT32_MAX || !in.Byte(&flags)) {
    return false;
  }
  h->name_id = static_cast<uint32_t>(name);
  uint8_t kind = (flags >> 3) & 7, code = flags >> 6;
  if (kind == kKindEscape && code == kCodeEscape) {
    if (!in.Byte(&kind) || !in.Byte(&code)) return false;
  }
  h->kind = static_cast<SpanKind>(kind);
  h->status_code = static_cast<SpanStatusCode>(code);
  h->has_events = (flags & kHasEvents) != 0;
  h->has_rare = (flags & kHasRare) != 0;
  h->parent_span_id = SpanId{0};
  if (!in.Fixed64(&h->span_id.value) ||
      ((flags & kHasParent) != 0 && !in.Fixed64(&h->parent_span_id.value)) || !in.Varint(&start) ||
      !in.Varint(&duration) || !in.Varint(&body_len) || body_len > in.remaining() ||
      !in.View(static_cast<size_t>(body_len), &h->body)) {
    return false;
  }
  h->start_time_ns = base_ns_ + static_cast<uint64_t>(UnZigZag(start));
  h->end_time_ns = h->start_time_ns + static_cast<uint64_t>(UnZigZag(duration));
  pos_ += in.position();
  return true;
}

bool DecodeSpan(const SpanHead& h, const NameTable& names, Span* s) {
  s->span_id = h.span_id;
  s->parent_span_id = h.parent_span_id;
  if (!names.Name(h.name_id, &s->name)) return false;
  s->kind = h.kind;
  s->status.code = h.status_code;
  s->start_time_ns = h.start_time_ns;
  s->end_time_ns = h.end_time_ns;
  Reader in(h.body);
  if (!ReadAttributes(in, names, &s->attributes)) return false;
  s->events.clear();
  if (h.has_events) {
    uint64_t n = 0;
    if (!in.Count(&n)) return false;
    s->events.resize(static_cast<size_t>(n));
    for (Event& e : s->events) {
      uint64_t time = 0, name = 0;
      if (!in.Varint(&time) || !in.Varint(&name) || !names.Name(name, &e.name) ||
          !ReadAttributes(in, names, &e.attributes) || !in.U32(&e.dropped_attributes_count)) {
        return false;
      }
      e.time_ns = s->start_time_ns + static_cast<uint64_t>(UnZigZag(time));
    }
  }
  s->trace_state.clear();
  s->flags = 0;
  s->dropped_attributes_count = 0;
  s->dropped_events_count = 0;
  s->dropped_links_count = 0;
  s->status.message.clear();
  s->links.clear();
  if (h.has_rare) {
    uint64_t n = 0;
    if (!in.String(&s->trace_state) || !in.U32(&s->flags) ||
        !in.U32(&s->dropped_attributes_count) || !in.U32(&s->dropped_events_count) ||
        !in.U32(&s->dropped_links_count) || !in.String(&s->status.message) || !in.Count(&n)) {
      return false;
    }
    s->links.resize(static_cast<size_t>(n));
    for (Link& l : s->links) {
      if (!in.Fixed64(&l.trace_id.high) || !in.Fixed64(&l.trace_id.low) ||
          !in.Fixed64(&l.span_id.value) || !in.String(&l.trace_state) ||
          !ReadAttributes(in, names, &l.attributes) || !in.U32(&l.dropped_attributes_count) ||
          !in.U32(&l.flags)) {
        return false;
      }
    }
  }
  return in.remaining() == 0;
}

}  // namespace spoor
