#pragma once
// Text that came from outside (a vendor's error body, a plugin's message, a comment) made safe
// to store and to write as JSON: nlohmann's dump() throws on invalid UTF-8, so one bad byte
// in a stored last_error or dossier entry used to make every later answer that showed it fail
// (issue 13, finding 6). Pure functions, no allocation beyond the result.

#include <cstddef>
#include <string>
#include <string_view>

namespace disputed::domain {

/// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past
/// U+10FFFF).
bool is_valid_utf8(std::string_view text) noexcept;

/// `text` with every byte that does not begin a well-formed sequence replaced by U+FFFD, and
/// cut (at a character boundary, marked with "…") to at most `max_bytes` bytes.
std::string valid_utf8(std::string_view text, std::size_t max_bytes = std::string::npos);

/// valid_utf8(), then every control character (CR, LF, tab, NUL, ESC, DEL ...) replaced by a
/// space: one line of text that cannot forge another line in a log.
std::string one_line(std::string_view text, std::size_t max_bytes = std::string::npos);

}  // namespace disputed::domain
