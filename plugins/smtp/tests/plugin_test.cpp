// The SMTP transport against a real SMTP server (aiosmtpd, STARTTLS on a generated certificate,
// AUTH), each received message read back with Python's email package.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "disputed/sdk/kit/message_contract.hpp"
#include "disputed/sdk/testing/fake_host.hpp"
#include "disputed/sdk/testkit/plugin_under_test.hpp"
#include "plugins/smtp/tests/mail_sink.hpp"

namespace {

namespace sdk = disputed::sdk;
namespace kit = disputed::sdk::kit;
namespace testkit = disputed::sdk::testkit;
using disputed::testing::MailSink;
using disputed::testing::MailSinkOptions;
using nlohmann::json;
using sdk::Action;
using sdk::ApplyResult;
using ::testing::HasSubstr;

MailSinkOptions sink_options(MailSinkOptions::Tls tls = MailSinkOptions::Tls::kStartTls) {
  MailSinkOptions o;
  o.tls = tls;
  o.sink_script = SMTP_SINK;
  o.reader_script = MAIL_READER;
  return o;
}

kit::MessagePayload message(const std::string& key, const std::string& to = "anna@example.com") {
  kit::MessagePayload m;
  m.kind = "task_assigned";
  m.idempotency_key = key;
  std::string id = key;
  for (char& ch : id)
    if (ch == ':') ch = '.';
  m.message_id = "<" + id + ".task@disputes.example.test>";
  m.date = "2026-11-23T08:00:00Z";
  m.from = {"disputes@example.test", "Crédit control — Acme"};
  m.envelope_from = "bounces@example.test";
  m.to = {{to, "Anna Jansen"}};
  m.reply_to = {{"disputes+DSP-000042@example.test", ""}};
  m.subject = "Nieuwe taak: controleer de prijsafspraak — DSP-000042 (Bäckerei Müller)";
  m.text = "Beste Anna,\n\nBedrag: € 1.234,50\nKlik: https://disputes.example.test/a/abc?x=1\n";
  m.html =
      "<p>Beste Anna,</p><p>Bedrag: &euro; 1.234,50</p>"
      "<p><a href=\"https://disputes.example.test/a/abc?x=1&amp;y=2\">Akkoord</a></p>";
  m.headers = {{"Auto-Submitted", "auto-generated"}, {"X-Auto-Response-Suppress", "All"}};
  m.in_reply_to = "<root.DSP-000042@disputes.example.test>";
  m.references = {"<root.DSP-000042@disputes.example.test>"};
  m.language = "nl";
  m.dispute = "DSP-000042";
  return m;
}

Action action(const kit::MessagePayload& m) {
  Action a;
  a.kind = Action::Kind::kMessage;
  a.action_key = m.idempotency_key;
  a.task_key = m.dispute;
  a.payload_json = kit::serialise_message_payload(m);
  return a;
}

class SmtpPlugin : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    plugin_ = testkit::PluginUnderTest::load(SMTP_PLUGIN, &error);
    ASSERT_TRUE(plugin_) << error;
  }

  void start(MailSinkOptions options = sink_options()) {
    sink_ = std::make_unique<MailSink>(std::move(options));
  }

  // A connector on a host with the given plugin secrets (and OAuth2 tokens when given).
  testkit::ConnectorPtr open(
      json settings, std::map<std::string, std::string> secrets = {},
      std::function<std::optional<sdk::AccessToken>(std::string&)> issuer = {}) {
    sdk::testing::FakeHostOptions o;
    o.plugin_secrets = std::move(secrets);
    if (issuer) {
      o.auth_kind = "oauth2_client_credentials";
      hosts_.push_back(
          std::make_unique<sdk::testing::FakeHost>(o, sdk::testing::SandboxHandler{}, issuer));
    } else {
      hosts_.push_back(std::make_unique<sdk::testing::FakeHost>(o));
    }
    auto c = plugin_->create();
    auto problems = c->validate(settings.dump());
    EXPECT_TRUE(problems.empty()) << problems.front().field << ": " << problems.front().problem;
    auto r = c->open(settings.dump(), *hosts_.back());
    EXPECT_TRUE(r.ok) << r.message;
    return c;
  }

  json settings(json extra = json::object()) const {
    json s = {{"server", sink_->server_url()},
              {"ca_file", sink_->ca_file().string()},
              {"timeout_ms", 5000}};
    s.update(extra);
    return s;
  }

  std::shared_ptr<testkit::PluginUnderTest> plugin_;
  std::unique_ptr<MailSink> sink_;
  // Every host outlives the connectors opened on it (declared before them in each test).
  std::vector<std::unique_ptr<sdk::testing::FakeHost>> hosts_;
};

