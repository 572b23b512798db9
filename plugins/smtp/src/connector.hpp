#pragma once
// The SMTP transport: a message action (kit::MessagePayload) becomes an RFC 5322 message written
// by the kit (kit::write_mime, deterministic: the same Message-ID and bytes on every retry) and
// goes to the submission server over libcurl.
//
// - Exactly once where SMTP allows: a message is done when the server answered 250 to DATA. A
//   crash or a lost reply after the data went out makes the host deliver the action again; the
//   server may then get the message twice, with the same Message-ID (recipients' clients
//   collapse such duplicates). SMTP has no way to ask whether a message arrived.
// - Replies decide (RFC 5321 4.2.1): 4yz and lost connections are retried with back-off, 5yz to
//   MAIL, RCPT or DATA dead-letters the message with the server's words, 530/535 and TLS or
//   certificate problems hold the instance until an operator fixes them.
// - Credentials: the password comes from the instance's secrets through Host::plugin_secret (the
//   host scrubs it from every log line); XOAUTH2 takes the host's OAuth2 token (instance
//   auth.kind oauth2_client_credentials) and asks for a fresh one once when the server refuses.

#include "disputed/sdk/kit/system_connector.hpp"
#include "plugins/smtp/src/settings.hpp"
#include "plugins/smtp/src/smtp_client.hpp"

namespace disputed::plugins::smtp {

namespace kit = sdk::kit;

// Nothing comes back by SMTP submission (bounces arrive at the envelope sender's mailbox): no
// poller, a poll reports nothing.
class SmtpConnector final : public kit::SystemConnector<Settings, SmtpClient> {
 public:
  SmtpConnector();

 private:
  sdk::CheckResult on_check() override;
  sdk::ApplyResult on_create(const sdk::Action& action, const kit::TaskPayload& payload) override;
  sdk::ApplyResult on_message(const sdk::Action& action,
                              const kit::MessagePayload& message) override;

  /// The login for the next conversation, or why there is none (a missing password secret, no
  /// OAuth2 token).
  kit::Expected<Credentials> credentials();
  sdk::ApplyResult result_of(const Reply& reply, const kit::MessagePayload& message) const;
};

}  // namespace disputed::plugins::smtp
