#include "plugins/smtp/src/settings.hpp"

#include "disputed/sdk/kit/codecs.hpp"
#include "disputed/sdk/kit/message_contract.hpp"

namespace disputed::plugins::smtp {

namespace {

bool loopback(const std::string& host) {
  return host == "localhost" || host == "127.0.0.1" || host.rfind("127.", 0) == 0;
}

}  // namespace

const char* to_string(Login login) noexcept {
  switch (login) {
    case Login::kPlain:
      return "plain";
    case Login::kLogin:
      return "login";
    case Login::kXoauth2:
      return "xoauth2";
    case Login::kNone:
      break;
  }
  return "none";
}

Settings read_settings(const sdk::kit::Settings& in) {
  Settings s;
  s.server = in.url("/server");
  bool implicit_scheme = s.server.rfind("smtps://", 0) == 0;
  std::string authority = s.server.substr(implicit_scheme ? 8 : 7);
  s.host = authority.substr(0, authority.find(':'));

  std::string tls = in.text("/tls");
  s.tls = tls == "implicit" ? Tls::kImplicit : tls == "none" ? Tls::kNone : Tls::kStartTls;
  if (s.tls == Tls::kImplicit && !implicit_scheme)
    in.problem("/tls", "implicit TLS needs an smtps:// server (port 465)");
  if (s.tls != Tls::kImplicit && implicit_scheme)
    in.problem("/tls", "an smtps:// server speaks implicit TLS: set tls to \"implicit\"");
  if (s.tls == Tls::kNone && !loopback(s.host))
    in.problem("/tls",
               "mail goes unencrypted only to a server on loopback; use starttls or implicit");

  if (in.has("/ca_file")) s.ca_file = in.text("/ca_file");
  s.helo_name = in.text("/helo_name");
  std::string login = in.text("/login");
  s.login = login == "plain"     ? Login::kPlain
            : login == "login"   ? Login::kLogin
            : login == "xoauth2" ? Login::kXoauth2
                                 : Login::kNone;
  if (in.has("/username")) s.username = in.text("/username");
  if (s.login != Login::kNone && s.username.empty())
    in.problem("/username", std::string("is required with login ") + to_string(s.login));
  if (s.login != Login::kNone && s.tls == Tls::kNone)
    in.problem("/login", "credentials are never sent without TLS");
  if (in.has("/envelope_from")) {
    s.envelope_from = in.text("/envelope_from");
    if (!sdk::kit::is_mail_address(s.envelope_from))
      in.problem("/envelope_from", "must be an e-mail address");
  }
  s.timeout = std::chrono::milliseconds(in.integer("/timeout_ms"));
  s.max_message_bytes = std::size_t(in.integer("/max_message_bytes"));
  return s;
}

}  // namespace disputed::plugins::smtp
