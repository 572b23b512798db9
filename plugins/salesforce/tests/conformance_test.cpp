// Conformance: the plugin's whole life cycle through Stoplight Prism in `proxy --errors` mode
// with the Salesforce API description (sandbox/spec/salesforce-rest-min.yaml) between the plugin
// and the sandbox. Prism checks every request the plugin (and the token fetch) sends and every
// answer the sandbox gives; a violation becomes an error answer and a log line, and fails here.
// Slow (Prism starts in ~5 s): ctest label `conformance`.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "disputed/sdk/batch_applier.hpp"
#include "disputed/sdk/testing/actions.hpp"
#include "disputed/sdk/testing/fake_host.hpp"
#include "disputed/sdk/testkit/plugin_under_test.hpp"
#include "plugins/salesforce/sandbox/salesforce_sandbox.hpp"
#include "plugins/sandbox/host_bridge.hpp"
#include "plugins/sandbox/prism_proxy.hpp"
#include "plugins/sandbox/test_client.hpp"

namespace {

namespace sdk = disputed::sdk;
namespace kit = disputed::sdk::testkit;
namespace sb = disputed::sandbox;
using nlohmann::json;
using sb::salesforce::SalesforceEmulator;

class SalesforceConformance : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new sb::Server(std::make_unique<SalesforceEmulator>(sb::Options{}));
    server_->start();
    log_ = std::filesystem::temp_directory_path() /
           ("salesforce-prism-" + std::to_string(::getpid()) + ".log");
    try {
      prism_ = new sb::PrismProxy(SALESFORCE_SPEC, server_->url(), log_);
    } catch (const std::exception& e) {
      prism_error_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    delete prism_;
    server_->stop();
    delete server_;
    std::filesystem::remove(log_);
  }

  void SetUp() override {
    if (!prism_) GTEST_FAIL() << "Prism could not be started: " << prism_error_;
    server_->reset();
    server_->with_emulator([](sb::Emulator& e) {
      static_cast<SalesforceEmulator&>(e).set_instance_url(
          prism_->url());  // every API call via Prism
      return 0;
    });
    sdk::testing::FakeHostOptions options;
    options.auth_kind = "oauth2_client_credentials";
    options.allowed_hosts = {"127.0.0.1:*"};
    host_ = std::make_unique<sdk::testing::FakeHost>(
        options, sb::over_loopback(),
        [this](std::string& error) -> std::optional<sdk::AccessToken> {
          auto t = token_through_prism();
          if (t.status != 200) {
            error = "token endpoint answered " + std::to_string(t.status) + " " + t.body;
            return std::nullopt;
          }
          return sdk::AccessToken{t.json()["access_token"],
                                  host_->clock().now() + std::chrono::minutes(30), t.body};
        });
    std::string error;
    plugin_ = kit::PluginUnderTest::load(SALESFORCE_PLUGIN, &error);
    ASSERT_TRUE(plugin_) << error;
    connector_ = plugin_->create();
    ASSERT_TRUE(connector_);
    auto opened = connector_->open(
        R"({"api_version":"v62.0","account_number_field":"Customer_Number__c","time_zone":"Europe/Amsterdam"})",
        *host_);
    ASSERT_TRUE(opened.ok) << opened.message;
  }
  void TearDown() override {
    connector_.reset();
    if (!prism_) return;
    EXPECT_TRUE(prism_->violations().empty()) << [] {
      std::string all;
      for (const auto& v : prism_->violations()) all += v + "\n";
      return all;
    }();
  }

  // A client-credentials token from the sandbox's token endpoint, through Prism.
  static sb::ClientAnswer token_through_prism() {
    return sb::http_call(
        "POST", prism_->url() + "/services/oauth2/token",
        "grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret",
        {{"Content-Type", "application/x-www-form-urlencoded"}});
  }
  // The Authorization header of a fresh token (a test failure when there is none).
  static std::map<std::string, std::string> bearer() {
    auto t = token_through_prism();
    EXPECT_EQ(t.status, 200) << t.body;
    json answer = t.json();
    return {{"Authorization",
             "Bearer " + (answer.is_object() ? answer.value("access_token", "") : "")}};
  }

  static sdk::Action action(sdk::Action::Kind kind, const std::string& key,
                            const std::string& suffix, json payload) {
    sdk::Action a;
    a.kind = kind;
    a.task_key = key;
    a.action_key = key + ":" + suffix;
    a.payload_json = payload.dump();
    return a;
  }
  static json create_payload(const std::string& key) {
    return json::parse(sdk::testing::sample_create_json(key, "rep@example.com"));
  }

