#include "core/store/row_readers.hpp"

#include <stdexcept>

namespace disputed::store {

namespace detail {

Instant instant_of(const std::string& text) {
  auto t = domain::parse_instant(text);
  if (!t) throw std::runtime_error("corrupt timestamp in database: '" + text + "'");
  return *t;
}

Date date_of(const std::string& text) {
  auto d = domain::parse_date(text);
  if (!d) throw std::runtime_error("corrupt date in database: '" + text + "'");
  return *d;
}

OutboxRecord read_outbox(const Statement& s) {
  OutboxRecord r;
  r.id = s.int64(0);
  r.action_key = s.text(1);
  r.target = s.text(2);
  r.kind = s.text(3);
  r.dispute_id = s.optional_int64(4);
  r.step_id = s.optional_int64(5);
  r.task_key = s.optional_text(6);
  r.payload_json = s.text(7);
  r.created_at = instant_of(s.text(8));
  r.state = s.text(9);
  r.attempts = int(s.int64(10));
  r.next_attempt_at = instant_of(s.text(11));
  r.last_error = s.optional_text(12);
  return r;
}

}  // namespace detail

}  // namespace disputed::store
