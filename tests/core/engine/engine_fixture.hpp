#pragma once
// A DisputeService on a temporary SQLite file, a fake clock and a small, fully known
// configuration built in code (so each test can see every rule it relies on).

#include <gtest/gtest.h>

#include <memory>

#include "core/engine/dispute_service.hpp"
#include "core/store/migrations.hpp"
#include "tests/support/temp_dir.hpp"

namespace disputed::engine::testing_support {

inline domain::Instant at(const char* text) { return *domain::parse_instant(text); }

inline workflow::AssigneeRule person(const std::string& email) {
  return {domain::AssigneeKind::kPerson, email};
}
inline workflow::AssigneeRule role(const std::string& id) {
  return {domain::AssigneeKind::kRole, id};
}
inline workflow::AssigneeRule account_manager() {
  return {domain::AssigneeKind::kAccountManager, ""};
}

/// price: check (account manager, 2 wd, reminders 1 wd before and at deadline, escalation 1 wd
/// overdue to credit-control-lead) -> approve (sales-management, 2 wd) -> book (finance via the
/// "zendesk-support" connector, 1 wd) -> end credit_note. Rejections end "rejected".
inline workflow::Definitions test_definitions() {
  using namespace workflow;
  std::map<domain::Date, std::string> holidays = {
      {*domain::parse_date("2026-12-25"), "Eerste Kerstdag"},
      {*domain::parse_date("2026-12-26"), "Tweede Kerstdag"}};
  Definitions defs;
  defs.calendar = domain::BusinessCalendar("Europe/Amsterdam", {1, 2, 3, 4, 5}, holidays);
  WorkflowDef wf;
  wf.id = "price";
  wf.name = "Price dispute";
  wf.start = "check";
  StepDef check;
  check.id = "check";
  check.title = "Check the price agreement";
  check.instructions = "Compare the invoiced price with the contract.";
  check.assignee = account_manager();
  check.deadline_working_days = 2;
  check.reminders = {{1}, {0}};
  check.escalations = {Escalation{1, role("credit-control-lead")}};
  check.outcomes = {{"customer-right", "approve"}, {"customer-wrong", "rejected"}};
  StepDef approve;
  approve.id = "approve";
  approve.title = "Approve the credit note";
  approve.assignee = role("sales-management");
  approve.deadline_working_days = 2;
  approve.outcomes = {{"approved", "book"}, {"declined", "rejected"}};
  StepDef book;
  book.id = "book";
  book.title = "Book the credit note";
  book.assignee = role("finance");
  book.target = "zendesk-support";
  book.deadline_working_days = 1;
  book.outcomes = {{"done", "credited"}};
  wf.steps = {{"check", check}, {"approve", approve}, {"book", book}};
  wf.ends = {{"credited", {"credited", domain::Resolution::kCreditNote, "Credit note issued"}},
             {"rejected", {"rejected", domain::Resolution::kRejected, "Invoice stands"}}};
  defs.workflows = {{"price", wf}};
  defs.categories = {
      {"price", {"price", "Price", "Wrong price", "price", 10, {"price", "tariff", "discount"}}},
      {"general", {"general", "General", "Anything else", "price", 15, {}}}};
  defs.default_category = "general";
  defs.roles = {{"sales-management", {"sales-management", "Sales management", {"sam@example.com"}}},
                {"finance", {"finance", "Finance", {"fin@example.com", "fay@example.com"}}},
                {"credit-control-lead",
                 {"credit-control-lead", "Credit control lead", {"lead@example.com"}}}};
  defs.dunning.per_resolution = {{domain::Resolution::kCreditNote, {14, true}},
                                 {domain::Resolution::kRejected, {7, true}},
                                 {domain::Resolution::kWithdrawn, {7, false}}};
  defs.dunning.fallback = {10, true};
  defs.notifications.inform = {role("credit-control-lead")};
  defs.connector_instances = {"zendesk-support"};
  // Messages go to the instance "notify" (none is registered here: they wait, pending).
  defs.messaging.transport = "notify";
  defs.messaging.from_address = "disputes@example.com";
  return defs;
}

class EngineTest : public ::testing::Test {
 protected:
  EngineTest()
      : defs_(test_definitions()), clock_(at("2026-11-23T08:00:00Z")) {}  // Mon 09:00 Amsterdam

  void SetUp() override {
    db_ = std::make_unique<store::Database>(dir_ / "engine.db");
    store::migrate(*db_);
    service_ = std::make_unique<DisputeService>(*db_, defs_, clock_);
    ParsedInvoices parsed;
    parsed.rows.push_back({"line 2", invoice("INV-1", "C1", "1000.00", "EUR")});
    parsed.rows.push_back({"line 3", invoice("INV-2", "C1", "250.00", "EUR")});
    parsed.rows.push_back({"line 4", invoice("INV-3", "C2", "99.99", "EUR")});
    parsed.rows.push_back({"line 5", invoice("INV-USD", "C1", "500.00", "USD")});
    ASSERT_TRUE(service_->import_invoices(parsed, "test").ok());
  }

  static domain::Invoice invoice(const std::string& number, const std::string& customer,
                                 const char* amount, const std::string& currency) {
    domain::Invoice inv;
    inv.number = number;
    inv.customer = {customer, customer == "C1" ? "Acme BV" : "Globex NV",
                    "ap@" + customer + ".example", "nl"};
    inv.amount = *domain::Decimal::parse(amount);
    inv.currency = currency;
    inv.issue_date = *domain::parse_date("2026-11-01");
    inv.due_date = *domain::parse_date("2026-12-01");
    inv.account_manager = "am@example.com";
    return inv;
  }

  OpenDisputeRequest request(std::vector<ClaimedInvoice> invoices = {{"INV-1", std::nullopt}}) {
    OpenDisputeRequest r;
    r.invoices = std::move(invoices);
    r.category = "price";
    r.channel = domain::Channel::kPhone;
    r.description = "Invoiced list price instead of the contract price";
    r.contact_name = "Jan Jansen";
    r.actor = "clerk@example.com";
    return r;
  }

  DisputeView open(OpenDisputeRequest r) {
    auto v = service_->open_dispute(r);
    EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().describe());
    return v.ok() ? v.value() : DisputeView{};
  }
  DisputeView open() { return open(request()); }

  Result<DisputeView> complete(const std::string& ref, const std::string& step,
                               const std::string& outcome,
                               CompletionSource source = CompletionSource::kPerson) {
    CompleteStepRequest r;
    r.dispute = ref;
    r.step = step;
    r.outcome = outcome;
    r.actor = "someone@example.com";
    r.source = source;
    return service_->complete_step(r);
  }

  std::int64_t count(const std::string& table) {
    auto& s = db_->prepare_cached("SELECT COUNT(*) FROM " + table);
    s.step();
    auto n = s.int64(0);
    s.reset();
    return n;
  }

  std::vector<std::string> dossier_kinds(const DisputeView& v) {
    std::vector<std::string> out;
    for (const auto& e : v.dossier) out.push_back(e.kind);
    return out;
  }

  ::disputed::testing::TempDir dir_;
  workflow::Definitions defs_;
  domain::FakeClock clock_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<DisputeService> service_;
};

}  // namespace disputed::engine::testing_support