  static sb::Server* server_;
  static sb::PrismProxy* prism_;
  static std::filesystem::path log_;
  static std::string prism_error_;
  std::unique_ptr<sdk::testing::FakeHost> host_;
  std::shared_ptr<kit::PluginUnderTest> plugin_;
  kit::ConnectorPtr connector_;
};

sb::Server* SalesforceConformance::server_ = nullptr;
sb::PrismProxy* SalesforceConformance::prism_ = nullptr;
std::filesystem::path SalesforceConformance::log_;
std::string SalesforceConformance::prism_error_;

TEST_F(SalesforceConformance, TheWholeLifeCycleAgreesWithTheApiDescription) {
  using S = sdk::ApplyResult::Status;
  auto check = connector_->check();
  EXPECT_TRUE(check.ok) << check.message << " / " << check.remedy;

  auto created = connector_->apply(
      action(sdk::Action::Kind::kCreate, "DSP-000777-1", "create", create_payload("DSP-000777-1")));
  ASSERT_EQ(created.status, S::kApplied) << created.message;
  auto again = connector_->apply(
      action(sdk::Action::Kind::kCreate, "DSP-000777-1", "create", create_payload("DSP-000777-1")));
  EXPECT_EQ(again.status, S::kAlreadyApplied) << again.message;
  EXPECT_EQ(again.external_ref, created.external_ref);

  json note = {{"note", "Reminder: due Fri 4 Dec"},
               {"priority", "urgent"},
               {"escalated_to", "manager@example.com"}};
  EXPECT_EQ(connector_->apply(action(sdk::Action::Kind::kRemind, "DSP-000777-1", "remind-1", note))
                .status,
            S::kApplied);
  EXPECT_EQ(
      connector_->apply(action(sdk::Action::Kind::kEscalate, "DSP-000777-1", "escalate", note))
          .status,
      S::kApplied);

  auto first = connector_->poll({"", {{"DSP-000777-1", created.external_ref}}, false});
  ASSERT_EQ(first.status, sdk::PollResult::Status::kOk) << first.message;
  EXPECT_TRUE(first.events.empty());

  // The rep closes the Task with an outcome, through the proxy too.
  auto rep =
      sb::http_call("POST", server_->url() + "/_sandbox/sessions", R"({"user":"rep@example.com"})");
  auto closed = sb::http_call(
      "PATCH", prism_->url() + "/services/data/v62.0/sobjects/Task/" + created.external_ref,
      json{{"Status", "Completed"}, {"Dispute_Outcome__c", "approved"}}.dump(),
      {{"Authorization", "Bearer " + rep.json()["access_token"].get<std::string>()}});
  ASSERT_EQ(closed.status, 204) << closed.body;
  auto second =
      connector_->poll({first.next_cursor, {{"DSP-000777-1", created.external_ref}}, true});
  ASSERT_EQ(second.status, sdk::PollResult::Status::kOk) << second.message;
  ASSERT_EQ(second.events.size(), 1u);
  EXPECT_EQ(second.events[0].outcome, "approved");
  EXPECT_EQ(second.events[0].actor, "rep@example.com");

  // Another step: completed in disputed, and a third one cancelled.
  ASSERT_EQ(connector_
                ->apply(action(sdk::Action::Kind::kCreate, "DSP-000777-2", "create",
                               create_payload("DSP-000777-2")))
                .status,
            S::kApplied);
  EXPECT_EQ(
      connector_
          ->apply(action(sdk::Action::Kind::kUpdate, "DSP-000777-2", "complete",
                         {{"status", "completed"}, {"outcome", "approved"}, {"comment", "done"}}))
          .status,
      S::kApplied);
  ASSERT_EQ(connector_
                ->apply(action(sdk::Action::Kind::kCreate, "DSP-000777-3", "create",
                               create_payload("DSP-000777-3")))
                .status,
            S::kApplied);
  EXPECT_EQ(connector_
                ->apply(action(sdk::Action::Kind::kCancel, "DSP-000777-3", "cancel",
                               {{"reason", "withdrawn"}}))
                .status,
            S::kApplied);
  auto third = connector_->poll({second.next_cursor, {}, false});
  EXPECT_EQ(third.status, sdk::PollResult::Status::kOk) << third.message;
}

