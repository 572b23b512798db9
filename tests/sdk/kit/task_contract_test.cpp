// The typed, versioned task contract. The literal payloads below were copied from an outbox the
// engine of SDK 1.x wrote (configs/demo, a quality dispute through Zendesk and Salesforce): rows
// written by the previous release must still parse after an upgrade.

#include "disputed/sdk/kit/task_contract.hpp"

#include <gmock/gmock.h>

#include <set>

#include "disputed/sdk/kit/json.hpp"

namespace disputed::sdk::kit {
namespace {

using ::testing::HasSubstr;
using Kind = Action::Kind;

// As written by the engine before the contract had a version (no "version" key).
constexpr const char* kV1Create =
    R"json({"assignee":"quality","assignee_kind":"role","assignee_members":["thomas.bos@example.com"],"category":"quality","currency":"EUR","customer":{"id":"C-1008","name":"Atelier Lumière SARL"},"deadline_at":"2026-10-19T15:00:00Z","deadline_local_date":"2026-10-19","description":"Damaged \"pallets\": 3 of 10","dispute":"DSP-000001","dispute_url":"http://127.0.0.1:18080/api/v1/disputes/DSP-000001","disputed_amount":"100.00","instructions":"Ask the customer for photos, batch or serial numbers if they are not in the dossier, and assess whether the complaint is justified under the agreed specifications and warranty terms.","invoices":[{"disputed_amount":"100.00","number":"INV-2026-0001"}],"outcomes":["justified","not-justified"],"step":"assess-complaint","subject":"Assess the quality complaint — DSP-000001 (Atelier Lumière SARL)","task_key":"DSP-000001-1","time_zone":"Europe/Amsterdam"})json";
constexpr const char* kV1Update =
    R"json({"comment":"Checked with sales","outcome":"justified","status":"completed","task_key":"DSP-000002-1"})json";
constexpr const char* kV1Cancel =
    R"json({"dispute":"DSP-000001","reason":"dispute withdrawn","task_key":"DSP-000001-1"})json";
constexpr const char* kV1Remind =
    R"json({"assignee":"sales-management","deadline_at":"2026-10-14T15:00:00Z","dispute":"DSP-000002","note":"Reminder: 'Approve the quality credit' is due now","step":"approve-credit","task_key":"DSP-000002-2","title":"Approve the quality credit"})json";
constexpr const char* kV1Escalate =
    R"json({"assignee":"quality","deadline_at":"2026-10-19T15:00:00Z","dispute":"DSP-000001","escalated_to":"credit-control-lead","note":"Escalated to credit-control-lead: 'Assess the quality complaint' assigned to quality is 30 working day(s) overdue","priority":"urgent","step":"assess-complaint","task_key":"DSP-000001-1","title":"Assess the quality complaint"})json";

// The keys of a JSON object, without "version".
std::set<std::string> keys(const std::string& text) {
  std::set<std::string> out;
  for (const auto& [key, _] : JsonView(*parse_json(text)).members())
    if (key != "version") out.insert(key);
  return out;
}

