#include "core/store/link_uses.hpp"

#include <stdexcept>

namespace disputed::store {

using domain::format_instant;

bool LinkUseStore::insert_use(const LinkUseRecord& u) {
  Statement& s = db_.prepare_cached(
      "INSERT INTO link_uses (jti, dispute_id, action, task_key, value, recipient, comment, "
      "used_at) VALUES (?,?,?,?,?,?,?,?)");
  s.bind(1, u.jti)
      .bind(2, u.dispute_id)
      .bind(3, u.action)
      .bind(4, u.task_key)
      .bind(5, u.value)
      .bind(6, u.recipient)
      .bind(7, u.comment)
      .bind(8, format_instant(u.used_at));
  try {
    s.run();
  } catch (const SqliteError& e) {
    if (!e.is_unique_violation()) throw;
    return false;
  }
  return true;
}

std::optional<LinkUseRecord> LinkUseStore::find_use(const std::string& jti) {
  Statement& s = db_.prepare_cached(
      "SELECT jti, dispute_id, action, task_key, value, recipient, comment, used_at FROM "
      "link_uses WHERE jti = ?");
  s.bind(1, jti);
  std::optional<LinkUseRecord> out;
  if (s.step()) {
    LinkUseRecord u;
    u.jti = s.text(0);
    u.dispute_id = s.int64(1);
    u.action = s.text(2);
    u.task_key = s.text(3);
    u.value = s.text(4);
    u.recipient = s.text(5);
    u.comment = s.text(6);
    std::string used_at = s.text(7);
    auto at = domain::parse_instant(used_at);
    if (!at) {
      s.reset();
      throw std::runtime_error("corrupt timestamp in link_uses: '" + used_at + "'");
    }
    u.used_at = *at;
    out = std::move(u);
  }
  s.reset();
  return out;
}

void LinkUseStore::insert_feedback(const FeedbackRecord& f) {
  Statement& s = db_.prepare_cached(
      "INSERT INTO feedback (dispute_id, score, comment, respondent, given_at) VALUES "
      "(?,?,?,?,?)");
  s.bind(1, f.dispute_id)
      .bind(2, std::int64_t(f.score))
      .bind(3, f.comment)
      .bind(4, f.respondent)
      .bind(5, format_instant(f.given_at));
  s.run();
}

void LinkUseStore::insert_unsubscribe(const std::string& recipient, const std::string& kind,
                                      domain::Instant at) {
  Statement& s = db_.prepare_cached(
      "INSERT INTO unsubscribes (recipient, kind, at) VALUES (?,?,?) "
      "ON CONFLICT (recipient, kind) DO NOTHING");
  s.bind(1, recipient).bind(2, kind).bind(3, format_instant(at));
  s.run();
}

bool LinkUseStore::unsubscribed(const std::string& recipient, const std::string& kind) {
  Statement& s = db_.prepare_cached("SELECT 1 FROM unsubscribes WHERE recipient = ? AND kind = ?");
  s.bind(1, recipient).bind(2, kind);
  bool found = s.step();
  s.reset();
  return found;
}

}  // namespace disputed::store
