// Standard base64 (RFC 4648, with padding).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace spoor {

void AppendBase64(std::string_view data, std::string& out);
[[nodiscard]] std::string Base64Encode(std::string_view data);
// Accepts padded and unpadded input, and the URL-safe alphabet. Returns
// nullopt on any other character.
[[nodiscard]] std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace spoor
