#include "disputed/sdk/kit/message_contract.hpp"

#include <algorithm>
#include <cctype>

#include "disputed/sdk/kit/codecs.hpp"
#include "disputed/sdk/kit/json.hpp"
#include "disputed/sdk/kit/time.hpp"

namespace disputed::sdk::kit {

namespace {

bool atext(unsigned char c) {
  if (std::isalnum(c)) return true;
  static constexpr std::string_view kSpecials = "!#$%&'*+-/=?^_`{|}~";
  return c < 0x80 && kSpecials.find(char(c)) != std::string_view::npos;
}

bool dot_atom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char previous = 0;
  for (char c : s) {
    if (c == '.') {
      if (previous == '.') return false;
    } else if (!atext(static_cast<unsigned char>(c))) {
      return false;
    }
    previous = c;
  }
  return true;
}

bool domain_name(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

bool has_line_break(std::string_view s) {
  return s.find('\r') != std::string_view::npos || s.find('\n') != std::string_view::npos;
}

bool printable_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u == '\t' || (u >= 0x20 && u < 0x7f);
  });
}

// A msg-id as RFC 5322 3.6.4 writes it, with dot-atom parts on both sides.
bool message_id_ok(std::string_view id) {
  if (id.size() < 5 || id.size() > 250 || id.front() != '<' || id.back() != '>') return false;
  std::string_view inner = id.substr(1, id.size() - 2);
  auto at = inner.find('@');
  if (at == std::string_view::npos) return false;
  return dot_atom(inner.substr(0, at)) && dot_atom(inner.substr(at + 1));
}

// Header fields the writer sets itself: a payload may not set or repeat them.
bool reserved_header(std::string_view name) {
  static constexpr std::string_view kReserved[] = {"from",
                                                   "sender",
                                                   "to",
                                                   "cc",
                                                   "bcc",
                                                   "reply-to",
                                                   "subject",
                                                   "date",
                                                   "message-id",
                                                   "in-reply-to",
                                                   "references",
                                                   "mime-version",
                                                   "content-type",
                                                   "content-transfer-encoding",
                                                   "content-language",
                                                   "return-path",
                                                   "received"};
  for (auto r : kReserved)
    if (iequals(r, name)) return true;
  return false;
}

bool header_name_ok(std::string_view name) {
  if (name.empty() || name.size() > 76) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && c != ':';
  });
}

struct Reader {
  JsonView root;
  std::optional<Problem> problem;

  void text(JsonView v, std::string& out) {
    if (problem) return;
    auto s = v.optional_string();
    if (!s)
      problem = s.problem();
    else
      out = std::move(*s);
  }
  bool expect_array(JsonView v) {
    if (problem) return false;
    if (v.exists() && !v.is_array()) {
      problem = v.problem(std::string("expected a list, got ") + type_words(*v.json()));
      return false;
    }
    return true;
  }
  bool expect_object(JsonView v) {
    if (problem) return false;
    if (!v.is_object()) {
      problem = v.problem(std::string("expected an object, got ") +
                          (v.json() ? type_words(*v.json()) : "nothing"));
      return false;
    }
    return true;
  }
  MailAddress address(JsonView v) {
    MailAddress a;
    if (!expect_object(v)) return a;
    text(v["address"], a.address);
    text(v["name"], a.name);
    return a;
  }
  std::vector<MailAddress> addresses(JsonView v) {
    std::vector<MailAddress> out;
    if (!expect_array(v)) return out;
    for (const auto& e : v.elements()) {
      if (problem) break;
      out.push_back(address(e));
    }
    return out;
  }
};

Json address_json(const MailAddress& a) {
  Json j = {{"address", a.address}};
  if (!a.name.empty()) j["name"] = a.name;
  return j;
}

Json addresses_json(const std::vector<MailAddress>& list) {
  Json out = Json::array();
  for (const auto& a : list) out.push_back(address_json(a));
  return out;
}

}  // namespace

std::vector<std::string> MessagePayload::recipients() const {
  std::vector<std::string> out;
  for (const auto& a : to) out.push_back(a.address);
  for (const auto& a : cc) out.push_back(a.address);
  return out;
}

bool is_mail_address(std::string_view address) {
  if (address.size() > 254) return false;
  auto at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  return dot_atom(address.substr(0, at)) && domain_name(address.substr(at + 1));
}

