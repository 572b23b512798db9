#include "core/store/sync_store.hpp"

#include <stdexcept>

#include "core/store/row_readers.hpp"

namespace disputed::store {

namespace {

using detail::instant_of;
using detail::kOutboxColumns;
using domain::format_instant;

}  // namespace

std::vector<OutboxRecord> SyncStore::due_actions(const std::string& target, Instant now,
                                                 int limit) {
  Statement& s = db_.prepare_cached(
      std::string("SELECT ") + kOutboxColumns +
      " FROM outbox o WHERE o.target = ?1 AND o.state = 'pending' AND o.next_attempt_at <= ?2"
      " AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.task_key = o.task_key AND p.id < o.id"
      "                 AND p.state IN ('pending', 'dead'))"
      " ORDER BY o.id LIMIT ?3");
  s.bind(1, target).bind(2, format_instant(now)).bind(3, limit);
  std::vector<OutboxRecord> out;
  while (s.step()) out.push_back(detail::read_outbox(s));
  s.reset();
  return out;
}

std::optional<std::string> SyncStore::external_ref_of_task(const std::string& task_key) {
  Statement& s = db_.prepare_cached("SELECT external_ref FROM steps WHERE task_key = ?");
  s.bind(1, task_key);
  std::optional<std::string> out;
  bool a_step = s.step();
  if (a_step) out = s.optional_text(0);
  s.reset();
  if (a_step) return out;
  // A task that is no step's own (an escalation level's task): what its creation answered.
  Statement& created = db_.prepare_cached(
      "SELECT external_ref FROM outbox WHERE task_key = ? AND kind = 'create' AND state = 'done' "
      "ORDER BY id LIMIT 1");
  created.bind(1, task_key);
  if (created.step()) out = created.optional_text(0);
  created.reset();
  return out;
}

void SyncStore::mark_done(const OutboxRecord& row, const std::string& external_ref, Instant now,
                          const std::string& external_url) {
  Statement& s = db_.prepare_cached(
      "UPDATE outbox SET state = 'done', attempts = attempts + 1, done_at = ?, last_error = NULL, "
      "external_ref = ? WHERE id = ?");
  s.bind(1, format_instant(now));
  if (external_ref.empty())
    s.bind(2, nullptr);
  else
    s.bind(2, external_ref);
  s.bind(3, row.id);
  s.run();
  if (!external_ref.empty() && row.task_key) {
    Statement& step = db_.prepare_cached(
        "UPDATE steps SET external_ref = ? WHERE task_key = ? AND (external_ref IS NULL OR "
        "external_ref <> ?)");
    step.bind(1, external_ref).bind(2, *row.task_key).bind(3, external_ref);
    step.run();
  }
  if (!external_url.empty() && row.task_key) {
    Statement& link = db_.prepare_cached(
        "UPDATE steps SET external_url = ? WHERE task_key = ? AND (external_url IS NULL OR "
        "external_url <> ?)");
    link.bind(1, external_url).bind(2, *row.task_key).bind(3, external_url);
    link.run();
  }
}

void SyncStore::schedule_retry(std::int64_t row_id, int attempts, Instant next_attempt_at,
                               const std::string& error) {
  Statement& s = db_.prepare_cached(
      "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ? AND state "
      "= 'pending'");
  s.bind(1, attempts).bind(2, format_instant(next_attempt_at)).bind(3, error).bind(4, row_id);
  s.run();
}

void SyncStore::mark_dead(std::int64_t row_id, int attempts, const std::string& error,
                          Instant now) {
  Statement& s = db_.prepare_cached(
      "UPDATE outbox SET state = 'dead', attempts = ?, last_error = ?, done_at = ? WHERE id = ?");
  s.bind(1, attempts).bind(2, error).bind(3, format_instant(now)).bind(4, row_id);
  s.run();
}

std::vector<OutboxRecord> SyncStore::dead_letters(const std::string& target, int limit) {
  Statement& s =
      db_.prepare_cached(std::string("SELECT ") + kOutboxColumns +
                         " FROM outbox o WHERE o.state = 'dead' AND (?1 = '' OR o.target = ?1)"
                         " ORDER BY o.id LIMIT ?2");
  s.bind(1, target).bind(2, limit);
  std::vector<OutboxRecord> out;
  while (s.step()) out.push_back(detail::read_outbox(s));
  s.reset();
  return out;
}

bool SyncStore::replay(const std::string& id_or_key, Instant now) {
  Statement& s = db_.prepare_cached(
      "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?1, done_at = NULL "
      "WHERE state = 'dead' AND (action_key = ?2 OR CAST(id AS TEXT) = ?2)");
  s.bind(1, format_instant(now)).bind(2, id_or_key);
  s.run();
  return db_.changes() > 0;
}

std::vector<OpenTaskRef> SyncStore::open_refs(const std::string& target) {
  // The open steps' own tasks, and the tasks of their escalation levels (a target's own task,
  // `<task key>-e<level>`, created through the outbox), so a poller asks about both.
  Statement& s = db_.prepare_cached(
      "SELECT task_key, external_ref, id FROM steps WHERE target = ?1 AND status = 'open' "
      "AND external_ref IS NOT NULL "
      "UNION ALL SELECT o.task_key, o.external_ref, st.id FROM steps st JOIN outbox o "
      "ON o.task_key >= st.task_key || '-e' AND o.task_key < st.task_key || '-f' "
      "WHERE st.target = ?1 AND st.status = 'open' AND st.escalated_at IS NOT NULL "
      "AND o.kind = 'create' AND o.state = 'done' AND o.external_ref IS NOT NULL "
      "ORDER BY 3, 1");
  s.bind(1, target);
  std::vector<OpenTaskRef> out;
  while (s.step()) out.push_back({s.text(0), s.text(1), s.int64(2)});
  s.reset();
  return out;
}

std::string SyncStore::cursor(const std::string& instance) {
  Statement& s = db_.prepare_cached("SELECT cursor FROM connector_cursors WHERE instance = ?");
  s.bind(1, instance);
  std::string out;
  if (s.step()) out = s.text(0);
  s.reset();
  return out;
}

void SyncStore::save_cursor(const std::string& instance, const std::string& cursor, Instant now) {
  Statement& s = db_.prepare_cached(
      "INSERT INTO connector_cursors (instance, cursor, updated_at) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (instance) DO UPDATE SET cursor = ?2, updated_at = ?3");
  s.bind(1, instance).bind(2, cursor).bind(3, format_instant(now));
  s.run();
}

bool SyncStore::mark_event_applied(const std::string& instance, const std::string& task_key,
                                   const std::string& event_id, Instant now) {
  Statement& s = db_.prepare_cached(
      "INSERT INTO applied_events (instance, task_key, event_id, applied_at) VALUES (?,?,?,?) "
      "ON CONFLICT DO NOTHING");
  s.bind(1, instance).bind(2, task_key).bind(3, event_id).bind(4, format_instant(now));
  s.run();
  return db_.changes() > 0;
}

ConnectorStatusRecord SyncStore::status(const std::string& instance) {
  Statement& s = db_.prepare_cached(
      "SELECT state, last_poll_at, last_apply_at, last_error, retries, applied, events "
      "FROM connector_status WHERE instance = ?");
  s.bind(1, instance);
  ConnectorStatusRecord r;
  r.instance = instance;
  if (s.step()) {
    r.state = s.text(0);
    if (auto t = s.optional_text(1)) r.last_poll_at = instant_of(*t);
    if (auto t = s.optional_text(2)) r.last_apply_at = instant_of(*t);
    r.last_error = s.optional_text(3);
    r.retries = s.int64(4);
    r.applied = s.int64(5);
    r.events = s.int64(6);
  }
  s.reset();
  return r;
}

void SyncStore::save_status(const ConnectorStatusRecord& r, Instant now) {
  Statement& s = db_.prepare_cached(
      "INSERT INTO connector_status (instance, state, last_poll_at, last_apply_at, last_error, "
      "retries, "
      "applied, events, updated_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9) ON CONFLICT (instance) DO "
      "UPDATE SET "
      "state=?2, last_poll_at=?3, last_apply_at=?4, last_error=?5, retries=?6, applied=?7, "
      "events=?8, updated_at=?9");
  s.bind(1, r.instance).bind(2, r.state);
  if (r.last_poll_at) s.bind(3, format_instant(*r.last_poll_at));
  if (r.last_apply_at) s.bind(4, format_instant(*r.last_apply_at));
  s.bind(5, r.last_error)
      .bind(6, r.retries)
      .bind(7, r.applied)
      .bind(8, r.events)
      .bind(9, format_instant(now));
  s.run();
}

std::vector<ConnectorStatusRecord> SyncStore::all_statuses() {
  Statement& s = db_.prepare_cached("SELECT instance FROM connector_status ORDER BY instance");
  std::vector<std::string> names;
  while (s.step()) names.push_back(s.text(0));
  s.reset();
  std::vector<ConnectorStatusRecord> out;
  for (const auto& n : names) out.push_back(status(n));
  return out;
}

std::int64_t SyncStore::count_rows(const std::string& target, const std::string& state) {
  Statement& s = db_.prepare_cached("SELECT COUNT(*) FROM outbox WHERE target = ? AND state = ?");
  s.bind(1, target).bind(2, state);
  s.step();
  auto n = s.int64(0);
  s.reset();
  return n;
}

std::optional<std::string> SyncStore::kv_get(const std::string& instance, const std::string& key) {
  Statement& s = db_.prepare_cached("SELECT value FROM plugin_kv WHERE instance = ? AND key = ?");
  s.bind(1, instance).bind(2, key);
  std::optional<std::string> out;
  if (s.step()) out = s.text(0);
  s.reset();
  return out;
}

void SyncStore::kv_put(const std::string& instance, const std::string& key,
                       const std::string& value) {
  Statement& s = db_.prepare_cached(
      "INSERT INTO plugin_kv (instance, key, value) VALUES (?1,?2,?3) "
      "ON CONFLICT (instance, key) DO UPDATE SET value = ?3");
  s.bind(1, instance).bind(2, key).bind(3, value);
  s.run();
}

void SyncStore::kv_erase(const std::string& instance, const std::string& key) {
  Statement& s = db_.prepare_cached("DELETE FROM plugin_kv WHERE instance = ? AND key = ?");
  s.bind(1, instance).bind(2, key);
  s.run();
}

}  // namespace disputed::store