TEST_F(SmtpPlugin, AMessageArrivesOverStartTlsWithTheHeadersBodiesAndLinksItWasGiven) {
  start();
  auto c = open(settings({{"login", "plain"}, {"username", "app"}}), {{"password", "secret"}});
  auto m = message("DSP-000042-1:assigned");
  ApplyResult r = c->apply(action(m));
  ASSERT_EQ(r.status, ApplyResult::Status::kApplied) << r.message;
  EXPECT_EQ(r.external_ref, m.message_id);

  auto got = sink_->messages();
  ASSERT_EQ(got.size(), 1u);
  const auto& mail = got[0];
  EXPECT_EQ(mail["defects"], json::array());
  EXPECT_EQ(mail["envelope"]["tls"], "yes");
  EXPECT_EQ(mail["envelope"]["login"], "app");
  EXPECT_EQ(mail["envelope"]["from"], "bounces@example.test");
  EXPECT_EQ(mail["envelope"]["to"], json::array({"anna@example.com"}));
  const auto& h = mail["headers"];
  EXPECT_EQ(h["subject"][0], m.subject);  // RFC 2047 on the wire, decoded by the reader
  EXPECT_THAT(mail["raw_headers"]["subject"][0].get<std::string>(), HasSubstr("=?UTF-8?Q?"));
  EXPECT_EQ(h["message-id"][0], m.message_id);
  EXPECT_EQ(h["in-reply-to"][0], m.in_reply_to);
  EXPECT_EQ(h["references"][0], m.references[0]);
  EXPECT_EQ(h["from"][0], "Crédit control — Acme <disputes@example.test>");
  EXPECT_EQ(h["to"][0], "Anna Jansen <anna@example.com>");
  EXPECT_EQ(h["reply-to"][0], "disputes+DSP-000042@example.test");
  EXPECT_EQ(h["auto-submitted"][0], "auto-generated");
  EXPECT_EQ(h["x-auto-response-suppress"][0], "All");
  EXPECT_EQ(h["date"][0], "Mon, 23 Nov 2026 08:00:00 +0000");
  EXPECT_EQ(h["content-language"][0], "nl");
  EXPECT_EQ(mail["content_type"], "multipart/alternative");
  EXPECT_EQ(mail["parts"], json::array({"multipart/alternative", "text/plain", "text/html"}));
  std::string text = mail["text"];
  EXPECT_THAT(text, HasSubstr("Bedrag: € 1.234,50"));
  EXPECT_THAT(mail["html"].get<std::string>(), HasSubstr("<a href="));
  EXPECT_EQ(mail["links"], json::array({"https://disputes.example.test/a/abc?x=1",
                                        "https://disputes.example.test/a/abc?x=1&y=2"}));
}

TEST_F(SmtpPlugin, ARetryCarriesTheSameMessageIdAndBytes) {
  start();
  auto c = open(settings());
  auto m = message("DSP-000042-1:remind-1");
  ASSERT_EQ(c->apply(action(m)).status, ApplyResult::Status::kApplied);
  Action again = action(m);
  again.attempt = 2;  // the host lost the first answer (a crash before its commit)
  ASSERT_EQ(c->apply(again).status, ApplyResult::Status::kApplied);
  auto got = sink_->messages();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0]["headers"]["message-id"], got[1]["headers"]["message-id"]);
  EXPECT_EQ(got[0]["text"], got[1]["text"]);
  EXPECT_EQ(got[0]["raw_headers"], got[1]["raw_headers"]);
}

TEST_F(SmtpPlugin, ImplicitTlsAndXoauth2WithARefreshedToken) {
  start(sink_options(MailSinkOptions::Tls::kImplicit));
  int issued = 0;
  auto c = open(settings({{"tls", "implicit"}, {"login", "xoauth2"}, {"username", "app"}}), {},
                [&](std::string&) -> std::optional<sdk::AccessToken> {
                  // The first token is refused by the server; the host's next one works.
                  sdk::AccessToken t;
                  t.access_token = issued++ == 0 ? "stale-token" : "good-token";
                  t.expires_at = sdk::Instant(std::chrono::seconds(4102444800));
                  return t;
                });
  ApplyResult r = c->apply(action(message("DSP-000042-1:assigned")));
  ASSERT_EQ(r.status, ApplyResult::Status::kApplied) << r.message;
  EXPECT_EQ(issued, 2);
  auto got = sink_->messages();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["envelope"]["tls"], "yes");
  EXPECT_EQ(got[0]["envelope"]["login"], "app");
  EXPECT_TRUE(c->check().ok);
}

