#pragma once
// What every harness shares: the input as text, splitting it into parts, and failing loudly.
// A harness calls fail() for a broken promise (an exception a function says it never throws, a
// round trip that changes a value): libFuzzer then saves the input as a crash.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace disputed::fuzz {

inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz: broken promise: %s\n", what.c_str());
  std::abort();
}

/// The input cut at every occurrence of `separator` (the corpora use a line "\n--\n"), at most
/// `max_parts` parts (the rest stays in the last).
inline std::vector<std::string> split(std::string_view text, std::string_view separator,
                                      std::size_t max_parts) {
  std::vector<std::string> parts;
  while (parts.size() + 1 < max_parts) {
    auto at = text.find(separator);
    if (at == std::string_view::npos) break;
    parts.emplace_back(text.substr(0, at));
    text.remove_prefix(at + separator.size());
  }
  parts.emplace_back(text);
  return parts;
}

}  // namespace disputed::fuzz
