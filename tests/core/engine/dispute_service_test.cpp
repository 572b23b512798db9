#include "core/engine/dispute_service.hpp"

#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

#include "tests/core/engine/engine_fixture.hpp"

namespace disputed::engine::testing_support {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST_F(EngineTest, RegisteringPlacesHoldsAssignsFirstStepAndConfirms) {
  DisputeView v =
      open(request({{"INV-1", domain::Decimal::parse("120.50")}, {"INV-2", std::nullopt}}));
  EXPECT_EQ(v.dispute.ref, "DSP-000001");
  EXPECT_EQ(v.dispute.status, domain::DisputeStatus::kOpen);
  EXPECT_EQ(v.dispute.disputed_amount.to_string(), "370.50");
  // Due in 10 working days: Mon 23 Nov + 10 wd = Mon 7 Dec, 17:00 Amsterdam = 16:00Z.
  EXPECT_EQ(domain::format_instant(v.dispute.due_at), "2026-12-07T16:00:00Z");

  ASSERT_EQ(v.steps.size(), 1u);
  EXPECT_EQ(v.steps[0].step_key, "check");
  EXPECT_EQ(v.steps[0].assignee, "am@example.com");  // the invoices' account manager
  EXPECT_EQ(domain::format_instant(v.steps[0].deadline_at), "2026-11-25T16:00:00Z");

  EXPECT_FALSE(service_->invoice_state("INV-1")->collectable);
  EXPECT_FALSE(service_->invoice_state("INV-2")->collectable);
  EXPECT_TRUE(service_->invoice_state("INV-3")->collectable);

  EXPECT_TRUE(v.dossier.empty());  // commands answer without the timeline
  EXPECT_THAT(dossier_kinds(service_->show(v.dispute.ref).value()),
              ElementsAre("registered", "hold_placed", "hold_placed", "customer_confirmation",
                          "step_assigned"));
  auto events = service_->events(0, 100);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, "hold_placed");

  // Outbox: customer confirmation, management info, task notification — all in the same commit.
  auto rows = store::Store(*db_).outbox_rows("pending", 10);
  std::vector<std::string> keys;
  for (const auto& r : rows) keys.push_back(r.action_key);
  EXPECT_THAT(keys, ElementsAre("DSP-000001:0:confirmation", "DSP-000001:0:inform-1",
                                "DSP-000001-1:assigned"));
  auto confirmation = nlohmann::json::parse(rows[0].payload_json);
  EXPECT_EQ(confirmation["to"], "ap@C1.example");
  EXPECT_EQ(confirmation["expected_resolution_by"], "2026-12-07");
  EXPECT_EQ(confirmation["language"], "nl");
}

TEST_F(EngineTest, BadRegistrationsSayWhatAndWhereAndChangeNothing) {
  auto before_outbox = count("outbox");
  auto check = [&](OpenDisputeRequest r, domain::ErrorCode code, const std::string& field,
                   const std::string& text) {
    auto result = service_->open_dispute(r);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, code);
    ASSERT_FALSE(result.error().details.empty());
    EXPECT_EQ(result.error().details[0].field, field);
    EXPECT_THAT(result.error().details[0].problem, HasSubstr(text));
  };
  auto r = request();
  r.category = "weather";
  check(r, domain::ErrorCode::kInvalidArgument, "category", "unknown category 'weather'");
  check(request({{"INV-404", std::nullopt}}), domain::ErrorCode::kNotFound, "invoices[0].number",
        "not found");
  check(request({{"INV-1", domain::Decimal::parse("-5")}}), domain::ErrorCode::kInvalidArgument,
        "invoices[0].amount", "greater than zero");
  check(request({{"INV-1", domain::Decimal::parse("1000.01")}}),
        domain::ErrorCode::kInvalidArgument, "invoices[0].amount", "exceeds");
  r = request();
  r.currency = "USD";
  check(r, domain::ErrorCode::kInvalidArgument, "invoices[0].currency",
        "INV-1 is in EUR, the dispute in USD");
  check(request({{"INV-1", std::nullopt}, {"INV-USD", std::nullopt}}),
        domain::ErrorCode::kInvalidArgument, "invoices[1].currency", "is in USD");
  check(request({{"INV-1", std::nullopt}, {"INV-3", std::nullopt}}),
        domain::ErrorCode::kInvalidArgument, "invoices[1].number", "belongs to customer C2");
  r = request();
  r.description = "";
  check(r, domain::ErrorCode::kInvalidArgument, "description", "required");

  EXPECT_EQ(count("disputes"), 0);
  EXPECT_EQ(count("holds"), 0);
  EXPECT_EQ(count("dossier"), 0);
  EXPECT_EQ(count("outbox"), before_outbox);
  EXPECT_TRUE(service_->invoice_state("INV-1")->collectable);
}

