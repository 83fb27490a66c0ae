// The block decoder. Every count read from the block is checked against the
// bytes that back it before anything is allocated for it.
#include <algorithm>
#include <bit>
#include <charconv>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "model/string_table.h"
#include "storage/embedded/block_codec.h"
#include "storage/embedded/block_codec_values.h"
#include "storage/embedded/block_columns.h"
#include "storage/embedded/block_format.h"
#include "storage/span_match.h"

namespace spoor {
namespace {

using block_internal::AllBelow;
using block_internal::AttrReader;
using block_internal::ByteReader;
using block_internal::Column;
using block_internal::ColumnReader;
using block_internal::Corrupt;
using block_internal::Dictionaries;
using block_internal::LoadFixed64;
using block_internal::Sum;
using block_internal::TagIds;
using block_internal::ToSigned;
using block_internal::UnZigZag;
using block_internal::ValueParser;

constexpr uint64_t kAny = ColumnReader::kAnyCount;
constexpr uint64_t kMaxU32 = std::numeric_limits<uint32_t>::max();

struct Section {
  std::string_view payload;
  uint32_t crc = 0;
};

class BlockDecoder {
 public:
  Status Open(std::string_view block);
  [[nodiscard]] size_t group_count() const { return groups_.size(); }
  [[nodiscard]] size_t trace_count() const { return trace_hi_.size(); }
  // The block's span count, capped by what its size could hold (every span
  // has 8 bytes of ID): safe to reserve.
  [[nodiscard]] size_t span_count_hint() const { return span_count_hint_; }
  // Trace index of `id` in the block, or -1.
  [[nodiscard]] int64_t FindTrace(const TraceId& id) const;
  [[nodiscard]] size_t GroupOfTrace(size_t trace) const {
    return static_cast<size_t>(std::upper_bound(group_first_.begin(), group_first_.end(), trace) -
                               group_first_.begin()) -
           1;
  }
  // Decodes group `g`, keeping the traces for which `wanted` (by block trace
  // index; null = all) is set, and of those, with a tag filter set, only
  // the traces with a span that may carry every tag of the filter.
  Status DecodeGroup(size_t g, const std::vector<bool>* wanted, std::vector<SpanRecord>* out,
                     SpanDetail detail = SpanDetail::kWhole);

  // Sets the tag filter of DecodeGroup. False when no span of the block can
  // carry every tag (a tag key that no attribute of the block has).
  [[nodiscard]] bool SetTagFilter(const std::vector<std::pair<std::string, std::string>>& tags);

 private:
  // A filter tag on attributes, with its matches among the block's
  // resources and scopes.
  struct FilterTag {
    TagIds ids;
    std::vector<uint8_t> resource_hit, scope_hit;  // by resource / scope index
  };
  // Marks in `*wanted` the traces of group `first_trace`.. with a span that
  // may carry every filter tag.
  void FilterTraces(size_t first_trace, size_t end_trace, const Column& resource,
                    const Column& scope, const Column& event_count, const Column& link_count,
                    const AttrReader& attrs, const AttrReader& event_attrs,
                    const AttrReader& link_attrs, std::vector<bool>* wanted) const;

  Status ReadDictionary(ByteReader& in, bool intern, std::vector<std::string_view>* out);
  Status ReadResources(ByteReader& in);

