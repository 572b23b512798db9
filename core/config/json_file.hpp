#pragma once
// Reading JSON config files with errors a person can act on: the file, and for syntax errors the
// line and column; duplicate keys (which JSON parsers silently collapse) are rejected too.

#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "core/domain/result.hpp"

namespace disputed::config {

/// Reads and parses a JSON file. Throws ConfigError for a missing or unreadable file, a syntax
/// error ("syntax error at line 3, column 5: ...") and a key that occurs twice in one object
/// (key path of the second occurrence).
nlohmann::json read_json_file(const std::filesystem::path& file);

/// The same for text already in memory; `source` names it in error messages.
nlohmann::json parse_json_text(std::string_view text, const std::string& source);

/// The same for untrusted input (REST request bodies), without throwing: the document, or an
/// invalid-argument Error whose message says what and where ("syntax error at line 1, column 9:
/// ..."); for a duplicate key its detail names the key path.
domain::Result<nlohmann::json> try_parse_json_text(std::string_view text);

/// `doc` as JSON text (`indent` < 0: compact). Never throws on stored text: a string that is not
/// valid UTF-8 is written with U+FFFD in place of the bad bytes, so one bad byte from a vendor
/// cannot make an answer, or the CLI's output, fail.
std::string dump_json(const nlohmann::json& doc, int indent = -1);

/// 1-based line and column of the character at 0-based `offset` in `text` (columns count
/// bytes). An offset past the end points just after the last character.
struct TextPosition {
  std::size_t line = 1;
  std::size_t column = 1;
};
TextPosition position_in_text(std::string_view text, std::size_t offset);

}  // namespace disputed::config
