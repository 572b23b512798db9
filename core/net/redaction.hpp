#pragma once
// Keeping secrets out of log lines (invariant 5): URLs lose their credentials, and text written
// by plugins is scrubbed of every secret value the host knows.

#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace disputed::net {

/// What a redacted value is replaced with.
inline constexpr const char* kRedacted = "***";

/// True for query parameter names that carry credentials (access_token, refresh_token,
/// id_token, token, client_secret, client_assertion, assertion, password, api_key, apikey,
/// key, secret, signature, sig, code_verifier), compared case-insensitively.
bool is_sensitive_query_param(std::string_view name) noexcept;

/// The URL as it may be logged: user info replaced by "***@", the values of sensitive query
/// parameters by "***", the fragment dropped. Works on malformed URLs too (best effort).
std::string redact_url(std::string_view url);

/// `text` with control characters (CR, LF, ...) replaced by '?', so a value from a plugin or a
/// remote system cannot forge extra log lines.
std::string printable(std::string_view text);

/// True when `text` holds a control character (below 0x20, or DEL): such a value may not go
/// into a header, a form field or a log line.
bool has_control_chars(std::string_view text) noexcept;

/// Replaces known secret values in free text (log lines written by plugins, error texts from
/// token endpoints). Thread-safe. Values shorter than 4 characters are ignored: replacing them
/// would mangle ordinary words and hide nothing.
class SecretScrubber {
 public:
  /// A long-lived secret (a password, a client secret, a Basic credential).
  void add(const std::string& secret);
  /// A short-lived one (an access token); only the newest few are kept.
  void add_rotating(const std::string& secret);
  /// `text` with every known secret replaced by "***".
  std::string scrub(std::string text) const;

 private:
  static constexpr std::size_t kMaxRotating = 8;
  mutable std::mutex mutex_;
  std::vector<std::string> fixed_;
  std::deque<std::string> rotating_;
};

}  // namespace disputed::net
