#pragma once
// The few primitives sign-in needs, on OpenSSL: random tokens, SHA-256, base64url, and a
// comparison whose time does not depend on where two strings differ.

#include <optional>
#include <string>
#include <string_view>

namespace disputed::web {

/// `bytes` random bytes from OpenSSL's CSPRNG, base64url without padding. Throws when the
/// generator fails (a start-up or programming problem, not an input one).
std::string random_token(std::size_t bytes = 32);
/// Lower-case hex SHA-256 of `text` (how session and login ids are kept at rest).
std::string sha256_hex(std::string_view text);
/// base64url (no padding) of the raw SHA-256 of `text` (the PKCE S256 code challenge).
std::string sha256_base64url(std::string_view text);
std::string base64url_encode(std::string_view bytes);
/// Accepts base64url with or without padding; nullopt on any other character.
std::optional<std::string> base64url_decode(std::string_view text);
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace disputed::web
