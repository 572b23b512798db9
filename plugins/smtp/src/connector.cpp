#include "plugins/smtp/src/connector.hpp"

#include "disputed/sdk/kit/http_policy.hpp"
#include "disputed/sdk/kit/mime.hpp"
#include "disputed/sdk/plugin.hpp"

namespace disputed::plugins::smtp {

namespace {

using sdk::Action;
using sdk::ApplyResult;
using sdk::CheckResult;

ApplyResult auth_failed(std::string message) {
  ApplyResult r;
  r.status = ApplyResult::Status::kAuthFailed;
  r.message = std::move(message);
  return r;
}

}  // namespace

SmtpConnector::SmtpConnector()
    : SystemConnector(disputed_plugin_manifest_json, "SMTP", &smtp::read_settings) {}

kit::Expected<Credentials> SmtpConnector::credentials() {
  Credentials c;
  c.login = settings().login;
  c.username = settings().username;
  switch (settings().login) {
    case Login::kNone:
      break;
    case Login::kPlain:
    case Login::kLogin: {
      auto password = host().plugin_secret("password");
      if (!password || password->empty())
        return kit::Problem{"/secrets/password",
                            "login " + std::string(to_string(settings().login)) +
                                " needs the instance's secrets.password (env:NAME or file:PATH)"};
      c.password = std::move(*password);
      break;
    }
    case Login::kXoauth2: {
      auto* tokens = host().tokens();
      if (!tokens)
        return kit::Problem{"/auth/kind",
                            "login xoauth2 needs an OAuth2 token: set auth.kind "
                            "oauth2_client_credentials with token_url and client_id"};
      std::string error;
      auto token = tokens->token(&error);
      if (!token) return kit::Problem{"/auth", "no OAuth2 token: " + error};
      c.bearer = token->access_token;
      break;
    }
  }
  return c;
}

CheckResult SmtpConnector::on_check() {
  auto login = credentials();
  if (!login)
    return {false, CheckResult::Category::kAuth, login.problem().text(),
            "configure the instance's credentials for its login setting"};
  Reply r = client().probe(*login);
  if (r.verdict == Reply::Verdict::kAuth && settings().login == Login::kXoauth2 &&
      host().tokens()) {
    host().tokens()->invalidate();
    login = credentials();
    if (login) r = client().probe(*login);
  }
  switch (r.verdict) {
    case Reply::Verdict::kAccepted:
      return {true, CheckResult::Category::kNone,
              settings().server + " accepted the connection" +
                  (settings().tls == Tls::kNone ? "" : " over TLS") +
                  (settings().login == Login::kNone
                       ? ""
                       : " and the login (" + std::string(to_string(settings().login)) + ")"),
              ""};
    case Reply::Verdict::kAuth:
      return {false, CheckResult::Category::kAuth, r.describe(),
              "check settings.username and the password secrets.password points to (for "
              "xoauth2: the app's SMTP.Send permission and the mailbox's SMTP AUTH switch)"};
    case Reply::Verdict::kConfig:
      return {false, CheckResult::Category::kConfig, r.describe(),
              "check settings.server and settings.tls (587: starttls, 465: implicit) and that "
              "the server's certificate is trusted (settings.ca_file for a private authority)"};
    case Reply::Verdict::kPermanent:
      return {false, CheckResult::Category::kPermission, r.describe(),
              "the server refuses this client: ask its administrator to allow submission"};
    case Reply::Verdict::kTransient:
      break;
  }
  return {false, CheckResult::Category::kNetwork, r.describe(),
          "check that " + settings().server + " is reachable from this machine (firewall, port)"};
}

ApplyResult SmtpConnector::on_create(const Action& action, const kit::TaskPayload&) {
  return kit::rejected("the smtp connector sends messages; it keeps no tasks", action.external_ref);
}

ApplyResult SmtpConnector::result_of(const Reply& reply, const kit::MessagePayload& m) const {
  switch (reply.verdict) {
    case Reply::Verdict::kAccepted:
      return kit::applied(m.message_id);
    case Reply::Verdict::kPermanent:
      return kit::rejected(reply.describe() + " (permanent: the message was not sent)");
    case Reply::Verdict::kAuth:
      return auth_failed(reply.describe() + " (the server refused the login)");
    case Reply::Verdict::kConfig:
      return auth_failed("a configuration problem: " + reply.describe());
    case Reply::Verdict::kTransient:
      break;
  }
  return kit::retryable(reply.describe() + (reply.ambiguous
                                                ? " after the whole message was sent: it may have "
                                                  "arrived; the retry carries the same Message-ID"
                                                : ""));
}

ApplyResult SmtpConnector::on_message(const Action& action, const kit::MessagePayload& m) {
  auto bytes = kit::write_mime(m);
  if (!bytes) return kit::rejected("the message cannot be written: " + bytes.problem().text());
  if (bytes->size() > settings().max_message_bytes)
    return kit::rejected("the message has " + std::to_string(bytes->size()) +
                         " bytes, more than settings.max_message_bytes (" +
                         std::to_string(settings().max_message_bytes) + ")");
  auto login = credentials();
  if (!login) return auth_failed(login.problem().text());
  std::string envelope = !settings().envelope_from.empty() ? settings().envelope_from
                         : !m.envelope_from.empty()        ? m.envelope_from
                                                           : m.from.address;
  auto recipients = m.recipients();
  Reply reply = client().send(envelope, recipients, *bytes, *login);
  if (reply.verdict == Reply::Verdict::kAuth && settings().login == Login::kXoauth2 &&
      host().tokens()) {
    // The token may have been revoked or expired early: one fresh token, as the host does for
    // HTTP after a 401.
    host().tokens()->invalidate();
    login = credentials();
    if (!login) return auth_failed(login.problem().text());
    reply = client().send(envelope, recipients, *bytes, *login);
  }
  log(reply.verdict == Reply::Verdict::kAccepted ? sdk::LogLevel::kInfo : sdk::LogLevel::kWarn,
      "message " + m.message_id + " (" + action.action_key + ", " +
          std::to_string(recipients.size()) + " recipient(s), " + std::to_string(bytes->size()) +
          " bytes) -> " + reply.describe());
  return result_of(reply, m);
}

}  // namespace disputed::plugins::smtp

DISPUTED_CONNECTOR_PLUGIN(disputed::plugins::smtp::SmtpConnector)