  ColumnReader reader_;        // the header's streams, kept to the end
  ColumnReader group_reader_;  // one group's streams at a time
  Dictionaries dict_;
  std::vector<std::shared_ptr<const Resource>> resources_{nullptr};
  std::vector<std::shared_ptr<const Scope>> scopes_{nullptr};
  Column trace_hi_, trace_lo_, trace_spans_, group_traces_;
  std::vector<size_t> group_first_;       // first trace of each group
  std::vector<size_t> trace_first_span_;  // one per trace plus the end
  uint64_t min_start_ = 0;
  size_t span_count_hint_ = 0;
  std::vector<Section> groups_;
  std::optional<std::vector<FilterTag>> filter_;
};

// Sum of a column already checked not to overflow.
size_t ColumnSum(const Column& c) {
  uint64_t sum = 0;
  for (uint64_t v : c) sum += v;
  return static_cast<size_t>(sum);
}

std::optional<int64_t> ParseCanonicalInt(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || std::to_string(v) != s)
    return std::nullopt;
  return v;
}

bool BlockDecoder::SetTagFilter(const std::vector<std::pair<std::string, std::string>>& tags) {
  filter_.emplace();
  for (const auto& [key, value] : tags) {
    // Derived tags (span.kind, error, ...) are left to the caller's match.
    if (IsDerivedTagKey(key)) continue;
    FilterTag& f = filter_->emplace_back();
    auto k = std::find(dict_.names.begin(), dict_.names.end(), key);
    if (k == dict_.names.end()) return false;
    f.ids.key = static_cast<uint64_t>(k - dict_.names.begin());
    auto v = std::find(dict_.values.begin(), dict_.values.end(), value);
    if (v != dict_.values.end())
      f.ids.string_value = static_cast<uint64_t>(v - dict_.values.begin());
    f.ids.int_value = ParseCanonicalInt(value);
    f.ids.bool_value = value == "true" ? 1 : value == "false" ? 0 : -1;
    f.resource_hit.assign(resources_.size(), 0);
    for (size_t i = 1; i < resources_.size(); ++i)
      f.resource_hit[i] = AttributesHaveTag(resources_[i]->attributes, key, value);
    f.scope_hit.assign(scopes_.size(), 0);
    for (size_t i = 1; i < scopes_.size(); ++i)
      f.scope_hit[i] = AttributesHaveTag(scopes_[i]->attributes, key, value);
  }
  return true;
}

void BlockDecoder::FilterTraces(size_t first_trace, size_t end_trace, const Column& resource,
                                const Column& scope, const Column& event_count,
                                const Column& link_count, const AttrReader& attrs,
                                const AttrReader& event_attrs, const AttrReader& link_attrs,
                                std::vector<bool>* wanted) const {
  const size_t n = resource.size();
  std::vector<uint8_t> candidate(n, 1), span_hit, event_hit, link_hit;
  for (const FilterTag& f : *filter_) {
    span_hit.assign(n, 0);
    attrs.MarkMayHave(f.ids, &span_hit);
    event_hit.assign(ColumnSum(event_count), 0);
    event_attrs.MarkMayHave(f.ids, &event_hit);
    link_hit.assign(ColumnSum(link_count), 0);
    link_attrs.MarkMayHave(f.ids, &link_hit);
    size_t ev = 0, lk = 0;
    for (size_t i = 0; i < n; ++i) {
      bool hit = span_hit[i] || f.resource_hit[resource[i]] || f.scope_hit[scope[i]];
      for (uint64_t e = 0; e < event_count[i]; ++e) hit |= event_hit[ev++] != 0;
      for (uint64_t l = 0; l < link_count[i]; ++l) hit |= link_hit[lk++] != 0;
      if (!hit) candidate[i] = 0;
    }
  }
  for (size_t t = first_trace, i = 0; t < end_trace; ++t) {
    bool any = false;
    for (uint64_t k = 0; k < trace_spans_[t]; ++k, ++i) any |= candidate[i] != 0;
    (*wanted)[t] = any && (*wanted)[t];
  }
}

Status BlockDecoder::ReadDictionary(ByteReader& in, bool intern,
                                    std::vector<std::string_view>* out) {
  Column lengths;
  std::string_view bytes;
  SPOOR_BLOCK_RETURN_IF_ERROR(reader_.Read(in, kAny, &lengths));
  SPOOR_BLOCK_RETURN_IF_ERROR(reader_.ReadStream(in, &bytes));
  uint64_t total = 0;
  if (!Sum(lengths, &total) || total != bytes.size()) return Corrupt("dictionary length");
  out->reserve(lengths.size() + 1);
  out->push_back(intern ? Intern("") : std::string_view());
  size_t pos = 0;
  for (uint64_t len : lengths) {
    std::string_view s = bytes.substr(pos, static_cast<size_t>(len));
    out->push_back(intern ? Intern(s) : s);
    pos += static_cast<size_t>(len);
  }
  return Status::Ok();
}

Status BlockDecoder::ReadResources(ByteReader& in) {
  uint64_t count = 0, dropped = 0;
  std::string_view data, s;
  // Resources take at least 3 bytes each, scopes 5.
  if (!in.Varint(&count)) return Corrupt("truncated header");
  SPOOR_BLOCK_RETURN_IF_ERROR(reader_.ReadStream(in, &data));
  if (count > data.size() / 3) return Corrupt("resource count");
  ValueParser p(dict_, data);
  for (uint64_t i = 0; i < count; ++i) {
    auto r = std::make_shared<Resource>();
    if (!p.Attributes(&r->attributes, 1) || !p.Varint(&dropped) || dropped > kMaxU32 ||
        !p.String(&s)) {
      return Corrupt("resource");
    }
    r->dropped_attributes_count = static_cast<uint32_t>(dropped);
    r->schema_url.assign(s);
    r->ResolveServiceName();
    resources_.push_back(std::move(r));
  }
  if (p.remaining() != 0) return Corrupt("resource table");

  if (!in.Varint(&count)) return Corrupt("truncated header");
  SPOOR_BLOCK_RETURN_IF_ERROR(reader_.ReadStream(in, &data));
  if (count > data.size() / 5) return Corrupt("scope count");
  ValueParser q(dict_, data);
  for (uint64_t i = 0; i < count; ++i) {
    auto sc = std::make_shared<Scope>();
    if (!q.Name(&sc->name) || !q.Name(&sc->version) || !q.Attributes(&sc->attributes, 1) ||
        !q.Varint(&dropped) || dropped > kMaxU32 || !q.String(&s)) {
      return Corrupt("scope");
    }
    sc->dropped_attributes_count = static_cast<uint32_t>(dropped);
    sc->schema_url.assign(s);
    scopes_.push_back(std::move(sc));
  }
  if (q.remaining() != 0) return Corrupt("scope table");
  return Status::Ok();
}

Status BlockDecoder::Open(std::string_view block) {
  ByteReader in(block);
  uint8_t version = 0;
  if (!in.Byte(&version)) return Corrupt("empty input");
  if (version != block_internal::kBlockVersion) {
    return InvalidArgument("unsupported block version " + std::to_string(version));
  }
  Section header;
  if (!block_internal::ReadSection(in, &header.payload, &header.crc)) {
    return Corrupt("truncated header");
  }
  if (block_internal::Crc32(header.payload) != header.crc) return Corrupt("header checksum");
  ByteReader h(header.payload);
  uint64_t span_count = 0, trace_count = 0, group_count = 0;
  if (!h.Varint(&span_count) || !h.Varint(&trace_count) || !h.Varint(&group_count) ||
      !h.Varint(&min_start_)) {
    return Corrupt("truncated header");
  }
  SPOOR_BLOCK_RETURN_IF_ERROR(ReadDictionary(h, true, &dict_.names));
  SPOOR_BLOCK_RETURN_IF_ERROR(ReadDictionary(h, false, &dict_.values));
  SPOOR_BLOCK_RETURN_IF_ERROR(ReadResources(h));
  SPOOR_BLOCK_RETURN_IF_ERROR(reader_.Read(h, kAny, &trace_hi_));
  if (trace_hi_.size() != trace_count) return Corrupt("trace count");
  SPOOR_BLOCK_RETURN_IF_ERROR(reader_.Read(h, trace_count, &trace_lo_));
  SPOOR_BLOCK_RETURN_IF_ERROR(reader_.Read(h, trace_count, &trace_spans_));
  SPOOR_BLOCK_RETURN_IF_ERROR(reader_.Read(h, kAny, &group_traces_));
  if (group_traces_.size() != group_count || h.remaining() != 0) return Corrupt("header");
  for (size_t t = 1; t < trace_count; ++t) {
    if (TraceId{trace_hi_[t - 1], trace_lo_[t - 1]} >= TraceId{trace_hi_[t], trace_lo_[t]}) {
      return Corrupt("trace order");
    }
  }
  uint64_t total = 0;
  if (!Sum(trace_spans_, &total) || total != span_count ||
      std::find(trace_spans_.begin(), trace_spans_.end(), 0) != trace_spans_.end()) {
    return Corrupt("trace span counts");
  }
  if (!Sum(group_traces_, &total) || total != trace_count ||
      std::find(group_traces_.begin(), group_traces_.end(), 0) != group_traces_.end()) {
    return Corrupt("group trace counts");
  }
  trace_first_span_.reserve(trace_count + 1);
  size_t first = 0;
  for (uint64_t n : trace_spans_) {
    trace_first_span_.push_back(first);
    first += static_cast<size_t>(n);
  }
  trace_first_span_.push_back(first);
  group_first_.reserve(group_count);
  groups_.reserve(group_count);
  first = 0;
  for (uint64_t n : group_traces_) {
    group_first_.push_back(first);
    first += static_cast<size_t>(n);
    Section& s = groups_.emplace_back();
    if (!block_internal::ReadSection(in, &s.payload, &s.crc)) return Corrupt("truncated group");
  }
  if (in.remaining() != 0) return Corrupt("trailing bytes");
  span_count_hint_ = static_cast<size_t>(std::min<uint64_t>(span_count, block.size() / 8));
  return Status::Ok();
}

int64_t BlockDecoder::FindTrace(const TraceId& id) const {
  size_t lo = 0, hi = trace_hi_.size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    const TraceId m{trace_hi_[mid], trace_lo_[mid]};
    if (m == id) return static_cast<int64_t>(mid);
    if (m < id) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return -1;
}

Status BlockDecoder::DecodeGroup(size_t g, const std::vector<bool>* wanted,
                                 std::vector<SpanRecord>* out, SpanDetail detail) {
  const bool whole = detail == SpanDetail::kWhole;
  const Section& sec = groups_[g];
  if (block_internal::Crc32(sec.payload) != sec.crc) return Corrupt("group checksum");
  ByteReader in(sec.payload);
  const size_t first_trace = group_first_[g];
  const uint64_t traces = group_traces_[g];
  uint64_t n_traces = 0, n = 0;
  if (!in.Varint(&n_traces) || !in.Varint(&n) || n_traces != traces) return Corrupt("group");
  const size_t end_trace = first_trace + static_cast<size_t>(traces);
  if (n != trace_first_span_[end_trace] - trace_first_span_[first_trace]) {
    return Corrupt("group span count");
  }

  ColumnReader& r = group_reader_;
  r.Clear();
  Column trace_start;
  std::string_view span_ids, parent_raw;
  SPOOR_BLOCK_RETURN_IF_ERROR(r.Read(in, traces, &trace_start));
  SPOOR_BLOCK_RETURN_IF_ERROR(r.ReadStream(in, &span_ids));
  if (span_ids.size() / 8 != n || span_ids.size() % 8 != 0) return Corrupt("span ids");
  // From here on, `n` is backed by the span IDs.
  Column parent, trace_state, flags, name, kind, start, duration, resource, scope, status_code,
      status_message, dropped_attrs, dropped_events, dropped_links;
  SPOOR_BLOCK_RETURN_IF_ERROR(r.Read(in, n, &parent));
  SPOOR_BLOCK_RETURN_IF_ERROR(r.ReadStream(in, &parent_raw));
  for (Column* c :
       {&trace_state, &flags, &name, &kind, &start, &duration, &resource, &scope, &status_code,
        &status_message, &dropped_attrs, &dropped_events, &dropped_links}) {
    SPOOR_BLOCK_RETURN_IF_ERROR(r.Read(in, n, c));
  }
  if (!AllBelow(trace_state, dict_.values.size()) || !AllBelow(flags, kMaxU32 + 1) ||
      !AllBelow(name, dict_.names.size()) || !AllBelow(kind, 256) ||
      !AllBelow(resource, resources_.size()) || !AllBelow(scope, scopes_.size()) ||
      !AllBelow(status_code, 256) || !AllBelow(status_message, dict_.values.size()) ||
      !AllBelow(dropped_attrs, kMaxU32 + 1) || !AllBelow(dropped_events, kMaxU32 + 1) ||
      !AllBelow(dropped_links, kMaxU32 + 1)) {
    return Corrupt("span column value");
  }
  // Parent references must stay within their trace.
  uint64_t raw_parents = 0;
  for (size_t t = first_trace, i = 0; t < end_trace; ++t) {
    const auto count = static_cast<int64_t>(trace_spans_[t]);
    for (int64_t k = 0; k < count; ++k, ++i) {
      if (parent[i] == block_internal::kParentRaw) ++raw_parents;
      if (parent[i] < block_internal::kParentLocal) continue;
      int64_t j = 0;
      if (__builtin_sub_overflow(k, UnZigZag(parent[i] - block_internal::kParentLocal), &j) ||
          j < 0 || j >= count) {
        return Corrupt("parent reference");
      }
    }
  }
  if (parent_raw.size() / 8 != raw_parents || parent_raw.size() % 8 != 0) {
    return Corrupt("parent ids");
  }

  AttrReader attrs, event_attrs, link_attrs;
  SPOOR_BLOCK_RETURN_IF_ERROR(attrs.Load(r, in, n, dict_));
  Column event_count, event_name, event_time, event_dropped;
  SPOOR_BLOCK_RETURN_IF_ERROR(r.Read(in, n, &event_count));
  SPOOR_BLOCK_RETURN_IF_ERROR(r.Read(in, kAny, &event_name));
  uint64_t events = 0;
  if (!Sum(event_count, &events) || events != event_name.size()) return Corrupt("event count");
  SPOOR_BLOCK_RETURN_IF_ERROR(r.Read(in, events, &event_time));
  SPOOR_BLOCK_RETURN_IF_ERROR(r.Read(in, events, &event_dropped));
  if (!AllBelow(event_name, dict_.names.size()) || !AllBelow(event_dropped, kMaxU32 + 1)) {
    return Corrupt("event column value");
  }
  SPOOR_BLOCK_RETURN_IF_ERROR(event_attrs.Load(r, in, events, dict_));

  Column link_count, link_trace, link_state, link_flags, link_dropped;
  std::string_view link_span_ids, link_trace_raw;
  SPOOR_BLOCK_RETURN_IF_ERROR(r.Read(in, n, &link_count));
  SPOOR_BLOCK_RETURN_IF_ERROR(r.ReadStream(in, &link_span_ids));
  uint64_t links = 0;
  if (!Sum(link_count, &links) || link_span_ids.size() / 8 != links ||
      link_span_ids.size() % 8 != 0) {
    return Corrupt("link count");
  }
  SPOOR_BLOCK_RETURN_IF_ERROR(r.Read(in, links, &link_trace));
  SPOOR_BLOCK_RETURN_IF_ERROR(r.ReadStream(in, &link_trace_raw));
  if (!AllBelow(link_trace, 2) ||
      link_trace_raw.size() / 16 !=
          static_cast<uint64_t>(
              std::count(link_trace.begin(), link_trace.end(), block_internal::kLinkOtherTrace)) ||
      link_trace_raw.size() % 16 != 0) {
    return Corrupt("link trace ids");
  }
  SPOOR_BLOCK_RETURN_IF_ERROR(r.Read(in, links, &link_state));
  SPOOR_BLOCK_RETURN_IF_ERROR(r.Read(in, links, &link_flags));
  SPOOR_BLOCK_RETURN_IF_ERROR(r.Read(in, links, &link_dropped));
  if (!AllBelow(link_state, dict_.values.size()) || !AllBelow(link_flags, kMaxU32 + 1) ||
      !AllBelow(link_dropped, kMaxU32 + 1)) {
    return Corrupt("link column value");
  }
  SPOOR_BLOCK_RETURN_IF_ERROR(link_attrs.Load(r, in, links, dict_));
  if (in.remaining() != 0) return Corrupt("group trailing bytes");

  std::vector<bool> filtered;
  if (filter_ && !filter_->empty()) {
    if (wanted != nullptr) {
      filtered = *wanted;
    } else {
      filtered.assign(trace_count(), true);
    }
    FilterTraces(first_trace, end_trace, resource, scope, event_count, link_count, attrs,
                 event_attrs, link_attrs, &filtered);
    wanted = &filtered;
  }
  // Nothing to keep: the spans need not be walked (nor their nested
  // values parsed; nothing of the group is returned).
  if (wanted != nullptr &&
      std::none_of(wanted->begin() + static_cast<ptrdiff_t>(first_trace),
                   wanted->begin() + static_cast<ptrdiff_t>(end_trace), [](bool w) { return w; })) {
    return Status::Ok();
  }

  size_t i = 0, ev = 0, lk = 0, raw_parent = 0, raw_link = 0;
  for (size_t t = first_trace; t < end_trace; ++t) {
    const bool keep = wanted == nullptr || (*wanted)[t];
    const TraceId trace_id{trace_hi_[t], trace_lo_[t]};
    const size_t trace_begin = i;
    uint64_t prev_start = min_start_ + trace_start[t - first_trace];
    for (uint64_t k = 0; k < trace_spans_[t]; ++k, ++i) {
      // The nested values of a span not kept, or not wanted, are walked
      // past (checked) without being built.
      auto skip_nested = [&]() {
        if (!attrs.Next(nullptr)) return false;
        for (uint64_t e = 0; e < event_count[i]; ++e, ++ev) {
          if (!event_attrs.Next(nullptr)) return false;
        }
        for (uint64_t l = 0; l < link_count[i]; ++l, ++lk) {
          if (link_trace[lk] == block_internal::kLinkOtherTrace) ++raw_link;
          if (!link_attrs.Next(nullptr)) return false;
        }
        return true;
      };
      if (!keep) {
        if (parent[i] == block_internal::kParentRaw) ++raw_parent;
        if (!skip_nested()) return Corrupt("nested value");
        continue;
      }
      SpanRecord& rec = out->emplace_back();
      rec.resource = resources_[resource[i]];
      rec.scope = scopes_[scope[i]];
      Span& s = rec.span;
      s.trace_id = trace_id;
      s.span_id.value = LoadFixed64(span_ids.data() + 8 * i);
      if (parent[i] == block_internal::kParentRaw) {
        s.parent_span_id.value = LoadFixed64(parent_raw.data() + 8 * raw_parent++);
      } else if (parent[i] >= block_internal::kParentLocal) {
        const int64_t d = UnZigZag(parent[i] - block_internal::kParentLocal);
        const size_t j = trace_begin + static_cast<size_t>(static_cast<int64_t>(k) - d);
        s.parent_span_id.value = LoadFixed64(span_ids.data() + 8 * j);
      }
      s.trace_state.assign(dict_.values[trace_state[i]]);
      s.flags = static_cast<uint32_t>(flags[i]);
      s.name = dict_.names[name[i]];
      s.kind = static_cast<SpanKind>(kind[i]);
      s.start_time_ns = prev_start + start[i];
      prev_start = s.start_time_ns;
      s.end_time_ns = s.start_time_ns + static_cast<uint64_t>(ToSigned(duration[i]));
      s.status.code = static_cast<SpanStatusCode>(status_code[i]);
      s.status.message.assign(dict_.values[status_message[i]]);
      s.dropped_attributes_count = static_cast<uint32_t>(dropped_attrs[i]);
      s.dropped_events_count = static_cast<uint32_t>(dropped_events[i]);
      s.dropped_links_count = static_cast<uint32_t>(dropped_links[i]);
      if (!whole) {
        if (!skip_nested()) return Corrupt("nested value");
        continue;
      }
      if (!attrs.Next(&s.attributes)) return Corrupt("attribute value");
      s.events.resize(static_cast<size_t>(event_count[i]));
      for (Event& e : s.events) {
        e.name = dict_.names[event_name[ev]];
        e.time_ns = s.start_time_ns + static_cast<uint64_t>(ToSigned(event_time[ev]));
        e.dropped_attributes_count = static_cast<uint32_t>(event_dropped[ev]);
        ++ev;
        if (!event_attrs.Next(&e.attributes)) return Corrupt("event attribute value");
      }
      s.links.resize(static_cast<size_t>(link_count[i]));
      for (Link& l : s.links) {
        l.span_id.value = LoadFixed64(link_span_ids.data() + 8 * lk);
        if (link_trace[lk] == block_internal::kLinkOtherTrace) {
          l.trace_id.high = LoadFixed64(link_trace_raw.data() + 16 * raw_link);
          l.trace_id.low = LoadFixed64(link_trace_raw.data() + 16 * raw_link + 8);
          ++raw_link;
        } else {
          l.trace_id = trace_id;
        }
        l.trace_state.assign(dict_.values[link_state[lk]]);
        l.flags = static_cast<uint32_t>(link_flags[lk]);
        l.dropped_attributes_count = static_cast<uint32_t>(link_dropped[lk]);
        ++lk;
        if (!link_attrs.Next(&l.attributes)) return Corrupt("link attribute value");
      }
    }
  }
  if (!attrs.Done() || !event_attrs.Done() || !link_attrs.Done()) {
    return Corrupt("nested value trailing bytes");
  }
  return Status::Ok();
}

Status AppendAll(std::vector<SpanRecord>&& spans, std::vector<SpanRecord>* out) {
  if (out->empty()) {
    out->swap(spans);
  } else {
    out->insert(out->end(), std::make_move_iterator(spans.begin()),
                std::make_move_iterator(spans.end()));
  }
  return Status::Ok();
}

}  // namespace

