// Salesforce-specific behaviour of the plugin beyond the contract kit, against the sandbox in
// process: ActivityDate in the configured zone, owner resolution and its cache, paging, the long
// back-off on an exhausted allocation, and what check() says.

#include <gmock/gmock.h>

#include <nlohmann/json.hpp>

#include "disputed/sdk/testing/fake_host.hpp"
#include "disputed/sdk/testkit/plugin_under_test.hpp"
#include "plugins/salesforce/sandbox/salesforce_sandbox.hpp"
#include "plugins/sandbox/host_bridge.hpp"

namespace {

namespace sdk = disputed::sdk;
namespace kit = disputed::sdk::testkit;
namespace sb = disputed::sandbox;
using nlohmann::json;
using sb::salesforce::SalesforceEmulator;
using ::testing::HasSubstr;

class SalesforcePluginTest : public ::testing::Test {
 protected:
  void start(const sb::Options& sandbox_options, const json& settings) {
    server_ = std::make_unique<sb::Server>(std::make_unique<SalesforceEmulator>(sandbox_options));
    server_->start();
    sdk::testing::FakeHostOptions options;
    options.auth_kind = "oauth2_client_credentials";
    options.allowed_hosts = {"127.0.0.1:*"};
    host_ = std::make_unique<sdk::testing::FakeHost>(
        options, [this](const sdk::HttpRequest& r) { return sb::serve_in_process(*server_, r); },
        [this](std::string& error) {
          return sb::fetch_token(*server_, "/services/oauth2/token", "sandbox-client",
                                 "sandbox-secret", host_->clock().now(), error);
        });
    std::string error;
    auto plugin = kit::PluginUnderTest::load(SALESFORCE_PLUGIN, &error);
    ASSERT_TRUE(plugin) << error;
    connector_ = plugin->create();
    auto opened = connector_->open(settings.dump(), *host_);
    ASSERT_TRUE(opened.ok) << opened.message;
  }
  void TearDown() override {
    connector_.reset();
    if (server_) server_->stop();
  }

  SalesforceEmulator& emulator(sb::Emulator& e) { return static_cast<SalesforceEmulator&>(e); }
  json task(const std::string& key) {
    auto found =
        server_->with_emulator([&](sb::Emulator& e) { return emulator(e).tasks_with_key(key); });
    return found.empty() ? json() : found[0];
  }
  std::string user(const std::string& email) {
    return server_->with_emulator([&](sb::Emulator& e) { return emulator(e).user_id(email); });
  }
  int requests_containing(const std::string& text) {
    int n = 0;
    for (const auto& r : server_->requests())
      if (r.target.find(text) != std::string::npos) ++n;
    return n;
  }
  sdk::ApplyResult create(const std::string& key, json payload) {
    payload["task_key"] = key;
    payload["subject"] = "Check " + key;
    sdk::Action a;
    a.kind = sdk::Action::Kind::kCreate;
    a.task_key = key;
    a.action_key = key + ":create";
    a.payload_json = payload.dump();
    return connector_->apply(a);
  }

