// End to end: the real plugin host (Boost.DLL, ABI gate, OAuth2 client credentials through
// liboauth2, cpprestsdk HTTP) and the real sync engine against the Salesforce sandbox on a
// loopback port. A dispute's step that targets Salesforce becomes one Task on the customer's
// Account owned by the account owner; the rep closes it through the REST API and the dispute moves
// on; injected 500s, a dropped connection and a lost answer (the upsert happened, the engine never
// heard: the same as a crash between the upsert and the commit) create no second Task.

#include <gmock/gmock.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "core/store/store.hpp"
#include "plugins/salesforce/tests/salesforce_end_to_end.hpp"
#include "plugins/salesforce/tests/salesforce_instance.hpp"

namespace disputed {
namespace {

namespace sb = disputed::sandbox;
using nlohmann::json;

class SalesforceEndToEnd : public testing::SalesforceEndToEndTest {
 protected:
  void SetUp() override {
    SalesforceEndToEndTest::SetUp();
    json instance = testing::salesforce_instance(server_.url(), settings());
    open_salesforce(instance);
    account_ = add_customer_account();
    ASSERT_FALSE(account_.empty());
  }

  // The rep sets the outcome and closes the Task in Salesforce (the real API path).
  void rep_closes(const std::string& id, const std::string& outcome) {
    auto r = sb::http_call("PATCH", server_.url() + "/services/data/v62.0/sobjects/Task/" + id,
                           json{{"Status", "Completed"}, {"Dispute_Outcome__c", outcome}}.dump(),
                           {{"Authorization", "Bearer " + session("rep@example.com")}});
    ASSERT_EQ(r.status, 204) << r.body;
  }

  // The next upsert is carried out but answered after the plugin's 1 s timeout.
  void answer_next_write_late() {
    auto stall = sb::http_call("POST", server_.url() + "/_sandbox/stall-writes",
                               R"({"times":1,"delay_ms":2500})");
    ASSERT_EQ(stall.status, 200) << stall.body;
  }
  // A fault on the upserts (PATCH under /services/data), answering `status` (0: none).
  static sb::Fault write_fault(int status) {
    sb::Fault f;
    f.method = "PATCH";
    f.path = "/services/data/*";
    f.status = status;
    return f;
  }

  // `n` pending creates for the instance, as the workflow would write them (one per step).
  void enqueue_creates(int n, const std::string& prefix) {
    store::Store store(*db_);
    for (int i = 1; i <= n; ++i) {
      store::OutboxRecord r;
      r.task_key = prefix + "-" + std::to_string(i);
      r.action_key = *r.task_key + ":create";
      r.target = "salesforce";
      r.kind = "create";
      r.payload_json = json{{"subject", "Review invoice INV-" + std::to_string(i)},
                            {"dispute", prefix},
                            {"customer", {{"id", "C1"}, {"name", "Acme BV"}}},
                            {"assignee", "finance"},
                            {"deadline_at", "2026-11-24T16:00:00Z"},
                            {"deadline_local_date", "2026-11-24"},
                            {"time_zone", "Europe/Amsterdam"}}
                           .dump();
      r.created_at = r.next_attempt_at = clock_.now();
      ASSERT_TRUE(store.enqueue(r));
    }
  }
  // Requests the sandbox saw, by method and path (from its request log).
  int requests_to(const std::string& method, const std::string& path) {
    int n = 0;
    for (const auto& seen : server_.requests()) n += seen.method == method && seen.path == path;
    return n;
  }
  std::map<std::string, int> tasks_per_key() {
    std::map<std::string, int> out;
    for (const auto& t : tasks()) ++out[t.value("Dispute_Action_Id__c", "")];
    return out;
  }

