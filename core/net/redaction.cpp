#include "core/net/redaction.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace disputed::net {

namespace {

constexpr std::size_t kMinScrubLength = 4;

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

void replace_all(std::string& text, const std::string& needle) {
  if (needle.empty()) return;
  std::size_t pos = 0;
  while ((pos = text.find(needle, pos)) != std::string::npos) {
    text.replace(pos, needle.size(), kRedacted);
    pos += std::char_traits<char>::length(kRedacted);
  }
}

std::string redact_query(std::string_view query) {
  std::string out;
  out.reserve(query.size());
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t amp = query.find('&', start);
    std::string_view pair = query.substr(start, amp == std::string_view::npos ? amp : amp - start);
    std::size_t eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    if (eq != std::string_view::npos && is_sensitive_query_param(name)) {
      out.append(name).append("=").append(kRedacted);
    } else {
      out.append(pair);
    }
    if (amp == std::string_view::npos) break;
    out.push_back('&');
    start = amp + 1;
  }
  return out;
}

}  // namespace

bool is_sensitive_query_param(std::string_view name) noexcept {
  static constexpr std::array<std::string_view, 15> kNames = {
      "access_token", "refresh_token", "id_token",
      "token",        "client_secret", "client_assertion",
      "assertion",    "password",      "api_key",
      "apikey",       "key",           "secret",
      "signature",    "sig",           "code_verifier"};
  return std::any_of(kNames.begin(), kNames.end(),
                     [&](std::string_view n) { return iequals(n, name); });
}

std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

std::string redact_url(std::string_view url) {
  std::string_view text = url.substr(0, url.find('#'));
  std::string out;
  out.reserve(text.size());

  // User info: everything between "://" and the last '@' of the authority.
  std::size_t scheme_end = text.find("://");
  std::size_t authority_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  std::size_t authority_end = text.find_first_of("/?", authority_start);
  std::string_view authority = text.substr(authority_start, authority_end == std::string_view::npos
                                                                ? std::string_view::npos
                                                                : authority_end - authority_start);
  std::size_t at = authority.rfind('@');
  out.append(text.substr(0, authority_start));
  if (at != std::string_view::npos) {
    out.append(kRedacted).append("@").append(authority.substr(at + 1));
  } else {
    out.append(authority);
  }
  if (authority_end == std::string_view::npos) return out;

  std::string_view rest = text.substr(authority_end);
  std::size_t q = rest.find('?');
  out.append(rest.substr(0, q));
  if (q != std::string_view::npos) {
    out.push_back('?');
    out.append(redact_query(rest.substr(q + 1)));
  }
  return out;
}

void SecretScrubber::add(const std::string& secret) {
  if (secret.size() < kMinScrubLength) return;
  std::lock_guard lock(mutex_);
  if (std::find(fixed_.begin(), fixed_.end(), secret) == fixed_.end()) fixed_.push_back(secret);
}

void SecretScrubber::add_rotating(const std::string& secret) {
  if (secret.size() < kMinScrubLength) return;
  std::lock_guard lock(mutex_);
  if (std::find(rotating_.begin(), rotating_.end(), secret) != rotating_.end()) return;
  rotating_.push_back(secret);
  if (rotating_.size() > kMaxRotating) rotating_.pop_front();
}

std::string SecretScrubber::scrub(std::string text) const {
  std::lock_guard lock(mutex_);
  // Longest first, so a secret that contains another is replaced whole.
  std::vector<const std::string*> all;
  all.reserve(fixed_.size() + rotating_.size());
  for (const auto& s : fixed_) all.push_back(&s);
  for (const auto& s : rotating_) all.push_back(&s);
  std::sort(all.begin(), all.end(),
            [](const std::string* a, const std::string* b) { return a->size() > b->size(); });
  for (const auto* s : all) replace_all(text, *s);
  return text;
}

bool has_control_chars(std::string_view text) noexcept {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

}  // namespace disputed::net
