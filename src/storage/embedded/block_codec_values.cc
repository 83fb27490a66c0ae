#include "storage/embedded/block_codec_values.h"

#include <bit>

#include "storage/embedded/block_codec.h"
#include "storage/embedded/block_format.h"

namespace spoor::block_internal {

bool ValueParser::Payload(ValueType type, AnyValue* out, int depth) {
  if (depth > kMaxBlockValueDepth) return false;
  if (out != nullptr) out->type = type;
  uint64_t n = 0;
  std::string_view s;
  switch (type) {
    case ValueType::kEmpty: return true;
    case ValueType::kString:
    case ValueType::kBytes:
      if (!String(&s)) return false;
      if (out != nullptr) out->string_value.assign(s);
      return true;
    case ValueType::kInt:
      if (!in_.Varint(&n)) return false;
      if (out != nullptr) out->int_value = UnZigZag(n);
      return true;
    case ValueType::kDouble:
      if (!in_.Fixed64(&n)) return false;
      if (out != nullptr) out->double_value = std::bit_cast<double>(n);
      return true;
    case ValueType::kBool: {
      uint8_t b = 0;
      if (!in_.Byte(&b) || b > 1) return false;
      if (out != nullptr) out->bool_value = b != 0;
      return true;
    }
    case ValueType::kArray:
      // Every element takes at least its type byte.
      if (!in_.Varint(&n) || n > in_.remaining()) return false;
      if (out != nullptr) out->array.resize(static_cast<size_t>(n));
      for (uint64_t i = 0; i < n; ++i) {
        if (!Value(out != nullptr ? &out->array[i] : nullptr, depth + 1)) return false;
      }
      return true;
    case ValueType::kKvList:
      return Attributes(out != nullptr ? &out->kvlist.mut() : nullptr, depth + 1);
  }
  return false;
}

bool ValueParser::Value(AnyValue* out, int depth) {
  uint8_t type = 0;
  if (!in_.Byte(&type) || type > static_cast<uint8_t>(ValueType::kKvList)) return false;
  return Payload(static_cast<ValueType>(type), out, depth);
}

bool ValueParser::Attributes(spoor::Attributes* out, int depth) {
  uint64_t n = 0;
  // Every entry takes at least a key byte and a type byte.
  if (!in_.Varint(&n) || n > in_.remaining() / 2) return false;
  if (out != nullptr) out->resize(static_cast<size_t>(n));
  std::string_view key;
  for (uint64_t i = 0; i < n; ++i) {
    if (!Name(&key)) return false;
    KeyValue* kv = out != nullptr ? &(*out)[i] : nullptr;
    if (kv != nullptr) kv->key = key;
    if (!Value(kv != nullptr ? &kv->value : nullptr, depth)) return false;
  }
  return true;
}

Status AttrReader::Load(ColumnReader& r, ByteReader& in, uint64_t owners, const Dictionaries& d) {
  SPOOR_BLOCK_RETURN_IF_ERROR(r.Read(in, owners, &count_));
  SPOOR_BLOCK_RETURN_IF_ERROR(r.Read(in, ColumnReader::kAnyCount, &type_));
  uint64_t total = 0;
  if (!Sum(count_, &total) || total != type_.size()) return Corrupt("attribute count");
  uint64_t by_type[8] = {};
  for (uint64_t t : type_) {
    if (t > static_cast<uint64_t>(ValueType::kKvList)) return Corrupt("attribute type");
    ++by_type[t];
  }
  const auto n = [&](ValueType t) { return by_type[static_cast<int>(t)]; };
  SPOOR_BLOCK_RETURN_IF_ERROR(r.Read(in, total, &key_));
  SPOOR_BLOCK_RETURN_IF_ERROR(r.Read(in, n(ValueType::kString) + n(ValueType::kBytes), &str_));
  SPOOR_BLOCK_RETURN_IF_ERROR(r.Read(in, n(ValueType::kInt), &ints_));
  SPOOR_BLOCK_RETURN_IF_ERROR(r.Read(in, n(ValueType::kDouble), &dbls_));
  SPOOR_BLOCK_RETURN_IF_ERROR(r.Read(in, n(ValueType::kBool), &bools_));
  std::string_view nested;
  SPOOR_BLOCK_RETURN_IF_ERROR(r.ReadStream(in, &nested));
  if (!AllBelow(key_, d.names.size()) || !AllBelow(str_, d.values.size()) || !AllBelow(bools_, 2)) {
    return Corrupt("attribute value");
  }
  nested_.emplace(d, nested);
  d_ = &d;
  return Status::Ok();
}

bool AttrReader::Next(spoor::Attributes* out) {
  const uint64_t n = count_[owner_++];
  if (out != nullptr) out->resize(static_cast<size_t>(n));
  for (uint64_t a = 0; a < n; ++a, ++attr_) {
    const auto type = static_cast<ValueType>(type_[attr_]);
    if (out == nullptr) {
      switch (type) {
        case ValueType::kString:
        case ValueType::kBytes: ++str_pos_; break;
        case ValueType::kInt: ++int_pos_; break;
        case ValueType::kDouble: ++dbl_pos_; break;
        case ValueType::kBool: ++bool_pos_; break;
        case ValueType::kArray:
        case ValueType::kKvList:
          if (!nested_->Payload(type, nullptr, 1)) return false;
          break;
        case ValueType::kEmpty: break;
      }
      continue;
    }
    KeyValue& kv = (*out)[a];
    kv.key = d_->names[key_[attr_]];
    AnyValue& v = kv.value;
    v.type = type;
    switch (type) {
      case ValueType::kString:
      case ValueType::kBytes: v.string_value.assign(d_->values[str_[str_pos_++]]); break;
      case ValueType::kInt: v.int_value = ToSigned(ints_[int_pos_++]); break;
      case ValueType::kDouble: v.double_value = std::bit_cast<double>(dbls_[dbl_pos_++]); break;
      case ValueType::kBool: v.bool_value = bools_[bool_pos_++] != 0; break;
      case ValueType::kArray:
      case ValueType::kKvList:
        if (!nested_->Payload(type, &v, 1)) return false;
        break;
      case ValueType::kEmpty: break;
    }
  }
  return true;
}

void AttrReader::MarkMayHave(const TagIds& tag, std::vector<uint8_t>* hits) const {
  size_t attr = 0, str = 0, ints = 0, bools = 0;
  for (size_t owner = 0; owner < count_.size(); ++owner) {
    bool hit = false;
    for (uint64_t a = 0; a < count_[owner]; ++a, ++attr) {
      const auto type = static_cast<ValueType>(type_[attr]);
      const bool key = key_[attr] == tag.key;
      switch (type) {
        case ValueType::kString:
          hit |= key && tag.string_value && str_[str] == *tag.string_value;
          ++str;
          break;
        case ValueType::kBytes:
          hit |= key;
          ++str;
          break;
        case ValueType::kInt:
          hit |= key && tag.int_value && ToSigned(ints_[ints]) == *tag.int_value;
          ++ints;
          break;
        case ValueType::kBool:
          hit |=
              key && tag.bool_value >= 0 && bools_[bools] == static_cast<uint64_t>(tag.bool_value);
          ++bools;
          break;
        case ValueType::kDouble:
        case ValueType::kArray:
        case ValueType::kKvList:
        case ValueType::kEmpty: hit |= key; break;
      }
    }
    if (hit) (*hits)[owner] = 1;
  }
}

}  // namespace spoor::block_internal
