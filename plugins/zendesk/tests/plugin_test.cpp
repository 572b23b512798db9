// Zendesk-specific behaviours of the plugin beyond the SDK contract: safe_update conflicts,
// slowing down before the rate limit, assignee lookup and its cache, the ticket's content,
// comments flowing back, outcomes from tags and value mappings.
#include <gtest/gtest.h>

#include "disputed/sdk/testing/actions.hpp"
#include "disputed/sdk/testing/fake_host.hpp"
#include "disputed/sdk/testkit/plugin_under_test.hpp"
#include "plugins/sandbox/host_bridge.hpp"
#include "plugins/zendesk/sandbox/zendesk_sandbox.hpp"
#include "plugins/zendesk/tests/zendesk_agent.hpp"

namespace {

namespace sdk = disputed::sdk;
namespace kit = disputed::sdk::testkit;
namespace sb = disputed::sandbox;
using nlohmann::json;
using Status = sdk::ApplyResult::Status;

class ZendeskPluginTest : public ::testing::Test {
 protected:
  void open(json settings = json::object(), sb::Options sandbox = {}) {
    server_ = std::make_unique<sb::Server>(sb::make_zendesk_sandbox(sandbox));
    host_ = std::make_unique<sdk::testing::FakeHost>(
        sb::zendesk::agent_host_options(), [this](const sdk::HttpRequest& r) {
          return disputed::sandbox::serve_in_process(*server_, r);
        });
    std::string error;
    plugin_ = kit::PluginUnderTest::load(ZENDESK_PLUGIN, &error);
    ASSERT_TRUE(plugin_) << error;
    connector_ = plugin_->create();
    settings["base_url"] = "https://acme.zendesk.com";
    auto opened = connector_->open(settings.dump(), *host_);
    ASSERT_TRUE(opened.ok) << opened.message;
  }
  sb::zendesk::ZendeskEmulator& zendesk() {
    // In-process and single-threaded here, so reading outside the server's lock is safe.
    return *server_->with_emulator(
        [](sb::Emulator& e) { return static_cast<sb::zendesk::ZendeskEmulator*>(&e); });
  }
  sdk::Action action(sdk::Action::Kind kind, const std::string& key, const std::string& suffix,
                     const std::string& ref, json payload) {
    return sdk::testing::make_action(kind, key, suffix, ref, payload.dump());
  }
  std::string create(const std::string& key, const std::string& assignee = "agent@example.com") {
    auto p = sdk::testing::sample_task(key, assignee);
    p.subject = "Approve the credit note — DSP-1 (Acme BV)";
    p.outcomes = {"approved", "declined"};
    p.customer = {"C1", "Acme BV"};
    p.invoices = {{"INV-1", "125.00"}};
    auto r = connector_->apply(sdk::testing::create_action(p));
    EXPECT_EQ(r.status, Status::kApplied) << r.message;
    return r.external_ref;
  }
  std::vector<std::string> calls() {
    std::vector<std::string> out;
    for (const auto& r : server_->requests())
      out.push_back(r.method + " " + r.path + " " + std::to_string(r.status));
    return out;
  }

