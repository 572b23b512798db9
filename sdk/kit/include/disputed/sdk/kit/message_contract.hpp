#pragma once
/// @file The message contract between the engine and the mail transports: the typed, versioned
/// content of `Action::payload_json` for an action of kind kMessage. The engine renders a message
/// (templates in the reader's language, signed links) and writes it with
/// serialise_message_payload(); a transport plugin (SMTP, Microsoft Graph sendMail) reads it only
/// through parse_message_payload() — ConnectorBase does it before on_message(). Standard library
/// only.
///
/// Versions: as for the task contract, a reader refuses a newer version naming both, and fields
/// are only ever added within a version.
///
/// Everything a transport needs to write the same bytes on every retry is here: the Message-ID
/// (derived by the engine from the idempotency key), the Date, the thread references, the
/// boundaries' seed. write_mime() (kit/mime.hpp) turns it into an RFC 5322 message.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "disputed/sdk/kit/expected.hpp"
#include "disputed/sdk/types.hpp"

namespace disputed::sdk::kit {

/// A mailbox: an addr-spec ("anna@example.com") and an optional display name (any UTF-8).
struct MailAddress {
  std::string address;
  std::string name;
};

/// A file sent with the message. `content` holds the bytes (base64 in the JSON text).
struct MailAttachment {
  std::string filename;      ///< ASCII or UTF-8 (written RFC 2231-encoded when not ASCII)
  std::string content_type;  ///< "application/pdf"
  std::string content;
};

/// An extra header field: a name of printable ASCII without ':' and an ASCII value without line
/// breaks. Never one the writer sets itself (From, To, Subject, Message-ID, MIME, ...).
struct MailHeader {
  std::string name;
  std::string value;
};

/// One message to people.
struct MessagePayload {
  static constexpr int kVersion = 1;
  int version = kVersion;

  std::string kind;             ///< the message kind, e.g. "task_assigned" (for logs and tags)
  std::string idempotency_key;  ///< the action key; the same on every retry
  /// "<id-left@id-right>", derived from the idempotency key: a retry carries the same one.
  std::string message_id;
  std::string date;  ///< RFC 3339 UTC, when the message was written (the Date header)
  MailAddress from;
  /// The envelope sender (SMTP MAIL FROM, where bounces go); empty: from.address.
  std::string envelope_from;
  std::vector<MailAddress> to;
  std::vector<MailAddress> cc;
  std::vector<MailAddress> reply_to;
  std::string subject;  ///< UTF-8, one line
  std::string text;     ///< the text/plain body (UTF-8, '\n' line ends)
  std::string html;     ///< the text/html body; empty: a text-only message
  std::vector<MailAttachment> attachments;
  std::vector<MailHeader> headers;  ///< Auto-Submitted, List-Unsubscribe, X-... in this order
  std::string in_reply_to;          ///< "<parent-id>" or empty
  std::vector<std::string> references;
  std::string language;  ///< the reader's language ("nl"), for Content-Language
  std::string dispute;   ///< the dispute's reference, for the transport's logs

  /// Every recipient address (to, then cc).
  std::vector<std::string> recipients() const;
};

/// Limits a payload is checked against (also by parse_message_payload).
struct MessageLimits {
  std::size_t max_payload_bytes = 32 * 1024 * 1024;
  std::size_t max_recipients = 100;
  std::size_t max_subject_bytes = 998;
  std::size_t max_attachments = 20;
  std::size_t max_headers = 20;
};

/// Reads and checks a payload: JSON shape (a problem names the pointer, e.g. "/to/0/address:
/// expected a string, got a number"), version, addresses (addr-spec, no line breaks), header
/// names and values, a Message-ID of the form <a@b>, at least one recipient, a subject and a
/// body. Bounded by `limits` before parsing.
Expected<MessagePayload> parse_message_payload(std::string_view json, MessageLimits limits = {});

/// The JSON text of `payload` (with "version"). Never throws except std::bad_alloc.
std::string serialise_message_payload(const MessagePayload& payload);

/// Checks what parse_message_payload checks beyond the JSON shape; the first problem, else
/// nullopt. The engine calls it on what it renders, a transport on what it reads.
std::optional<Problem> check_message(const MessagePayload& payload, MessageLimits limits = {});

/// Whether `address` is an addr-spec we send to: a dot-atom local part (at most 64 bytes) '@' a
/// domain of labels (letters, digits, '-', not at a label's ends) separated by dots; ASCII, at
/// most 254 bytes. Quoted local parts, address literals and SMTPUTF8 are refused.
bool is_mail_address(std::string_view address);

}  // namespace disputed::sdk::kit