TEST_F(EngineTest, AMirroredTaskLinksBackToTheDisputeAndNamesTheRolesMembers) {
  defs_.public_url = "https://disputes.example.com";
  auto v = open();
  ASSERT_TRUE(complete(v.dispute.ref, "check", "customer-right").ok());
  ASSERT_TRUE(complete(v.dispute.ref, "approve", "approved").ok());
  auto rows = store::Store(*db_).outbox_rows("pending", 100);
  auto create =
      std::find_if(rows.begin(), rows.end(), [](const auto& row) { return row.kind == "create"; });
  ASSERT_NE(create, rows.end());
  auto task = nlohmann::json::parse(create->payload_json);
  EXPECT_EQ(task["dispute_url"], "https://disputes.example.com/disputes/" + v.dispute.ref);
  EXPECT_EQ(task["assignee"], "finance");
  EXPECT_EQ(task["assignee_kind"], "role");
  ASSERT_TRUE(task.contains("assignee_members"));
  EXPECT_EQ(task["assignee_members"], nlohmann::json(defs_.roles.at("finance").members));
}

TEST_F(EngineTest, OutcomesDriveTheWorkflowToResolutionAndDunningResumes) {
  auto v = open();
  clock_.set(at("2026-11-24T10:00:00Z"));
  auto r = complete(v.dispute.ref, "check", "customer-right");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->dispute.status, domain::DisputeStatus::kInProgress);
  ASSERT_EQ(r->steps.size(), 2u);
  EXPECT_EQ(r->steps[1].step_key, "approve");
  EXPECT_EQ(r->steps[1].assignee, "sales-management");
  EXPECT_EQ(r->steps[1].assignee_kind, domain::AssigneeKind::kRole);

  r = complete(v.dispute.ref, "approve", "approved");
  ASSERT_TRUE(r.ok());
  // The booking step goes to a connector: one create action with a stable idempotency key.
  auto rows = store::Store(*db_).outbox_rows("pending", 100);
  auto create =
      std::find_if(rows.begin(), rows.end(), [](const auto& row) { return row.kind == "create"; });
  ASSERT_NE(create, rows.end());
  EXPECT_EQ(create->target, "zendesk-support");
  EXPECT_EQ(create->action_key, "DSP-000001-3:create");
  auto task = nlohmann::json::parse(create->payload_json);
  EXPECT_EQ(task["deadline_local_date"], "2026-11-25");
  EXPECT_EQ(task["time_zone"], "Europe/Amsterdam");
  EXPECT_EQ(task["invoices"][0]["number"], "INV-1");

  clock_.set(at("2026-11-25T09:00:00Z"));  // Wed 10:00 Amsterdam
  r = complete(v.dispute.ref, "book", "done", CompletionSource::kConnector);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->dispute.status, domain::DisputeStatus::kResolved);
  EXPECT_EQ(r->dispute.resolution, domain::Resolution::kCreditNote);
  EXPECT_EQ(r->dispute.resolution_note, "Credit note issued");

  // Credit note policy: release date (Wed 25 Nov) + 14 days = Wed 9 Dec.
  auto st = service_->invoice_state("INV-1");
  EXPECT_TRUE(st->collectable);
  EXPECT_EQ(domain::format_date(st->invoice.invoice.due_date), "2026-12-09");
  EXPECT_EQ(domain::format_date(st->invoice.original_due_date), "2026-12-01");
  ASSERT_EQ(st->history.size(), 1u);
  EXPECT_EQ(domain::format_date(*st->history[0].new_due_date), "2026-12-09");

  auto events = service_->events(0, 100);
  std::vector<std::string> kinds;
  for (const auto& e : events) kinds.push_back(e.kind);
  EXPECT_THAT(kinds, ElementsAre("hold_placed", "dispute_resolved", "hold_released"));
  EXPECT_EQ(domain::format_date(*events.back().due_date), "2026-12-09");

  auto kinds_after = dossier_kinds(service_->show(v.dispute.ref).value());
  EXPECT_THAT(kinds_after, Contains("resolved"));
  EXPECT_THAT(kinds_after, Contains("hold_released"));
  EXPECT_THAT(kinds_after, Contains("feedback_requested"));
}

