// Conformance: Stoplight Prism in `proxy --errors` mode with Zendesk's own API description
// (sandbox/spec/zendesk-tickets-subset.yaml) between the plugin and the sandbox. The plugin's
// whole life cycle runs through it; any request of the plugin or answer of the sandbox that
// disagrees with the description turns into a Prism error (and a log line), which fails the test.
#include <gtest/gtest.h>

#include <filesystem>

#include "disputed/sdk/testing/actions.hpp"
#include "disputed/sdk/testing/fake_host.hpp"
#include "disputed/sdk/testkit/plugin_under_test.hpp"
#include "plugins/sandbox/host_bridge.hpp"
#include "plugins/sandbox/prism_proxy.hpp"
#include "plugins/zendesk/sandbox/zendesk_sandbox.hpp"
#include "plugins/zendesk/tests/zendesk_agent.hpp"

namespace {

namespace sdk = disputed::sdk;
namespace kit = disputed::sdk::testkit;
namespace sb = disputed::sandbox;
using nlohmann::json;
using Status = sdk::ApplyResult::Status;

constexpr std::int64_t kOutcomeField = 360000000005;

class ZendeskConformance : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ =
        new sb::Server(sb::make_zendesk_sandbox({{"public_url", "https://acme.zendesk.com"}}));
    server_->start();
    log_ = std::filesystem::temp_directory_path() /
           ("zendesk-prism-" + std::to_string(getpid()) + ".log");
    prism_ = new sb::PrismProxy(ZENDESK_SPEC, server_->url(), log_);
  }
  static void TearDownTestSuite() {
    delete prism_;
    delete server_;
    // Prism's log stays behind only when something failed (it names the violations).
    if (::testing::UnitTest::GetInstance()->failed_test_count() == 0)
      std::filesystem::remove(log_);
    else
      std::cerr << "Prism's log: " << log_ << "\n";
  }
  static inline std::filesystem::path log_;

  void SetUp() override {
    host_ = std::make_unique<sdk::testing::FakeHost>(
        sb::zendesk::agent_host_options(), [this](const sdk::HttpRequest& r) {
          auto answer = disputed::sandbox::forward(prism_->url(), r);
          if (answer.status >= 400 &&
              answer.body.find("stoplight.io/prism/errors") != std::string::npos)
            prism_errors_.push_back(r.method + " " + r.url + " -> " +
                                    std::to_string(answer.status) + " " + answer.body);
          if (!answer.header("sl-violations").empty())
            prism_errors_.push_back(r.method + " " + r.url +
                                    " sl-violations: " + answer.header("sl-violations"));
          return answer;
        });
    std::string error;
    plugin_ = kit::PluginUnderTest::load(ZENDESK_PLUGIN, &error);
    ASSERT_TRUE(plugin_) << error;
    connector_ = plugin_->create();
    ASSERT_TRUE(connector_);
    json settings = {{"base_url", "https://acme.zendesk.com"},
                     {"custom_fields", {{"outcome", kOutcomeField}, {"dispute", 360000000001}}},
                     {"group_id", 77}};
    ASSERT_TRUE(connector_->open(settings.dump(), *host_).ok);
  }

  sdk::Action action(sdk::Action::Kind kind, const std::string& key, const std::string& action_key,
                     const std::string& ref, const json& payload, int attempt = 1) {
    sdk::Action a;
    a.kind = kind;
    a.task_key = key;
    a.action_key = action_key;
    a.external_ref = ref;
    a.payload_json = payload.dump();
    a.attempt = attempt;
    return a;
  }
  json create_payload(const std::string& key) {
    return json::parse(sdk::testing::sample_create_json(key));
  }
  std::string create(const std::string& key) {
    auto r = connector_->apply(
        action(sdk::Action::Kind::kCreate, key, key + ":create", "", create_payload(key)));
    EXPECT_EQ(r.status, Status::kApplied) << r.message << ::testing::PrintToString(prism_errors_);
    return r.external_ref;
  }
  void expect_conformant() {
    EXPECT_TRUE(prism_errors_.empty()) << ::testing::PrintToString(prism_errors_);
    EXPECT_TRUE(prism_->violations().empty()) << ::testing::PrintToString(prism_->violations());
  }

  static sb::Server* server_;
  static sb::PrismProxy* prism_;
  std::vector<std::string> prism_errors_;
  std::unique_ptr<sdk::testing::FakeHost> host_;
  std::shared_ptr<kit::PluginUnderTest> plugin_;
  kit::ConnectorPtr connector_;
};

sb::Server* ZendeskConformance::server_ = nullptr;
sb::PrismProxy* ZendeskConformance::prism_ = nullptr;