  std::unique_ptr<sb::Server> server_;
  std::unique_ptr<sdk::testing::FakeHost> host_;
  std::shared_ptr<kit::PluginUnderTest> plugin_;
  kit::ConnectorPtr connector_;
};

TEST_F(ZendeskPluginTest, TheTicketCarriesTheDisputeForTheAgent) {
  open({{"custom_fields", {{"dispute", 11}, {"invoice_number", 12}, {"amount", 14}}},
        {"dispute_url", "https://disputed.example/disputes/{dispute}"},
        {"tags", {"invoice_dispute", "ar"}}});
  std::string ref = create("DSP-1-1");
  const json t = *zendesk().ticket(std::stoll(ref));
  EXPECT_EQ(t["type"], "task");
  EXPECT_EQ(t["external_id"], "DSP-1-1");
  EXPECT_EQ(t["assignee_id"], 1001);
  EXPECT_EQ(t["due_at"], "2026-12-04T16:00:00Z");
  EXPECT_EQ(t["priority"], "normal");
  EXPECT_EQ(t["tags"], json({"invoice_dispute", "ar"}));
  EXPECT_EQ(t["custom_fields"], json({{{"id", 11}, {"value", "DSP-1"}},
                                      {{"id", 12}, {"value", "INV-1"}},
                                      {{"id", 14}, {"value", "125.00"}}}));
  auto comments = zendesk().comments(std::stoll(ref));
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(comments[0]["public"], false);  // an internal note: the customer is never e-mailed
  std::string body = comments[0]["body"];
  for (const char* part : {"Dispute: DSP-1", "Customer: Acme BV (C1)",
                           "Invoices: INV-1 (EUR 125.00)", "Due: 2026-12-04 (Europe/Amsterdam)",
                           "approved, declined", "https://disputed.example/disputes/DSP-1"})
    EXPECT_NE(body.find(part), std::string::npos) << part << " missing from:\n" << body;
}

TEST_F(ZendeskPluginTest, AssigneesAreLookedUpOnceAndUnknownOnesLeaveTheTicketToTheGroup) {
  open({{"group_id", 55}});
  create("DSP-1-1");
  create("DSP-1-2");
  int searches = 0;
  for (const auto& c : calls()) searches += c.rfind("GET /api/v2/users/search", 0) == 0;
  EXPECT_EQ(searches, 1) << "the user id is cached";
  std::string ref = create("DSP-1-3", "stranger@example.com");
  const json t = *zendesk().ticket(std::stoll(ref));
  EXPECT_FALSE(t.contains("assignee_id"));
  EXPECT_EQ(t["group_id"], 55);
  EXPECT_NE(t["description"].get<std::string>().find("not a Zendesk agent"), std::string::npos);
}

TEST_F(ZendeskPluginTest, AConcurrentEditIsReReadAndNeverOverwritten) {
  open();
  std::string ref = create("DSP-1-1");
  // Two conflicts (an agent edits twice meanwhile), then the write goes through.
  sb::Fault conflict;
  conflict.method = "PUT";
  conflict.path = "/api/v2/tickets/*";
  conflict.status = 409;
  conflict.times = 2;
  server_->add_fault(conflict);
  auto r = connector_->apply(action(sdk::Action::Kind::kEscalate, "DSP-1-1", "escalate", ref,
                                    {{"note", "Overdue: escalated"}, {"priority", "urgent"}}));
  EXPECT_EQ(r.status, Status::kApplied) << r.message;
  EXPECT_EQ(zendesk().ticket(std::stoll(ref))->at("priority"), "urgent");
  int reads = 0;
  for (const auto& c : calls()) reads += c == "GET /api/v2/tickets/" + ref + " 200";
  EXPECT_EQ(reads, 3);
  // Conflicts that do not stop: retryable, nothing written.
  conflict.times = 5;
  server_->add_fault(conflict);
  auto busy = connector_->apply(
      action(sdk::Action::Kind::kRemind, "DSP-1-1", "remind-1", ref, {{"note", "Due soon"}}));
  EXPECT_EQ(busy.status, Status::kRetryable) << busy.message;
  EXPECT_EQ(zendesk().comments(std::stoll(ref)).size(), 2u);  // description + the escalation
}

TEST_F(ZendeskPluginTest, ItSlowsDownBeforeTheRateLimitIsReached) {
  open({{"rate_limit_reserve", 2}}, {{"rate_limit", "5"}});
  create("DSP-1-1");                    // users/search + POST: 3 requests left... then 2
  std::string ref = create("DSP-1-2");  // (cached assignee) POST: 2 left -> reserve reached
  std::size_t before = server_->requests().size();
  auto r = connector_->apply(
      action(sdk::Action::Kind::kRemind, "DSP-1-2", "remind-1", ref, {{"note", "Due soon"}}));
  EXPECT_EQ(r.status, Status::kRateLimited);
  EXPECT_GE(r.retry_after,
            std::chrono::seconds(55));  // the sandbox's ratelimit-reset: the window's end
  EXPECT_LE(r.retry_after, std::chrono::seconds(60));
  EXPECT_EQ(server_->requests().size(), before) << "no request is sent while slowing down";
  auto p = connector_->poll({});
  EXPECT_EQ(p.status, sdk::PollResult::Status::kRateLimited);
  host_->advance(std::chrono::seconds(61));
  EXPECT_EQ(connector_->poll({}).status, sdk::PollResult::Status::kOk);
}

TEST_F(ZendeskPluginTest, AgentCommentsFlowBackAndOutcomesComeFromTagsAndMappings) {
  open({{"outcome_values", {{"ok", "approved"}}}});
  std::string ref = create("DSP-1-1");
  sdk::PollRequest poll;
  poll.open_refs = {{"DSP-1-1", ref}};
  auto first = connector_->poll(poll);
  ASSERT_EQ(first.status, sdk::PollResult::Status::kOk);
  EXPECT_TRUE(first.events.empty());
  poll.cursor = first.next_cursor;
  server_->clock().advance(std::chrono::seconds(2));  // the agent acts a later second
  // The agent asks something publicly, then solves with the tag outcome_ok.
  auto put = [&](const json& body, const std::string& as) {
    sdk::HttpRequest r;
    r.method = "PUT";
    r.url = "https://acme.zendesk.com/api/v2/tickets/" + ref;
    r.headers = {{"Content-Type", "application/json"},
                 {"Authorization", "Bearer sandbox-oauth-token"}};
    r.body = body.dump();
    (void)as;
    return disputed::sandbox::serve_in_process(*server_, r).status;
  };
  ASSERT_EQ(
      put({{"ticket", {{"comment", {{"body", "Which contract applies?"}, {"public", true}}}}}},
          "agent"),
      200);
  ASSERT_EQ(put({{"ticket", {{"status", "solved"}, {"additional_tags", {"outcome_ok"}}}}}, "agent"),
            200);
  auto second = connector_->poll(poll);
  ASSERT_EQ(second.status, sdk::PollResult::Status::kOk) << second.message;
  ASSERT_EQ(second.events.size(), 2u);
  EXPECT_EQ(second.events[0].kind, sdk::TaskEvent::Kind::kCommented);
  EXPECT_EQ(second.events[0].comment, "(public) Which contract applies?");
  EXPECT_EQ(second.events[0].actor, "agent@example.com");
  EXPECT_EQ(second.events[1].kind, sdk::TaskEvent::Kind::kCompleted);
  EXPECT_EQ(second.events[1].outcome, "approved");
  EXPECT_EQ(second.events[1].actor, "agent@example.com");
  poll.cursor = second.next_cursor;
  EXPECT_TRUE(connector_->poll(poll).events.empty());
}

TEST_F(ZendeskPluginTest, ADeletedTicketIsReportedAndACancelOfItIsDone) {
  open();
  std::string ref = create("DSP-1-1");
  sdk::HttpRequest del;
  del.method = "DELETE";
  del.url = "https://acme.zendesk.com/api/v2/tickets/" + ref;
  del.headers = {{"Authorization", "Bearer sandbox-oauth-token"}};
  ASSERT_EQ(disputed::sandbox::serve_in_process(*server_, del).status, 204);
  sdk::PollRequest poll;
  poll.open_refs = {{"DSP-1-1", ref}};
  auto p = connector_->poll(poll);
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_EQ(p.events[0].kind, sdk::TaskEvent::Kind::kDeleted);
  auto c = connector_->apply(
      action(sdk::Action::Kind::kCancel, "DSP-1-1", "cancel", ref, {{"reason", "withdrawn"}}));
  EXPECT_EQ(c.status, Status::kAlreadyApplied);
}

TEST_F(ZendeskPluginTest, ValidationErrorsCarryZendesksWords) {
  open();
  sb::Fault invalid;
  invalid.method = "POST";
  invalid.path = "/api/v2/tickets";
  invalid.status = 422;
  server_->add_fault(invalid);
  auto r = connector_->apply(
      action(sdk::Action::Kind::kCreate, "DSP-1-1", "create", "", {{"subject", "x"}}));
  EXPECT_EQ(r.status, Status::kRejected);
  EXPECT_EQ(r.message,
            "HTTP 422: RecordInvalid: Record validation errors; base: Subject: is too long "
            "(injected fault)");
}

}  // namespace