std::optional<Problem> check_message(const MessagePayload& m, MessageLimits limits) {
  auto check_addresses = [&](const std::vector<MailAddress>& list,
                             const char* field) -> std::optional<Problem> {
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::string where = std::string("/") + field + "/" + std::to_string(i);
      if (!is_mail_address(list[i].address))
        return Problem{where + "/address", "'" + clean_text(list[i].address, 100) +
                                               "' is not an e-mail address we send to"};
      if (has_line_break(list[i].name)) return Problem{where + "/name", "has a line break"};
    }
    return std::nullopt;
  };
  if (!message_id_ok(m.message_id))
    return Problem{"/message_id", "must be <left@right> with dot-atom parts"};
  if (!parse_timestamp(m.date)) return Problem{"/date", "must be an RFC 3339 timestamp"};
  if (!is_mail_address(m.from.address))
    return Problem{"/from/address", "'" + clean_text(m.from.address, 100) +
                                        "' is not an e-mail address we send from"};
  if (has_line_break(m.from.name)) return Problem{"/from/name", "has a line break"};
  if (!m.envelope_from.empty() && !is_mail_address(m.envelope_from))
    return Problem{"/envelope_from", "is not an e-mail address"};
  if (m.to.empty() && m.cc.empty()) return Problem{"/to", "names no recipient"};
  if (m.to.size() + m.cc.size() > limits.max_recipients)
    return Problem{"/to", "more than " + std::to_string(limits.max_recipients) + " recipients"};
  if (auto p = check_addresses(m.to, "to")) return p;
  if (auto p = check_addresses(m.cc, "cc")) return p;
  if (auto p = check_addresses(m.reply_to, "reply_to")) return p;
  if (m.subject.empty()) return Problem{"/subject", "is empty"};
  if (m.subject.size() > limits.max_subject_bytes)
    return Problem{"/subject",
                   "longer than " + std::to_string(limits.max_subject_bytes) + " bytes"};
  if (has_line_break(m.subject)) return Problem{"/subject", "has a line break"};
  if (m.text.empty() && m.html.empty()) return Problem{"/text", "the message has no body"};
  if (m.attachments.size() > limits.max_attachments)
    return Problem{"/attachments",
                   "more than " + std::to_string(limits.max_attachments) + " attachments"};
  for (std::size_t i = 0; i < m.attachments.size(); ++i) {
    const auto& a = m.attachments[i];
    std::string where = "/attachments/" + std::to_string(i);
    if (a.filename.empty() || a.filename.size() > 200 || has_line_break(a.filename) ||
        a.filename.find('/') != std::string::npos || a.filename.find('\\') != std::string::npos)
      return Problem{where + "/filename", "must be a file name (1-200 bytes, no path)"};
    auto slash = a.content_type.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == a.content_type.size() ||
        !printable_ascii(a.content_type) || a.content_type.find(' ') != std::string::npos ||
        a.content_type.find(';') != std::string::npos)
      return Problem{where + "/content_type", "must be a media type such as application/pdf"};
  }
  if (m.headers.size() > limits.max_headers)
    return Problem{"/headers", "more than " + std::to_string(limits.max_headers) + " headers"};
  for (std::size_t i = 0; i < m.headers.size(); ++i) {
    const auto& h = m.headers[i];
    std::string where = "/headers/" + std::to_string(i);
    if (!header_name_ok(h.name)) return Problem{where + "/name", "is not a header field name"};
    if (reserved_header(h.name))
      return Problem{where + "/name", "'" + h.name + "' is written by the message writer itself"};
    if (h.value.size() > 900 || !printable_ascii(h.value))
      return Problem{where + "/value", "must be printable ASCII on one line (at most 900 bytes)"};
  }
  if (!m.in_reply_to.empty() && !message_id_ok(m.in_reply_to))
    return Problem{"/in_reply_to", "must be <left@right>"};
  if (m.references.size() > 50) return Problem{"/references", "more than 50 references"};
  for (std::size_t i = 0; i < m.references.size(); ++i)
    if (!message_id_ok(m.references[i]))
      return Problem{"/references/" + std::to_string(i), "must be <left@right>"};
  if (!m.language.empty() &&
      (m.language.size() > 35 || !std::all_of(m.language.begin(), m.language.end(), [](char c) {
         return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
       })))
    return Problem{"/language", "must be a language tag such as nl or en-GB"};
  return std::nullopt;
}

