#pragma once
// How deep JSON text nests, found without parsing it: a pure scan of the bytes, so a bound can
// be enforced before any parser (nlohmann's, liboauth2's, a plugin's) builds a tree whose
// copies, comparisons and dumps recurse once per level (issue 13, finding 2).

#include <cstddef>
#include <optional>
#include <string_view>

namespace disputed::domain {

/// How deep JSON the engine accepts from outside: request bodies, config files, vendor answers,
/// JWKS documents. Ours nest at most 8 levels; vendors' answers about 10.
inline constexpr int kMaxJsonDepth = 64;

/// The byte offset of the first '[' or '{' that opens a level deeper than `max_depth`, or
/// nullopt when the text stays within it. Brackets inside strings (with escapes) do not count.
/// Linear, no recursion, no allocation; text that is not JSON at all simply gives nullopt or an
/// offset, and is left for the parser to refuse.
std::optional<std::size_t> json_too_deep_at(std::string_view text, int max_depth = kMaxJsonDepth);

}  // namespace disputed::domain
