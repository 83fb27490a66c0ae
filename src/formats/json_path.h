// The location of a value in a JSON document, for decoder error messages:
// "resourceSpans[0].scopeSpans[1].spans[2].startTimeUnixNano". A path is a
// chain of stack-allocated links, built as the decoder descends, so it costs
// nothing until an error turns it into text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace spoor {

struct JsonPath {
  const JsonPath* parent = nullptr;
  std::string_view key;  // a field name; empty for an array element
  size_t index = 0;

  [[nodiscard]] JsonPath Field(std::string_view k) const { return {this, k, 0}; }
  [[nodiscard]] JsonPath Element(size_t i) const { return {this, {}, i}; }

  [[nodiscard]] std::string ToString() const {
    std::vector<const JsonPath*> chain;
    for (const JsonPath* p = this; p->parent != nullptr; p = p->parent) chain.push_back(p);
    std::string out;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      const JsonPath* p = *it;
      if (!p->key.empty()) {
        if (!out.empty()) out.push_back('.');
        out.append(p->key);
      } else {
        out.append("[").append(std::to_string(p->index)).append("]");
      }
    }
    return out;
  }
};

}  // namespace spoor
