#pragma once
/// @file Our own RFC 5322 / MIME writer for the message contract: the bytes an SMTP transport
/// hands to DATA and Graph's sendMail takes in MIME mode. Deterministic: the same payload gives
/// the same bytes (boundaries come from the Message-ID), so what a retry sends is what the first
/// attempt sent. Standard library only.
///
/// What it writes (docs/messaging.md):
/// - Date, From, To, Cc, Reply-To, Subject, Message-ID, In-Reply-To, References, MIME-Version,
///   Content-Language, then the payload's extra headers (Auto-Submitted, List-Unsubscribe, ...);
/// - display names and subjects RFC 2047-encoded (Q, whole UTF-8 characters per encoded-word,
///   at most 75 characters each) when they are not plain ASCII; header lines folded at 78;
/// - text only: one text/plain part; text and HTML: multipart/alternative (text first);
///   attachments: multipart/mixed around it, base64, RFC 2231 file names when not ASCII;
/// - text parts in UTF-8, quoted-printable (base64 when more than a third of the bytes are not
///   ASCII), so no line is longer than 76 characters whatever the template made; CRLF line ends.

#include <string>
#include <string_view>

#include "disputed/sdk/kit/expected.hpp"
#include "disputed/sdk/kit/message_contract.hpp"

namespace disputed::sdk::kit {

/// The whole message (headers and body, CRLF line ends, no terminating "." line). A problem when
/// the payload fails check_message().
Expected<std::string> write_mime(const MessagePayload& message);

/// "Mon, 23 Nov 2026 08:00:00 +0000" (RFC 5322 3.3, UTC).
std::string rfc5322_date(Instant at);

/// An unstructured header value (a subject) for a field named `field_name`: as is when it is
/// printable ASCII, else RFC 2047 Q encoded-words; folded so no line passes 78 characters.
std::string encode_header_text(std::string_view field_name, std::string_view utf8);

/// A mailbox "Name <a@b>" (the name quoted or RFC 2047-encoded as needed), or "a@b".
std::string format_mailbox(const MailAddress& mailbox);

/// Quoted-printable (RFC 2045 6.7) of UTF-8 text with '\n' (or CRLF) line ends: hard breaks
/// become CRLF, encoded lines stay within 76 characters, trailing white space and a leading '.'
/// are encoded.
std::string quoted_printable(std::string_view text);

}  // namespace disputed::sdk::kit
