// Decoding of attribute values for the block decoder: the nested value
// encoding (arrays, kvlists, resource and scope attributes) and the
// attribute columns of a group. Internal to the codec; layouts in
// docs/storage-embedded.md. Not thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/attribute.h"
#include "storage/embedded/block_columns.h"

namespace spoor::block_internal {

using Column = std::vector<uint64_t>;

inline Status Corrupt(const char* what) {
  return InvalidArgument(std::string("corrupt block: ") + what);
}

inline bool AllBelow(const Column& c, uint64_t limit) {
  return std::all_of(c.begin(), c.end(), [limit](uint64_t v) { return v < limit; });
}

// Sum of `c`, false on overflow.
inline bool Sum(const Column& c, uint64_t* sum) {
  *sum = 0;
  for (uint64_t v : c) {
    if (__builtin_add_overflow(*sum, v, sum)) return false;
  }
  return true;
}

#define SPOOR_BLOCK_RETURN_IF_ERROR(expr) \
  do {                                    \
    if (Status s_ = (expr); !s_.ok()) {   \
      return s_;                          \
    }                                     \
  } while (false)

// A block's two string dictionaries; index 0 is "".
struct Dictionaries {
  std::vector<std::string_view> names;   // interned
  std::vector<std::string_view> values;  // into the block or a reader's buffers
};

// Reads the nested value encoding from `data`. Functions return false on
// malformed input; a null output skips the value.
class ValueParser {
 public:
  ValueParser(const Dictionaries& d, std::string_view data) : d_(d), in_(data) {}

  [[nodiscard]] size_t remaining() const { return in_.remaining(); }
  [[nodiscard]] bool Varint(uint64_t* v) { return in_.Varint(v); }
  // A name id, resolved.
  [[nodiscard]] bool Name(std::string_view* out) { return Lookup(d_.names, out); }
  // A value id, resolved.
  [[nodiscard]] bool String(std::string_view* out) { return Lookup(d_.values, out); }

  // `depth` counts the levels above (1 for an attribute's value).
  [[nodiscard]] bool Payload(ValueType type, AnyValue* out, int depth);
  [[nodiscard]] bool Value(AnyValue* out, int depth);
  [[nodiscard]] bool Attributes(spoor::Attributes* out, int depth);

 private:
  bool Lookup(const std::vector<std::string_view>& dict, std::string_view* out) {
    uint64_t id = 0;
    if (!in_.Varint(&id) || id >= dict.size()) return false;
    *out = dict[id];
    return true;
  }

  const Dictionaries& d_;
  ByteReader in_;
};

// A tag condition ("key=value", matched as SpanHasTag does) in the ids of
// one block.
struct TagIds {
  uint64_t key = 0;                      // name id
  std::optional<uint64_t> string_value;  // value id, when the value is in the dictionary
  std::optional<int64_t> int_value;      // when the value is the string form of an integer
  int bool_value = -1;                   // 1 for "true", 0 for "false", else -1
};

// The attribute columns of one kind of owner (spans, events or links) in a
// group, read owner by owner.
class AttrReader {
 public:
  // Reads and validates the columns for `owners` owners. `r` and `d` must
  // outlive the reader.
  [[nodiscard]] Status Load(ColumnReader& r, ByteReader& in, uint64_t owners,
                            const Dictionaries& d);
  // Reads (or with a null `out`, skips) the attributes of the next owner.
  [[nodiscard]] bool Next(spoor::Attributes* out);
  // Sets (*hits)[o] for every owner o with an attribute that may hold `tag`:
  // string, int and bool values are compared, doubles, bytes and nested
  // values count as maybe. Independent of the reading position.
  void MarkMayHave(const TagIds& tag, std::vector<uint8_t>* hits) const;
  // Whether the nested values were all consumed.
  [[nodiscard]] bool Done() const { return nested_->remaining() == 0; }

 private:
  Column count_, type_, key_, str_, ints_, dbls_, bools_;
  std::optional<ValueParser> nested_;
  const Dictionaries* d_ = nullptr;
  size_t owner_ = 0, attr_ = 0, str_pos_ = 0, int_pos_ = 0, dbl_pos_ = 0, bool_pos_ = 0;
};

}  // namespace spoor::block_internal
