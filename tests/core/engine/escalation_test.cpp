// Escalation in levels: each level of an overdue step reaches its target once, in their channel.

#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

#include "core/engine/task_outbox.hpp"
#include "disputed/sdk/kit/task_contract.hpp"
#include "tests/core/engine/engine_fixture.hpp"

namespace disputed::engine::testing_support {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using workflow::Escalation;
using workflow::EscalationChannel;

std::map<std::string, store::OutboxRecord> rows_by_key(store::Database& db) {
  std::map<std::string, store::OutboxRecord> out;
  for (const char* state : {"pending", "undeliverable", "done"})
    for (auto& row : store::Store(db).outbox_rows(state, 1000)) out[row.action_key] = row;
  return out;
}

std::vector<std::string> escalation_keys(store::Database& db) {
  std::vector<std::string> keys;
  for (const auto& [key, row] : rows_by_key(db))
    if (key.find(":escalate") != std::string::npos || key.find("-e") != std::string::npos)
      keys.push_back(key);
  return keys;
}

std::vector<nlohmann::json> escalation_entries(const DisputeView& v) {
  std::vector<nlohmann::json> out;
  for (const auto& e : v.dossier)
    if (e.kind == "escalation") out.push_back(nlohmann::json::parse(e.payload_json));
  return out;
}

class EscalationTest : public EngineTest {
 protected:
  // check (internal, due Wed 25 Nov 17:00): level 1 the lead after 1 working day overdue (Thu
  // 26 Nov), level 2 the manager after 3 (Mon 30 Nov).
  void two_levels_on_check(EscalationChannel second = EscalationChannel::kDefault) {
    defs_.workflows["price"].steps["check"].escalations = {
        Escalation{1, role("credit-control-lead")},
        Escalation{3, person("boss@example.com"), second}};
  }
  // book (zendesk-support, 1 working day): levels for the lead and the manager.
  void levels_on_book(EscalationChannel first, EscalationChannel second) {
    defs_.workflows["price"].steps["book"].escalations = {
        Escalation{1, person("lead@example.com"), first},
        Escalation{2, person("boss@example.com"), second}};
  }
  void restart() { service_ = std::make_unique<DisputeService>(*db_, defs_, clock_); }
  // Opens a dispute and walks it to the book step (opened Mon 23 Nov, due Tue 24 Nov 17:00).
  DisputeView at_book_step() {
    auto v = open();
    EXPECT_TRUE(complete(v.dispute.ref, "check", "customer-right").ok());
    EXPECT_TRUE(complete(v.dispute.ref, "approve", "approved").ok());
    return service_->show(v.dispute.ref).value();
  }
};

TEST_F(EscalationTest, EachLevelReachesItsTargetOnceAlsoAfterARestart) {
  two_levels_on_check();
  auto v = open();
  clock_.set(at("2026-11-26T16:00:00Z"));  // Thu 17:00: one working day overdue
  auto t = service_->tick();
  EXPECT_EQ(t->escalations, 1);
  EXPECT_THAT(escalation_keys(*db_), ElementsAre("DSP-000001-1:escalate"));
  EXPECT_EQ(service_->tick()->escalations, 0);
  restart();  // the timers fired in the transaction that queued the action: not again
  EXPECT_EQ(service_->tick()->escalations, 0);

  clock_.set(at("2026-11-30T16:00:00Z"));  // Mon 17:00: three working days overdue
  EXPECT_EQ(service_->tick()->escalations, 1);
  restart();
  EXPECT_EQ(service_->tick()->escalations, 0);
  EXPECT_THAT(escalation_keys(*db_),
              ElementsAre("DSP-000001-1:escalate", "DSP-000001-1:escalate-2"));

  // Internal step: each level is a task_escalation mail to its target.
  auto rows = rows_by_key(*db_);
  auto first = nlohmann::json::parse(rows.at("DSP-000001-1:escalate").payload_json);
  EXPECT_EQ(first["template"], "task_escalation");
  EXPECT_EQ(first["to"], "credit-control-lead");
  EXPECT_EQ(first["recipients"], nlohmann::json::array({"lead@example.com"}));
  auto second = nlohmann::json::parse(rows.at("DSP-000001-1:escalate-2").payload_json);
  EXPECT_EQ(second["to"], "boss@example.com");
  EXPECT_EQ(second["escalation_level"], 2);

  // Each level in the dossier, and the step in the manager's to-do list.
  auto shown = service_->show(v.dispute.ref);
  auto entries = escalation_entries(shown.value());
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0]["level"], 1);
  EXPECT_EQ(entries[0]["channel"], "email");
  EXPECT_EQ(entries[1]["level"], 2);
  EXPECT_EQ(entries[1]["escalated_to"], "boss@example.com");
  EXPECT_EQ(entries[1]["overdue_working_days"], 3);
  auto tasks = service_->tasks("boss@example.com");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_TRUE(tasks[0].overdue);
  EXPECT_EQ(shown->steps[0].assignee, "am@example.com") << "a mail does not move the step";
}