TEST(TaskContract, ARowWrittenByThePreviousReleaseStillParses) {
  auto p = parse_task_payload(kV1Create);
  ASSERT_TRUE(p) << p.problem().text();
  EXPECT_EQ(p->version, 1);  // no "version": version 1
  EXPECT_EQ(p->task_key, "DSP-000001-1");
  EXPECT_EQ(p->dispute, "DSP-000001");
  EXPECT_EQ(p->step, "assess-complaint");
  EXPECT_EQ(p->subject, "Assess the quality complaint — DSP-000001 (Atelier Lumière SARL)");
  EXPECT_EQ(p->assignee, "quality");
  EXPECT_EQ(p->assignee_kind, "role");
  EXPECT_EQ(p->assignee_members, std::vector<std::string>{"thomas.bos@example.com"});
  EXPECT_EQ(p->deadline_at, "2026-10-19T15:00:00Z");
  EXPECT_TRUE(p->deadline());
  EXPECT_EQ(p->deadline_local_date, "2026-10-19");
  EXPECT_EQ(p->time_zone, "Europe/Amsterdam");
  EXPECT_EQ(p->outcomes, (std::vector<std::string>{"justified", "not-justified"}));
  EXPECT_EQ(p->category, "quality");
  EXPECT_EQ(p->customer.id, "C-1008");
  EXPECT_EQ(p->customer.name, "Atelier Lumière SARL");
  EXPECT_EQ(p->description, "Damaged \"pallets\": 3 of 10");
  EXPECT_EQ(p->currency, "EUR");
  EXPECT_EQ(p->disputed_amount, "100.00");
  ASSERT_EQ(p->invoices.size(), 1u);
  EXPECT_EQ(p->invoices[0].number, "INV-2026-0001");
  EXPECT_EQ(p->invoices[0].disputed_amount, "100.00");
  EXPECT_EQ(p->dispute_url, "http://127.0.0.1:18080/api/v1/disputes/DSP-000001");

  auto update = parse_task_payload(kV1Update);
  ASSERT_TRUE(update);
  EXPECT_EQ(update->status, "completed");
  EXPECT_EQ(update->outcome, "justified");
  EXPECT_EQ(update->comment, "Checked with sales");
  EXPECT_EQ(parse_task_payload(kV1Cancel)->reason, "dispute withdrawn");
  EXPECT_EQ(parse_task_payload(kV1Remind)->title, "Approve the quality credit");
  auto escalate = parse_task_payload(kV1Escalate);
  EXPECT_EQ(escalate->escalated_to, "credit-control-lead");
  EXPECT_EQ(escalate->priority, "urgent");
  EXPECT_THAT(escalate->note, HasSubstr("30 working day(s) overdue"));
}

TEST(TaskContract, TheSerialiserWritesTheKeysTheEngineWritesForEachKind) {
  for (auto [kind, literal] :
       std::vector<std::pair<Kind, const char*>>{{Kind::kCreate, kV1Create},
                                                 {Kind::kUpdate, kV1Update},
                                                 {Kind::kCancel, kV1Cancel},
                                                 {Kind::kRemind, kV1Remind},
                                                 {Kind::kEscalate, kV1Escalate}}) {
    auto parsed = parse_task_payload(literal);
    ASSERT_TRUE(parsed);
    std::string written = serialise_task_payload(kind, *parsed);
    EXPECT_EQ(keys(written), keys(literal)) << written;
    EXPECT_EQ(*JsonView(*parse_json(written))["version"].integer(), TaskPayload::kVersion);
    // Every value survives the round trip.
    Json again = *parse_json(written), before = *parse_json(literal);
    again.erase("version");
    EXPECT_EQ(again, before) << written;
  }
}

TEST(TaskContract, OptionalCreateKeysAreWrittenOnlyWhenSet) {
  TaskPayload p;
  p.task_key = "DSP-000009-1";
  auto written = keys(serialise_task_payload(Kind::kCreate, p));
  EXPECT_FALSE(written.count("dispute_url"));
  EXPECT_FALSE(written.count("assignee_members"));
  EXPECT_FALSE(written.count("template"));
  p.template_name = "task_assigned";
  p.to = "erik@example.com";
  written = keys(serialise_task_payload(Kind::kCreate, p));
  EXPECT_TRUE(written.count("template"));
  EXPECT_TRUE(written.count("to"));
}

TEST(TaskContract, ANewerVersionIsRefusedNamingBoth) {
  auto p = parse_task_payload(R"({"version": 2, "task_key": "DSP-1-1"})");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.problem().where, "/version");
  EXPECT_THAT(p.problem().what,
              HasSubstr("payload version 2 is newer than this connector reads (1)"));
  EXPECT_TRUE(parse_task_payload(R"({"version": 1, "task_key": "DSP-1-1"})"));
  EXPECT_FALSE(parse_task_payload(R"({"version": 0})"));
  EXPECT_FALSE(parse_task_payload(R"({"version": "1"})"));
}

