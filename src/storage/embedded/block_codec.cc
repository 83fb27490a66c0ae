// The block encoder. The decoder is in block_codec_decode.cc.
#include "storage/embedded/block_codec.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <unordered_map>

#include "storage/embedded/block_columns.h"
#include "storage/embedded/block_format.h"

namespace spoor {
namespace {

using block_internal::ColumnWriter;
using block_internal::FromSigned;
using block_internal::PutFixed64;
using block_internal::PutVarint;
using block_internal::ZigZag;

inline uint64_t Mix(uint64_t h) {
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ULL;
  h ^= h >> 32;
  return h;
}

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline uint64_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// 0 to 16 bytes as two words, from overlapping loads: equal words mean equal
// bytes for strings of one length.
inline void ShortWords(const char* p, size_t n, uint64_t* a, uint64_t* b) {
  if (n >= 8) {
    *a = Load64(p);
    *b = Load64(p + n - 8);
  } else if (n >= 4) {
    *a = Load32(p);
    *b = Load32(p + n - 4);
  } else {
    const auto byte = [p](size_t i) { return uint64_t{static_cast<unsigned char>(p[i])}; };
    *a = n == 0 ? 0 : byte(0) << 16 | byte(n >> 1) << 8 | byte(n - 1);
    *b = 0;
  }
}

constexpr uint64_t kK1 = 0x9E3779B97F4A7C15ULL, kK2 = 0xC2B2AE3D27D4EB4FULL;

inline uint64_t HashWords(uint64_t h, uint64_t a, uint64_t b) {
  return Mix(h ^ (a ^ kK2) * kK1 ^ std::rotl((b ^ kK1) * kK2, 29));
}

// Dense ids for strings, 0 being "". Interned names are told apart by
// address (equal views of one live string are equal strings); values by
// content. Views must outlive the table.
template <bool kByAddress>
class StringIds {
 public:
  StringIds() : entries_(1), slots_(1024, 0), mask_(1023) {}

  uint64_t Id(std::string_view s) {
    if (s.empty()) return 0;
    const Entry key = MakeKey(s);
    const uint64_t tag = key.hash >> 32;
    for (uint64_t i = key.hash & mask_;; i = (i + 1) & mask_) {
      const uint64_t slot = slots_[i];
      if (slot == 0) break;
      if ((slot >> 32) == tag && Same(entries_[slot & 0xffffffff], key)) return slot & 0xffffffff;
    }
    const uint64_t id = entries_.size();
    entries_.push_back(key);
    if (entries_.size() * 2 > slots_.size()) {
      slots_.assign(slots_.size() * 2, 0);
      mask_ = slots_.size() - 1;
      for (uint64_t e = 1; e < entries_.size(); ++e) Insert(entries_[e].hash, e);
    } else {
      Insert(key.hash, id);
    }
    return id;
  }

  [[nodiscard]] std::vector<std::string_view> strings() const {
    std::vector<std::string_view> out;
    out.reserve(entries_.size());
    for (const Entry& e : entries_) out.push_back(e.s);
    return out;
  }

 private:
  // By address: a and b are the view's pointer and length. By content: the
  // bytes as ShortWords gives them (strings of up to 16 bytes) or zeros.
  struct Entry {
    uint64_t a = 0, b = 0, hash = 0;
    std::string_view s;
  };

