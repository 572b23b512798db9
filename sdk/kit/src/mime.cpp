#include "disputed/sdk/kit/mime.hpp"

#include <algorithm>
#include <cstdint>

#include "disputed/sdk/kit/codecs.hpp"
#include "disputed/sdk/kit/time.hpp"

namespace disputed::sdk::kit {

namespace {

constexpr std::size_t kMaxLine = 78;
constexpr char kHex[] = "0123456789ABCDEF";

bool plain_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7f;
  });
}

// Length in bytes of the UTF-8 sequence starting with `lead` (1 for anything unexpected, so a
// broken byte still advances).
std::size_t utf8_length(unsigned char lead) {
  if (lead >= 0xF0 && lead < 0xF8) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

// One character in RFC 2047 Q encoding (section 4.2): '_' for a space; letters and digits and
// a few safe marks as they are; everything else =XX.
std::string q_encode_char(std::string_view ch) {
  std::string out;
  for (unsigned char c : ch) {
    if (c == ' ') {
      out += '_';
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '!' || c == '*' || c == '+' || c == '-' || c == '/') {
      out += char(c);
    } else {
      out += '=';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// RFC 2047 encoded-words of at most `max_word` (<= 75) characters, never splitting a UTF-8
// sequence; the spaces of the text are inside the words (white space between encoded-words is
// not shown).
std::vector<std::string> encoded_words(std::string_view utf8, std::size_t max_word = 75) {
  static constexpr std::string_view kOpen = "=?UTF-8?Q?", kClose = "?=";
  const std::size_t room = std::min<std::size_t>(max_word, 75) - kOpen.size() - kClose.size();
  std::vector<std::string> words;
  std::string current;
  for (std::size_t i = 0; i < utf8.size();) {
    std::size_t n = std::min(utf8_length(static_cast<unsigned char>(utf8[i])), utf8.size() - i);
    std::string piece = q_encode_char(utf8.substr(i, n));
    if (current.size() + piece.size() > room) {
      words.push_back(std::string(kOpen) + current + std::string(kClose));
      current.clear();
    }
    current += piece;
    i += n;
  }
  if (!current.empty()) words.push_back(std::string(kOpen) + current + std::string(kClose));
  return words;
}

// "Field: value" folded at white space so no line passes kMaxLine where that is possible.
std::string fold(std::string_view field, const std::vector<std::string>& tokens) {
  std::string out(field);
  out += ':';
  std::size_t line = out.size();
  for (const auto& token : tokens) {
    if (line + 1 + token.size() > kMaxLine && line > field.size() + 1) {
      out += "\r\n";
      line = 0;
    }
    out += ' ';
    out += token;
    line += 1 + token.size();
  }
  out += "\r\n";
  return out;
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ') ++j;
    if (j > i) out.emplace_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

// A display name as a phrase: atoms as they are, a quoted string when it has specials, encoded
// words when it is not ASCII.
std::string phrase(std::string_view name) {
  if (!plain_ascii(name)) {
    std::string out;
    for (const auto& w : encoded_words(name)) out += (out.empty() ? "" : " ") + w;
    return out;
  }
  static constexpr std::string_view kSpecials = "()<>[]:;@\\,.\"";
  bool needs_quotes = name.find_first_of(kSpecials) != std::string_view::npos;
  if (!needs_quotes) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string address_list(std::string_view field, const std::vector<MailAddress>& list) {
  std::vector<std::string> tokens;
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto words = split_words(format_mailbox(list[i]) + (i + 1 < list.size() ? "," : ""));
    tokens.insert(tokens.end(), words.begin(), words.end());
  }
  return fold(field, tokens);
}

std::string base64_lines(std::string_view bytes) {
  std::string encoded = base64_encode(bytes);
  std::string out;
  for (std::size_t i = 0; i < encoded.size(); i += 76) out += encoded.substr(i, 76) + "\r\n";
  return out;
}

// More than a third of the bytes outside ASCII: base64 is shorter and as readable.
bool mostly_non_ascii(std::string_view text) {
  std::size_t high = std::count_if(text.begin(), text.end(),
                                   [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
  return high * 3 > text.size();
}

std::string text_part(std::string_view media_type, std::string_view body) {
  std::string out = "Content-Type: " + std::string(media_type) + "; charset=UTF-8\r\n";
  if (mostly_non_ascii(body)) {
    out += "Content-Transfer-Encoding: base64\r\n\r\n";
    std::string crlf;
    for (std::size_t i = 0; i < body.size(); ++i) {
      if (body[i] == '\n' && (i == 0 || body[i - 1] != '\r')) crlf += '\r';
      crlf += body[i];
    }
    out += base64_lines(crlf);
  } else {
    out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
    out += quoted_printable(body);
    if (out.size() < 2 || out.substr(out.size() - 2) != "\r\n") out += "\r\n";
  }
  return out;
}

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// "=_" can occur neither in quoted-printable (which writes '=' as =3D) nor in base64, so the
// boundary never appears in a part; the rest comes from the Message-ID, so the bytes are the
// same on every retry.
std::string boundary(const MessagePayload& m, std::string_view which) {
  std::uint64_t h = fnv1a(std::string(which) + "|" + m.message_id);
  std::string hex;
  for (int i = 15; i >= 0; --i) hex += kHex[(h >> (i * 4)) & 15];
  return "=_disputed_" + std::string(which) + "_" + hex;
}

std::string attachment_part(const MailAttachment& a) {
  std::string out = "Content-Type: " + a.content_type + "\r\n";
  out += "Content-Transfer-Encoding: base64\r\n";
  if (plain_ascii(a.filename) && a.filename.find('"') == std::string::npos &&
      a.filename.find('\\') == std::string::npos) {
    out += "Content-Disposition: attachment; filename=\"" + a.filename + "\"\r\n";
  } else {
    // RFC 2231: filename*=UTF-8''<percent-encoded>.
    out += "Content-Disposition: attachment;\r\n filename*=UTF-8''" +
           percent_encode(a.filename, "!#$&+-.^_`|~") + "\r\n";
  }
  out += "\r\n" + base64_lines(a.content);
  return out;
}

}  // namespace

std::string rfc5322_date(Instant at) {
  std::string http = format_http_date(at);  // "Sun, 06 Nov 1994 08:49:37 GMT"
  if (http.size() > 4 && http.substr(http.size() - 4) == " GMT")
    http = http.substr(0, http.size() - 4) + " +0000";
  return http;
}

std::string encode_header_text(std::string_view field_name, std::string_view utf8) {
  if (plain_ascii(utf8)) return fold(field_name, split_words(utf8));
  // Words short enough that the first fits beside "Field: " within a 76-character line.
  std::size_t room = field_name.size() + 2 < 56 ? 76 - field_name.size() - 2 : 20;
  return fold(field_name, encoded_words(utf8, room));
}

std::string format_mailbox(const MailAddress& mailbox) {
  if (mailbox.name.empty()) return mailbox.address;
  return phrase(mailbox.name) + " <" + mailbox.address + ">";
}

std::string quoted_printable(std::string_view text) {
  std::string out;
  std::string line;  // the encoded line being built
  auto flush_soft = [&] {
    out += line + "=\r\n";
    line.clear();
  };
  auto append = [&](const std::string& token) {
    if (line.size() + token.size() > 75) flush_soft();
    line += token;
  };
  auto hex = [](unsigned char c) {
    std::string t = "=";
    t += kHex[c >> 4];
    t += kHex[c & 15];
    return t;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    if (c == '\n') {
      // White space before a hard break would be lost by relays: encode it.
      if (!line.empty() && (line.back() == ' ' || line.back() == '\t')) {
        unsigned char last = static_cast<unsigned char>(line.back());
        line.pop_back();
        append(hex(last));
      }
      out += line + "\r\n";
      line.clear();
      continue;
    }
    bool at_line_start = line.empty();
    bool literal = (c >= 33 && c <= 126 && c != '=') || c == ' ' || c == '\t';
    if (at_line_start && c == '.') literal = false;  // SMTP's dot-stuffing never matters
    // UTF-8 sequences stay on one line (whole =XX groups), so a soft break never splits one.
    if (!literal && c >= 0x80) {
      std::size_t n = std::min(utf8_length(c), text.size() - i);
      std::string token;
      for (std::size_t k = 0; k < n; ++k) token += hex(static_cast<unsigned char>(text[i + k]));
      append(token);
      i += n - 1;
      continue;
    }
    append(literal ? std::string(1, char(c)) : hex(c));
  }
  if (!line.empty()) {
    if (line.back() == ' ' || line.back() == '\t') {
      unsigned char last = static_cast<unsigned char>(line.back());
      line.pop_back();
      line += hex(last);
    }
    out += line;
  }
  return out;
}

Expected<std::string> write_mime(const MessagePayload& m) {
  if (auto p = check_message(m)) return *p;
  auto date = parse_timestamp(m.date);
  std::string out;
  out += "Date: " + rfc5322_date(*date) + "\r\n";
  out += address_list("From", {m.from});
  if (!m.to.empty()) out += address_list("To", m.to);
  if (!m.cc.empty()) out += address_list("Cc", m.cc);
  if (!m.reply_to.empty()) out += address_list("Reply-To", m.reply_to);
  out += encode_header_text("Subject", m.subject);
  out += "Message-ID: " + m.message_id + "\r\n";
  if (!m.in_reply_to.empty()) out += "In-Reply-To: " + m.in_reply_to + "\r\n";
  if (!m.references.empty()) out += fold("References", m.references);
  out += "MIME-Version: 1.0\r\n";
  if (!m.language.empty()) out += "Content-Language: " + m.language + "\r\n";
  for (const auto& h : m.headers) out += fold(h.name, split_words(h.value));

  std::string body;
  if (m.html.empty()) {
    body = text_part("text/plain", m.text);
  } else {
    std::string b = boundary(m, "alt");
    body = "Content-Type: multipart/alternative;\r\n boundary=\"" + b + "\"\r\n\r\n";
    body += "--" + b + "\r\n" + text_part("text/plain", m.text);
    body += "--" + b + "\r\n" + text_part("text/html", m.html);
    body += "--" + b + "--\r\n";
  }
  if (!m.attachments.empty()) {
    std::string b = boundary(m, "mixed");
    std::string mixed = "Content-Type: multipart/mixed;\r\n boundary=\"" + b + "\"\r\n\r\n";
    mixed += "--" + b + "\r\n" + body;
    for (const auto& a : m.attachments) mixed += "--" + b + "\r\n" + attachment_part(a);
    mixed += "--" + b + "--\r\n";
    body = std::move(mixed);
  }
  return out + body;
}

}  // namespace disputed::sdk::kit
