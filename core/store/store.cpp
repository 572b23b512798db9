#include "core/store/store.hpp"

#include <cstdio>
#include <stdexcept>

#include "core/store/row_readers.hpp"

namespace disputed::store {

namespace {

using detail::date_of;
using detail::enum_of;
using detail::instant_of;
using domain::format_date;
using domain::format_instant;

std::optional<Instant> optional_instant(const Statement& s, int col) {
  auto text = s.optional_text(col);
  if (!text) return std::nullopt;
  return instant_of(*text);
}

std::optional<std::string> opt_instant_text(const std::optional<Instant>& t) {
  if (!t) return std::nullopt;
  return format_instant(*t);
}

using detail::kDisputeColumns;

constexpr const char* kStepColumns =
    "id, dispute_id, step_key, title, assignee_kind, assignee, target, task_key, status, "
    "assigned_at, deadline_at, completed_at, completed_by, outcome, comment, escalated_at, "
    "escalated_to, external_ref, external_url";

StepRecord read_step(const Statement& s) {
  StepRecord r;
  r.id = s.int64(0);
  r.dispute_id = s.int64(1);
  r.step_key = s.text(2);
  r.title = s.text(3);
  r.assignee_kind = enum_of(domain::parse_assignee_kind(s.text(4)), s.text(4));
  r.assignee = s.text(5);
  r.target = s.text(6);
  r.task_key = s.text(7);
  r.status = enum_of(domain::parse_step_status(s.text(8)), s.text(8));
  r.assigned_at = instant_of(s.text(9));
  r.deadline_at = instant_of(s.text(10));
  r.completed_at = optional_instant(s, 11);
  r.completed_by = s.optional_text(12);
  r.outcome = s.optional_text(13);
  r.comment = s.optional_text(14);
  r.escalated_at = optional_instant(s, 15);
  r.escalated_to = s.optional_text(16);
  r.external_ref = s.optional_text(17);
  r.external_url = s.optional_text(18);
  return r;
}

HoldRecord read_hold(const Statement& s) {
  HoldRecord h;
  h.id = s.int64(0);
  h.invoice_number = s.text(1);
  h.dispute_id = s.int64(2);
  h.dispute_ref = s.text(3);
  h.placed_at = instant_of(s.text(4));
  h.released_at = optional_instant(s, 5);
  h.release_reason = s.optional_text(6);
  if (auto d = s.optional_text(7)) h.new_due_date = date_of(*d);
  return h;
}

constexpr const char* kHoldSelect =
    "SELECT h.id, h.invoice_number, h.dispute_id, d.ref, h.placed_at, h.released_at, "
    "h.release_reason, h.new_due_date FROM holds h JOIN disputes d ON d.id = h.dispute_id ";

}  // namespace

// ---------------------------------------------------------------- invoices

bool Store::upsert_invoice(const domain::Invoice& inv, Instant now) {
  auto existing = find_invoice(inv.number);
  std::string now_text = format_instant(now);
  if (!existing) {
    Statement& s = db_.prepare_cached(
        "INSERT INTO invoices (number, customer_id, customer_name, customer_email, "
        "customer_language, amount_units, currency, issue_date, due_date, original_due_date, "
        "account_manager, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
    s.bind(1, inv.number)
        .bind(2, inv.customer.id)
        .bind(3, inv.customer.name)
        .bind(4, inv.customer.email)
        .bind(5, inv.customer.language)
        .bind(6, inv.amount.units())
        .bind(7, inv.currency)
        .bind(8, format_date(inv.issue_date))
        .bind(9, format_date(inv.due_date))
        .bind(10, format_date(inv.due_date))
        .bind(11, inv.account_manager)
        .bind(12, now_text)
        .bind(13, now_text);
    s.run();
    return true;
  }
  Statement& s = db_.prepare_cached(
      "UPDATE invoices SET customer_id=?, customer_name=?, customer_email=?, customer_language=?, "
      "amount_units=?, currency=?, issue_date=?, due_date=?, original_due_date=?, "
      "account_manager=?, updated_at=? WHERE number=?");
  s.bind(1, inv.customer.id)
      .bind(2, inv.customer.name)
      .bind(3, inv.customer.email)
      .bind(4, inv.customer.language)
      .bind(5, inv.amount.units())
      .bind(6, inv.currency)
      .bind(7, format_date(inv.issue_date))
      .bind(8, format_date(inv.due_date))
      .bind(9, format_date(inv.due_date))
      .bind(10, inv.account_manager)
      .bind(11, now_text)
      .bind(12, inv.number);
  s.run();
  return false;
}

std::optional<InvoiceRecord> Store::find_invoice(const std::string& number) {
  Statement& s = db_.prepare_cached(
      "SELECT number, customer_id, customer_name, customer_email, customer_language, amount_units, "
      "currency, issue_date, due_date, original_due_date, account_manager, created_at, updated_at "
      "FROM invoices WHERE number = ?");
  s.bind(1, number);
  if (!s.step()) {
    s.reset();
    return std::nullopt;
  }
  InvoiceRecord r;
  r.invoice.number = s.text(0);
  r.invoice.customer = {s.text(1), s.text(2), s.text(3), s.text(4)};
  r.invoice.amount = Decimal::from_units(s.int64(5));
  r.invoice.currency = s.text(6);
  r.invoice.issue_date = date_of(s.text(7));
  r.invoice.due_date = date_of(s.text(8));
  r.original_due_date = date_of(s.text(9));
  r.invoice.account_manager = s.text(10);
  r.created_at = instant_of(s.text(11));
  r.updated_at = instant_of(s.text(12));
  s.reset();
  return r;
}

void Store::set_invoice_due_date(const std::string& number, Date due_date, Instant now) {
  Statement& s =
      db_.prepare_cached("UPDATE invoices SET due_date = ?, updated_at = ? WHERE number = ?");
  s.bind(1, format_date(due_date)).bind(2, format_instant(now)).bind(3, number);
  s.run();
}

// ---------------------------------------------------------------- workflow snapshots

void Store::save_workflow_snapshot(const std::string& hash, const std::string& workflow_id,
                                   const std::string& definition_json, Instant now) {
  Statement& s = db_.prepare_cached(
      "INSERT OR IGNORE INTO workflow_snapshots (hash, workflow_id, definition, created_at) "
      "VALUES (?,?,?,?)");
  s.bind(1, hash).bind(2, workflow_id).bind(3, definition_json).bind(4, format_instant(now));
  s.run();
}

std::optional<std::string> Store::workflow_snapshot(const std::string& hash) {
  Statement& s = db_.prepare_cached("SELECT definition FROM workflow_snapshots WHERE hash = ?");
  s.bind(1, hash);
  std::optional<std::string> out;
  if (s.step()) out = s.text(0);
  s.reset();
  return out;
}

// ---------------------------------------------------------------- disputes

void Store::insert_dispute(DisputeRecord& d) {
  // One writer at a time (BEGIN IMMEDIATE), so max(id)+1 cannot race.
  Statement& next = db_.prepare_cached("SELECT COALESCE(MAX(id), 0) + 1 FROM disputes");
  next.step();
  d.id = next.int64(0);
  next.reset();
  char ref[32];
  std::snprintf(ref, sizeof ref, "DSP-%06lld", static_cast<long long>(d.id));
  d.ref = ref;
  Statement& s = db_.prepare_cached(
      "INSERT INTO disputes (id, ref, category, workflow_hash, status, channel, description, "
      "reported_by, contact_name, contact_email, contact_phone, customer_id, customer_name, "
      "currency, disputed_units, opened_at, due_at, resolved_at, resolution, resolution_note, "
      "closed_at, reopen_count, updated_at) VALUES "
      "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  s.bind(1, d.id)
      .bind(2, d.ref)
      .bind(3, d.category)
      .bind(4, d.workflow_hash)
      .bind(5, std::string(to_string(d.status)))
      .bind(6, std::string(to_string(d.channel)))
      .bind(7, d.description)
      .bind(8, d.reported_by)
      .bind(9, d.contact_name)
      .bind(10, d.contact_email)
      .bind(11, d.contact_phone)
      .bind(12, d.customer_id)
      .bind(13, d.customer_name)
      .bind(14, d.currency)
      .bind(15, d.disputed_amount.units())
      .bind(16, format_instant(d.opened_at))
      .bind(17, format_instant(d.due_at))
      .bind(18, opt_instant_text(d.resolved_at));
  if (d.resolution) s.bind(19, std::string(to_string(*d.resolution)));
  s.bind(20, d.resolution_note)
      .bind(21, opt_instant_text(d.closed_at))
      .bind(22, d.reopen_count)
      .bind(23, format_instant(d.updated_at));
  s.run();
  Statement& inv = db_.prepare_cached(
      "INSERT INTO dispute_invoices (dispute_id, invoice_number, disputed_units) VALUES (?,?,?)");
  for (const auto& di : d.invoices) {
    inv.bind(1, d.id).bind(2, di.invoice_number).bind(3, di.disputed_amount.units());
    inv.run();
  }
}

void Store::update_dispute(const DisputeRecord& d) {
  Statement& s = db_.prepare_cached(
      "UPDATE disputes SET status=?, resolved_at=?, resolution=?, resolution_note=?, closed_at=?, "
      "reopen_count=?, updated_at=?, category=?, workflow_hash=?, due_at=? WHERE id=?");
  s.bind(1, std::string(to_string(d.status))).bind(2, opt_instant_text(d.resolved_at));
  if (d.resolution)
    s.bind(3, std::string(to_string(*d.resolution)));
  else
    s.bind(3, nullptr);
  s.bind(4, d.resolution_note)
      .bind(5, opt_instant_text(d.closed_at))
      .bind(6, d.reopen_count)
      .bind(7, format_instant(d.updated_at))
      .bind(8, d.category)
      .bind(9, d.workflow_hash)
      .bind(10, format_instant(d.due_at))
      .bind(11, d.id);
  s.run();
}

DisputeRecord Store::read_dispute(Statement& s) {
  DisputeRecord d;
  d.id = s.int64(0);
  d.ref = s.text(1);
  d.category = s.text(2);
  d.workflow_hash = s.text(3);
  d.status = enum_of(domain::parse_dispute_status(s.text(4)), s.text(4));
  d.channel = enum_of(domain::parse_channel(s.text(5)), s.text(5));
  d.description = s.text(6);
  d.reported_by = s.text(7);
  d.contact_name = s.text(8);
  d.contact_email = s.text(9);
  d.contact_phone = s.text(10);
  d.customer_id = s.text(11);
  d.customer_name = s.text(12);
  d.currency = s.text(13);
  d.disputed_amount = Decimal::from_units(s.int64(14));
  d.opened_at = instant_of(s.text(15));
  d.due_at = instant_of(s.text(16));
  d.resolved_at = optional_instant(s, 17);
  if (auto r = s.optional_text(18)) d.resolution = enum_of(domain::parse_resolution(*r), *r);
  d.resolution_note = s.text(19);
  d.closed_at = optional_instant(s, 20);
  d.reopen_count = int(s.int64(21));
  d.updated_at = instant_of(s.text(22));
  return d;
}

void Store::load_dispute_invoices(DisputeRecord& d) {
  Statement& s = db_.prepare_cached(
      "SELECT invoice_number, disputed_units FROM dispute_invoices WHERE dispute_id = ? "
      "ORDER BY invoice_number");
  s.bind(1, d.id);
  d.invoices.clear();
  while (s.step()) d.invoices.push_back({s.text(0), Decimal::from_units(s.int64(1))});
  s.reset();
}

std::optional<DisputeRecord> Store::find_dispute(std::int64_t id) {
  Statement& s = db_.prepare_cached(std::string("SELECT ") + kDisputeColumns +
                                    " FROM disputes d WHERE d.id = ?");
  s.bind(1, id);
  if (!s.step()) {
    s.reset();
    return std::nullopt;
  }
  DisputeRecord d = read_dispute(s);
  s.reset();
  load_dispute_invoices(d);
  return d;
}

std::optional<DisputeRecord> Store::find_dispute_by_ref(const std::string& ref) {
  Statement& s = db_.prepare_cached("SELECT id FROM disputes WHERE ref = ?");
  s.bind(1, ref);
  std::optional<std::int64_t> id;
  if (s.step()) id = s.int64(0);
  s.reset();
  if (!id) return std::nullopt;
  return find_dispute(*id);
}

// ---------------------------------------------------------------- steps

void Store::insert_step(StepRecord& r) {
  Statement& s = db_.prepare_cached(
      "INSERT INTO steps (dispute_id, step_key, title, assignee_kind, assignee, target, task_key, "
      "status, assigned_at, deadline_at, completed_at, completed_by, outcome, comment, "
      "escalated_at, "
      "escalated_to, external_ref) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  s.bind(1, r.dispute_id)
      .bind(2, r.step_key)
      .bind(3, r.title)
      .bind(4, std::string(to_string(r.assignee_kind)))
      .bind(5, r.assignee)
      .bind(6, r.target)
      .bind(7, r.task_key)
      .bind(8, std::string(to_string(r.status)))
      .bind(9, format_instant(r.assigned_at))
      .bind(10, format_instant(r.deadline_at))
      .bind(11, opt_instant_text(r.completed_at))
      .bind(12, r.completed_by)
      .bind(13, r.outcome)
      .bind(14, r.comment)
      .bind(15, opt_instant_text(r.escalated_at))
      .bind(16, r.escalated_to)
      .bind(17, r.external_ref);
  s.run();
  r.id = db_.last_insert_rowid();
}

void Store::update_step(const StepRecord& r) {
  Statement& s = db_.prepare_cached(
      "UPDATE steps SET assignee_kind=?, assignee=?, status=?, deadline_at=?, completed_at=?, "
      "completed_by=?, outcome=?, comment=?, escalated_at=?, escalated_to=?, external_ref=? "
      "WHERE id=?");
  s.bind(1, std::string(to_string(r.assignee_kind)))
      .bind(2, r.assignee)
      .bind(3, std::string(to_string(r.status)))
      .bind(4, format_instant(r.deadline_at))
      .bind(5, opt_instant_text(r.completed_at))
      .bind(6, r.completed_by)
      .bind(7, r.outcome)
      .bind(8, r.comment)
      .bind(9, opt_instant_text(r.escalated_at))
      .bind(10, r.escalated_to)
      .bind(11, r.external_ref)
      .bind(12, r.id);
  s.run();
}

std::optional<StepRecord> Store::find_step(std::int64_t id) {
  Statement& s =
      db_.prepare_cached(std::string("SELECT ") + kStepColumns + " FROM steps WHERE id = ?");
  s.bind(1, id);
  std::optional<StepRecord> out;
  if (s.step()) out = read_step(s);
  s.reset();
  return out;
}

std::optional<StepRecord> Store::find_step_by_task_key(const std::string& task_key) {
  Statement& s =
      db_.prepare_cached(std::string("SELECT ") + kStepColumns + " FROM steps WHERE task_key = ?");
  s.bind(1, task_key);
  std::optional<StepRecord> out;
  if (s.step()) out = read_step(s);
  s.reset();
  // An escalation level's own task (`<task key>-e<level>`) belongs to the step it escalates.
  if (!out) {
    auto e = task_key.rfind("-e");
    if (e != std::string::npos && e + 2 < task_key.size() &&
        task_key.find_first_not_of("0123456789", e + 2) == std::string::npos)
      return find_step_by_task_key(task_key.substr(0, e));
  }
  return out;
}

std::vector<StepRecord> Store::steps_of(std::int64_t dispute_id) {
  Statement& s = db_.prepare_cached(std::string("SELECT ") + kStepColumns +
                                    " FROM steps WHERE dispute_id = ? ORDER BY id");
  s.bind(1, dispute_id);
  std::vector<StepRecord> out;
  while (s.step()) out.push_back(read_step(s));
  s.reset();
  return out;
}

std::vector<StepRecord> Store::open_internal_steps(const std::set<std::string>& assignees) {
  // Internal steps, and steps of any system escalated to someone: the escalation target sees
  // the step in their to-do list whatever system its task lives in (its assignee has it there).
  Statement& s = db_.prepare_cached(std::string("SELECT ") + kStepColumns +
                                    " FROM steps WHERE status = 'open' AND (target = 'internal' "
                                    "OR escalated_to IS NOT NULL) ORDER BY deadline_at, id");
  std::vector<StepRecord> out;
  while (s.step()) {
    StepRecord r = read_step(s);
    bool escalated_to_them = r.escalated_to && assignees.count(*r.escalated_to);
    bool theirs = r.target == "internal" && assignees.count(r.assignee);
    if ((assignees.empty() && (r.target == "internal" || r.escalated_to)) || theirs ||
        escalated_to_them)
      out.push_back(std::move(r));
  }
  s.reset();
  return out;
}

int Store::count_steps(std::int64_t dispute_id) {
  Statement& s = db_.prepare_cached("SELECT COUNT(*) FROM steps WHERE dispute_id = ?");
  s.bind(1, dispute_id);
  s.step();
  int n = int(s.int64(0));
  s.reset();
  return n;
}

// ---------------------------------------------------------------- timers

void Store::insert_timer(TimerRecord& t) {
  Statement& s =
      db_.prepare_cached("INSERT INTO timers (step_id, kind, ordinal, fire_at) VALUES (?,?,?,?)");
  s.bind(1, t.step_id).bind(2, t.kind).bind(3, t.ordinal).bind(4, format_instant(t.fire_at));
  s.run();
  t.id = db_.last_insert_rowid();
}

std::vector<TimerRecord> Store::due_timers(Instant now, int limit) {
  Statement& s = db_.prepare_cached(
      "SELECT id, step_id, kind, ordinal, fire_at FROM timers WHERE fired_at IS NULL AND fire_at "
      "<= ? "
      "ORDER BY fire_at, id LIMIT ?");
  s.bind(1, format_instant(now)).bind(2, limit);
  std::vector<TimerRecord> out;
  while (s.step())
    out.push_back({s.int64(0), s.int64(1), s.text(2), int(s.int64(3)), instant_of(s.text(4))});
  s.reset();
  return out;
}

void Store::mark_timer_fired(std::int64_t id, Instant now) {
  Statement& s = db_.prepare_cached("UPDATE timers SET fired_at = ? WHERE id = ?");
  s.bind(1, format_instant(now)).bind(2, id);
  s.run();
}

void Store::delete_timers_of_step(std::int64_t step_id) {
  Statement& s = db_.prepare_cached("DELETE FROM timers WHERE step_id = ? AND fired_at IS NULL");
  s.bind(1, step_id);
  s.run();
}

// ---------------------------------------------------------------- holds

void Store::insert_hold(HoldRecord& h) {
  Statement& s = db_.prepare_cached(
      "INSERT INTO holds (invoice_number, dispute_id, placed_at) VALUES (?,?,?)");
  s.bind(1, h.invoice_number).bind(2, h.dispute_id).bind(3, format_instant(h.placed_at));
  s.run();
  h.id = db_.last_insert_rowid();
}

void Store::release_hold(std::int64_t id, Instant at, const std::string& reason,
                         std::optional<Date> new_due_date) {
  Statement& s = db_.prepare_cached(
      "UPDATE holds SET released_at = ?, release_reason = ?, new_due_date = ? "
      "WHERE id = ? AND released_at IS NULL");
  s.bind(1, format_instant(at)).bind(2, reason);
  if (new_due_date) s.bind(3, format_date(*new_due_date));
  s.bind(4, id);
  s.run();
}

std::vector<HoldRecord> Store::active_holds_of_dispute(std::int64_t dispute_id) {
  Statement& s = db_.prepare_cached(
      std::string(kHoldSelect) + "WHERE h.dispute_id = ? AND h.released_at IS NULL ORDER BY h.id");
  s.bind(1, dispute_id);
  std::vector<HoldRecord> out;
  while (s.step()) out.push_back(read_hold(s));
  s.reset();
  return out;
}

std::vector<HoldRecord> Store::active_holds_of_invoice(const std::string& number) {
  Statement& s =
      db_.prepare_cached(std::string(kHoldSelect) +
                         "WHERE h.invoice_number = ? AND h.released_at IS NULL ORDER BY h.id");
  s.bind(1, number);
  std::vector<HoldRecord> out;
  while (s.step()) out.push_back(read_hold(s));
  s.reset();
  return out;
}

std::vector<HoldRecord> Store::holds_of_invoice(const std::string& number) {
  Statement& s =
      db_.prepare_cached(std::string(kHoldSelect) + "WHERE h.invoice_number = ? ORDER BY h.id");
  s.bind(1, number);
  std::vector<HoldRecord> out;
  while (s.step()) out.push_back(read_hold(s));
  s.reset();
  return out;
}

}  // namespace disputed::store
