// The flag table's parts, shared by the files that list flags (config.cc;
// config_security.cc: TLS, authentication, browsers, query limits, tenants).
// Internal to app/.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "app/config.h"
#include "common/strings.h"

namespace spoor::config {

using Setter = std::function<void(Config&, const std::string& value)>;

struct Option {
  std::string name;
  std::string default_text;
  std::string help;
  Setter set;
  bool is_bool = false;
};

// Throws the ConfigError of a bad value: "invalid value 'V' for --NAME: WHY".
[[noreturn]] void Invalid(const std::string& name, const std::string& value,
                          const std::string& why);

// Setters of the usual kinds: a positive duration (`example` in the
// message), text, HOST:PORT (or "off"), true/false, a positive integer.
Setter Duration(const std::string& name, std::function<int64_t&(Config&)> field,
                const char* example);
Setter UnsignedDuration(const std::string& name, std::function<uint64_t&(Config&)> field,
                        const char* example);
Setter Text(std::function<std::string&(Config&)> field);
Setter HostPort(const std::string& name, std::string Config::*field);
Setter Bool(const std::string& name, const std::function<bool&(Config&)>& field);

template <typename T>
Setter PositiveInt(const std::string& name, std::function<T&(Config&)> field,
                   bool allow_zero = false) {
  return [name, field, allow_zero](Config& c, const std::string& v) {
    auto n = ParseInt64(v);
    if (!n || *n < 0 || (*n == 0 && !allow_zero)) Invalid(name, v, "expected a positive integer");
    field(c) = static_cast<T>(*n);
  };
}

// Appends the flags of config_security.cc.
void AddSecurityOptions(std::vector<Option>& o);

}  // namespace spoor::config
