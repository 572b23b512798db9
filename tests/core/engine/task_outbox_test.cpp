#include "core/engine/task_outbox.hpp"

#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

#include "disputed/sdk/kit/task_contract.hpp"
#include "tests/core/engine/engine_fixture.hpp"

namespace disputed::engine::testing_support {
namespace {

using ::testing::ElementsAre;

// Every outbox row, by action key.
std::map<std::string, store::OutboxRecord> outbox(store::Database& db) {
  std::map<std::string, store::OutboxRecord> out;
  for (auto& row : store::Store(db).outbox_rows("pending", 1000)) out[row.action_key] = row;
  return out;
}

TEST_F(EngineTest, EveryTaskActionCarriesTheSdksVersionedContractAndPluginsCanReadIt) {
  defs_.public_url = "https://disputes.example.com/";
  auto v = open();
  clock_.set(at("2026-11-27T08:00:00Z"));  // the check is due on the 25th: reminded, escalated
  ASSERT_TRUE(service_->tick().ok());
  ASSERT_TRUE(complete(v.dispute.ref, "check", "customer-right").ok());
  ASSERT_TRUE(complete(v.dispute.ref, "approve", "approved").ok());
  ASSERT_TRUE(service_->withdraw(v.dispute.ref, "customer paid", "clerk@example.com").ok());

  auto rows = outbox(*db_);
  std::vector<std::string> task_actions;
  for (const auto& [key, row] : rows)
    if (row.target == "zendesk-support") task_actions.push_back(key + " " + row.kind);
  EXPECT_THAT(task_actions,
              ElementsAre("DSP-000001-3:cancel cancel", "DSP-000001-3:create create"));

  auto create = sdk::kit::parse_task_payload(rows.at("DSP-000001-3:create").payload_json);
  ASSERT_TRUE(create.ok()) << create.problem().text();
  EXPECT_EQ(nlohmann::json::parse(rows.at("DSP-000001-3:create").payload_json)["version"], 1);
  EXPECT_EQ(create->subject, "Book the credit note — DSP-000001 (Acme BV)");
  EXPECT_EQ(create->subject,
            TaskOutbox::task_summary("Book the credit note", "DSP-000001", "Acme BV"));
  EXPECT_EQ(create->dispute_url, "https://disputes.example.com/disputes/DSP-000001");
  EXPECT_EQ(create->assignee_members, defs_.roles.at("finance").members);
  EXPECT_THAT(create->outcomes, ElementsAre("done"));
  ASSERT_EQ(create->invoices.size(), 1u);
  EXPECT_EQ(create->invoices[0].disputed_amount, "1000.00");

  auto cancel = sdk::kit::parse_task_payload(rows.at("DSP-000001-3:cancel").payload_json);
  ASSERT_TRUE(cancel.ok());
  EXPECT_EQ(cancel->reason, "dispute withdrawn");

  // A step the engine tells its assignee of by mail is a message row to the messaging transport
  // whose facts carry the same fields, a template and a recipient.
  EXPECT_EQ(rows.at("DSP-000001-1:assigned").kind, "message");
  EXPECT_EQ(rows.at("DSP-000001-1:assigned").target, "notify");  // messaging.transport
  EXPECT_FALSE(rows.at("DSP-000001-1:assigned").task_key) << "a message holds up no task";
  auto assigned = sdk::kit::parse_task_payload(rows.at("DSP-000001-1:assigned").payload_json);
  ASSERT_TRUE(assigned.ok());
  EXPECT_EQ(assigned->template_name, "task_assigned");
  EXPECT_EQ(assigned->to, "am@example.com");
  auto reminder = sdk::kit::parse_task_payload(rows.at("DSP-000001-1:remind-1").payload_json);
  ASSERT_TRUE(reminder.ok());
  EXPECT_EQ(reminder->template_name, "task_reminder");
  EXPECT_EQ(reminder->title, "Check the price agreement");
  auto escalate = sdk::kit::parse_task_payload(rows.at("DSP-000001-1:escalate").payload_json);
  ASSERT_TRUE(escalate.ok());
  EXPECT_EQ(escalate->template_name, "task_escalation");
  EXPECT_EQ(escalate->priority, "urgent");
  EXPECT_EQ(escalate->escalated_to, "credit-control-lead");
  EXPECT_EQ(escalate->to, "credit-control-lead");
}

TEST_F(EngineTest, WithoutAPublicUrlATaskHasNoLinkBack) {
  auto v = open();
  ASSERT_TRUE(complete(v.dispute.ref, "check", "customer-right").ok());
  ASSERT_TRUE(complete(v.dispute.ref, "approve", "approved").ok());
  auto json = nlohmann::json::parse(outbox(*db_).at("DSP-000001-3:create").payload_json);
  EXPECT_FALSE(json.contains("dispute_url"));
}

}  // namespace
}  // namespace disputed::engine::testing_support
