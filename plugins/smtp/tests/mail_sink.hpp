#pragma once
// The SMTP sandbox in a test: Debian's aiosmtpd (plugins/smtp/sandbox/smtp_sink.py) started on a
// free loopback port with STARTTLS on a freshly generated certificate and AUTH, storing what it
// receives; messages() reads the stored files with Python's email package (read_mail.py), so
// tests assert what a mail client would show, parsed by a MIME parser that is not ours.

#include <chrono>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "plugins/sandbox/helper_process.hpp"

namespace disputed::testing {

struct MailSinkOptions {
  enum class Tls { kStartTls, kImplicit, kNone };
  Tls tls = Tls::kStartTls;
  std::string user = "app";
  std::string password = "secret";
  std::string token = "good-token";  ///< the XOAUTH2 bearer token it accepts
  bool require_auth = false;
  int slow_seconds = 10;                ///< how long the reply to a message for slow@ waits
  std::filesystem::path sink_script;    ///< smtp_sink.py
  std::filesystem::path reader_script;  ///< read_mail.py
};

class MailSink {
 public:
  /// Starts the sink; throws std::runtime_error with its output when it does not listen within
  /// 20 s.
  explicit MailSink(MailSinkOptions options);
  ~MailSink();
  MailSink(const MailSink&) = delete;
  MailSink& operator=(const MailSink&) = delete;

  int port() const { return port_; }
  /// "smtp://127.0.0.1:PORT" (or smtps://).
  std::string server_url() const;
  /// The certificate the server presents (CN localhost, IP 127.0.0.1), PEM: trust it.
  std::filesystem::path ca_file() const { return dir_ / "cert.pem"; }
  /// Where the messages land (NNNNNN.eml).
  std::filesystem::path mail_dir() const { return dir_ / "mail"; }

  /// How many messages have arrived.
  int count() const;
  /// Waits until at least `n` messages arrived (false after `timeout`).
  bool wait_for(int n, std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
  /// Every message so far, parsed (see read_mail.py for the shape), in arrival order.
  nlohmann::json messages() const;
  /// Forgets the messages received so far.
  void clear();

 private:
  MailSinkOptions options_;
  std::filesystem::path dir_;
  int port_ = 0;
  sandbox::HelperProcess process_;  ///< the sink (python3 smtp_sink.py)
};

/// The sink the engine's end-to-end mail tests run: STARTTLS required, AUTH required (user "app",
/// password "secret"), with the scripts this build knows (SMTP_SINK, MAIL_READER).
MailSinkOptions end_to_end_sink_options();
/// The smtp connector instance `name` sending to `sink` as those tests do: STARTTLS trusting the
/// sink's certificate, AUTH PLAIN as "app" with the password from DISPUTED_TEST_SMTP_PASSWORD
/// (set here), at most 3 attempts.
nlohmann::json end_to_end_smtp_instance(const std::string& name, const MailSink& sink);

}  // namespace disputed::testing
