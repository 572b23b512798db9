#include "plugins/msgraph/sandbox/graph_mail.hpp"

#include <algorithm>
#include <cctype>

#include "disputed/sdk/kit/codecs.hpp"

namespace disputed::sandbox::msgraph {

namespace {

using nlohmann::json;

// A JSON request's limit (https://learn.microsoft.com/en-us/graph/api/user-sendmail: larger
// attachments need an upload session).
constexpr std::size_t kMaxRequestBytes = 4 * 1024 * 1024;
constexpr std::size_t kMaxRecipients = 500;
constexpr std::size_t kMaxInternetMessageHeaders = 5;

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

GraphRefusal invalid_recipients(const std::string& why) {
  return {400, "ErrorInvalidRecipients", "At least one recipient is not valid., " + why};
}

// The addresses of a recipient collection, or why it is refused.
std::optional<GraphRefusal> read_recipients(const json& message, const char* field,
                                            std::vector<std::string>& addresses) {
  if (!message.contains(field)) return std::nullopt;
  const json& list = message[field];
  if (!list.is_array())
    return GraphRefusal{400, "ErrorInvalidRequest",
                        std::string("Invalid value for '") + field + "': expected a collection."};
  for (const auto& r : list) {
    const json* address =
        r.is_object() && r.contains("emailAddress") && r["emailAddress"].is_object()
            ? &r["emailAddress"]
            : nullptr;
    std::string a = address && (*address).contains("address") && (*address)["address"].is_string()
                        ? (*address)["address"].get<std::string>()
                        : "";
    if (a.find('@') == std::string::npos)
      return invalid_recipients("Recipient '" + a + "' is not a valid e-mail address.");
    if (ends_with(lower(a), kUnresolvedDomain))
      return invalid_recipients("Recipient '" + a +
                                "' is not resolved. All recipients must be resolved before a "
                                "message can be submitted.");
    addresses.push_back(a);
  }
  return std::nullopt;
}

// The value of a header of a MIME message's header block ("" when absent).
std::string mime_header(const std::string& mime, const std::string& name) {
  std::string wanted = lower(name) + ":";
  std::size_t at = 0;
  while (at < mime.size()) {
    std::size_t end = mime.find("\r\n", at);
    if (end == std::string::npos) end = mime.size();
    if (end == at) break;  // the blank line: end of the headers
    std::string line = mime.substr(at, end - at);
    if (lower(line.substr(0, wanted.size())) == wanted) {
      std::string value = line.substr(wanted.size());
      value.erase(0, value.find_first_not_of(' '));
      return value;
    }
    at = end + 2;
  }
  return {};
}

}  // namespace

std::optional<GraphRefusal> SentMail::send(const std::string& mailbox, const Request& request,
                                           const std::string& at) {
  if (request.body.size() > kMaxRequestBytes)
    return GraphRefusal{413, "ErrorRequestEntityTooLarge",
                        "The request is larger than the service accepts (4 MB)."};
  std::string type = lower(request.header("content-type").value_or(""));
  if (type.rfind("text/plain", 0) == 0) return send_mime(mailbox, request.body, at);
  auto body = request.json();
  if (!body || !body->is_object())
    return GraphRefusal{400, "BadRequest", "Unable to read JSON request payload."};
  return send_json(mailbox, *body, at);
}

std::optional<GraphRefusal> SentMail::send_json(const std::string& mailbox, const json& body,
                                                const std::string& at) {
  const char* key = body.contains("message") ? "message" : "Message";
  if (!body.contains(key) || !body[key].is_object())
    return GraphRefusal{400, "ErrorInvalidRequest", "The message parameter is required."};
  const json& message = body[key];
  std::vector<std::string> to;
  for (const char* field : {"toRecipients", "ccRecipients", "bccRecipients"})
    if (auto refused = read_recipients(message, field, to)) return refused;
  std::vector<std::string> reply_to;
  if (auto refused = read_recipients(message, "replyTo", reply_to)) return refused;
  if (to.empty())
    return invalid_recipients("A message can't be sent because it contains no recipients.");
  if (to.size() > kMaxRecipients)
    return GraphRefusal{400, "ErrorTooManyRecipients",
                        "The message exceeds the maximum supported size of recipients."};
  if (message.contains("body")) {
    const json& b = message["body"];
    std::string content_type = b.is_object() ? lower(b.value("contentType", "text")) : "";
    if (content_type != "text" && content_type != "html")
      return GraphRefusal{400, "ErrorInvalidRequest",
                          "Invalid value for 'body.contentType': expected text or html."};
  }
  std::string disputed_id;
  if (message.contains("internetMessageHeaders")) {
    const json& headers = message["internetMessageHeaders"];
    if (!headers.is_array() || headers.size() > kMaxInternetMessageHeaders)
      return GraphRefusal{400, "InvalidInternetMessageHeaderCollection",
                          "Maximum number of headers in one message should be less than or "
                          "equal to 5."};
    for (const auto& h : headers) {
      std::string name = h.is_object() ? h.value("name", "") : "";
      if (lower(name).rfind("x-", 0) != 0)
        return GraphRefusal{
            400, "InvalidInternetMessageHeader",
            "The internet message header name '" + name + "' should start with 'x-' or 'X-'."};
      if (lower(name) == "x-disputed-message-id") disputed_id = h.value("value", "");
    }
  }
  bool save = body.value("saveToSentItems", body.value("SaveToSentItems", true));
  sent_.push_back({{"mailbox", mailbox},
                   {"at", at},
                   {"form", "json"},
                   {"message", message},
                   {"saveToSentItems", save},
                   {"to", to},
                   {"subject", message.value("subject", "")},
                   {"disputed_message_id", disputed_id}});
  return std::nullopt;
}

std::optional<GraphRefusal> SentMail::send_mime(const std::string& mailbox, const std::string& body,
                                                const std::string& at) {
  std::string text = body;
  text.erase(std::remove_if(text.begin(), text.end(),
                            [](unsigned char c) { return c == '\r' || c == '\n'; }),
             text.end());
  auto mime = sdk::kit::base64_decode(text);
  if (!mime || mime->empty())
    return GraphRefusal{400, "ErrorMimeContentInvalidBase64String",
                        "Invalid base64 string for MIME content."};
  std::string to = mime_header(*mime, "To");
  if (to.empty())
    return invalid_recipients("A message can't be sent because it contains no recipients.");
  sent_.push_back({{"mailbox", mailbox},
                   {"at", at},
                   {"form", "mime"},
                   {"mime", *mime},
                   {"saveToSentItems", true},
                   {"to", json::array({to})},
                   {"subject", mime_header(*mime, "Subject")},
                   {"disputed_message_id", mime_header(*mime, "Message-ID")}});
  return std::nullopt;
}

json SentMail::all() const { return sent_; }

}  // namespace disputed::sandbox::msgraph