TEST_F(EngineTest, RejectingOutcomeEndsWithRejectedPolicy) {
  auto v = open();
  auto r = complete(v.dispute.ref, "check", "customer-wrong");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->dispute.resolution, domain::Resolution::kRejected);
  // Rejected: Mon 23 Nov + 7 days = Mon 30 Nov (a working day).
  EXPECT_EQ(domain::format_date(service_->invoice_state("INV-1")->invoice.invoice.due_date),
            "2026-11-30");
}

TEST_F(EngineTest, StepErrorsAreClearAndChangeNothing) {
  auto v = open();
  auto bad = complete(v.dispute.ref, "check", "maybe");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message, HasSubstr("unknown outcome 'maybe'"));
  EXPECT_THAT(bad.error().details[0].problem, HasSubstr("customer-right, customer-wrong"));
  EXPECT_EQ(complete(v.dispute.ref, "nosuch", "x").error().code, domain::ErrorCode::kNotFound);
  EXPECT_EQ(complete("DSP-999999", "check", "customer-right").error().code,
            domain::ErrorCode::kNotFound);

  ASSERT_TRUE(complete(v.dispute.ref, "check", "customer-wrong").ok());
  auto dossier_before = count("dossier");
  auto again = complete(v.dispute.ref, "check", "customer-wrong");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, domain::ErrorCode::kConflict);
  EXPECT_THAT(again.error().message, HasSubstr("is not open"));

  auto twice = service_->resolve(v.dispute.ref, domain::Resolution::kCreditNote, "", "clerk");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, domain::ErrorCode::kConflict);
  EXPECT_THAT(twice.error().message, HasSubstr("already resolved"));
  EXPECT_EQ(count("dossier"), dossier_before);
}

TEST_F(EngineTest, ConnectorCompletionAppliedTwiceIsANoOp) {
  auto v = open();
  auto first = complete(v.dispute.ref, "check", "customer-right", CompletionSource::kConnector);
  ASSERT_TRUE(first.ok());
  auto steps = count("steps");
  auto dossier = count("dossier");
  auto second = complete(v.dispute.ref, "check", "customer-right", CompletionSource::kConnector);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->already_applied);
  EXPECT_EQ(count("steps"), steps);
  EXPECT_EQ(count("dossier"), dossier);
}

TEST_F(EngineTest, InvoiceWithTwoOpenDisputesStaysOnHoldUntilBothEnd) {
  auto a = open(request({{"INV-1", domain::Decimal::parse("100")}}));
  auto b = open(request({{"INV-1", domain::Decimal::parse("200")}}));
  // Only 700 of 1000 is left undisputed.
  auto over = service_->open_dispute(request({{"INV-1", domain::Decimal::parse("700.01")}}));
  ASSERT_FALSE(over.ok());
  EXPECT_THAT(over.error().details[0].problem, HasSubstr("700.00 of 1000.00 EUR"));

  ASSERT_TRUE(service_
                  ->resolve(a.dispute.ref, domain::Resolution::kRejected,
                            "contract price confirmed", "clerk")
                  .ok());
  auto st = service_->invoice_state("INV-1");
  EXPECT_FALSE(st->collectable);
  ASSERT_EQ(st->active_holds.size(), 1u);
  EXPECT_EQ(st->active_holds[0].dispute_ref, b.dispute.ref);
  EXPECT_EQ(domain::format_date(st->invoice.invoice.due_date),
            "2026-12-01");  // unchanged while on hold

  clock_.set(at("2026-11-26T12:00:00Z"));  // Thu
  ASSERT_TRUE(service_->withdraw(b.dispute.ref, "customer found the contract", "clerk").ok());
  st = service_->invoice_state("INV-1");
  EXPECT_TRUE(st->collectable);
  // Withdrawn policy: +7 calendar days, not rolled: Thu 3 Dec.
  EXPECT_EQ(domain::format_date(st->invoice.invoice.due_date), "2026-12-03");
  std::vector<std::string> kinds;
  for (const auto& e : service_->events(0, 100)) kinds.push_back(e.kind);
  EXPECT_THAT(kinds, ElementsAre("hold_placed", "hold_placed", "dispute_resolved",
                                 "dispute_withdrawn", "hold_released"));
}

