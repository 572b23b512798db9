// End to end: the real host (core/host: plugin catalog, ABI gate, instance config, cpprestsdk
// HTTP client, basic credentials from an env: reference) and the sync engine (core/sync) against
// the Zendesk sandbox on a loopback port. A dispute's Zendesk step becomes one ticket; an agent
// solving it through the sandbox's real API path, with an outcome, advances the dispute; injected
// 500s, timeouts and dropped connections create no duplicate.
#include <cstdlib>
#include <fstream>

#include <gmock/gmock.h>

#include "disputed/sdk/kit/codecs.hpp"
#include "plugins/sandbox/test_client.hpp"
#include "plugins/zendesk/sandbox/zendesk_sandbox.hpp"
#include "tests/support/plugin_end_to_end.hpp"

namespace disputed {
namespace {

using nlohmann::json;
constexpr std::int64_t kOutcomeField = 360000000005;
constexpr const char* kInstance =
    "zendesk-support";  // what the test workflow's "book" step targets

std::string basic(const std::string& user_and_secret) {
  return "Basic " + disputed::sdk::kit::base64_encode(user_and_secret);
}

class ZendeskEndToEnd : public testing::PluginEndToEnd {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    server_.start();
    setenv("DISPUTED_TEST_ZENDESK_TOKEN", "sandbox-token", 1);
    json instance = {{"name", kInstance},
                     {"plugin", "zendesk"},
                     {"settings",
                      {{"base_url", server_.url()},
                       {"custom_fields", {{"outcome", kOutcomeField}}},
                       {"role_groups", {{"finance", 77}}},
                       {"request_timeout_ms", 1000}}},
                     {"auth", {{"username", "agent@example.com/token"}}},
                     {"secrets", {{"password", "env:DISPUTED_TEST_ZENDESK_TOKEN"}}},
                     {"allowed_hosts", {"127.0.0.1:*"}},
                     {"max_attempts", 8}};
    open_connectors(instance, ZENDESK_PLUGIN_DIR);
  }
  void TearDown() override {
    PluginEndToEnd::TearDown();
    server_.stop();
  }

  std::vector<json> tickets(const std::string& task_key) {
    return server_.with_emulator([&](sandbox::Emulator& e) {
      return static_cast<sandbox::zendesk::ZendeskEmulator&>(e).tickets_with_external_id(task_key);
    });
  }
  void fault(const json& f) {
    ASSERT_EQ(sandbox::http_call("POST", server_.url() + "/_sandbox/faults", f.dump()).status, 201);
  }
  store::StepRecord booking_step(const std::string& ref) {
    return service_->show(ref)->steps.back();
  }
  /// Delivers until nothing is pending, moving the fake clock past each backoff.
  sync::DispatchReport dispatch_until_done(int rounds = 6) {
    sync::DispatchReport total;
    for (int i = 0; i < rounds; ++i) {
      auto r = sync_->dispatch_once(kInstance);
      total.applied += r.applied;
      total.already_applied += r.already_applied;
      total.retried += r.retried;
      total.dead += r.dead;
      clock_.advance(std::chrono::minutes(15));
    }
    return total;
  }