TEST_F(SmtpPlugin, RepliesDecideRetryDeadLetterOrHoldingTheInstance) {
  start();
  auto c = open(settings({{"login", "login"}, {"username", "app"}}), {{"password", "secret"}});
  ApplyResult busy = c->apply(action(message("k-busy", "busy@example.com")));
  EXPECT_EQ(busy.status, ApplyResult::Status::kRetryable);
  EXPECT_THAT(busy.message, HasSubstr("450 4.2.1 Mailbox busy"));
  ApplyResult unknown = c->apply(action(message("k-nouser", "nouser@example.com")));
  EXPECT_EQ(unknown.status, ApplyResult::Status::kRejected);
  EXPECT_THAT(unknown.message, HasSubstr("550 5.1.1 No such user"));
  auto bad = message("k-reject");
  bad.headers.push_back({"X-Test-Reject", "yes"});
  ApplyResult refused = c->apply(action(bad));
  EXPECT_EQ(refused.status, ApplyResult::Status::kRejected);
  EXPECT_THAT(refused.message, HasSubstr("554 5.6.0"));
  EXPECT_EQ(sink_->count(), 0);

  auto wrong = open(settings({{"login", "plain"}, {"username", "app"}}), {{"password", "nope"}});
  ApplyResult denied = wrong->apply(action(message("k-denied")));
  EXPECT_EQ(denied.status, ApplyResult::Status::kAuthFailed);
  EXPECT_THAT(denied.message, HasSubstr("535"));
  auto check = wrong->check();
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.category, sdk::CheckResult::Category::kAuth);
  // The password never reaches a log line.
  for (const auto& line : hosts_.back()->log_lines())
    EXPECT_THAT(line, ::testing::Not(HasSubstr("nope")));

  auto missing = open(settings({{"login", "plain"}, {"username", "app"}}));
  ApplyResult no_secret = missing->apply(action(message("k-nosecret")));
  EXPECT_EQ(no_secret.status, ApplyResult::Status::kAuthFailed);
  EXPECT_THAT(no_secret.message, HasSubstr("secrets.password"));
}

TEST_F(SmtpPlugin, TlsIsRequiredAndTheCertificateMustBeTrusted) {
  start(sink_options(MailSinkOptions::Tls::kNone));  // a server without STARTTLS
  auto c = open(settings());
  ApplyResult r = c->apply(action(message("k-notls")));
  EXPECT_EQ(r.status, ApplyResult::Status::kAuthFailed);  // held: an operator must act
  EXPECT_THAT(r.message, HasSubstr("STARTTLS"));
  EXPECT_EQ(sink_->count(), 0);

  sink_.reset();
  start();
  json untrusted = settings();
  untrusted.erase("ca_file");
  auto u = open(untrusted);
  ApplyResult v = u->apply(action(message("k-untrusted")));
  EXPECT_EQ(v.status, ApplyResult::Status::kAuthFailed);
  EXPECT_THAT(v.message, HasSubstr("configuration problem"));
  EXPECT_EQ(u->check().category, sdk::CheckResult::Category::kConfig);
  EXPECT_EQ(sink_->count(), 0);
}

TEST_F(SmtpPlugin, ALostReplyAfterTheDataIsRetriedAndTheDuplicateHasTheSameMessageId) {
  auto options = sink_options();
  options.slow_seconds = 5;  // the server stores the message, then answers after the client gave up
  start(options);
  auto c = open(settings({{"timeout_ms", 2000}}));
  auto m = message("k-slow", "slow@example.com");
  ApplyResult first = c->apply(action(m));
  EXPECT_EQ(first.status, ApplyResult::Status::kRetryable);
  EXPECT_THAT(first.message, HasSubstr("same Message-ID"));
  ASSERT_TRUE(sink_->wait_for(1));
  // The server kept it; the host sends the action again: the same message, not a new one.
  auto again = c->apply(action(m));
  EXPECT_EQ(again.status, ApplyResult::Status::kRetryable) << again.message;
  EXPECT_THAT(again.message, HasSubstr("same Message-ID"));
  ASSERT_TRUE(sink_->wait_for(2));
  auto got = sink_->messages();
  EXPECT_EQ(got[0]["headers"]["message-id"], got[1]["headers"]["message-id"]);
}

TEST_F(SmtpPlugin, SettingsThatCannotWorkAreRefusedNamingTheField) {
  auto c = plugin_->create();
  auto first = [&](json s) {
    auto p = c->validate(s.dump());
    return p.empty() ? std::string("(none)") : p.front().field;
  };
  EXPECT_EQ(first({{"server", "smtp://mail.example.com:587"}, {"tls", "implicit"}}), "/tls");
  EXPECT_EQ(first({{"server", "smtps://mail.example.com:465"}}), "/tls");
  EXPECT_EQ(first({{"server", "smtp://mail.example.com:25"}, {"tls", "none"}}), "/tls");
  EXPECT_EQ(first({{"server", "smtp://mail.example.com:587"}, {"login", "plain"}}), "/username");
  EXPECT_EQ(first({{"server", "smtp://mail.example.com:587"}, {"envelope_from", "x"}}),
            "/envelope_from");
  EXPECT_EQ(first({{"server", "smtp://mail.example.com:587"}}), "(none)");
}

TEST_F(SmtpPlugin, ABadMessageIsRejectedBeforeAnythingIsSent) {
  start();
  auto c = open(settings());
  Action a = action(message("k-bad"));
  auto j = json::parse(a.payload_json);
  j["to"][0]["address"] = "anna@example.com\r\nBcc: everyone@example.com";
  a.payload_json = j.dump();
  ApplyResult r = c->apply(a);
  EXPECT_EQ(r.status, ApplyResult::Status::kRejected);
  EXPECT_THAT(r.message, HasSubstr("/to/0/address"));
  a.payload_json = "[]";
  EXPECT_EQ(c->apply(a).status, ApplyResult::Status::kRejected);
  EXPECT_EQ(sink_->count(), 0);
}

}  // namespace
