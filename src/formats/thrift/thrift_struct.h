// Typed reads of Thrift struct fields on top of thrift::Reader, for the
// decoders of Thrift IDLs: a field of the wrong type fails, and a failure
// collects the path to where it happened ("Batch.spans[3].tags[1]") for the
// error message. Internal to src/formats.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/status.h"
#include "formats/thrift/thrift_reader.h"

namespace spoor::thrift {

class StructDecoder {
 public:
  StructDecoder(std::string_view input, ThriftProtocol protocol) : r_(input, protocol) {}

  // Fails unless the whole input was read.
  bool CheckEnd() {
    if (r_.remaining() == 0) return true;
    return r_.Fail(std::to_string(r_.remaining()) + " bytes after the end of the message");
  }

  // InvalidArgument: `prefix`, the path, then the reason.
  [[nodiscard]] Status Error(std::string_view prefix) const {
    std::string msg(prefix);
    for (auto it = path_.rbegin(); it != path_.rend(); ++it) {
      if (it != path_.rbegin()) msg += '.';
      msg += *it;
    }
    if (!path_.empty()) msg += ": ";
    msg += r_.error().empty() ? "invalid input" : r_.error();
    return InvalidArgument(std::move(msg));
  }

 protected:
  // Adds a step of the path to the failure (innermost first); returns false.
  bool Context(std::string step) {
    path_.push_back(std::move(step));
    return false;
  }

  // Calls on_field(type, id) for each field; it reads or skips the value.
  template <typename F>
  bool ReadStruct(F&& on_field) {
    if (!r_.ReadStructBegin()) return false;
    for (;;) {
      TType type = TType::kStop;
      int16_t id = 0;
      if (!r_.ReadFieldBegin(&type, &id)) return false;
      if (type == TType::kStop) break;
      if (!on_field(type, id)) return false;
    }
    r_.ReadStructEnd();
    return true;
  }

  bool CheckType(TType got, TType want) {
    if (got == want) return true;
    return r_.Fail("expected " + std::string(TypeName(want)) + ", got " +
                   std::string(TypeName(got)));
  }

  // A field of type `want` read by read(); `name` is its step in the path.
  template <typename F>
  bool Field(TType got, TType want, const char* name, F&& read) {
    if (CheckType(got, want) && read()) return true;
    return Context(name);
  }

  // A list<element> field; per_element(i) reads element i. `reserve`, when
  // set, first gets room for the elements the list announces, as far as
  // the input left could hold them (a header alone cannot make it allocate
  // much), and at most kMaxReserve.
  template <typename F, typename V = std::nullptr_t>
  bool List(TType got, TType element, const char* name, F&& per_element, V* reserve = nullptr) {
    TType elem = TType::kStop;
    uint32_t size = 0;
    if (!CheckType(got, TType::kList) || !r_.ReadListBegin(&elem, &size) ||
        !CheckType(elem, element)) {
      return Context(name);
    }
    if constexpr (!std::is_same_v<V, std::nullptr_t>) {
      constexpr size_t kMaxReserve = 1024;
      if (reserve != nullptr) {
        reserve->reserve(reserve->size() + std::min({size_t{size}, r_.remaining(), kMaxReserve}));
      }
    }
    for (uint32_t i = 0; i < size; ++i) {
      if (!per_element(i)) {
        Context(std::string(name) + "[" + std::to_string(i) + "]");
        return false;
      }
    }
    r_.ContainerEnd();
    return true;
  }

  bool I64(TType type, const char* name, int64_t* v) {
    return Field(type, TType::kI64, name, [&] { return r_.ReadI64(v); });
  }
  bool I32(TType type, const char* name, int32_t* v) {
    return Field(type, TType::kI32, name, [&] { return r_.ReadI32(v); });
  }
  bool I16(TType type, const char* name, int16_t* v) {
    return Field(type, TType::kI16, name, [&] { return r_.ReadI16(v); });
  }
  bool Bool(TType type, const char* name, bool* v) {
    return Field(type, TType::kBool, name, [&] { return r_.ReadBool(v); });
  }
  // string and binary fields alike.
  bool String(TType type, const char* name, std::string_view* v) {
    return Field(type, TType::kString, name, [&] { return r_.ReadString(v); });
  }

  Reader r_;

 private:
  std::vector<std::string> path_;
};

}  // namespace spoor::thrift
