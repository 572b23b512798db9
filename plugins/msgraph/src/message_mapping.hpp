#pragma once
// Our message (the kit's message contract) -> Graph's sendMail request in its JSON form, the form
// Microsoft's API description has (the MIME form is not described, so Prism could not check it).
// What the JSON form cannot carry, and so Graph does not send: our Message-ID (Exchange writes
// its own; ours goes in the X-Disputed-Message-Id header), In-Reply-To and References (no
// threading), and every header that does not start with "X-" (Auto-Submitted, List-Unsubscribe):
// Graph takes at most 5 internetMessageHeaders, all named X-...
// https://learn.microsoft.com/en-us/graph/api/user-sendmail ,
// https://learn.microsoft.com/en-us/graph/api/resources/message

#include "disputed/sdk/kit/json.hpp"
#include "disputed/sdk/kit/message_contract.hpp"

namespace disputed::plugins::msgraph {

/// Graph's limit on internetMessageHeaders per message.
inline constexpr std::size_t kMaxInternetMessageHeaders = 5;

/// The sendMail body: {"message": {subject, body (HTML when there is an HTML part, else the
/// text), toRecipients, ccRecipients, replyTo, from (when it is not the mailbox), attachments
/// (fileAttachment, base64), internetMessageHeaders}, "saveToSentItems"}.
sdk::kit::Json send_mail_body(const sdk::kit::MessagePayload& message, const std::string& mailbox,
                              bool save_to_sent_items);

}  // namespace disputed::plugins::msgraph