  static Entry MakeKey(std::string_view s) {
    Entry e;
    e.s = s;
    if constexpr (kByAddress) {
      e.a = reinterpret_cast<uintptr_t>(s.data());
      e.b = s.size();
      e.hash = Mix(e.a * 31 + e.b);
      return e;
    }
    const char* p = s.data();
    size_t n = s.size();
    uint64_t h = n * kK2;
    if (n <= 16) {
      ShortWords(p, n, &e.a, &e.b);
      e.hash = HashWords(h, e.a, e.b);
      return e;
    }
    for (; n > 16; p += 16, n -= 16) h = HashWords(h, Load64(p), Load64(p + 8));
    e.hash = HashWords(h, Load64(p + n - 16), Load64(p + n - 8));
    return e;
  }
  static bool Same(const Entry& e, const Entry& key) {
    if (e.a != key.a || e.b != key.b || e.s.size() != key.s.size()) return false;
    return kByAddress || key.s.size() <= 16 ||
           std::memcmp(e.s.data(), key.s.data(), key.s.size()) == 0;
  }
  void Insert(uint64_t hash, uint64_t id) {
    uint64_t i = hash & mask_;
    while (slots_[i] != 0) i = (i + 1) & mask_;
    slots_[i] = (hash >> 32) << 32 | id;
  }

  std::vector<Entry> entries_;
  std::vector<uint64_t> slots_;  // 0 = free, else (hash >> 32) << 32 | id
  uint64_t mask_;
};

// Attributes of one kind of owner (spans, events or links) as columns.
struct AttrColumns {
  std::vector<uint64_t> count;  // per owner
  std::vector<uint64_t> key, type;
  std::vector<uint64_t> str, ints, dbls, bools;  // by type, in order
  std::string nested;                            // arrays and kvlists
};

struct GroupColumns {
  // Empties every column, keeping the memory for the next group.
  void Clear() {
    for (std::string* s : {&span_ids, &parent_raw, &link_span_ids, &link_trace_raw}) s->clear();
    for (std::vector<uint64_t>* c :
         {&trace_start, &parent,         &trace_state,   &flags,          &name,
          &kind,        &start,          &duration,      &resource,       &scope,
          &status_code, &status_message, &dropped_attrs, &dropped_events, &dropped_links,
          &event_count, &event_name,     &event_time,    &event_dropped,  &link_count,
          &link_trace,  &link_state,     &link_flags,    &link_dropped}) {
      c->clear();
    }
    for (AttrColumns* a : {&attrs, &event_attrs, &link_attrs}) {
      for (std::vector<uint64_t>* c :
           {&a->count, &a->key, &a->type, &a->str, &a->ints, &a->dbls, &a->bools}) {
        c->clear();
      }
      a->nested.clear();
    }
  }

  std::vector<uint64_t> trace_start;
  std::string span_ids, parent_raw;
  std::vector<uint64_t> parent, trace_state, flags, name, kind, start, duration, resource, scope,
      status_code, status_message, dropped_attrs, dropped_events, dropped_links;
  AttrColumns attrs;
  std::vector<uint64_t> event_count, event_name, event_time, event_dropped;
  AttrColumns event_attrs;
  std::vector<uint64_t> link_count, link_trace, link_state, link_flags, link_dropped;
  std::string link_span_ids, link_trace_raw;
  AttrColumns link_attrs;
};

struct SortEntry {
  TraceId trace;
  uint64_t start;
  uint32_t index;
};

class BlockEncoder {
 public:
  BlockEncoder(SpanRefs spans, const BlockEncodeOptions& options,
               std::vector<std::string_view>* values_out)
      : spans_(spans), options_(options), writer_(options.zstd_level), values_out_(values_out) {}

  std::string Encode();

 private:
  void EncodeGroup(size_t first_trace, size_t end_trace, std::string& out);
  void AddSpan(const Span& span, size_t trace_begin, size_t trace_end, size_t i, GroupColumns& g);
  void AddAttributes(const Attributes& attrs, AttrColumns& c);
  void PutAttrColumns(const AttrColumns& c, std::string& out);
  void PutValue(const AnyValue& v, std::string& out);
  void PutPayload(const AnyValue& v, std::string& out);
  void PutNestedAttributes(const Attributes& attrs, std::string& out);
  void PutDictionary(const std::vector<std::string_view>& strings, std::string& out);
  uint64_t ResourceRef(const Resource* r);
  uint64_t ScopeRef(const Scope* s);

