#pragma once
// One SMTP submission conversation on libcurl (RFC 6409): connect, EHLO, STARTTLS (required
// when configured, never "try": a stripped STARTTLS capability must not send mail in clear,
// RFC 3207 section 6), EHLO again, AUTH, MAIL FROM, RCPT TO, DATA with the bytes the kit's MIME
// writer made. The connection is kept for the next message (libcurl's cache, at most two minutes
// idle) so a burst of messages pays one TLS handshake.
//
// What happened is a value: libcurl's result code lumps 4xx and 5xx replies together, so the
// last SMTP reply (code and text, captured from the conversation) decides (MESSAGING-NOTES 1.3).

#include <memory>
#include <string>
#include <vector>

#include "disputed/sdk/host.hpp"
#include "plugins/smtp/src/settings.hpp"

namespace disputed::plugins::smtp {

/// How the client logs in for one conversation.
struct Credentials {
  Login login = Login::kNone;
  std::string username;
  std::string password;  ///< plain, login
  std::string bearer;    ///< xoauth2
};

/// What the server (or the connection) said.
struct Reply {
  enum class Verdict {
    kAccepted,   ///< 250 after DATA (or after NOOP for a probe)
    kTransient,  ///< a 4yz reply, a lost connection or a timeout: try again later
    kPermanent,  ///< a 5yz reply to MAIL, RCPT or DATA: this message will never go
    kAuth,       ///< the server refused the credentials (535) or wants them (530)
    kConfig,     ///< TLS is not offered, the certificate is not trusted, a bad server URL
  };
  Verdict verdict = Verdict::kTransient;
  int code = 0;            ///< the last SMTP reply code (0: none)
  std::string text;        ///< the last reply line, e.g. "550 5.1.1 No such user" (bounded)
  std::string error;       ///< libcurl's explanation when the connection failed
  bool ambiguous = false;  ///< the data was sent but no reply came: it may have arrived

  /// "SMTP 550 5.1.1 No such user" or "connection failed: ...", for people.
  std::string describe() const;
};

class SmtpClient {
 public:
  /// `host` gives the cancellation flag; it outlives the client.
  SmtpClient(sdk::Host& host, const Settings& settings);
  ~SmtpClient();
  SmtpClient(const SmtpClient&) = delete;
  SmtpClient& operator=(const SmtpClient&) = delete;

  /// Sends `data` (an RFC 5322 message, CRLF line ends) from `envelope_from` to `recipients`.
  Reply send(const std::string& envelope_from, const std::vector<std::string>& recipients,
             const std::string& data, const Credentials& credentials);
  /// Connects, starts TLS, logs in and says NOOP: proves the settings without sending anything.
  Reply probe(const Credentials& credentials);

 private:
  struct Handle;
  Reply perform(Handle& handle, bool upload);
  void configure(Handle& handle, const Credentials& credentials);

  const Settings& settings_;
  sdk::Host& host_;
  std::unique_ptr<Handle> kept_;  // the connection-keeping handle for sends
};

}  // namespace disputed::plugins::smtp
