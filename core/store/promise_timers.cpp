#include "core/store/promise_timers.hpp"

#include <stdexcept>

namespace disputed::store {

using domain::format_instant;

namespace {
domain::Instant instant_of(const std::string& text) {
  auto t = domain::parse_instant(text);
  if (!t) throw std::runtime_error("promise_timers holds a bad instant: " + text);
  return *t;
}
}  // namespace

void PromiseTimerStore::insert(PromiseTimerRecord& t) {
  Statement& s = db_.prepare_cached(
      "INSERT INTO promise_timers (dispute_id, stage, due_at, fire_at) VALUES (?,?,?,?)");
  s.bind(1, t.dispute_id)
      .bind(2, t.stage)
      .bind(3, format_instant(t.due_at))
      .bind(4, format_instant(t.fire_at));
  s.run();
  t.id = db_.last_insert_rowid();
}

std::vector<PromiseTimerRecord> PromiseTimerStore::due(domain::Instant now, int limit) {
  Statement& s = db_.prepare_cached(
      "SELECT id, dispute_id, stage, due_at, fire_at FROM promise_timers "
      "WHERE fired_at IS NULL AND fire_at <= ? ORDER BY fire_at, id LIMIT ?");
  s.bind(1, format_instant(now)).bind(2, std::int64_t(limit));
  std::vector<PromiseTimerRecord> out;
  while (s.step())
    out.push_back(
        {s.int64(0), s.int64(1), s.text(2), instant_of(s.text(3)), instant_of(s.text(4))});
  s.reset();
  return out;
}

void PromiseTimerStore::mark_fired(std::int64_t id, domain::Instant now) {
  Statement& s = db_.prepare_cached("UPDATE promise_timers SET fired_at = ? WHERE id = ?");
  s.bind(1, format_instant(now)).bind(2, id);
  s.run();
}

void PromiseTimerStore::delete_unfired(std::int64_t dispute_id) {
  Statement& s =
      db_.prepare_cached("DELETE FROM promise_timers WHERE dispute_id = ? AND fired_at IS NULL");
  s.bind(1, dispute_id);
  s.run();
}

}  // namespace disputed::store