// Batched creates (sObject Collections upsert by the external-id field) agree with the
// description, found through the optional BatchApplier interface as the host finds it.
TEST_F(SalesforceConformance, BatchedCreatesAgreeWithTheApiDescription) {
  using S = sdk::ApplyResult::Status;
  auto* batch = dynamic_cast<sdk::BatchApplier*>(connector_.get());
  ASSERT_NE(batch, nullptr) << "the plugin's connector implements sdk::BatchApplier";
  EXPECT_EQ(batch->max_batch(), 200u);
  std::vector<sdk::Action> actions;
  for (int i = 1; i <= 3; ++i) {
    std::string key = "DSP-000888-" + std::to_string(i);
    actions.push_back(action(sdk::Action::Kind::kCreate, key, "create", create_payload(key)));
  }
  auto first = batch->apply_batch(actions);
  ASSERT_EQ(first.size(), 3u);
  for (const auto& r : first) EXPECT_EQ(r.status, S::kApplied) << r.message;
  auto again = batch->apply_batch(actions);
  ASSERT_EQ(again.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(again[i].status, S::kAlreadyApplied) << again[i].message;
    EXPECT_EQ(again[i].external_ref, first[i].external_ref);
  }
}

// The sandbox's answers the plugin does not use yet agree with the description too: sObject
// Collections, describe, limits, an error array, the daily allocation running out.
TEST_F(SalesforceConformance, TheSandboxsOtherAnswersAgreeToo) {
  std::map<std::string, std::string> auth = bearer();
  ASSERT_FALSE(HasFailure());
  std::string base = prism_->url() + "/services/data/v62.0";
  json records = json::array(
      {{{"attributes", {{"type", "Task"}}}, {"Subject", "a"}, {"Dispute_Action_Id__c", "DSP-9-1"}},
       {{"attributes", {{"type", "Task"}}},
        {"Status", "Nope"},
        {"Dispute_Action_Id__c", "DSP-9-2"}}});
  auto created =
      sb::http_call("POST", base + "/composite/sobjects", json{{"records", records}}.dump(), auth);
  EXPECT_EQ(created.status, 200) << created.body;
  auto upserted = sb::http_call("PATCH", base + "/composite/sobjects/Task/Dispute_Action_Id__c",
                                json{{"records", {records[0]}}}.dump(), auth);
  EXPECT_EQ(upserted.status, 200) << upserted.body;
  std::string id = created.json()[0].value("id", "");
  auto read = sb::http_call("POST", base + "/composite/sobjects/Task",
                            json{{"ids", {id}}, {"fields", {"Subject", "IsClosed"}}}.dump(), auth);
  EXPECT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(sb::http_call("GET", base + "/sobjects/Task/describe", "", auth).status, 200);
  EXPECT_EQ(sb::http_call("GET", base + "/limits", "", auth).status, 200);
  EXPECT_EQ(sb::http_call("GET", base + "/sobjects/Task/" + id + "?fields=Subject,Status,IsClosed",
                          "", auth)
                .status,
            200);
  auto bad = sb::http_call("POST", base + "/sobjects/Task", json{{"Status", "Nope"}}.dump(), auth);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(bad.json()[0]["errorCode"], "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  server_->with_emulator([](sb::Emulator& e) {
    static_cast<SalesforceEmulator&>(e).set_allocation(10, 10);
    return 0;
  });
  auto limited =
      sb::http_call("POST", base + "/sobjects/Task", json{{"Subject", "x"}}.dump(), auth);
  EXPECT_EQ(limited.status, 403) << limited.body;
  EXPECT_EQ(limited.json()[0]["errorCode"], "REQUEST_LIMIT_EXCEEDED");
}

// Prism must really validate (a schema it cannot compile silently lets every body pass): a bad
// Task body and a bad version are refused before they reach the sandbox.
TEST_F(SalesforceConformance, PrismRefusesWhatTheDescriptionForbids) {
  std::map<std::string, std::string> auth = bearer();
  ASSERT_FALSE(HasFailure());
  auto bad_body = sb::http_call(
      "PATCH", prism_->url() + "/services/data/v62.0/sobjects/Task/Dispute_Action_Id__c/DSP-1-1",
      R"({"Subject": 42, "ActivityDate": "31/01/2025"})", auth);
  EXPECT_GE(bad_body.status, 400);
  EXPECT_LT(bad_body.status, 500);
  auto bad_version = sb::http_call("GET", prism_->url() + "/services/data/62/limits", "", auth);
  EXPECT_EQ(bad_version.status, 422);
  int tasks = server_->with_emulator(
      [](sb::Emulator& e) { return int(static_cast<SalesforceEmulator&>(e).tasks().size()); });
  EXPECT_EQ(tasks, 0) << "Prism forwarded an invalid request";
  // Clear the log's violations of these deliberate requests so TearDown judges only the plugin.
  std::ofstream(log_, std::ios::trunc).flush();
}

}  // namespace