TEST_F(ZendeskConformance, TheWholeLifeCycleAgreesWithZendesksDescription) {
  auto check = connector_->check();
  EXPECT_TRUE(check.ok) << check.message;

  // Create (assignee looked up by e-mail), a retried create (lookup by external_id), a reminder,
  // an escalation, then polls before and after an agent solves the ticket through the proxy.
  std::string key = "DSP-900001-1";
  std::string ref = create(key);
  ASSERT_FALSE(ref.empty());
  auto again = connector_->apply(
      action(sdk::Action::Kind::kCreate, key, key + ":create", "", create_payload(key), 2));
  EXPECT_EQ(again.status, Status::kAlreadyApplied) << again.message;
  json remind = {{"task_key", key}, {"note", "Reminder: due Friday"}};
  EXPECT_EQ(
      connector_->apply(action(sdk::Action::Kind::kRemind, key, key + ":remind-1", ref, remind))
          .status,
      Status::kApplied);
  json escalate = {{"task_key", key},
                   {"note", "Escalated to lead@example.com"},
                   {"escalated_to", "lead@example.com"},
                   {"priority", "urgent"}};
  EXPECT_EQ(
      connector_->apply(action(sdk::Action::Kind::kEscalate, key, key + ":escalate", ref, escalate))
          .status,
      Status::kApplied);

  sdk::PollRequest poll;
  poll.open_refs = {{key, ref}};
  auto first = connector_->poll(poll);
  ASSERT_EQ(first.status, sdk::PollResult::Status::kOk) << first.message;
  poll.cursor = first.next_cursor;
  server_->clock().advance(std::chrono::seconds(2));  // the agent acts a later second

  // The agent comments and solves with an outcome: the real API path, through Prism as well.
  sdk::HttpRequest solve;
  solve.method = "PUT";
  solve.url = "https://acme.zendesk.com/api/v2/tickets/" + ref;
  solve.headers = {{"Content-Type", "application/json"}};
  solve.body = json{{"ticket",
                     {{"status", "solved"},
                      {"custom_fields", {{{"id", kOutcomeField}, {"value", "approved"}}}},
                      {"comment", {{"body", "Contract price confirmed"}, {"public", false}}}}}}
                   .dump();
  EXPECT_EQ(host_->http().send(solve).status, 200);
  auto second = connector_->poll(poll);
  ASSERT_EQ(second.status, sdk::PollResult::Status::kOk) << second.message;
  bool completed = false, commented = false;
  for (const auto& e : second.events) {
    if (e.kind == sdk::TaskEvent::Kind::kCompleted && e.outcome == "approved") completed = true;
    if (e.kind == sdk::TaskEvent::Kind::kCommented) commented = true;
  }
  EXPECT_TRUE(completed);
  EXPECT_TRUE(commented);
  poll.reconcile = true;
  poll.cursor = second.next_cursor;
  EXPECT_EQ(connector_->poll(poll).status, sdk::PollResult::Status::kOk);

  // Closing on disputed's behalf, and cancelling, on two more tickets; a poll with no open refs.
  std::string closed_ref = create("DSP-900002-1");
  json complete = {{"task_key", "DSP-900002-1"}, {"status", "completed"}, {"outcome", "approved"}};
  EXPECT_EQ(connector_
                ->apply(action(sdk::Action::Kind::kUpdate, "DSP-900002-1", "DSP-900002-1:complete",
                               closed_ref, complete))
                .status,
            Status::kApplied);
  std::string cancelled_ref = create("DSP-900003-1");
  json cancel = {{"task_key", "DSP-900003-1"}, {"reason", "dispute withdrawn"}};
  EXPECT_EQ(connector_
                ->apply(action(sdk::Action::Kind::kCancel, "DSP-900003-1", "DSP-900003-1:cancel",
                               cancelled_ref, cancel))
                .status,
            Status::kApplied);
  EXPECT_EQ(connector_->poll(sdk::PollRequest{}).status, sdk::PollResult::Status::kOk);

  // The incremental export mode: a first page from an hour back, then from its cursor.
  auto incremental = plugin_->create();
  ASSERT_TRUE(incremental
                  ->open(R"({"base_url": "https://acme.zendesk.com", "poll_mode": "incremental",
                                   "custom_fields": {"outcome": 360000000005}})",
                         *host_)
                  .ok);
  sdk::PollRequest export_poll;
  export_poll.open_refs = {{key, ref}};
  auto exported = incremental->poll(export_poll);
  ASSERT_EQ(exported.status, sdk::PollResult::Status::kOk) << exported.message;
  EXPECT_EQ(exported.events.size(),
            1u);  // the solved ticket; the other two were closed by disputed
  export_poll.cursor = exported.next_cursor;
  EXPECT_EQ(incremental->poll(export_poll).status, sdk::PollResult::Status::kOk);
  expect_conformant();
}

TEST_F(ZendeskConformance, TheSandboxsRateLimitAnswerAgreesToo) {
  // A 429 with Retry-After in Zendesk's error shape, validated like any other answer.
  sb::Fault limited;
  limited.method = "POST";
  limited.path = "/api/v2/tickets";
  limited.status = 429;
  limited.retry_after = 9;
  server_->add_fault(limited);
  std::string key = "DSP-900004-1";
  auto r = connector_->apply(
      action(sdk::Action::Kind::kCreate, key, key + ":create", "", create_payload(key)));
  EXPECT_EQ(r.status, Status::kRateLimited) << r.message;
  EXPECT_EQ(r.retry_after, std::chrono::seconds(9));
  expect_conformant();
}

TEST_F(ZendeskConformance, PrismRejectsAnInvalidRequestSoTheCheckCanFail) {
  // The negative control: an invalid body never reaches the sandbox (Prism answers 422).
  sdk::HttpRequest bad;
  bad.method = "POST";
  bad.url = "https://acme.zendesk.com/api/v2/tickets";
  bad.headers = {{"Content-Type", "application/json"}};
  bad.body =
      R"({"ticket": {"subject": "x", "priority": "super", "due_at": 12, "comment": {"body": "x"}}})";
  auto before = server_->requests().size();
  auto answer = host_->http().send(bad);
  EXPECT_EQ(answer.status, 422) << answer.body;
  EXPECT_EQ(server_->requests().size(), before);
  EXPECT_FALSE(prism_errors_.empty());
}

}  // namespace
