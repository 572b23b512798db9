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

SmtpConnector::SmtpConnector() : ConnectorBase(disputed_plugin_manifest_json, "SMTP") {}

void SmtpConnector::read_settings(const kit::Settings& settings, bool keep) {
  Settings read = smtp::read_settings(settings);
  if (!keep) return;
  settings_ = std::move(read);
  client_ = std::make_unique<SmtpClient>(settings_, host());
}

kit::Expected<Credentials> SmtpConnector::credentials() {
  Credentials c;
  c.login = settings_.login;
  c.username = settings_.username;
  switch (settings_.login) {
    case Login::kNone:
      break;
    case Login::kPlain:
    case Login::kLogin: {
      auto password = host().plugin_secret("password");
      if (!password || password->empty())
        return kit::Problem{"/secrets/password",
                            "login " + std::string(to_string(settings_.login)) +
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
  Reply r = client_->probe(*login);
  if (r.verdict == Reply::Verdict::kAuth && settings_.login == Login::kXoauth2 && host().tokens()) {
    host().tokens()->invalidate();
    login = credentials();
    if (login) r = client_->probe(*login);
  }
  switch (r.verdict) {
    case Reply::Verdict::kAccepted:
      return {true, CheckResult::Category::kNone,
              settings_.server + " accepted the connection" +
                  (settings_.tls == Tls::kNone ? "" : " over TLS") +
                  (settings_.login == Login::kNone
                       ? ""
                       : " and the login (" + std::string(to_string(settings_.login)) + ")"),
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
          "check that " + settings_.server + " is reachable from this machine (firewall, port)"};
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
  if (bytes->size() > settings_.max_message_bytes)
    return kit::rejected("the message has " + std::to_string(bytes->size()) +
                         " bytes, more than settings.max_message_bytes (" +
                         std::to_string(settings_.max_message_bytes) + ")");
  auto login = credentials();
  if (!login) return auth_failed(login.problem().text());
  std::string envelope = !settings_.envelope_from.empty() ? settings_.envelope_from
                         : !m.envelope_from.empty()       ? m.envelope_from
                                                          : m.from.address;
  auto recipients = m.recipients();
  Reply reply = client_->send(envelope, recipients, *bytes, *login);
  if (reply.verdict == Reply::Verdict::kAuth && settings_.login == Login::kXoauth2 &&
      host().tokens()) {
    // The token may have been revoked or expired early: one fresh token, as the host does for
    // HTTP after a 401.
    host().tokens()->invalidate();
    login = credentials();
    if (!login) return auth_failed(login.problem().text());
    reply = client_->send(envelope, recipients, *bytes, *login);
  }
  log(reply.verdict == Reply::Verdict::kAccepted ? sdk::LogLevel::kInfo : sdk::LogLevel::kWarn,
      "message " + m.message_id + " (" + action.action_key + ", " +
          std::to_string(recipients.size()) + " recipient(s), " + std::to_string(bytes->size()) +
          " bytes) -> " + reply.describe());
  return result_of(reply, m);
}

sdk::PollResult SmtpConnector::on_poll(const sdk::PollRequest& request) {
  // Nothing comes back by SMTP submission: bounces arrive at the envelope sender's mailbox.
  sdk::PollResult r;
  r.status = sdk::PollResult::Status::kOk;
  r.next_cursor = request.cursor;
  return r;
}

}  // namespace disputed::plugins::smtp

DISPUTED_CONNECTOR_PLUGIN(disputed::plugins::smtp::SmtpConnector)