TEST_F(EngineTest, RemindersAndEscalationFireOnceWhenDue) {
  auto v = open();  // check due Wed 25 Nov 17:00 local; reminders Tue 17:00 and Wed 17:00;
                    // escalation Thu 17:00
  clock_.set(at("2026-11-24T15:59:59Z"));
  EXPECT_EQ(service_->tick()->reminders, 0);
  clock_.set(at("2026-11-24T16:00:00Z"));
  auto t = service_->tick();
  EXPECT_EQ(t->reminders, 1);
  EXPECT_EQ(service_->tick()->reminders, 0);  // fired once only
  clock_.set(at("2026-11-26T16:00:00Z"));
  t = service_->tick();
  EXPECT_EQ(t->reminders, 1);
  EXPECT_EQ(t->escalations, 1);
  auto shown = service_->show(v.dispute.ref);
  EXPECT_EQ(shown->steps[0].escalated_to, "credit-control-lead");
  EXPECT_THAT(dossier_kinds(shown.value()), Contains("escalation"));
  // The escalated step shows in the lead's to-do list (the lead is a member of the role).
  auto tasks = service_->tasks("lead@example.com");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_TRUE(tasks[0].overdue);
  auto rows = store::Store(*db_).outbox_rows("pending", 100);
  EXPECT_EQ(std::count_if(rows.begin(), rows.end(),
                          [](const auto& r) { return r.action_key == "DSP-000001-1:escalate"; }),
            1);
}

TEST_F(EngineTest, TimersOfACompletedStepDoNotFire) {
  auto v = open();
  ASSERT_TRUE(complete(v.dispute.ref, "check", "customer-right").ok());
  clock_.set(at("2026-12-31T12:00:00Z"));
  auto t = service_->tick();
  // Only the approve step's timers could fire; it has none configured.
  EXPECT_EQ(t->reminders, 0);
  EXPECT_EQ(t->escalations, 0);
}

TEST_F(EngineTest, DeadlinesSkipHolidays) {
  clock_.set(
      at("2026-12-24T08:00:00Z"));  // Thu 24 Dec 09:00; Fri 25 and Sat 26 are holidays/weekend
  auto v = open();
  // 2 working days: Mon 28, Tue 29 -> Tue 29 Dec 17:00 local = 16:00Z.
  EXPECT_EQ(domain::format_instant(v.steps[0].deadline_at), "2026-12-29T16:00:00Z");
}

TEST_F(EngineTest, DeadlinesKeepLocalTimeAcrossDaylightSavingChange) {
  clock_.set(at("2026-10-23T07:00:00Z"));  // Fri 09:00 CEST; clocks go back on Sun 25 Oct
  auto v = open();
  // Tue 27 Oct 17:00 CET = 16:00Z (it would be 15:00Z in summer time).
  EXPECT_EQ(domain::format_instant(v.steps[0].deadline_at), "2026-10-27T16:00:00Z");
}

TEST_F(EngineTest, ReopenPlacesHoldsAgainAndRestartsTheWorkflow) {
  auto v = open();
  ASSERT_TRUE(complete(v.dispute.ref, "check", "customer-wrong").ok());
  EXPECT_TRUE(service_->invoice_state("INV-1")->collectable);
  auto missing = service_->reopen(v.dispute.ref, "", std::nullopt, "clerk");
  EXPECT_FALSE(missing.ok());
  auto r = service_->reopen(v.dispute.ref, "customer sent the signed contract",
                            std::string("approve"), "clerk");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->dispute.status, domain::DisputeStatus::kInProgress);
  EXPECT_EQ(r->dispute.reopen_count, 1);
  EXPECT_FALSE(r->dispute.resolution);
  EXPECT_EQ(r->steps.back().step_key, "approve");
  EXPECT_EQ(r->steps.back().status, domain::StepStatus::kOpen);
  EXPECT_FALSE(service_->invoice_state("INV-1")->collectable);
  EXPECT_EQ(service_->reopen(v.dispute.ref, "again", std::nullopt, "clerk").error().code,
            domain::ErrorCode::kConflict);
}