  sandbox::Server server_{sandbox::make_zendesk_sandbox({})};
};

TEST_F(ZendeskEndToEnd, TheHostOpensTheInstanceAndCheckPasses) {
  auto* in = host_->find(kInstance);
  ASSERT_NE(in, nullptr);
  EXPECT_EQ(in->manifest.id, "zendesk");
  auto check = in->connector->check();
  EXPECT_TRUE(check.ok) << check.message;
}

TEST_F(ZendeskEndToEnd, TheDemoInstanceConfigOpensAndChecksAgainstTheSandbox) {
  // configs/demo/connectors/zendesk.json, pointed at this test's sandbox instead of port 18101.
  auto demo = json::parse(
      std::ifstream(std::string(DISPUTED_SOURCE_DIR) + "/configs/demo/connectors/zendesk.json"));
  demo["settings"]["base_url"] = server_.url();
  demo["allowed_hosts"] = {"127.0.0.1:*"};
  setenv("DISPUTED_DEMO_ZENDESK_API_TOKEN", "sandbox-token", 1);
  testing::TempDir dir;
  dir.write("connectors/zendesk.json", demo.dump());
  host::ConnectorHost demo_host({ZENDESK_PLUGIN_DIR}, clock_, net::LogSink{});
  demo_host.open(host::read_instance_configs(dir / "connectors"));
  auto* in = demo_host.find("zendesk");
  ASSERT_NE(in, nullptr);
  auto check = in->connector->check();
  EXPECT_TRUE(check.ok) << check.message;
}

TEST_F(ZendeskEndToEnd, ASolvedTicketWithAnOutcomeAdvancesTheDispute) {
  auto ref = dispute_at_booking_step();
  auto report = sync_->dispatch_once(kInstance);
  EXPECT_EQ(report.applied, 1);
  auto step = booking_step(ref);
  auto made = tickets(step.task_key);
  ASSERT_EQ(made.size(), 1u);
  const json& t = made[0];
  EXPECT_EQ(t["type"], "task");
  EXPECT_EQ(t["group_id"], 77);  // the role's group
  EXPECT_TRUE(t["due_at"].is_string());
  ASSERT_TRUE(step.external_ref);
  EXPECT_EQ(*step.external_ref, std::to_string(t["id"].get<int>()));
  EXPECT_THAT(t["description"].get<std::string>(), ::testing::HasSubstr("INV-1"));
  EXPECT_TRUE(sync_->poll_once(kInstance).ok);
  EXPECT_NE(service_->show(ref)->dispute.status, domain::DisputeStatus::kResolved);

  // The agent adds a public comment, then solves the ticket with the outcome "done" through the
  // API.
  std::string path = server_.url() + "/api/v2/tickets/" + *step.external_ref;
  std::map<std::string, std::string> lead = {
      {"Authorization", basic("lead@example.com/token:sandbox-token")}};
  json solve = {{"ticket",
                 {{"status", "solved"},
                  {"custom_fields", {{{"id", kOutcomeField}, {"value", "done"}}}},
                  {"comment", {{"body", "Credit note CN-7 booked"}, {"public", false}}}}}};
  server_.clock().advance(std::chrono::seconds(2));  // a later second than the last poll saw
  json ask = {
      {"ticket", {{"comment", {{"body", "Which credit note number range?"}, {"public", true}}}}}};
  ASSERT_EQ(sandbox::http_call("PUT", path, ask.dump(), lead).status, 200);
  ASSERT_EQ(sandbox::http_call("PUT", path, solve.dump(), lead).status, 200);
  int applied = 0;
  auto shown = poll_and_expect_resolved(kInstance, ref, "lead@example.com", applied);
  ASSERT_TRUE(shown.ok());
  EXPECT_GE(applied, 1);
  // The agent's comments are in the dossier; the connector's own notes are not.
  std::string dossier;
  for (const auto& e : shown->dossier) dossier += e.kind + ": " + e.summary + "\n";
  EXPECT_THAT(dossier,
              ::testing::HasSubstr(
                  "external_comment: Comment in zendesk-support: (public) Which credit note"));
  EXPECT_THAT(dossier, ::testing::HasSubstr("(internal) Credit note CN-7 booked"));
  EXPECT_THAT(dossier, ::testing::Not(::testing::HasSubstr("[disputed:")));
  EXPECT_EQ(sync_->poll_once(kInstance).applied, 0);  // nothing twice
}

TEST_F(ZendeskEndToEnd, ServerErrorsAndTimeoutsMakeNoDuplicate) {
  auto ref = dispute_at_booking_step();
  auto key = booking_step(ref).task_key;
  // A 500, then an answer slower than the plugin's 1 s timeout: the sandbox still creates the
  // ticket (the answer is lost, not the effect); the retry finds it by external_id.
  fault({{"method", "POST"}, {"path", "/api/v2/tickets"}, {"status", 500}, {"times", 1}});
  EXPECT_EQ(sync_->dispatch_once(kInstance).retried, 1);
  EXPECT_TRUE(tickets(key).empty());
  clock_.advance(std::chrono::minutes(15));
  fault({{"method", "POST"}, {"path", "/api/v2/tickets"}, {"delay_ms", 2000}, {"times", 1}});
  // The timed-out delivery is retryable; the HTTP client may also resend it at once on a fresh
  // connection, and then the Idempotency-Key makes the slow original a replay of that ticket.
  auto slow = sync_->dispatch_once(kInstance);
  EXPECT_EQ(slow.retried + slow.applied, 1);
  server_.wait_idle();  // the slow create completes
  EXPECT_EQ(tickets(key).size(), 1u);
  clock_.advance(std::chrono::minutes(15));
  auto rest = dispatch_until_done(2);
  EXPECT_EQ(slow.applied + rest.applied + rest.already_applied, 1);  // done exactly once
  EXPECT_EQ(rest.retried, 0);
  ASSERT_EQ(tickets(key).size(), 1u);
  EXPECT_EQ(*booking_step(ref).external_ref, std::to_string(tickets(key)[0]["id"].get<int>()));
  if (HasFailure())
    for (const auto& r : server_.requests())
      std::cerr << r.at << " " << r.method << " " << r.target << " " << r.status << "\n";
}

TEST_F(ZendeskEndToEnd, DroppedConnectionsMakeNoDuplicate) {
  auto ref = dispute_at_booking_step();
  auto key = booking_step(ref).task_key;
  // Dropped twice: the HTTP client itself resends once on a fresh connection when a kept-alive
  // one is closed, so both attempts of this delivery are dropped.
  fault({{"method", "POST"}, {"path", "/api/v2/tickets"}, {"drop", true}, {"times", 2}});
  auto first = sync_->dispatch_once(kInstance);
  EXPECT_EQ(first.retried + first.applied, 1);
  clock_.advance(std::chrono::minutes(15));
  dispatch_until_done(2);
  EXPECT_EQ(tickets(key).size(), 1u);
  ASSERT_TRUE(booking_step(ref).external_ref);
  EXPECT_EQ(*booking_step(ref).external_ref, std::to_string(tickets(key)[0]["id"].get<int>()));
}

TEST_F(ZendeskEndToEnd, WithdrawingTheDisputeCancelsTheTicket) {
  auto ref = dispute_at_booking_step();
  sync_->dispatch_once(kInstance);
  ASSERT_TRUE(service_->withdraw(ref, "customer paid", "clerk").ok());
  dispatch_until_done(2);
  auto made = tickets(booking_step(ref).task_key);
  ASSERT_EQ(made.size(), 1u);
  EXPECT_EQ(made[0]["status"], "solved");
  EXPECT_THAT(made[0]["tags"].dump(), ::testing::HasSubstr("disputed_cancelled"));
}

// Issue 16: the book step overdue one working day reaches the lead, two the manager; each level
// is a ticket of the target's own, created once although the create's answer is lost and the
// engine restarts and ticks again.
TEST_F(ZendeskEndToEnd, EachEscalationLevelIsOneTicketForItsTargetDespiteALostAnswerAndARestart) {
  defs_.workflows["price"].steps["book"].escalations = {
      workflow::Escalation{1, {domain::AssigneeKind::kPerson, "lead@example.com"}},
      workflow::Escalation{2, {domain::AssigneeKind::kPerson, "agent@example.com"}}};
  service_ = std::make_unique<engine::DisputeService>(*db_, defs_, clock_);
  auto ref = dispute_at_booking_step();
  auto key = booking_step(ref).task_key;  // due Tue 24 Nov 17:00 Amsterdam
  EXPECT_EQ(sync_->dispatch_once(kInstance).applied, 1);

  clock_.set(*domain::parse_instant("2026-11-25T16:00:00Z"));  // one working day overdue
  EXPECT_EQ(service_->tick()->escalations, 1);
  // The ticket is created but its answer never arrives: the delivery is retried.
  fault({{"method", "POST"}, {"path", "/api/v2/tickets"}, {"answer", "lost"}, {"times", 1}});
  auto first = sync_->dispatch_once(kInstance);
  EXPECT_EQ(first.retried, 1);
  EXPECT_EQ(tickets(key + "-e1").size(), 1u);
  // A restart: the engine ticks again at the same time; the level fired already.
  service_ = std::make_unique<engine::DisputeService>(*db_, defs_, clock_);
  EXPECT_EQ(service_->tick()->escalations, 0);
  auto rest = dispatch_until_done(2);
  EXPECT_EQ(rest.applied + rest.already_applied, 1) << outbox();
  auto lead = tickets(key + "-e1");
  ASSERT_EQ(lead.size(), 1u) << "one ticket for the lead";
  EXPECT_EQ(lead[0]["priority"], "urgent");
  EXPECT_THAT(lead[0]["subject"].get<std::string>(), ::testing::HasSubstr("Escalated (1)"));
  auto users = server_.with_emulator([](sandbox::Emulator& e) {
    return static_cast<sandbox::zendesk::ZendeskEmulator&>(e).users();
  });
  auto id_of = [&](const std::string& email) {
    for (const auto& u : users)
      if (u.email == email) return u.id;
    return std::int64_t(0);
  };
  EXPECT_EQ(lead[0]["assignee_id"], id_of("lead@example.com"));
  ASSERT_EQ(tickets(key).size(), 1u) << "finance's ticket is still the only one of the step";

  clock_.set(*domain::parse_instant("2026-11-26T16:00:00Z"));  // two working days overdue
  EXPECT_EQ(service_->tick()->escalations, 1);
  dispatch_until_done(2);
  auto manager = tickets(key + "-e2");
  ASSERT_EQ(manager.size(), 1u);
  EXPECT_EQ(manager[0]["assignee_id"], id_of("agent@example.com"));
  EXPECT_EQ(tickets(key + "-e1").size(), 1u);
  EXPECT_EQ(service_->tasks("agent@example.com").size(), 1u) << "in the manager's to-do list";
  EXPECT_EQ(dossier_summaries(ref, "escalation").size(), 2u);

  // The manager solves their own ticket with the outcome: the step is done, finance's ticket
  // and the lead's are closed.
  std::string path =
      server_.url() + "/api/v2/tickets/" + std::to_string(manager[0]["id"].get<int>());
  json solve = {{"ticket",
                 {{"status", "solved"},
                  {"custom_fields", {{{"id", kOutcomeField}, {"value", "done"}}}},
                  {"comment", {{"body", "Booked it myself"}, {"public", false}}}}}};
  server_.clock().advance(std::chrono::seconds(2));
  ASSERT_EQ(sandbox::http_call("PUT", path, solve.dump(),
                               {{"Authorization", basic("agent@example.com/token:sandbox-token")}})
                .status,
            200);
  int applied = 0;
  ASSERT_TRUE(poll_and_expect_resolved(kInstance, ref, "agent@example.com", applied).ok());
  // What the completion queued is due from when Zendesk says it happened (the sandbox runs on
  // the system clock): the engine's clock moves there.
  clock_.set(std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now() +
                                                                std::chrono::hours(1)));
  dispatch_until_done(2);
  EXPECT_EQ(tickets(key)[0]["status"], "solved") << outbox();
  EXPECT_EQ(tickets(key + "-e1")[0]["status"], "solved");
  EXPECT_THAT(tickets(key + "-e1")[0]["tags"].dump(), ::testing::HasSubstr("disputed_cancelled"));
}

}  // namespace
}  // namespace disputed