Expected<MessagePayload> parse_message_payload(std::string_view json, MessageLimits limits) {
  auto doc = parse_json(json, JsonLimits{limits.max_payload_bytes, 16});
  if (!doc) return Problem{doc.problem().where, "the message: " + doc.problem().what};
  JsonView root(*doc);
  if (!root.is_object()) return Problem{"", "the message is not a JSON object"};

  MessagePayload m;
  auto version = root["version"].optional_integer();
  if (!version) return version.problem();
  if (!*version) return root["version"].problem("is required");
  if (**version < 1) return root["version"].problem("must be 1 or more");
  if (**version > MessagePayload::kVersion)
    return root["version"].problem(
        "message version " + std::to_string(**version) + " is newer than this transport reads (" +
        std::to_string(MessagePayload::kVersion) + "); update the plugin");
  m.version = int(**version);

  Reader r{root, std::nullopt};
  r.text(root["kind"], m.kind);
  r.text(root["idempotency_key"], m.idempotency_key);
  r.text(root["message_id"], m.message_id);
  r.text(root["date"], m.date);
  if (r.expect_object(root["from"])) m.from = r.address(root["from"]);
  r.text(root["envelope_from"], m.envelope_from);
  m.to = r.addresses(root["to"]);
  m.cc = r.addresses(root["cc"]);
  m.reply_to = r.addresses(root["reply_to"]);
  r.text(root["subject"], m.subject);
  r.text(root["text"], m.text);
  r.text(root["html"], m.html);
  if (r.expect_array(root["attachments"])) {
    for (const auto& e : root["attachments"].elements()) {
      if (r.problem || !r.expect_object(e)) break;
      MailAttachment a;
      std::string encoded;
      r.text(e["filename"], a.filename);
      r.text(e["content_type"], a.content_type);
      r.text(e["content_base64"], encoded);
      if (r.problem) break;
      auto bytes = base64_decode(encoded);
      if (!bytes) {
        r.problem = e["content_base64"].problem("is not base64");
        break;
      }
      a.content = std::move(*bytes);
      m.attachments.push_back(std::move(a));
    }
  }
  if (r.expect_array(root["headers"])) {
    for (const auto& e : root["headers"].elements()) {
      if (r.problem || !r.expect_object(e)) break;
      MailHeader h;
      r.text(e["name"], h.name);
      r.text(e["value"], h.value);
      m.headers.push_back(std::move(h));
    }
  }
  r.text(root["in_reply_to"], m.in_reply_to);
  if (!r.problem) {
    auto refs = root["references"].string_list();
    if (!refs)
      r.problem = refs.problem();
    else
      m.references = std::move(*refs);
  }
  r.text(root["language"], m.language);
  r.text(root["dispute"], m.dispute);
  if (r.problem) return *r.problem;
  if (auto p = check_message(m, limits)) return *p;
  return m;
}

std::string serialise_message_payload(const MessagePayload& m) {
  Json out = {
      {"version", m.version},       {"kind", m.kind},       {"idempotency_key", m.idempotency_key},
      {"message_id", m.message_id}, {"date", m.date},       {"from", address_json(m.from)},
      {"to", addresses_json(m.to)}, {"subject", m.subject}, {"text", m.text}};
  if (!m.envelope_from.empty()) out["envelope_from"] = m.envelope_from;
  if (!m.cc.empty()) out["cc"] = addresses_json(m.cc);
  if (!m.reply_to.empty()) out["reply_to"] = addresses_json(m.reply_to);
  if (!m.html.empty()) out["html"] = m.html;
  if (!m.attachments.empty()) {
    Json list = Json::array();
    for (const auto& a : m.attachments)
      list.push_back({{"filename", a.filename},
                      {"content_type", a.content_type},
                      {"content_base64", base64_encode(a.content)}});
    out["attachments"] = std::move(list);
  }
  if (!m.headers.empty()) {
    Json list = Json::array();
    for (const auto& h : m.headers) list.push_back({{"name", h.name}, {"value", h.value}});
    out["headers"] = std::move(list);
  }
  if (!m.in_reply_to.empty()) out["in_reply_to"] = m.in_reply_to;
  if (!m.references.empty()) out["references"] = m.references;
  if (!m.language.empty()) out["language"] = m.language;
  if (!m.dispute.empty()) out["dispute"] = m.dispute;
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace disputed::sdk::kit
