// The SDK's contract suite against the smtp plugin and a real SMTP server (aiosmtpd with STARTTLS
// and AUTH, shared by the suite's tests; reset() empties its mailbox).

#include <fstream>
#include <sstream>

#include "disputed/sdk/testing/fake_host.hpp"
#include "disputed/sdk/testkit/contract.hpp"
#include "plugins/smtp/tests/mail_sink.hpp"

namespace {

namespace sdk = disputed::sdk;
namespace kit = disputed::sdk::testkit;
using disputed::testing::MailSink;
using disputed::testing::MailSinkOptions;
using nlohmann::json;

MailSink& shared_sink() {
  static MailSink sink([] {
    MailSinkOptions o;
    o.sink_script = SMTP_SINK;
    o.reader_script = MAIL_READER;
    return o;
  }());
  return sink;
}

class SmtpEnvironment : public kit::ContractEnvironment {
 public:
  SmtpEnvironment() : sink_(shared_sink()) {
    sdk::testing::FakeHostOptions good;
    good.plugin_secrets = {{"password", "secret"}};
    good_ = std::make_unique<sdk::testing::FakeHost>(good);
    sdk::testing::FakeHostOptions bad;
    bad.plugin_secrets = {{"password", "wrong-password"}};
    bad_ = std::make_unique<sdk::testing::FakeHost>(bad);
  }

  std::filesystem::path plugin_library() const override { return SMTP_PLUGIN; }
  std::filesystem::path manifest_file() const override { return SMTP_MANIFEST; }

  std::string good_settings() const override {
    return json{{"server", sink_.server_url()},
                {"ca_file", sink_.ca_file().string()},
                {"login", "plain"},
                {"username", "app"},
                {"timeout_ms", 10000}}
        .dump();
  }

  std::vector<kit::BadSettings> bad_settings() const override {
    return {{json{{"server", "http://mail.example.com"}}.dump(), "/server", "not smtp(s)://"},
            {json{{"server", "smtp://mail.example.com:587"}, {"tls", "none"}}.dump(), "/tls",
             "clear text off loopback"},
            {json{{"server", "smtp://mail.example.com:587"}, {"login", "xoauth2"}}.dump(),
             "/username", "a login needs a user"},
            {json{{"server", "smtp://mail.example.com:587"}, {"timeout_ms", 5}}.dump(),
             "/timeout_ms", "too short"},
            {json{{"server", "smtp://mail.example.com:587"}, {"port", 25}}.dump(), "/port",
             "unknown key"}};
  }

  sdk::Host& host() override { return *good_; }
  sdk::Host* host_with_bad_credentials() override { return bad_.get(); }

  // A transport keeps no tasks.
  void complete_externally(const std::string&, const std::string&) override {}
  int count_tasks(const std::string&) override { return 0; }
  kit::TaskState task_state(const std::string&) override { return {}; }
  bool supports(kit::Fault) const override { return false; }
  void inject(const kit::FaultPlan&) override {}

  std::string assignee() const override { return "anna@example.com"; }
  std::string refused_recipient() const override { return "nouser@example.com"; }

  std::optional<int> count_messages(const std::string& message_id) override {
    int n = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(sink_.mail_dir(), ec)) {
      if (e.path().extension() != ".eml") continue;
      std::ifstream in(e.path());
      std::stringstream text;
      text << in.rdbuf();
      if (text.str().find("\r\nMessage-ID: " + message_id + "\r\n") != std::string::npos) ++n;
    }
    return n;
  }

  void reset() override { sink_.clear(); }

 private:
  MailSink& sink_;
  std::unique_ptr<sdk::testing::FakeHost> good_;
  std::unique_ptr<sdk::testing::FakeHost> bad_;
};

}  // namespace

DISPUTED_CONTRACT_TESTS(Smtp, [] { return std::make_unique<SmtpEnvironment>(); });
