#include "core/domain/utf8.hpp"

namespace disputed::domain {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";     // U+2026

// The length of the well-formed sequence starting at `i`, or 0 when the byte there starts none.
std::size_t sequence_length(std::string_view s, std::size_t i) noexcept {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // bounds of the second byte (RFC 3629 §4)
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // past U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return n;
}

std::string sanitise(std::string_view text, std::size_t max_bytes, bool single_line) {
  // Every input byte gives at least one output byte, so max_bytes + 1 of input tell whether
  // the result must be cut; a sequence split there is cut off below anyway.
  const bool bounded = max_bytes != std::string::npos;
  if (bounded && text.size() > max_bytes + 1) text = text.substr(0, max_bytes + 1);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = sequence_length(text, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    const unsigned char c = static_cast<unsigned char>(text[i]);
    out += single_line && n == 1 && (c < 0x20 || c == 0x7f) ? std::string_view(" ")
                                                            : text.substr(i, n);
    i += n;
  }
  if (!bounded || out.size() <= max_bytes) return out;
  if (max_bytes < kEllipsis.size()) return std::string();
  std::size_t cut = max_bytes - kEllipsis.size();
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  out.resize(cut);
  out += kEllipsis;
  return out;
}

}  // namespace

bool is_valid_utf8(std::string_view text) noexcept {
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = sequence_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string valid_utf8(std::string_view text, std::size_t max_bytes) {
  return sanitise(text, max_bytes, false);
}

std::string one_line(std::string_view text, std::size_t max_bytes) {
  return sanitise(text, max_bytes, true);
}

}  // namespace disputed::domain
