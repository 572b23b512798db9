#include "core/store/store.hpp"

#include <gtest/gtest.h>

#include "core/store/migrations.hpp"
#include "tests/support/temp_dir.hpp"

namespace disputed::store {
namespace {

using domain::Decimal;

Instant at(const char* text) { return *domain::parse_instant(text); }

domain::Invoice invoice(const std::string& number, const char* amount = "100.00") {
  domain::Invoice inv;
  inv.number = number;
  inv.customer = {"C1", "Acme BV", "ap@acme.example", "nl"};
  inv.amount = *Decimal::parse(amount);
  inv.currency = "EUR";
  inv.issue_date = *domain::parse_date("2026-11-01");
  inv.due_date = *domain::parse_date("2026-12-01");
  inv.account_manager = "am@example.com";
  return inv;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<Database>(dir_ / "s.db");
    migrate(*db_);
    store_ = std::make_unique<Store>(*db_);
    store_->save_workflow_snapshot("h1", "price", "{}", now_);
  }
  DisputeRecord dispute(const std::string& invoice_number) {
    DisputeRecord d;
    d.category = "price";
    d.workflow_hash = "h1";
    d.channel = domain::Channel::kPhone;
    d.description = "price too high";
    d.reported_by = "clerk@example.com";
    d.customer_id = "C1";
    d.customer_name = "Acme BV";
    d.currency = "EUR";
    d.disputed_amount = *Decimal::parse("40");
    d.opened_at = d.due_at = d.updated_at = now_;
    d.invoices = {{invoice_number, *Decimal::parse("40")}};
    return d;
  }
  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Store> store_;
  Instant now_ = at("2026-11-23T09:00:00Z");
};

TEST_F(StoreTest, InvoiceUpsertKeepsExactAmountsAndReportsCreation) {
  EXPECT_TRUE(store_->upsert_invoice(invoice("INV-1", "1234567.8901"), now_));
  auto r = store_->find_invoice("INV-1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->invoice.amount.to_string(), "1234567.8901");
  EXPECT_EQ(r->invoice.customer.language, "nl");
  EXPECT_FALSE(store_->upsert_invoice(invoice("INV-1", "10"), now_));
  EXPECT_EQ(store_->find_invoice("INV-1")->invoice.amount.to_string(), "10.00");
  EXPECT_FALSE(store_->find_invoice("INV-404"));
}

TEST_F(StoreTest, DisputeGetsReadableSequentialRefs) {
  store_->upsert_invoice(invoice("INV-1"), now_);
  auto a = dispute("INV-1");
  auto b = dispute("INV-1");
  store_->insert_dispute(a);
  store_->insert_dispute(b);
  EXPECT_EQ(a.ref, "DSP-000001");
  EXPECT_EQ(b.ref, "DSP-000002");
  auto found = store_->find_dispute_by_ref("DSP-000002");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->invoices.size(), 1u);
  EXPECT_EQ(found->invoices[0].disputed_amount.to_string(), "40.00");
}

TEST_F(StoreTest, DisputeOnUnknownInvoiceViolatesForeignKey) {
  auto d = dispute("INV-404");
  EXPECT_THROW(store_->insert_dispute(d), SqliteError);
}

TEST_F(StoreTest, DossierIsAppendOnly) {
  store_->upsert_invoice(invoice("INV-1"), now_);
  auto d = dispute("INV-1");
  store_->insert_dispute(d);
  DossierEntry e;
  e.dispute_id = d.id;
  e.at = now_;
  e.actor = "x";
  e.kind = "note";
  e.summary = "called the customer";
  store_->append_dossier(e);
  EXPECT_THROW(db_->exec("UPDATE dossier SET summary = 'rewritten'"), SqliteError);
  EXPECT_THROW(db_->exec("DELETE FROM dossier"), SqliteError);
  ASSERT_EQ(store_->dossier_of(d.id).size(), 1u);
  EXPECT_EQ(store_->dossier_of(d.id)[0].summary, "called the customer");
}

TEST_F(StoreTest, OutboxEnqueueIsIdempotentPerActionKey) {
  OutboxRecord row;
  row.action_key = "DSP-000001-1:create";
  row.target = "zendesk";
  row.kind = "create";
  row.payload_json = "{}";
  row.created_at = row.next_attempt_at = now_;
  EXPECT_TRUE(store_->enqueue(row));
  OutboxRecord again = row;
  EXPECT_FALSE(store_->enqueue(again));
  EXPECT_EQ(store_->outbox_count("pending"), 1);
}

TEST_F(StoreTest, CollectionFeedIsOrderedAndPagedBySeq) {
  for (int i = 0; i < 5; ++i) {
    CollectionEvent e;
    e.at = now_;
    e.kind = "hold_placed";
    e.invoice_number = "INV-" + std::to_string(i);
    e.dispute_ref = "DSP-000001";
    store_->append_collection_event(e);
  }
  auto first = store_->collection_events(0, 2);
  ASSERT_EQ(first.size(), 2u);
  auto next = store_->collection_events(first.back().seq, 10);
  ASSERT_EQ(next.size(), 3u);
  EXPECT_EQ(next.front().invoice_number, "INV-2");
  EXPECT_THROW(db_->exec("DELETE FROM collection_events"), SqliteError);
}

TEST_F(StoreTest, OnlyOneActiveHoldPerInvoiceAndDispute) {
  store_->upsert_invoice(invoice("INV-1"), now_);
  auto d = dispute("INV-1");
  store_->insert_dispute(d);
  HoldRecord h;
  h.invoice_number = "INV-1";
  h.dispute_id = d.id;
  h.placed_at = now_;
  store_->insert_hold(h);
  HoldRecord dup = h;
  EXPECT_THROW(store_->insert_hold(dup), SqliteError);
  store_->release_hold(h.id, now_, "resolved", domain::parse_date("2026-12-10"));
  EXPECT_TRUE(store_->active_holds_of_invoice("INV-1").empty());
  auto history = store_->holds_of_invoice("INV-1");
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(domain::format_date(*history[0].new_due_date), "2026-12-10");
}

TEST_F(StoreTest, DueTimersComeOutInFireOrder) {
  store_->upsert_invoice(invoice("INV-1"), now_);
  auto d = dispute("INV-1");
  store_->insert_dispute(d);
  StepRecord s;
  s.dispute_id = d.id;
  s.step_key = "check";
  s.title = "Check";
  s.assignee = "a@example.com";
  s.target = "internal";
  s.task_key = "DSP-000001-1";
  s.assigned_at = s.deadline_at = now_;
  store_->insert_step(s);
  TimerRecord late{0, s.id, "escalation", 0, at("2026-11-25T09:00:00Z")};
  TimerRecord early{0, s.id, "reminder", 1, at("2026-11-24T09:00:00Z")};
  store_->insert_timer(late);
  store_->insert_timer(early);
  EXPECT_TRUE(store_->due_timers(at("2026-11-23T23:00:00Z"), 10).empty());
  auto due = store_->due_timers(at("2026-11-26T00:00:00Z"), 10);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].kind, "reminder");
  store_->mark_timer_fired(due[0].id, now_);
  EXPECT_EQ(store_->due_timers(at("2026-11-26T00:00:00Z"), 10).size(), 1u);
}

}  // namespace
}  // namespace disputed::store
