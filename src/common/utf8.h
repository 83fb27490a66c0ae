// UTF-8 validation, for the decoders of formats whose strings must be (or
// are shown as) UTF-8.
#pragma once

#include <string_view>

namespace spoor {

// Whether `s` is well-formed UTF-8: no overlong forms, surrogates or code
// points past U+10FFFF (what protobuf requires of `string` fields). ASCII
// runs are checked eight bytes at a time.
[[nodiscard]] bool IsValidUtf8(std::string_view s);

}  // namespace spoor
