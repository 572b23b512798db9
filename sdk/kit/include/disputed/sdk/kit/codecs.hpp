#pragma once
/// @file Text codecs every connector needs, written once: base64 (standard and URL alphabets),
/// percent-encoding (RFC 3986 path segments and query values, form bodies), ASCII case folding
/// and UTF-8 safe truncation and cleaning of vendor text. Standard library only; pure functions
/// that never throw except std::bad_alloc.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace disputed::sdk::kit {

/// RFC 4648 section 4 base64 with '=' padding.
std::string base64_encode(std::string_view bytes);
/// RFC 4648 section 5 (URL and file name safe: '-' and '_'), without padding (JWT, PKCE).
std::string base64url_encode(std::string_view bytes);
/// Decodes standard base64 (padding optional); nullopt on a character outside the alphabet, a
/// misplaced '=', or a length that cannot be base64.
std::optional<std::string> base64_decode(std::string_view text);
/// Decodes URL-safe base64 (padding optional); nullopt as above.
std::optional<std::string> base64url_decode(std::string_view text);

/// Percent-encodes every byte except RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~) and
/// those in `keep` (e.g. "@" for Graph's user principal names in a path segment).
std::string percent_encode(std::string_view text, std::string_view keep = {});
/// Decodes %XX escapes (invalid escapes stay as they are); with `plus_is_space` a '+' becomes a
/// space (application/x-www-form-urlencoded).
std::string percent_decode(std::string_view text, bool plus_is_space = false);
/// An application/x-www-form-urlencoded body ("a=1&b=x%20y"), in the map's order.
std::string form_encode(const std::map<std::string, std::string>& fields);

/// ASCII lower case (e-mail addresses, header names); other bytes unchanged.
std::string lower(std::string_view text);
/// Case-insensitive ASCII comparison.
bool iequals(std::string_view a, std::string_view b) noexcept;

/// Whether `url` lies under `base` ("https://graph.microsoft.com/v1.0"): the same scheme and
/// authority (case-insensitive) and a path that continues `base`'s at a '/' or '?' boundary. For
/// links a vendor hands back (nextLink, nextRecordsUrl): following one elsewhere would send the
/// instance's credentials to another host.
bool url_within(std::string_view url, std::string_view base);
/// Whether `url` is plain http to a loopback host (127.0.0.1, localhost, [::1]): the only http a
/// connector's settings may name (a sandbox).
bool is_loopback_http(std::string_view url);

/// `text` cut to at most `max_bytes` without splitting a UTF-8 sequence.
std::string truncate_utf8(std::string_view text, std::size_t max_bytes);
/// Vendor text made safe to store, log and put in JSON: invalid UTF-8 sequences become U+FFFD,
/// control characters (CR and LF included) become '?', and the result is cut to `max_bytes` on
/// a character boundary.
std::string clean_text(std::string_view text, std::size_t max_bytes = 1000);

}  // namespace disputed::sdk::kit
