#include "plugins/msgraph/src/message_mapping.hpp"

#include <algorithm>
#include <cctype>

#include "disputed/sdk/kit/codecs.hpp"

namespace disputed::plugins::msgraph {

namespace {

namespace kit = sdk::kit;
using kit::Json;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

Json recipient(const kit::MailAddress& a) {
  Json address = {{"address", a.address}};
  if (!a.name.empty()) address["name"] = a.name;
  return {{"emailAddress", address}};
}

Json recipients(const std::vector<kit::MailAddress>& list) {
  Json out = Json::array();
  for (const auto& a : list) out.push_back(recipient(a));
  return out;
}

}  // namespace

Json send_mail_body(const kit::MessagePayload& m, const std::string& mailbox,
                    bool save_to_sent_items) {
  Json message = {{"subject", m.subject},
                  {"body", m.html.empty() ? Json{{"contentType", "text"}, {"content", m.text}}
                                          : Json{{"contentType", "html"}, {"content", m.html}}},
                  {"toRecipients", recipients(m.to)}};
  if (!m.cc.empty()) message["ccRecipients"] = recipients(m.cc);
  if (!m.reply_to.empty()) message["replyTo"] = recipients(m.reply_to);
  // Another sender than the mailbox needs Send As (or Send on Behalf) on it in Exchange.
  if (!m.from.address.empty() && lower(m.from.address) != lower(mailbox))
    message["from"] = recipient(m.from);
  if (!m.attachments.empty()) {
    Json attachments = Json::array();
    for (const auto& a : m.attachments)
      attachments.push_back({{"@odata.type", "#microsoft.graph.fileAttachment"},
                             {"name", a.filename},
                             {"contentType", a.content_type},
                             {"contentBytes", kit::base64_encode(a.content)}});
    message["attachments"] = attachments;
  }
  // Ours first, so that a retried message can be told apart from another one; then the
  // payload's own X- headers while Graph's limit allows.
  Json headers = Json::array({{{"name", "X-Disputed-Message-Id"}, {"value", m.message_id}}});
  for (const auto& h : m.headers)
    if (headers.size() < kMaxInternetMessageHeaders && lower(h.name).rfind("x-", 0) == 0)
      headers.push_back({{"name", h.name}, {"value", h.value}});
  message["internetMessageHeaders"] = headers;
  return {{"message", message}, {"saveToSentItems", save_to_sent_items}};
}

}  // namespace disputed::plugins::msgraph