  std::unique_ptr<sb::Server> server_;
  std::unique_ptr<sdk::testing::FakeHost> host_;
  kit::ConnectorPtr connector_;
};

TEST_F(SalesforcePluginTest, ActivityDateIsTheDeadlinesDateInTheConfiguredZone) {
  // 23:30 UTC on 10 January is already the 11th in Amsterdam and Auckland, still the 10th in New
  // York.
  json late = {{"deadline_at", "2025-01-10T23:30:00Z"},
               {"deadline_local_date", "2025-01-10"},
               {"time_zone", "UTC"}};
  for (auto [zone, expected] :
       std::vector<std::pair<std::string, std::string>>{{"Europe/Amsterdam", "2025-01-11"},
                                                        {"America/New_York", "2025-01-10"},
                                                        {"Pacific/Auckland", "2025-01-11"}}) {
    start({}, {{"time_zone", zone}});
    ASSERT_EQ(create("DSP-1-1", late).status, sdk::ApplyResult::Status::kApplied);
    EXPECT_EQ(task("DSP-1-1")["ActivityDate"], expected) << zone;
    TearDown();
  }
  // Without a configured zone the step's own local date is used.
  start({}, json::object());
  ASSERT_EQ(create("DSP-1-2", {{"deadline_at", "2025-01-10T23:30:00Z"},
                               {"deadline_local_date", "2025-01-11"},
                               {"time_zone", "Europe/Amsterdam"}})
                .status,
            sdk::ApplyResult::Status::kApplied);
  EXPECT_EQ(task("DSP-1-2")["ActivityDate"], "2025-01-11");
}

TEST_F(SalesforcePluginTest, TheOwnerIsTheRepByEmailLookedUpOnceElseTheAccountOwner) {
  start({}, {{"account_number_field", "Customer_Number__c"}});
  json rep = {{"assignee", "rep@example.com"}, {"customer", {{"id", "C-1002"}}}};
  ASSERT_EQ(create("DSP-2-1", rep).status, sdk::ApplyResult::Status::kApplied);
  ASSERT_EQ(create("DSP-2-2", rep).status, sdk::ApplyResult::Status::kApplied);
  EXPECT_EQ(task("DSP-2-1")["OwnerId"], user("rep@example.com"));
  EXPECT_EQ(requests_containing("FROM%20User"), 1) << "the User id is cached";
  EXPECT_EQ(requests_containing("FROM%20Account"), 1) << "the Account id is cached";
  json unknown = {{"assignee", "nobody@example.com"}, {"customer", {{"id", "C-1002"}}}};
  ASSERT_EQ(create("DSP-2-3", unknown).status, sdk::ApplyResult::Status::kApplied);
  EXPECT_EQ(task("DSP-2-3")["OwnerId"], user("manager@example.com"))
      << "C-1002 is the manager's account";
  EXPECT_TRUE(task("DSP-2-3")["WhatId"].is_string());
  json inactive = {{"assignee", "former@example.com"}};
  ASSERT_EQ(create("DSP-2-4", inactive).status, sdk::ApplyResult::Status::kApplied);
  EXPECT_EQ(task("DSP-2-4")["OwnerId"], server_->with_emulator([&](sb::Emulator& e) {
    return emulator(e).integration_user_id();
  })) << "an inactive user never owns a Task; no account: the integration user keeps it";
}

TEST_F(SalesforcePluginTest, APollFollowsNextRecordsUrlAndMovesPastEveryPage) {
  start({{"query_batch_size", "2"}}, json::object());
  std::vector<sdk::OpenRef> refs;
  for (int i = 0; i < 5; ++i) {
    auto r = create("DSP-3-" + std::to_string(i), {{"assignee", "rep@example.com"}});
    refs.push_back({"DSP-3-" + std::to_string(i), r.external_ref});
  }
  auto before = connector_->poll({"", refs, false});
  ASSERT_EQ(before.status, sdk::PollResult::Status::kOk);
  std::string rep = server_->with_emulator(
      [&](sb::Emulator& e) { return emulator(e).session_for("rep@example.com", ""); });
  for (const auto& r : refs) {
    sdk::HttpRequest close;
    close.method = "PATCH";
    close.url = server_->url() + "/services/data/v62.0/sobjects/Task/" + r.external_ref;
    close.headers = {{"Authorization", "Bearer " + rep}};
    close.body = json{{"Status", "Completed"}, {"Dispute_Outcome__c", "approved"}}.dump();
    ASSERT_EQ(sb::serve_in_process(*server_, close).status, 204);
  }
  int queries_before = requests_containing("/query");
  auto after = connector_->poll({before.next_cursor, refs, false});
  ASSERT_EQ(after.status, sdk::PollResult::Status::kOk) << after.message;
  EXPECT_EQ(after.events.size(), 5u);
  EXPECT_EQ(requests_containing("/query") - queries_before, 3)
      << "the first page and two nextRecordsUrl pages";
  for (const auto& e : after.events) {
    EXPECT_EQ(e.outcome, "approved");
    EXPECT_EQ(e.actor, "rep@example.com");
  }
  EXPECT_TRUE(connector_->poll({after.next_cursor, refs, false}).events.empty());
  EXPECT_THAT(after.message, HasSubstr("api-usage="));
}

// A Task whose change commits late carries a SystemModstamp below the cursor's high-water mark:
// the overlap re-reads that window, reports the late change once, and nothing else again.
TEST_F(SalesforcePluginTest, ALateCommitInsideTheOverlapIsReportedOnce) {
  start({}, {{"poll_overlap_seconds", 60}});
  auto a = create("DSP-5-1", json::object());
  auto b = create("DSP-5-2", json::object());
  std::vector<sdk::OpenRef> refs = {{"DSP-5-1", a.external_ref}, {"DSP-5-2", b.external_ref}};
  std::string rep = server_->with_emulator(
      [&](sb::Emulator& e) { return emulator(e).session_for("rep@example.com", ""); });
  auto close = [&](const std::string& id) {
    sdk::HttpRequest r;
    r.method = "PATCH";
    r.url = server_->url() + "/services/data/v62.0/sobjects/Task/" + id;
    r.headers = {{"Authorization", "Bearer " + rep}};
    r.body = json{{"Status", "Completed"}, {"Dispute_Outcome__c", "approved"}}.dump();
    ASSERT_EQ(sb::serve_in_process(*server_, r).status, 204);
  };
  close(b.external_ref);
  auto first = connector_->poll({"", refs, false});
  ASSERT_EQ(first.events.size(), 1u);
  // A's close commits now, but its transaction started 20 s ago.
  close(a.external_ref);
  server_->with_emulator([&](sb::Emulator& e) {
    emulator(e).backdate(a.external_ref, std::chrono::seconds(20));
    return 0;
  });
  auto second = connector_->poll({first.next_cursor, refs, false});
  ASSERT_EQ(second.events.size(), 1u) << "the late change is seen, B is not reported again";
  EXPECT_EQ(second.events[0].external_ref, a.external_ref);
  EXPECT_TRUE(connector_->poll({second.next_cursor, refs, false}).events.empty());
}

TEST_F(SalesforcePluginTest, AnExhaustedAllocationMeansALongBackOff) {
  start({}, {{"limit_backoff_seconds", 1200}});
  server_->with_emulator([&](sb::Emulator& e) {
    emulator(e).set_allocation(100, 100);
    return 0;
  });
  auto r = create("DSP-4-1", json::object());
  EXPECT_EQ(r.status, sdk::ApplyResult::Status::kRateLimited);
  EXPECT_EQ(r.retry_after, std::chrono::seconds(1200));
  EXPECT_THAT(r.message, HasSubstr("REQUEST_LIMIT_EXCEEDED"));
  auto p = connector_->poll({"", {}, false});
  EXPECT_EQ(p.status, sdk::PollResult::Status::kRateLimited);
  EXPECT_EQ(p.retry_after, std::chrono::seconds(1200));
}

TEST_F(SalesforcePluginTest, CheckNamesWhatIsMissing) {
  start({{"external_id_field", "Other_Key__c"}}, json::object());
  auto missing = connector_->check();
  EXPECT_FALSE(missing.ok);
  EXPECT_EQ(missing.category, sdk::CheckResult::Category::kConfig);
  EXPECT_THAT(missing.remedy, HasSubstr("Dispute_Action_Id__c"));
  TearDown();
  start({}, {{"api_version", "v40.0"}});
  auto old = connector_->check();
  EXPECT_EQ(old.category, sdk::CheckResult::Category::kConfig);
  EXPECT_THAT(old.remedy, HasSubstr("v66.0"));
  TearDown();
  start({}, json::object());
  auto ok = connector_->check();
  EXPECT_TRUE(ok.ok) << ok.message;
  EXPECT_THAT(ok.message, HasSubstr("api-usage=1/15000"));
}

}  // namespace