  SpanRefs spans_;
  BlockEncodeOptions options_;
  ColumnWriter writer_;
  std::vector<std::string_view>* values_out_;
  StringIds<true> names_;
  StringIds<false> values_;
  std::vector<SortEntry> order_;
  std::vector<size_t> trace_begin_;  // into order_, one per trace plus the end
  uint64_t min_start_ = 0;

  // Resources and scopes: by address, then by encoded content.
  std::unordered_map<const Resource*, uint64_t> resource_by_address_;
  std::unordered_map<const Scope*, uint64_t> scope_by_address_;
  const Resource* last_resource_ = nullptr;
  const Scope* last_scope_ = nullptr;
  uint64_t last_resource_ref_ = 0, last_scope_ref_ = 0;
  std::unordered_map<std::string, uint64_t> resource_by_content_, scope_by_content_;
  std::string resources_, scopes_;
  uint64_t resource_count_ = 0, scope_count_ = 0;
  std::string scratch_;

  std::vector<std::pair<uint64_t, uint32_t>> ids_in_trace_;
  std::vector<uint64_t> resource_ref_, scope_ref_;  // by input index
  GroupColumns group_;
};

std::string BlockEncoder::Encode() {
  order_.reserve(spans_.size());
  resource_ref_.reserve(spans_.size());
  scope_ref_.reserve(spans_.size());
  for (size_t i = 0; i < spans_.size(); ++i) {
    // In input order, consecutive spans mostly share their resource and scope.
    resource_ref_.push_back(ResourceRef(spans_[i]->resource.get()));
    scope_ref_.push_back(ScopeRef(spans_[i]->scope.get()));
    const Span& s = spans_[i]->span;
    order_.push_back({s.trace_id, s.start_time_ns, static_cast<uint32_t>(i)});
  }
  std::sort(order_.begin(), order_.end(), [](const SortEntry& a, const SortEntry& b) {
    if (a.trace != b.trace) return a.trace < b.trace;
    if (a.start != b.start) return a.start < b.start;
    return a.index < b.index;
  });
  min_start_ = order_.empty() ? 0 : order_[0].start;
  for (size_t i = 0; i < order_.size(); ++i) {
    if (i == 0 || order_[i].trace != order_[i - 1].trace) trace_begin_.push_back(i);
    min_start_ = std::min(min_start_, order_[i].start);
  }
  const size_t trace_count = trace_begin_.size();
  trace_begin_.push_back(order_.size());

  std::string groups;
  std::string section;
  std::vector<uint64_t> group_traces;
  for (size_t t = 0; t < trace_count;) {
    size_t end = t;
    const size_t limit = std::max<size_t>(options_.group_spans, 1);
    while (end < trace_count && trace_begin_[end] - trace_begin_[t] < limit) ++end;
    section.clear();
    EncodeGroup(t, end, section);
    block_internal::PutSection(groups, section);
    group_traces.push_back(end - t);
    t = end;
  }

  std::string header;
  PutVarint(header, spans_.size());
  PutVarint(header, trace_count);
  PutVarint(header, group_traces.size());
  PutVarint(header, min_start_);
  PutDictionary(names_.strings(), header);
  std::vector<std::string_view> values = values_.strings();
  PutDictionary(values, header);
  if (values_out_ != nullptr) *values_out_ = std::move(values);
  PutVarint(header, resource_count_);
  writer_.PutStream(header, resources_);
  PutVarint(header, scope_count_);
  writer_.PutStream(header, scopes_);
  std::vector<uint64_t> hi(trace_count), lo(trace_count), counts(trace_count);
  for (size_t t = 0; t < trace_count; ++t) {
    hi[t] = order_[trace_begin_[t]].trace.high;
    lo[t] = order_[trace_begin_[t]].trace.low;
    counts[t] = trace_begin_[t + 1] - trace_begin_[t];
  }
  writer_.PutColumn(header, hi, 8);
  writer_.PutColumn(header, lo, 8);
  writer_.PutColumn(header, counts);
  writer_.PutColumn(header, group_traces, 1);

  std::string out;
  out.reserve(1 + header.size() + 16 + groups.size());
  out.push_back(static_cast<char>(block_internal::kBlockVersion));
  block_internal::PutSection(out, header);
  out.append(groups);
  return out;
}

void BlockEncoder::PutDictionary(const std::vector<std::string_view>& strings, std::string& out) {
  std::vector<uint64_t> lengths;
  lengths.reserve(strings.size());
  scratch_.clear();
  for (size_t i = 1; i < strings.size(); ++i) {
    lengths.push_back(strings[i].size());
    scratch_.append(strings[i]);
  }
  writer_.PutColumn(out, lengths, 1);
  writer_.PutStream(out, scratch_);
}

void BlockEncoder::EncodeGroup(size_t first_trace, size_t end_trace, std::string& out) {
  GroupColumns& g = group_;
  g.Clear();
  const size_t span_count = trace_begin_[end_trace] - trace_begin_[first_trace];
  g.span_ids.reserve(span_count * 8);
  for (size_t t = first_trace; t < end_trace; ++t) {
    const size_t begin = trace_begin_[t], end = trace_begin_[t + 1];
    g.trace_start.push_back(order_[begin].start - min_start_);
    ids_in_trace_.clear();
    for (size_t i = begin; i < end; ++i) {
      // Sorted, the spans are visited out of memory order: fetch ahead.
      if (i + 4 < order_.size()) {
        const Span& ahead = spans_[order_[i + 4].index]->span;
        __builtin_prefetch(&ahead);
        __builtin_prefetch(&ahead.attributes);
      }
      if (i + 2 < order_.size()) {
        const Attributes& next = spans_[order_[i + 2].index]->span.attributes;
        for (size_t b = 0; b < next.size() * sizeof(KeyValue); b += 64) {
          __builtin_prefetch(reinterpret_cast<const char*>(next.data()) + b);
        }
      }
      const SpanRecord& rec = *spans_[order_[i].index];
      g.resource.push_back(resource_ref_[order_[i].index]);
      g.scope.push_back(scope_ref_[order_[i].index]);
      AddSpan(rec.span, begin, end, i, g);
    }
  }

  PutVarint(out, end_trace - first_trace);
  PutVarint(out, span_count);
  writer_.PutColumn(out, g.trace_start);
  writer_.PutStream(out, g.span_ids, /*compress=*/false);
  writer_.PutColumn(out, g.parent);
  writer_.PutStream(out, g.parent_raw, false);
  for (const auto* c :
       {&g.trace_state, &g.flags, &g.name, &g.kind, &g.start, &g.duration, &g.resource, &g.scope,
        &g.status_code, &g.status_message, &g.dropped_attrs, &g.dropped_events, &g.dropped_links}) {
    writer_.PutColumn(out, *c);
  }
  PutAttrColumns(g.attrs, out);
  writer_.PutColumn(out, g.event_count);
  writer_.PutColumn(out, g.event_name, 1);
  writer_.PutColumn(out, g.event_time);
  writer_.PutColumn(out, g.event_dropped);
  PutAttrColumns(g.event_attrs, out);
  writer_.PutColumn(out, g.link_count);
  writer_.PutStream(out, g.link_span_ids, false);
  writer_.PutColumn(out, g.link_trace);
  writer_.PutStream(out, g.link_trace_raw, false);
  writer_.PutColumn(out, g.link_state);
  writer_.PutColumn(out, g.link_flags);
  writer_.PutColumn(out, g.link_dropped);
  PutAttrColumns(g.link_attrs, out);
}

void BlockEncoder::AddSpan(const Span& s, size_t trace_begin, size_t trace_end, size_t i,
                           GroupColumns& g) {
  PutFixed64(g.span_ids, s.span_id.value);
  if (!s.parent_span_id.valid()) {
    g.parent.push_back(block_internal::kParentNone);
  } else {
    if (ids_in_trace_.empty()) {
      for (size_t j = trace_begin; j < trace_end; ++j) {
        ids_in_trace_.emplace_back(spans_[order_[j].index]->span.span_id.value,
                                   static_cast<uint32_t>(j - trace_begin));
      }
      std::sort(ids_in_trace_.begin(), ids_in_trace_.end());
    }
    auto it = std::lower_bound(ids_in_trace_.begin(), ids_in_trace_.end(),
                               std::pair<uint64_t, uint32_t>(s.parent_span_id.value, 0));
    if (it != ids_in_trace_.end() && it->first == s.parent_span_id.value) {
      const int64_t d = static_cast<int64_t>(i - trace_begin) - static_cast<int64_t>(it->second);
      g.parent.push_back(block_internal::kParentLocal + ZigZag(d));
    } else {
      g.parent.push_back(block_internal::kParentRaw);
      PutFixed64(g.parent_raw, s.parent_span_id.value);
    }
  }
  g.trace_state.push_back(values_.Id(s.trace_state));
  g.flags.push_back(s.flags);
  g.name.push_back(names_.Id(s.name));
  g.kind.push_back(static_cast<uint8_t>(s.kind));
  g.start.push_back(i == trace_begin ? 0 : s.start_time_ns - order_[i - 1].start);
  g.duration.push_back(FromSigned(static_cast<int64_t>(s.end_time_ns - s.start_time_ns)));
  g.status_code.push_back(static_cast<uint8_t>(s.status.code));
  g.status_message.push_back(values_.Id(s.status.message));
  g.dropped_attrs.push_back(s.dropped_attributes_count);
  g.dropped_events.push_back(s.dropped_events_count);
  g.dropped_links.push_back(s.dropped_links_count);
  AddAttributes(s.attributes, g.attrs);

  g.event_count.push_back(s.events.size());
  for (const Event& e : s.events) {
    g.event_name.push_back(names_.Id(e.name));
    g.event_time.push_back(FromSigned(static_cast<int64_t>(e.time_ns - s.start_time_ns)));
    g.event_dropped.push_back(e.dropped_attributes_count);
    AddAttributes(e.attributes, g.event_attrs);
  }
  g.link_count.push_back(s.links.size());
  for (const Link& l : s.links) {
    PutFixed64(g.link_span_ids, l.span_id.value);
    if (l.trace_id == s.trace_id) {
      g.link_trace.push_back(block_internal::kLinkSameTrace);
    } else {
      g.link_trace.push_back(block_internal::kLinkOtherTrace);
      PutFixed64(g.link_trace_raw, l.trace_id.high);
      PutFixed64(g.link_trace_raw, l.trace_id.low);
    }
    g.link_state.push_back(values_.Id(l.trace_state));
    g.link_flags.push_back(l.flags);
    g.link_dropped.push_back(l.dropped_attributes_count);
    AddAttributes(l.attributes, g.link_attrs);
  }
}

void BlockEncoder::AddAttributes(const Attributes& attrs, AttrColumns& c) {
  c.count.push_back(attrs.size());
  for (const KeyValue& kv : attrs) {
    c.key.push_back(names_.Id(kv.key));
    const AnyValue& v = kv.value;
    ValueType type = v.type;
    switch (v.type) {
      case ValueType::kString:
      case ValueType::kBytes: c.str.push_back(values_.Id(v.string_value)); break;
      case ValueType::kInt: c.ints.push_back(FromSigned(v.int_value)); break;
      case ValueType::kDouble: c.dbls.push_back(std::bit_cast<uint64_t>(v.double_value)); break;
      case ValueType::kBool: c.bools.push_back(v.bool_value ? 1 : 0); break;
      case ValueType::kArray:
      case ValueType::kKvList: PutPayload(v, c.nested); break;
      case ValueType::kEmpty: break;
      default: type = ValueType::kEmpty; break;
    }
    c.type.push_back(static_cast<uint8_t>(type));
  }
}

void BlockEncoder::PutAttrColumns(const AttrColumns& c, std::string& out) {
  writer_.PutColumn(out, c.count);
  writer_.PutColumn(out, c.type, 1);
  writer_.PutColumn(out, c.key);
  writer_.PutColumn(out, c.str);
  writer_.PutColumn(out, c.ints);
  writer_.PutColumn(out, c.dbls);
  writer_.PutColumn(out, c.bools);
  writer_.PutStream(out, c.nested);
}

void BlockEncoder::PutValue(const AnyValue& v, std::string& out) {
  const bool known = v.type <= ValueType::kKvList;
  out.push_back(static_cast<char>(known ? v.type : ValueType::kEmpty));
  if (known) PutPayload(v, out);
}

void BlockEncoder::PutPayload(const AnyValue& v, std::string& out) {
  switch (v.type) {
    case ValueType::kString:
    case ValueType::kBytes: PutVarint(out, values_.Id(v.string_value)); break;
    case ValueType::kInt: PutVarint(out, ZigZag(v.int_value)); break;
    case ValueType::kDouble: PutFixed64(out, std::bit_cast<uint64_t>(v.double_value)); break;
    case ValueType::kBool: out.push_back(v.bool_value ? 1 : 0); break;
    case ValueType::kArray:
      PutVarint(out, v.array.size());
      for (const AnyValue& e : v.array) PutValue(e, out);
      break;
    case ValueType::kKvList: PutNestedAttributes(v.kvlist, out); break;
    default: break;
  }
}

void BlockEncoder::PutNestedAttributes(const Attributes& attrs, std::string& out) {
  PutVarint(out, attrs.size());
  for (const KeyValue& kv : attrs) {
    PutVarint(out, names_.Id(kv.key));
    PutValue(kv.value, out);
  }
}

uint64_t BlockEncoder::ResourceRef(const Resource* r) {
  if (r == nullptr) return block_internal::kNullRef;
  if (r == last_resource_) return last_resource_ref_;
  last_resource_ = r;
  auto [it, added] = resource_by_address_.try_emplace(r, 0);
  if (!added) return last_resource_ref_ = it->second;
  std::string key;
  PutNestedAttributes(r->attributes, key);
  PutVarint(key, r->dropped_attributes_count);
  PutVarint(key, values_.Id(r->schema_url));
  auto [content, new_content] = resource_by_content_.try_emplace(key, resource_count_ + 1);
  if (new_content) {
    ++resource_count_;
    resources_.append(key);
  }
  return last_resource_ref_ = it->second = content->second;
}

uint64_t BlockEncoder::ScopeRef(const Scope* s) {
  if (s == nullptr) return block_internal::kNullRef;
  if (s == last_scope_) return last_scope_ref_;
  last_scope_ = s;
  auto [it, added] = scope_by_address_.try_emplace(s, 0);
  if (!added) return last_scope_ref_ = it->second;
  std::string key;
  PutVarint(key, names_.Id(s->name));
  PutVarint(key, names_.Id(s->version));
  PutNestedAttributes(s->attributes, key);
  PutVarint(key, s->dropped_attributes_count);
  PutVarint(key, values_.Id(s->schema_url));
  auto [content, new_content] = scope_by_content_.try_emplace(key, scope_count_ + 1);
  if (new_content) {
    ++scope_count_;
    scopes_.append(key);
  }
  return last_scope_ref_ = it->second = content->second;
}

}  // namespace

std::string EncodeBlock(SpanRefs spans, const BlockEncodeOptions& options,
                        std::vector<std::string_view>* values) {
  return BlockEncoder(spans, options, values).Encode();
}

std::string EncodeBlock(std::span<const SpanRecord> spans, const BlockEncodeOptions& options) {
  return EncodeBlock(SpanRefsOf(spans), options, nullptr);
}

}  // namespace spoor
