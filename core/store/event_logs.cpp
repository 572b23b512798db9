// The store's logs: the dossier and the collection feed (append-only: triggers refuse UPDATE and
// DELETE) and the outbox (rows are inserted once per action key; the sync store moves them on).

#include "core/store/row_readers.hpp"
#include "core/store/store.hpp"

namespace disputed::store {

namespace {

using detail::date_of;
using detail::enum_of;
using detail::instant_of;
using detail::read_outbox;
using domain::format_date;
using domain::format_instant;

}  // namespace

// ---------------------------------------------------------------- dossier

void Store::append_dossier(DossierEntry& e) {
  Statement& s = db_.prepare_cached(
      "INSERT INTO dossier (dispute_id, at, actor, kind, channel, direction, summary, payload) "
      "VALUES (?,?,?,?,?,?,?,?)");
  s.bind(1, e.dispute_id)
      .bind(2, format_instant(e.at))
      .bind(3, e.actor)
      .bind(4, e.kind)
      .bind(5, e.channel)
      .bind(6, std::string(to_string(e.direction)))
      .bind(7, e.summary)
      .bind(8, e.payload_json);
  s.run();
  e.id = db_.last_insert_rowid();
}

std::vector<DossierEntry> Store::dossier_of(std::int64_t dispute_id) {
  Statement& s = db_.prepare_cached(
      "SELECT id, dispute_id, at, actor, kind, channel, direction, summary, payload FROM dossier "
      "WHERE dispute_id = ? ORDER BY id");
  s.bind(1, dispute_id);
  std::vector<DossierEntry> out;
  while (s.step()) {
    DossierEntry e;
    e.id = s.int64(0);
    e.dispute_id = s.int64(1);
    e.at = instant_of(s.text(2));
    e.actor = s.text(3);
    e.kind = s.text(4);
    e.channel = s.text(5);
    e.direction = enum_of(domain::parse_direction(s.text(6)), s.text(6));
    e.summary = s.text(7);
    e.payload_json = s.text(8);
    out.push_back(std::move(e));
  }
  s.reset();
  return out;
}

// ---------------------------------------------------------------- collection feed

void Store::append_collection_event(CollectionEvent& e) {
  Statement& s = db_.prepare_cached(
      "INSERT INTO collection_events (at, kind, invoice_number, dispute_ref, due_date, payload) "
      "VALUES (?,?,?,?,?,?)");
  s.bind(1, format_instant(e.at)).bind(2, e.kind).bind(3, e.invoice_number).bind(4, e.dispute_ref);
  if (e.due_date) s.bind(5, format_date(*e.due_date));
  s.bind(6, e.payload_json);
  s.run();
  e.seq = db_.last_insert_rowid();
}

std::vector<CollectionEvent> Store::collection_events(std::int64_t after_seq, int limit) {
  Statement& s = db_.prepare_cached(
      "SELECT seq, at, kind, invoice_number, dispute_ref, due_date, payload FROM collection_events "
      "WHERE seq > ? ORDER BY seq LIMIT ?");
  s.bind(1, after_seq).bind(2, limit);
  std::vector<CollectionEvent> out;
  while (s.step()) {
    CollectionEvent e;
    e.seq = s.int64(0);
    e.at = instant_of(s.text(1));
    e.kind = s.text(2);
    e.invoice_number = s.text(3);
    e.dispute_ref = s.text(4);
    if (auto d = s.optional_text(5)) e.due_date = date_of(*d);
    e.payload_json = s.text(6);
    out.push_back(std::move(e));
  }
  s.reset();
  return out;
}

// ---------------------------------------------------------------- outbox

bool Store::enqueue(OutboxRecord& r) {
  Statement& s = db_.prepare_cached(
      "INSERT INTO outbox (action_key, target, kind, dispute_id, step_id, task_key, payload, "
      "created_at, state, attempts, next_attempt_at, last_error) "
      "VALUES (?,?,?,?,?,?,?,?,?,0,?,?) ON CONFLICT (action_key) DO NOTHING");
  s.bind(1, r.action_key).bind(2, r.target).bind(3, r.kind);
  if (r.dispute_id) s.bind(4, *r.dispute_id);
  if (r.step_id) s.bind(5, *r.step_id);
  s.bind(6, r.task_key)
      .bind(7, r.payload_json)
      .bind(8, format_instant(r.created_at))
      // Pending, or recorded as undeliverable from the start (a message no transport sends).
      .bind(9, r.state == "undeliverable" ? "undeliverable" : "pending")
      .bind(10, format_instant(r.next_attempt_at))
      .bind(11, r.last_error);
  s.run();
  if (db_.changes() == 0) return false;
  r.id = db_.last_insert_rowid();
  return true;
}

bool Store::has_outbox_action(const std::string& action_key) {
  Statement& s = db_.prepare_cached("SELECT 1 FROM outbox WHERE action_key = ?");
  s.bind(1, action_key);
  bool found = s.step();
  s.reset();
  return found;
}

std::vector<OutboxRecord> Store::outbox_rows(const std::string& state, int limit) {
  Statement& s = db_.prepare_cached(
      "SELECT id, action_key, target, kind, dispute_id, step_id, task_key, payload, created_at, "
      "state, attempts, next_attempt_at, last_error FROM outbox WHERE state = ? ORDER BY id LIMIT "
      "?");
  s.bind(1, state).bind(2, limit);
  std::vector<OutboxRecord> out;
  while (s.step()) out.push_back(read_outbox(s));
  s.reset();
  return out;
}

std::int64_t Store::outbox_count(const std::string& state) {
  Statement& s = db_.prepare_cached("SELECT COUNT(*) FROM outbox WHERE state = ?");
  s.bind(1, state);
  s.step();
  auto n = s.int64(0);
  s.reset();
  return n;
}

}  // namespace disputed::store