  std::string account_;
};

TEST_F(SalesforceEndToEnd, AStepBecomesOneTaskAndClosingItAdvancesTheDispute) {
  auto ref = dispute_at_booking_step();
  EXPECT_TRUE(host_->find("salesforce")->connector->check().ok);
  auto report = sync_->dispatch_once("salesforce");
  EXPECT_EQ(report.applied, 1);
  auto all = tasks();
  ASSERT_EQ(all.size(), 1u);
  const json& task = all[0];
  auto step = service_->show(ref)->steps.back();
  ASSERT_TRUE(step.external_ref);
  EXPECT_EQ(*step.external_ref, task["Id"]);
  EXPECT_EQ(task["Dispute_Action_Id__c"], ref + "-3");
  EXPECT_EQ(task["WhatId"], account_) << "the Task hangs on the customer's Account";
  EXPECT_EQ(task["OwnerId"], user("rep@example.com"))
      << "finance has no User: the account owner gets it";
  EXPECT_EQ(task["Status"], "Not Started");
  EXPECT_THAT(task["Subject"].get<std::string>(), ::testing::HasSubstr("Book the credit note"));
  EXPECT_EQ(task["ActivityDate"], "2026-11-24")
      << "one working day after Monday 23 Nov, Amsterdam time";

  EXPECT_EQ(sync_->poll_once("salesforce").applied, 0);  // open: nothing to report
  rep_closes(task["Id"], "done");
  auto poll = sync_->poll_once("salesforce");
  EXPECT_TRUE(poll.ok) << poll.error;
  EXPECT_EQ(poll.applied, 1);
  auto shown = service_->show(ref);
  EXPECT_EQ(shown->dispute.status, domain::DisputeStatus::kResolved);
  EXPECT_EQ(shown->steps.back().completed_by, "rep@example.com");
  EXPECT_EQ(sync_->poll_once("salesforce").events, 0) << "the next poll reports nothing again";
}

TEST_F(SalesforceEndToEnd, FaultsAndALostAnswerCreateNoSecondTask) {
  auto ref = dispute_at_booking_step();
  // 1. The upsert is carried out but its answer comes after the plugin's 1 s timeout: to the next
  //    attempt this is the same as a crash between the upsert and the engine's commit.
  ASSERT_NO_FATAL_FAILURE(answer_next_write_late());
  EXPECT_EQ(sync_->dispatch_once("salesforce").retried, 1) << "the answer was lost";
  EXPECT_EQ(tasks().size(), 1u) << "but the Task was created";
  // 2. A 500 on the retried upsert, then 3. connections dropped before the request arrives.
  server_.add_fault(write_fault(500));
  clock_.advance(std::chrono::minutes(10));
  EXPECT_EQ(sync_->dispatch_once("salesforce").retried, 1);
  sb::Fault drop = write_fault(0);
  drop.drop = true;
  drop.times = 2;  // the HTTP client may resend once on a reused keep-alive connection
  server_.add_fault(drop);
  int already = 0, applied = 0;
  for (int round = 0; round < 6 && already == 0; ++round) {
    clock_.advance(std::chrono::minutes(10));
    auto r = sync_->dispatch_once("salesforce");
    already += r.already_applied;
    applied += r.applied;
  }
  EXPECT_EQ(already, 1) << "the retried upsert found its Task";
  EXPECT_EQ(applied, 0);
  ASSERT_EQ(tasks().size(), 1u) << "no second Task";
  EXPECT_EQ(*service_->show(ref)->steps.back().external_ref, tasks()[0]["Id"]);

  // An expired session costs one new token, not a failure.
  server_.with_emulator([&](sb::Emulator& e) {
    emulator(e).expire_sessions();
    return 0;
  });
  rep_closes(tasks()[0]["Id"], "done");
  auto poll = sync_->poll_once("salesforce");
  EXPECT_TRUE(poll.ok) << poll.error;
  EXPECT_EQ(poll.applied, 1);
  EXPECT_EQ(service_->show(ref)->dispute.status, domain::DisputeStatus::kResolved);
}

// Issue 16: a reminder is Salesforce's own (the owner's pop-up), not only a Description line.
TEST_F(SalesforceEndToEnd, AReminderSetsTheTasksReminderDateTime) {
  defs_.workflows["price"].steps["book"].reminders = {{0}};  // at the deadline
  service_ = std::make_unique<engine::DisputeService>(*db_, defs_, clock_);
  auto ref = dispute_at_booking_step();
  EXPECT_EQ(sync_->dispatch_once("salesforce").applied, 1);
  ASSERT_EQ(tasks().size(), 1u);
  EXPECT_EQ(tasks()[0]["IsReminderSet"], false);
  EXPECT_TRUE(tasks()[0]["ReminderDateTime"].is_null());
  clock_.set(*domain::parse_instant("2026-11-24T16:00:00Z"));  // Tue 17:00 Amsterdam: due
  EXPECT_EQ(service_->tick()->reminders, 1);
  EXPECT_EQ(sync_->dispatch_once("salesforce").applied, 1) << outbox();
  auto task = tasks()[0];
  EXPECT_EQ(task["IsReminderSet"], true);
  EXPECT_EQ(task["ReminderDateTime"], "2026-11-24T16:00:00.000+0000");
  EXPECT_THAT(task["Description"].get<std::string>(), ::testing::HasSubstr("is due now"));
  // Read back through SOQL as the rep would see it.
  auto q = sb::http_call("GET",
                         server_.url() +
                             "/services/data/v62.0/query?q=SELECT+Id,IsReminderSet,"
                             "ReminderDateTime+FROM+Task",
                         "", {{"Authorization", "Bearer " + session("rep@example.com")}});
  ASSERT_EQ(q.status, 200) << q.body;
  EXPECT_EQ(q.json()["records"][0]["IsReminderSet"], true);
}

// Issue 16: level 1 is a Task of the manager's own, level 2 moves the rep's Task to the manager;
// one action each, although level 1's create loses its answer and the engine restarts.
TEST_F(SalesforceEndToEnd, EachEscalationLevelActsOnceForItsTarget) {
  defs_.workflows["price"].steps["book"].escalations = {
      workflow::Escalation{1, {domain::AssigneeKind::kPerson, "manager@example.com"}},
      workflow::Escalation{2,
                           {domain::AssigneeKind::kPerson, "manager@example.com"},
                           workflow::EscalationChannel::kReassign}};
  service_ = std::make_unique<engine::DisputeService>(*db_, defs_, clock_);
  auto ref = dispute_at_booking_step();
  EXPECT_EQ(sync_->dispatch_once("salesforce").applied, 1);
  clock_.set(*domain::parse_instant("2026-11-25T16:00:00Z"));  // one working day overdue
  EXPECT_EQ(service_->tick()->escalations, 1);
  ASSERT_NO_FATAL_FAILURE(answer_next_write_late());
  EXPECT_EQ(sync_->dispatch_once("salesforce").retried, 1) << "the answer was lost";
  server_.wait_idle();
  service_ = std::make_unique<engine::DisputeService>(*db_, defs_, clock_);  // a restart
  EXPECT_EQ(service_->tick()->escalations, 0);
  clock_.advance(std::chrono::minutes(10));
  auto again = sync_->dispatch_once("salesforce");
  EXPECT_EQ(again.applied + again.already_applied, 1) << outbox();
  auto per_key = tasks_per_key();
  EXPECT_EQ(per_key[ref + "-3"], 1);
  EXPECT_EQ(per_key[ref + "-3-e1"], 1) << "one Task for the manager";
  for (const auto& t : tasks()) {
    if (t["Dispute_Action_Id__c"] == ref + "-3-e1") {
      EXPECT_EQ(t["OwnerId"], user("manager@example.com"));
      EXPECT_EQ(t["Priority"], "High");
    } else {
      EXPECT_EQ(t["OwnerId"], user("rep@example.com"));
    }
  }

  clock_.set(*domain::parse_instant("2026-11-26T16:00:00Z"));  // two working days overdue
  EXPECT_EQ(service_->tick()->escalations, 1);
  EXPECT_EQ(sync_->dispatch_once("salesforce").applied, 1) << outbox();
  EXPECT_EQ(sync_->dispatch_once("salesforce").applied, 0);
  per_key = tasks_per_key();
  EXPECT_EQ(per_key.size(), 2u);
  for (const auto& t : tasks()) EXPECT_EQ(t["OwnerId"], user("manager@example.com")) << t.dump();
  EXPECT_EQ(service_->tasks("manager@example.com").size(), 1u);
  EXPECT_EQ(dossier_summaries(ref, "escalation").size(), 2u);
}

TEST_F(SalesforceEndToEnd, AnExhaustedDailyAllocationBacksOffTheInstance) {
  dispute_at_booking_step();
  server_.with_emulator([&](sb::Emulator& e) {
    emulator(e).set_allocation(15000, 15000);
    return 0;
  });
  auto report = sync_->dispatch_once("salesforce");
  EXPECT_EQ(report.retried + report.rate_limited, 1);
  EXPECT_TRUE(tasks().empty());
  server_.with_emulator([&](sb::Emulator& e) {
    emulator(e).set_allocation(0, 15000);
    return 0;
  });
  clock_.advance(std::chrono::minutes(5));
  EXPECT_EQ(sync_->dispatch_once("salesforce").applied, 0)
      << "Salesforce sends no Retry-After: wait 15 min";
  clock_.advance(std::chrono::minutes(15));
  EXPECT_EQ(sync_->dispatch_once("salesforce").applied, 1);
  EXPECT_EQ(tasks().size(), 1u);
}

// Many pending creates go as sObject Collections upserts of 200 records: 450 creates are three
// API calls toward the org's allocation instead of 450.
TEST_F(SalesforceEndToEnd, FourHundredFiftyCreatesAreThreeCollectionCalls) {
  enqueue_creates(450, "BULK");
  const std::string collection =
      "/services/data/v62.0/composite/sobjects/Task/Dispute_Action_Id__c";
  int applied = 0, batches = 0;
  for (int round = 0; round < 5; ++round) {
    auto r = sync_->dispatch_once("salesforce");  // up to 200 due actions per round
    applied += r.applied;
    batches += r.batches;
  }
  EXPECT_EQ(applied, 450);
  EXPECT_EQ(batches, 3);
  EXPECT_EQ(requests_to("PATCH", collection), 3) << "200 + 200 + 50 records";
  int single = 0;
  for (const auto& seen : server_.requests())
    single += seen.method == "PATCH" &&
              seen.path.find("/sobjects/Task/Dispute_Action_Id__c/") != std::string::npos;
  EXPECT_EQ(single, 0) << "no create went alone";
  auto per_key = tasks_per_key();
  EXPECT_EQ(per_key.size(), 450u);
  for (const auto& [key, n] : per_key) EXPECT_EQ(n, 1) << key;
  // Every step's external ref and the Task's WhatId are recorded as for a single create.
  EXPECT_EQ(store::Store(*db_).outbox_count("done"), 450);
  EXPECT_EQ(tasks()[0]["WhatId"], account_);
}

// A batch whose answer is lost (the upsert happened, the engine never heard: the same as a crash
// between the call and the commit) is retried as a batch and finds its Tasks: no duplicates.
TEST_F(SalesforceEndToEnd, ARetriedBatchCreatesNoDuplicateTasks) {
  enqueue_creates(200, "RETRY");
  ASSERT_NO_FATAL_FAILURE(answer_next_write_late());
  auto first = sync_->dispatch_once("salesforce");
  EXPECT_EQ(first.batches, 1);
  EXPECT_EQ(first.retried, 200) << "the batch's answer came after the timeout";
  EXPECT_EQ(tasks().size(), 200u) << "but its Tasks were created";
  // 500s on the next attempt, then the retry goes through.
  server_.add_fault(write_fault(500));
  clock_.advance(std::chrono::minutes(10));
  EXPECT_EQ(sync_->dispatch_once("salesforce").retried, 200);
  clock_.advance(std::chrono::minutes(10));
  auto third = sync_->dispatch_once("salesforce");
  EXPECT_EQ(third.already_applied, 200) << "created=false for every record";
  EXPECT_EQ(third.batches, 1);
  auto per_key = tasks_per_key();
  EXPECT_EQ(per_key.size(), 200u);
  for (const auto& [key, n] : per_key) EXPECT_EQ(n, 1) << key;
  EXPECT_EQ(store::Store(*db_).outbox_count("done"), 200);
  EXPECT_EQ(store::Store(*db_).outbox_count("pending"), 0);
}

// Throughput figure (docs/connectors/salesforce.md): 2,000 pending creates delivered to the
// sandbox over loopback with and without batching, the token bucket opened wide so that only the
// calls and the commits count. Opt in: DISPUTED_BENCH=1; DISPUTED_BENCH_LATENCY_MS=N adds N ms to
// every write's answer, as a round trip to a real org would.
TEST_F(SalesforceEndToEnd, ThroughputOfTwoThousandCreatesWithAndWithoutBatching) {
  if (!std::getenv("DISPUTED_BENCH")) GTEST_SKIP() << "set DISPUTED_BENCH=1 to measure";
  int latency_ms = std::getenv("DISPUTED_BENCH_LATENCY_MS")
                       ? std::atoi(std::getenv("DISPUTED_BENCH_LATENCY_MS"))
                       : 0;
  if (latency_ms > 0) {
    sb::Fault slow = write_fault(0);
    slow.delay_ms = latency_ms;
    slow.times = -1;
    server_.add_fault(slow);
  }
  auto* connector = host_->find("salesforce")->connector.get();
  for (bool batching : {false, true}) {
    std::string prefix = batching ? "WITH" : "WITHOUT";
    enqueue_creates(2000, prefix);
    store::Database db(dir_ / "engine.db");
    sync::SyncEngine engine(db, defs_, clock_);
    sync::InstanceOptions options;
    options.name = "salesforce";
    options.rate_per_second = 1e9;
    options.burst = 1000000;
    options.batching = batching;
    engine.add_instance(options, *connector);
    int calls_before = int(server_.requests().size());
    auto start = std::chrono::steady_clock::now();
    int delivered = 0;
    for (int round = 0; round < 40 && delivered < 2000; ++round) {
      auto r = engine.dispatch_once("salesforce", 2000);
      delivered += r.applied + r.already_applied;
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    int calls = int(server_.requests().size()) - calls_before;
    EXPECT_EQ(delivered, 2000);
    std::printf(
        "[bench] %s batching, +%d ms per write: 2000 creates in %.2f s = %.0f actions/s, %d API "
        "calls\n",
        prefix.c_str(), latency_ms, secs, 2000 / secs, calls);
    RecordProperty(prefix + "_actions_per_second", int(2000 / secs));
  }
}

// The demo's instance file (configs/demo/connectors/salesforce.json) opens and checks out against
// the sandbox, with only its port changed.
TEST_F(SalesforceEndToEnd, TheDemoConfigOpensAndChecksOut) {
  std::ifstream in(std::string(DISPUTED_SOURCE_DIR) + "/configs/demo/connectors/salesforce.json");
  std::stringstream text;
  text << in.rdbuf();
  std::string config = text.str();
  std::string port = std::to_string(server_.port());
  for (auto p = config.find("18102"); p != std::string::npos; p = config.find("18102"))
    config.replace(p, 5, port);
  json parsed = json::parse(config);
  ::setenv("DISPUTED_DEMO_SALESFORCE_CLIENT_SECRET", "sandbox-secret", 1);
  testing::TempDir other;
  other.write("connectors/salesforce.json", parsed.dump());
  host::ConnectorHost demo({SALESFORCE_PLUGIN_DIR}, clock_, {});
  demo.open(host::read_instance_configs(other / "connectors"));
  auto check = demo.find("salesforce")->connector->check();
  EXPECT_TRUE(check.ok) << check.message << " / " << check.remedy;
}

}  // namespace
}  // namespace disputed