Status DecodeBlock(std::string_view block, std::vector<SpanRecord>* out, SpanDetail detail) {
  BlockDecoder d;
  SPOOR_BLOCK_RETURN_IF_ERROR(d.Open(block));
  std::vector<SpanRecord> spans;
  spans.reserve(d.span_count_hint());
  for (size_t g = 0; g < d.group_count(); ++g) {
    SPOOR_BLOCK_RETURN_IF_ERROR(d.DecodeGroup(g, nullptr, &spans, detail));
  }
  return AppendAll(std::move(spans), out);
}

Status DecodeBlockWithTags(std::string_view block,
                           const std::vector<std::pair<std::string, std::string>>& tags,
                           std::vector<SpanRecord>* out) {
  BlockDecoder d;
  SPOOR_BLOCK_RETURN_IF_ERROR(d.Open(block));
  if (!d.SetTagFilter(tags)) return Status::Ok();
  std::vector<SpanRecord> spans;
  for (size_t g = 0; g < d.group_count(); ++g) {
    SPOOR_BLOCK_RETURN_IF_ERROR(d.DecodeGroup(g, nullptr, &spans));
  }
  return AppendAll(std::move(spans), out);
}

Status DecodeBlockTraces(std::string_view block, const std::vector<TraceId>& ids,
                         std::vector<SpanRecord>* out, SpanDetail detail) {
  BlockDecoder d;
  SPOOR_BLOCK_RETURN_IF_ERROR(d.Open(block));
  std::vector<bool> wanted(d.trace_count());
  std::vector<size_t> groups;
  for (const TraceId& id : ids) {
    const int64_t t = d.FindTrace(id);
    if (t < 0) continue;
    wanted[static_cast<size_t>(t)] = true;
    groups.push_back(d.GroupOfTrace(static_cast<size_t>(t)));
  }
  std::sort(groups.begin(), groups.end());
  groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
  std::vector<SpanRecord> spans;
  for (size_t g : groups) SPOOR_BLOCK_RETURN_IF_ERROR(d.DecodeGroup(g, &wanted, &spans, detail));
  return AppendAll(std::move(spans), out);
}

}  // namespace spoor