TEST(TaskContract, AFieldOfTheWrongTypeIsNamedByItsPath) {
  auto number = parse_task_payload(R"({"invoices": [{"number": "INV-1"}, {"number": 42}]})");
  EXPECT_EQ(number.problem().text(), "/invoices/1/number: expected a string, got a number");
  EXPECT_EQ(parse_task_payload(R"({"outcomes": ["a", null]})").problem().where, "/outcomes/1");
  EXPECT_EQ(parse_task_payload(R"({"customer": "Acme"})").problem().where, "/customer");
  EXPECT_EQ(parse_task_payload(R"({"invoices": {}})").problem().where, "/invoices");
  EXPECT_EQ(parse_task_payload(R"({"subject": ["x"]})").problem().text(),
            "/subject: expected a string, got an array");
  EXPECT_EQ(parse_task_payload("[]").problem().what, "the action's payload is not a JSON object");
  EXPECT_THAT(parse_task_payload("{").problem().what, HasSubstr("the action's payload: not JSON"));
  EXPECT_THAT(parse_task_payload(std::string(20, '[') + std::string(20, ']')).problem().what,
              HasSubstr("nested deeper than 16"));
  // Absent and null fields read as empty: older rows lack newer keys.
  auto sparse = parse_task_payload(R"({"task_key": "DSP-1-1", "dispute_url": null})");
  ASSERT_TRUE(sparse);
  EXPECT_EQ(sparse->dispute_url, "");
  EXPECT_EQ(sparse->headline(), "Dispute task DSP-1-1");
}

TEST(TaskContract, TheLinkBackIsDecidedInOnePlace) {
  EXPECT_EQ(dispute_url("https://disputed.example.com", "DSP-000042"),
            "https://disputed.example.com/disputes/DSP-000042");
  EXPECT_EQ(dispute_url("https://disputed.example.com/", "DSP-000042"),
            "https://disputed.example.com/disputes/DSP-000042");
  EXPECT_EQ(dispute_url("", "DSP-000042"), "");

  TaskPayload p;
  p.dispute = "DSP-000042";
  EXPECT_EQ(dispute_link(p, "https://ar.example.com/d/{dispute}?from=task"),
            "https://ar.example.com/d/DSP-000042?from=task");
  EXPECT_EQ(dispute_link(p, "https://ar.example.com/disputes"), "https://ar.example.com/disputes");
  EXPECT_EQ(dispute_link(p, ""), "");
  p.dispute_url = "https://disputed.example.com/api/v1/disputes/DSP-000042";
  EXPECT_EQ(dispute_link(p, "https://ar.example.com/d/{dispute}"), p.dispute_url);  // engine's wins
  p.dispute_url.clear();
  p.dispute = "A B";
  EXPECT_EQ(dispute_link(p, "https://x/{dispute}"), "https://x/A%20B");
}

TEST(TaskContract, TheSubjectAndTheFactsAreDecidedInOnePlace) {
  EXPECT_EQ(task_subject("Approve the credit note", "DSP-000123", "Acme B.V."),
            "Approve the credit note — DSP-000123 (Acme B.V.)");
  auto p = parse_task_payload(
      R"({"dispute": "DSP-000002", "step": "approve-credit", "category": "quality",
          "customer": {"id": "C-1008", "name": "Atelier"}, "currency": "EUR",
          "disputed_amount": "3741.97", "deadline_local_date": "2026-10-14",
          "time_zone": "Europe/Amsterdam", "assignee": "erik@example.com",
          "invoices": [{"number": "INV-9", "disputed_amount": "3691.47"},
                       {"number": "INV-17", "disputed_amount": "50.50"}]})");
  ASSERT_TRUE(p);
  EXPECT_EQ(task_facts_text(*p),
            "Dispute: DSP-000002\n"
            "Step: approve-credit\n"
            "Customer: Atelier (C-1008)\n"
            "Category: quality\n"
            "Invoices: INV-9 (EUR 3691.47), INV-17 (EUR 50.50)\n"
            "Disputed amount: EUR 3741.97\n"
            "Due: 2026-10-14 (Europe/Amsterdam)\n"
            "Assigned to: erik@example.com\n");
  EXPECT_TRUE(task_facts(TaskPayload{}).empty());
}

}  // namespace
}  // namespace disputed::sdk::kit
