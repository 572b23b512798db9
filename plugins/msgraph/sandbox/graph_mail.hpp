#pragma once
// sendMail as Microsoft Graph takes it, for the Graph sandbox: the JSON form ({"message": ...,
// "saveToSentItems"}) and the MIME form (Content-Type text/plain, the base64 of an RFC 5322
// message), checked as the service checks them, and every message accepted kept so that a test
// can read what was sent (GET /_sandbox/mail).
// https://learn.microsoft.com/en-us/graph/api/user-sendmail

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plugins/sandbox/sandbox_server.hpp"

namespace disputed::sandbox::msgraph {

/// Graph's refusal of a request: the status and the error's code and message.
struct GraphRefusal {
  int status = 400;
  std::string code;
  std::string message;
};

/// Recipients at this domain are "not resolved": the service refuses the message (400
/// ErrorInvalidRecipients), as it does for an address it cannot resolve.
inline constexpr const char* kUnresolvedDomain = "@unresolved.example";

class SentMail {
 public:
  /// Checks a sendMail request from `mailbox` (a user's UPN) and keeps the message (`at`: when);
  /// nullopt means 202 Accepted.
  std::optional<GraphRefusal> send(const std::string& mailbox, const Request& request,
                                   const std::string& at);
  /// Every message accepted, oldest first: {mailbox, at, form ("json" or "mime"), message (the
  /// JSON form's message) or mime (the decoded RFC 5322 text), saveToSentItems, to (addresses),
  /// subject, disputed_message_id (the X-Disputed-Message-Id header, when sent)}.
  nlohmann::json all() const;
  void clear() { sent_.clear(); }

 private:
  std::optional<GraphRefusal> send_json(const std::string& mailbox, const nlohmann::json& body,
                                        const std::string& at);
  std::optional<GraphRefusal> send_mime(const std::string& mailbox, const std::string& body,
                                        const std::string& at);
  std::vector<nlohmann::json> sent_;
};

}  // namespace disputed::sandbox::msgraph
