#include "disputed/sdk/kit/codecs.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace disputed::sdk::kit {

namespace {

constexpr std::string_view kStandard =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlSafe =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(std::string_view bytes, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    std::uint32_t n = std::uint32_t(std::uint8_t(bytes[i])) << 16 |
                      std::uint32_t(std::uint8_t(bytes[i + 1])) << 8 | std::uint8_t(bytes[i + 2]);
    out += alphabet[n >> 18 & 63];
    out += alphabet[n >> 12 & 63];
    out += alphabet[n >> 6 & 63];
    out += alphabet[n & 63];
  }
  std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t n = std::uint32_t(std::uint8_t(bytes[i])) << 16;
    if (rest == 2) n |= std::uint32_t(std::uint8_t(bytes[i + 1])) << 8;
    out += alphabet[n >> 18 & 63];
    out += alphabet[n >> 12 & 63];
    if (rest == 2) out += alphabet[n >> 6 & 63];
    if (pad) out.append(rest == 1 ? 2 : 1, '=');
  }
  return out;
}

std::optional<std::string> decode(std::string_view text, std::string_view alphabet) {
  std::array<int, 256> value{};
  value.fill(-1);
  for (std::size_t i = 0; i < alphabet.size(); ++i) value[std::uint8_t(alphabet[i])] = int(i);
  std::size_t end = text.size();
  std::size_t padding = 0;
  while (end > 0 && text[end - 1] == '=' && padding < 2) {
    --end;
    ++padding;
  }
  if (padding > 0 && text.size() % 4 != 0) return std::nullopt;
  if (end % 4 == 1) return std::nullopt;  // one character cannot carry a byte
  std::string out;
  out.reserve(end * 3 / 4);
  std::uint32_t bits = 0;
  int count = 0;
  for (std::size_t i = 0; i < end; ++i) {
    int v = value[std::uint8_t(text[i])];
    if (v < 0) return std::nullopt;
    bits = bits << 6 | std::uint32_t(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += char(bits >> count & 0xFF);
    }
  }
  return out;
}

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Length of the valid UTF-8 sequence at `i`, or 0 when the bytes there are not one (RFC 3629:
// no overlongs, no surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return std::uint8_t(s[k]); };
  std::uint8_t c = byte(i);
  if (c < 0x80) return 1;
  std::size_t length = c >= 0xC2 && c <= 0xDF   ? 2
                       : c >= 0xE0 && c <= 0xEF ? 3
                       : c >= 0xF0 && c <= 0xF4 ? 4
                                                : 0;
  if (length == 0 || i + length > s.size()) return 0;
  for (std::size_t k = 1; k < length; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  std::uint8_t second = byte(i + 1);
  if (c == 0xE0 && second < 0xA0) return 0;  // overlong
  if (c == 0xED && second > 0x9F) return 0;  // surrogates
  if (c == 0xF0 && second < 0x90) return 0;  // overlong
  if (c == 0xF4 && second > 0x8F) return 0;  // above U+10FFFF
  return length;
}

}  // namespace

std::string base64_encode(std::string_view bytes) { return encode(bytes, kStandard, true); }
std::string base64url_encode(std::string_view bytes) { return encode(bytes, kUrlSafe, false); }
std::optional<std::string> base64_decode(std::string_view text) { return decode(text, kStandard); }
std::optional<std::string> base64url_decode(std::string_view text) {
  return decode(text, kUrlSafe);
}

std::string percent_encode(std::string_view text, std::string_view keep) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (unreserved(c) || (c != 0 && keep.find(char(c)) != std::string_view::npos)) {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
        hex_value(text[i + 2]) >= 0) {
      out += char(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string form_encode(const std::map<std::string, std::string>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += percent_encode(name) + "=" + percent_encode(value);
  }
  return out;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? char(a[i] - 'A' + 'a') : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? char(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

bool url_within(std::string_view url, std::string_view base) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  auto origin_end = [](std::string_view u) {
    auto scheme = u.find("://");
    if (scheme == std::string_view::npos) return std::string_view::npos;
    return u.find_first_of("/?#", scheme + 3);
  };
  std::size_t base_origin = origin_end(base);
  if (base.find("://") == std::string_view::npos) return false;
  if (base_origin == std::string_view::npos) base_origin = base.size();
  std::size_t url_origin = origin_end(url);
  if (url.find("://") == std::string_view::npos) return false;
  if (url_origin == std::string_view::npos) url_origin = url.size();
  if (!iequals(url.substr(0, url_origin), base.substr(0, base_origin))) return false;
  std::string_view base_path = base.substr(base_origin);
  std::string_view url_rest = url.substr(url_origin);
  if (url_rest.substr(0, base_path.size()) != base_path) return false;
  if (url_rest.size() == base_path.size()) return true;
  char next = url_rest[base_path.size()];
  return next == '/' || next == '?' || (base_path.empty() && next == '#');
}

bool is_loopback_http(std::string_view url) {
  for (std::string_view prefix : {"http://127.0.0.1", "http://localhost", "http://[::1]"}) {
    if (url.size() < prefix.size() || !iequals(url.substr(0, prefix.size()), prefix)) continue;
    if (url.size() == prefix.size()) return true;
    char next = url[prefix.size()];
    if (next == ':' || next == '/') return true;
  }
  return false;
}

std::string truncate_utf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t end = max_bytes;
  while (end > 0 && (std::uint8_t(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

std::string clean_text(std::string_view text, std::size_t max_bytes) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  for (std::size_t i = 0; i < text.size();) {
    std::size_t length = utf8_sequence(text, i);
    std::string_view piece;
    std::string one;
    if (length == 0) {
      piece = kReplacement;
      length = 1;
    } else if (length == 1 && (std::uint8_t(text[i]) < 0x20 || text[i] == 0x7F)) {
      one = text[i] == '\t' ? " " : "?";
      piece = one;
    } else {
      piece = text.substr(i, length);
    }
    if (out.size() + piece.size() > max_bytes) break;
    out += piece;
    i += length;
  }
  return out;
}

}  // namespace disputed::sdk::kit
