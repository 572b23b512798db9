#pragma once
// The JSON Schema keywords whose checks valijson runs through std::regex, made safe for input
// of any length. libstdc++'s std::regex recurses once per character it matches, so a long
// enough string against "^[0-9]+$" overflows the stack and kills the process (issue 13,
// finding 1). "pattern" runs only on strings of at most kMaxPatternSubject characters;
// "format" (date, time, date-time) is checked by hand; "patternProperties" (a regex on
// object keys) is refused when a schema is compiled.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace valijson {
class SchemaParser;
}

namespace disputed::config {

/// The longest string a schema "pattern" is run on; a longer one fails validation with
/// "must be at most 1024 characters long". A std::regex match needs roughly 300 bytes of stack
/// per character, so this keeps one under 320 KiB on any thread.
inline constexpr std::size_t kMaxPatternSubject = 1024;

/// A copy of `schema` in which the keywords "pattern" and "format" are renamed to the ones
/// that register_bounded_keywords() teaches the parser, so valijson's own (unbounded) checks
/// never run. Values of "enum", "const", "default" and "examples" are left as they are. Throws
/// std::invalid_argument for "patternProperties".
nlohmann::json with_bounded_keywords(const nlohmann::json& schema);

/// Registers the bounded "pattern" and "format" checks with `parser`.
void register_bounded_keywords(valijson::SchemaParser& parser);

/// The problem text for a value that fails the bounded checks, for JsonSchema's messages:
/// "must be at most 1024 characters long" and friends; nullopt for any other description.
std::optional<std::string> bounded_keyword_problem(std::string_view description);

/// RFC 3339 checks used for "format" (pure functions, no regex): YYYY-MM-DD with a real day of
/// the month; HH:MM:SS[.frac](Z|±HH:MM); and the two joined by 'T'.
bool is_rfc3339_date(std::string_view text);
bool is_rfc3339_time(std::string_view text);
bool is_rfc3339_date_time(std::string_view text);

}  // namespace disputed::config