namespace {

TEST_F(ZendeskPluginTest, AnUpdateMovesTheDeadlineAndReassigns) {
  open();
  std::string ref = create("DSP-1-1");
  json change = {{"task_key", "DSP-1-1"},
                 {"deadline_at", "2026-12-11T16:00:00Z"},
                 {"assignee", "lead@example.com"}};
  auto r =
      connector_->apply(action(sdk::Action::Kind::kUpdate, "DSP-1-1", "update-1", ref, change));
  EXPECT_EQ(r.status, Status::kApplied) << r.message;
  const json t = *zendesk().ticket(std::stoll(ref));
  EXPECT_EQ(t["due_at"], "2026-12-11T16:00:00Z");
  EXPECT_EQ(t["assignee_id"], 1002);
  // The same update again changes nothing.
  EXPECT_EQ(
      connector_->apply(action(sdk::Action::Kind::kUpdate, "DSP-1-1", "update-1", ref, change))
          .status,
      Status::kAlreadyApplied);
  EXPECT_EQ(connector_
                ->apply(action(sdk::Action::Kind::kUpdate, "DSP-1-1", "update-2", ref,
                               {{"status", "reopened"}}))
                .status,
            Status::kRejected);
}

}  // namespace

namespace {

TEST_F(ZendeskPluginTest, ASolvedTicketOpenedAgainIsReportedReopened) {
  open({{"custom_fields", {{"outcome", 5}}}});
  std::string ref = create("DSP-1-1");
  sdk::PollRequest poll;
  poll.open_refs = {{"DSP-1-1", ref}};
  poll.cursor = connector_->poll(poll).next_cursor;
  zendesk().solve(std::stoll(ref), "agent@example.com", 5, "maybe", "");
  auto solved = connector_->poll(poll);
  ASSERT_EQ(solved.events.size(), 1u);
  EXPECT_EQ(solved.events[0].outcome, "maybe");
  poll.cursor = solved.next_cursor;
  sdk::HttpRequest reopen;
  reopen.method = "PUT";
  reopen.url = "https://acme.zendesk.com/api/v2/tickets/" + ref;
  reopen.headers = {{"Authorization", "Bearer sandbox-oauth-token"}};
  reopen.body = R"({"ticket": {"status": "open"}})";
  ASSERT_EQ(disputed::sandbox::serve_in_process(*server_, reopen).status, 200);
  auto reopened = connector_->poll(poll);
  ASSERT_EQ(reopened.events.size(), 1u);
  EXPECT_EQ(reopened.events[0].kind, sdk::TaskEvent::Kind::kReopened);
}

}  // namespace