TEST_F(EscalationTest, AnExternalStepsLevelIsATaskOfTheTargetsOwnInThatSystem) {
  levels_on_book(EscalationChannel::kDefault, EscalationChannel::kTask);
  auto v = at_book_step();
  clock_.set(at("2026-11-25T16:00:00Z"));  // Wed 17:00: one working day overdue
  EXPECT_EQ(service_->tick()->escalations, 1);
  auto rows = rows_by_key(*db_);
  ASSERT_TRUE(rows.count("DSP-000001-3-e1:create"));
  const auto& row = rows.at("DSP-000001-3-e1:create");
  EXPECT_EQ(row.target, "zendesk-support");
  EXPECT_EQ(row.kind, "create");
  EXPECT_EQ(row.task_key, "DSP-000001-3-e1");
  auto task = sdk::kit::parse_task_payload(row.payload_json);
  ASSERT_TRUE(task.ok()) << task.problem().text();
  EXPECT_EQ(task->task_key, "DSP-000001-3-e1");
  EXPECT_EQ(task->assignee, "lead@example.com");
  EXPECT_EQ(task->escalated_to, "lead@example.com");
  EXPECT_EQ(task->priority, "urgent");
  EXPECT_EQ(task->subject, "Escalated (1): Book the credit note — DSP-000001 (Acme BV)");
  EXPECT_THAT(task->outcomes, ElementsAre("done"));
  // The overdue person's own task is left as it is; the step is in the lead's to-do list.
  EXPECT_FALSE(rows.count("DSP-000001-3:escalate"));
  auto tasks = service_->tasks("lead@example.com");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].step.task_key, "DSP-000001-3");
  EXPECT_TRUE(service_->tasks("fin@example.com").empty()) << "finance has it in Zendesk";

  clock_.set(at("2026-11-26T16:00:00Z"));
  EXPECT_EQ(service_->tick()->escalations, 1);
  EXPECT_TRUE(rows_by_key(*db_).count("DSP-000001-3-e2:create"));

  // Completed in disputed: the step's task is closed and so are the levels' own tasks.
  ASSERT_TRUE(complete(v.dispute.ref, "book", "done").ok());
  rows = rows_by_key(*db_);
  EXPECT_EQ(rows.at("DSP-000001-3:complete").kind, "update");
  EXPECT_EQ(rows.at("DSP-000001-3-e1:cancel").kind, "cancel");
  EXPECT_EQ(rows.at("DSP-000001-3-e1:cancel").task_key, "DSP-000001-3-e1");
  EXPECT_EQ(rows.at("DSP-000001-3-e2:cancel").kind, "cancel");
}

TEST_F(EscalationTest, ATargetWhoCompletesTheirOwnTaskCompletesTheStepAndClosesTheOthers) {
  levels_on_book(EscalationChannel::kTask, EscalationChannel::kTask);
  auto v = at_book_step();
  clock_.set(at("2026-11-26T16:00:00Z"));  // both levels due
  EXPECT_EQ(service_->tick()->escalations, 2);
  // The connector reports the lead's task (key -e1) completed.
  auto step = store::Store(*db_).find_step_by_task_key("DSP-000001-3-e1");
  ASSERT_TRUE(step);
  EXPECT_EQ(step->task_key, "DSP-000001-3") << "a level's task belongs to the step it escalates";
  CompleteStepRequest r;
  r.dispute = v.dispute.ref;
  r.step = "DSP-000001-3";
  r.via_task_key = "DSP-000001-3-e1";
  r.outcome = "done";
  r.actor = "lead@example.com";
  r.source = CompletionSource::kConnector;
  ASSERT_TRUE(service_->complete_step(r).ok());
  auto rows = rows_by_key(*db_);
  EXPECT_EQ(rows.at("DSP-000001-3:complete").kind, "update") << "finance's ticket is closed";
  EXPECT_FALSE(rows.count("DSP-000001-3-e1:cancel")) << "the lead's is done already";
  EXPECT_TRUE(rows.count("DSP-000001-3-e2:cancel"));
}

TEST_F(EscalationTest, AReassigningLevelMovesTheStepAndItsTaskToTheTarget) {
  levels_on_book(EscalationChannel::kReassign, EscalationChannel::kEmail);
  auto v = at_book_step();
  clock_.set(at("2026-11-25T16:00:00Z"));
  EXPECT_EQ(service_->tick()->escalations, 1);
  auto rows = rows_by_key(*db_);
  const auto& row = rows.at("DSP-000001-3:escalate");
  EXPECT_EQ(row.kind, "update");
  EXPECT_EQ(row.task_key, "DSP-000001-3");
  auto update = sdk::kit::parse_task_payload(row.payload_json);
  ASSERT_TRUE(update.ok());
  EXPECT_EQ(update->assignee, "lead@example.com");
  EXPECT_EQ(update->assignee_kind, "person");
  EXPECT_TRUE(update->assignee_members.empty());
  auto shown = service_->show(v.dispute.ref);
  EXPECT_EQ(shown->steps[2].assignee, "lead@example.com");
  auto entries = escalation_entries(shown.value());
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["previous_assignee"], "finance");
  EXPECT_EQ(entries[0]["channel"], "reassign");

  clock_.set(at("2026-11-26T16:00:00Z"));  // level 2 by mail, even though the step is external
  EXPECT_EQ(service_->tick()->escalations, 1);
  auto mail = nlohmann::json::parse(rows_by_key(*db_).at("DSP-000001-3:escalate-2").payload_json);
  EXPECT_EQ(mail["template"], "task_escalation");
  EXPECT_EQ(mail["to"], "boss@example.com");
}

TEST_F(EscalationTest, ACompletedStepEscalatesNoFurther) {
  two_levels_on_check();
  auto v = open();
  clock_.set(at("2026-11-26T16:00:00Z"));
  EXPECT_EQ(service_->tick()->escalations, 1);
  ASSERT_TRUE(complete(v.dispute.ref, "check", "customer-wrong").ok());
  clock_.set(at("2026-12-31T12:00:00Z"));
  EXPECT_EQ(service_->tick()->escalations, 0);
  EXPECT_THAT(escalation_keys(*db_), ElementsAre("DSP-000001-1:escalate"));
  EXPECT_THAT(dossier_kinds(service_->show(v.dispute.ref).value()), Contains("escalation"));
}

}  // namespace
}  // namespace disputed::engine::testing_support
