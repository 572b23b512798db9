// What the SMTP plugin reads and writes: the message action's payload (the message contract,
// sdk::kit::parse_message_payload, which ConnectorBase calls before on_message) and the bytes
// the kit's MIME writer makes of it for DATA (sdk::kit::write_mime). Recipients, display names,
// subjects and extra header values come from outside (customer data from invoice imports and
// vendor systems, templates). Promises checked: a refusal says why; what parses serialises and
// parses back to the same text; write_mime accepts what parse accepted and writes the same bytes
// twice; the message is 7-bit ASCII with CRLF line ends only, no line over 998 octets (RFC 5322
// 2.1.1), and no header field a value could have smuggled in (Bcc, a second To, ...).
#include <set>
#include <string>

#include "disputed/sdk/kit/message_contract.hpp"
#include "disputed/sdk/kit/mime.hpp"
#include "fuzz/fuzz_support.hpp"

namespace kit = disputed::sdk::kit;
using disputed::fuzz::fail;

namespace {

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return s;
}

// The header section of `mime` (up to the first empty line): each field's name, in order.
void check_mime(const std::string& mime, const kit::MessagePayload& m) {
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < mime.size(); ++i) {
    auto c = static_cast<unsigned char>(mime[i]);
    if (c >= 0x80) fail("an 8-bit byte in the message at offset " + std::to_string(i));
    if (c == '\r' && (i + 1 >= mime.size() || mime[i + 1] != '\n')) fail("a bare CR");
    if (c == '\n' && (i == 0 || mime[i - 1] != '\r')) fail("a bare LF");
    if (c == '\n') {
      if (i - line_start - 1 > 998) fail("a line of more than 998 octets");
      line_start = i + 1;
    }
  }
  if (mime.size() - line_start > 998) fail("a last line of more than 998 octets");

  std::set<std::string> allowed = {"date",
                                   "from",
                                   "to",
                                   "cc",
                                   "reply-to",
                                   "subject",
                                   "message-id",
                                   "in-reply-to",
                                   "references",
                                   "mime-version",
                                   "content-language",
                                   "content-type",
                                   "content-transfer-encoding"};
  for (const auto& h : m.headers) allowed.insert(lower(h.name));
  std::multiset<std::string> seen;
  std::size_t at = 0;
  while (true) {
    std::size_t end = mime.find("\r\n", at);
    if (end == std::string::npos) fail("no empty line after the header section");
    std::string line = mime.substr(at, end - at);
    at = end + 2;
    if (line.empty()) break;
    if (line[0] == ' ' || line[0] == '\t') {
      if (seen.empty()) fail("the message starts with a continuation line");
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0) fail("a header line without a field name");
    std::string name = lower(line.substr(0, colon));
    if (!allowed.count(name)) fail("a header field the writer does not write: " + name);
    seen.insert(name);
  }
  for (const char* once : {"date", "from", "to", "subject", "message-id", "mime-version"})
    if (seen.count(once) != 1) fail(std::string("not exactly one ") + once + " header field");
  for (const char* at_most_once : {"cc", "reply-to", "in-reply-to", "references"})
    if (seen.count(at_most_once) > 1) fail(std::string("more than one ") + at_most_once);
  if (mime.find(m.message_id) == std::string::npos) fail("the Message-ID is not in the message");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = disputed::fuzz::text_of(data, size);
  // Small limits, so the fuzzer reaches them.
  kit::MessageLimits limits;
  limits.max_payload_bytes = 64 * 1024;
  limits.max_recipients = 8;
  limits.max_attachments = 3;
  limits.max_headers = 4;
  auto parsed = kit::parse_message_payload(text, limits);
  if (!parsed) {
    if (parsed.problem().what.empty()) fail("parse_message_payload refused without saying why");
  } else {
    const kit::MessagePayload& m = *parsed;
    std::string serialised = kit::serialise_message_payload(m);
    auto again = kit::parse_message_payload(serialised, limits);
    if (!again)
      fail("a payload that parsed does not parse after serialising: " + again.problem().text());
    if (kit::serialise_message_payload(*again) != serialised) fail("the round trip changed it");
    if (auto problem = kit::check_message(m, limits))
      fail("check_message refuses what parse accepted: " + problem->text());
    auto mime = kit::write_mime(m);
    if (!mime) fail("write_mime refuses what parse accepted: " + mime.problem().text());
    auto twice = kit::write_mime(m);
    if (!twice || *twice != *mime) fail("write_mime is not deterministic");
    check_mime(*mime, m);
  }
  // The pieces on their own, with the input as a value.
  if (kit::is_mail_address(text))
    for (char c : text)
      if (static_cast<unsigned char>(c) <= ' ' || static_cast<unsigned char>(c) >= 0x7f)
        fail("is_mail_address accepted a control, space or 8-bit byte");
  // The whole field: "Subject: ...", folded, ending in CRLF.
  std::string subject = kit::encode_header_text("Subject", text);
  if (subject.rfind("Subject:", 0) != 0 || subject.size() < 10 ||
      subject.compare(subject.size() - 2, 2, "\r\n") != 0)
    fail("encode_header_text did not write one Subject field ending in CRLF");
  subject.resize(subject.size() - 2);
  for (std::size_t i = 0; i < subject.size(); ++i) {
    auto c = static_cast<unsigned char>(subject[i]);
    if (c >= 0x80) fail("an 8-bit byte in an encoded header value");
    if (c == '\r' && !(i + 2 < subject.size() && subject[i + 1] == '\n' &&
                       (subject[i + 2] == ' ' || subject[i + 2] == '\t')))
      fail("a line break in a header value that is not folding");
    if (c == '\n' && (i == 0 || subject[i - 1] != '\r')) fail("a bare LF in a header value");
  }
  return 0;
}