TEST_F(EngineTest, ResolvingCancelsOpenConnectorTasks) {
  auto v = open();
  ASSERT_TRUE(complete(v.dispute.ref, "check", "customer-right").ok());
  ASSERT_TRUE(complete(v.dispute.ref, "approve", "approved").ok());
  ASSERT_TRUE(service_->withdraw(v.dispute.ref, "paid in full after all", "clerk").ok());
  auto rows = store::Store(*db_).outbox_rows("pending", 100);
  EXPECT_EQ(std::count_if(rows.begin(), rows.end(),
                          [](const auto& r) {
                            return r.kind == "cancel" && r.action_key == "DSP-000001-3:cancel";
                          }),
            1);
  auto shown = service_->show(v.dispute.ref);
  EXPECT_EQ(shown->steps.back().status, domain::StepStatus::kCancelled);
  EXPECT_EQ(shown->dispute.status, domain::DisputeStatus::kWithdrawn);
  // Closing is the last word; a closed dispute cannot be closed or resolved again.
  ASSERT_TRUE(service_->close(v.dispute.ref, "clerk").ok());
  EXPECT_EQ(service_->close(v.dispute.ref, "clerk").error().code, domain::ErrorCode::kConflict);
}

TEST_F(EngineTest, CategoryIsSuggestedFromTheDescriptionWhenNotGiven) {
  auto r = request();
  r.category.reset();
  r.description = "The discount from our agreement is missing";
  EXPECT_EQ(open(r).dispute.category, "price");
  auto other = request({{"INV-2", std::nullopt}});
  other.category.reset();
  other.description = "We never ordered this";
  EXPECT_EQ(open(other).dispute.category, "general");
}

TEST_F(EngineTest, RunningDisputesKeepTheirWorkflowWhenConfigChanges) {
  auto v = open();
  defs_.workflows["price"].steps["check"].outcomes = {{"ok", "rejected"}};  // edited config
  auto r = complete(v.dispute.ref, "check", "customer-right");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->steps.back().step_key, "approve");
}

TEST_F(EngineTest, NotesAndContactMomentsGoToTheDossier) {
  auto v = open();
  NoteRequest n;
  n.dispute = v.dispute.ref;
  n.summary = "Customer called: wants the credit note by Friday";
  n.channel = domain::Channel::kPhone;
  n.direction = domain::Direction::kInbound;
  n.actor = "clerk@example.com";
  auto e = service_->add_note(n);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->kind, "contact");
  EXPECT_EQ(e->channel, "phone");
  n.summary = "";
  EXPECT_FALSE(service_->add_note(n).ok());
  EXPECT_EQ(service_->show(v.dispute.ref)->dossier.back().summary,
            "Customer called: wants the credit note by Friday");
}

TEST_F(EngineTest, BatchSharesOneCommitWhileEachCommandFailsAlone) {
  int ok = 0, failed = 0;
  service_->batch([&] {
    for (int i = 0; i < 20; ++i) {
      auto r = service_->open_dispute(
          request({{i % 5 == 0 ? "INV-404" : "INV-2", domain::Decimal::parse("1")}}));
      (r.ok() ? ok : failed)++;
    }
  });
  EXPECT_EQ(ok, 16);
  EXPECT_EQ(failed, 4);
  EXPECT_EQ(count("disputes"), 16);
  EXPECT_EQ(count("holds"), 16);
}

TEST_F(EngineTest, ImportKeepsTheHoldsDueDateAndRefusesCurrencyChangeWhileDisputed) {
  open();
  ParsedInvoices parsed;
  auto changed = invoice("INV-1", "C1", "1000.00", "USD");
  parsed.rows.push_back({"line 2", changed});
  auto corrected = invoice("INV-2", "C1", "260.00", "EUR");
  parsed.rows.push_back({"line 3", corrected});
  auto report = service_->import_invoices(parsed, "clerk");
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->updated, 1);
  ASSERT_EQ(report->rejected.size(), 1u);
  EXPECT_EQ(report->rejected[0].where, "line 2");
  EXPECT_EQ(report->rejected[0].problems[0].field, "currency");
  EXPECT_EQ(service_->invoice_state("INV-1")->invoice.invoice.currency, "EUR");
  EXPECT_EQ(service_->invoice_state("INV-2")->invoice.invoice.amount.to_string(), "260.00");
}

}  // namespace
}  // namespace disputed::engine::testing_support
