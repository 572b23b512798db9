#include "core/store/web_accounts.hpp"

#include <stdexcept>

namespace disputed::store {

namespace {

using domain::format_instant;

domain::Instant instant_column(const Statement& s, int col) {
  auto t = domain::parse_instant(s.text(col));
  if (!t) throw std::runtime_error("corrupt timestamp in database: '" + s.text(col) + "'");
  return *t;
}

constexpr const char* kUserColumns =
    "SELECT email, name, role, password_hash, created_at, updated_at, disabled_at FROM web_users ";

WebUserRecord read_user(const Statement& s) {
  WebUserRecord u;
  u.email = s.text(0);
  u.name = s.text(1);
  u.role = s.text(2);
  u.password_hash = s.text(3);
  u.created_at = instant_column(s, 4);
  u.updated_at = instant_column(s, 5);
  if (s.optional_text(6)) u.disabled_at = instant_column(s, 6);
  return u;
}

}  // namespace

bool WebAccountStore::insert_user(const WebUserRecord& u) {
  Statement& s = db_.prepare_cached(
      "INSERT INTO web_users (email, name, role, password_hash, created_at, updated_at) VALUES "
      "(?,?,?,?,?,?)");
  s.bind(1, u.email)
      .bind(2, u.name)
      .bind(3, u.role)
      .bind(4, u.password_hash)
      .bind(5, format_instant(u.created_at))
      .bind(6, format_instant(u.updated_at));
  try {
    s.run();
  } catch (const SqliteError& e) {
    if (!e.is_unique_violation()) throw;
    return false;
  }
  return true;
}

std::optional<WebUserRecord> WebAccountStore::find_user(const std::string& email) {
  Statement& s = db_.prepare_cached(std::string(kUserColumns) + "WHERE email = ?");
  s.bind(1, email);
  std::optional<WebUserRecord> out;
  if (s.step()) out = read_user(s);
  s.reset();
  return out;
}

std::vector<WebUserRecord> WebAccountStore::users() {
  Statement& s = db_.prepare_cached(std::string(kUserColumns) + "ORDER BY email");
  std::vector<WebUserRecord> out;
  while (s.step()) out.push_back(read_user(s));
  s.reset();
  return out;
}

bool WebAccountStore::disable_user(const std::string& email, domain::Instant at) {
  Statement& s = db_.prepare_cached(
      "UPDATE web_users SET disabled_at = ?, updated_at = ? WHERE email = ? AND disabled_at IS "
      "NULL");
  s.bind(1, format_instant(at)).bind(2, format_instant(at)).bind(3, email);
  s.run();
  if (db_.changes() == 0) return false;
  Statement& d = db_.prepare_cached("DELETE FROM web_sessions WHERE user = ? AND source = 'local'");
  d.bind(1, email);
  d.run();
  return true;
}

void WebAccountStore::set_password_hash(const std::string& email, const std::string& hash,
                                        domain::Instant at) {
  Statement& s =
      db_.prepare_cached("UPDATE web_users SET password_hash = ?, updated_at = ? WHERE email = ?");
  s.bind(1, hash).bind(2, format_instant(at)).bind(3, email);
  s.run();
}

void WebAccountStore::insert_session(const WebSessionRecord& r) {
  Statement& s = db_.prepare_cached(
      "INSERT INTO web_sessions (id_hash, user, name, role, source, csrf_token, created_at, "
      "last_seen_at, expires_at) VALUES (?,?,?,?,?,?,?,?,?)");
  s.bind(1, r.id_hash)
      .bind(2, r.user)
      .bind(3, r.name)
      .bind(4, r.role)
      .bind(5, r.source)
      .bind(6, r.csrf_token)
      .bind(7, format_instant(r.created_at))
      .bind(8, format_instant(r.last_seen_at))
      .bind(9, format_instant(r.expires_at));
  s.run();
}

std::optional<WebSessionRecord> WebAccountStore::find_session(const std::string& id_hash) {
  Statement& s = db_.prepare_cached(
      "SELECT id_hash, user, name, role, source, csrf_token, created_at, last_seen_at, "
      "expires_at FROM web_sessions WHERE id_hash = ?");
  s.bind(1, id_hash);
  std::optional<WebSessionRecord> out;
  if (s.step()) {
    WebSessionRecord r;
    r.id_hash = s.text(0);
    r.user = s.text(1);
    r.name = s.text(2);
    r.role = s.text(3);
    r.source = s.text(4);
    r.csrf_token = s.text(5);
    r.created_at = instant_column(s, 6);
    r.last_seen_at = instant_column(s, 7);
    r.expires_at = instant_column(s, 8);
    out = std::move(r);
  }
  s.reset();
  return out;
}

void WebAccountStore::touch_session(const std::string& id_hash, domain::Instant at) {
  Statement& s = db_.prepare_cached("UPDATE web_sessions SET last_seen_at = ? WHERE id_hash = ?");
  s.bind(1, format_instant(at)).bind(2, id_hash);
  s.run();
}

bool WebAccountStore::delete_session(const std::string& id_hash) {
  Statement& s = db_.prepare_cached("DELETE FROM web_sessions WHERE id_hash = ?");
  s.bind(1, id_hash);
  s.run();
  return db_.changes() > 0;
}

int WebAccountStore::delete_expired_sessions(domain::Instant now, domain::Instant idle_cutoff) {
  Statement& s =
      db_.prepare_cached("DELETE FROM web_sessions WHERE expires_at <= ? OR last_seen_at < ?");
  s.bind(1, format_instant(now)).bind(2, format_instant(idle_cutoff));
  s.run();
  return db_.changes();
}

void WebAccountStore::insert_login(const WebLoginRecord& r) {
  Statement& s = db_.prepare_cached(
      "INSERT INTO web_logins (id_hash, state, nonce, code_verifier, return_path, created_at) "
      "VALUES (?,?,?,?,?,?)");
  s.bind(1, r.id_hash)
      .bind(2, r.state)
      .bind(3, r.nonce)
      .bind(4, r.code_verifier)
      .bind(5, r.return_path)
      .bind(6, format_instant(r.created_at));
  s.run();
}

std::optional<WebLoginRecord> WebAccountStore::take_login(const std::string& id_hash) {
  Statement& s = db_.prepare_cached(
      "SELECT id_hash, state, nonce, code_verifier, return_path, created_at FROM web_logins "
      "WHERE id_hash = ?");
  s.bind(1, id_hash);
  std::optional<WebLoginRecord> out;
  if (s.step()) {
    WebLoginRecord r;
    r.id_hash = s.text(0);
    r.state = s.text(1);
    r.nonce = s.text(2);
    r.code_verifier = s.text(3);
    r.return_path = s.text(4);
    r.created_at = instant_column(s, 5);
    out = std::move(r);
  }
  s.reset();
  if (out) {
    Statement& d = db_.prepare_cached("DELETE FROM web_logins WHERE id_hash = ?");
    d.bind(1, id_hash);
    d.run();
  }
  return out;
}

int WebAccountStore::delete_logins_before(domain::Instant cutoff) {
  Statement& s = db_.prepare_cached("DELETE FROM web_logins WHERE created_at < ?");
  s.bind(1, format_instant(cutoff));
  s.run();
  return db_.changes();
}

}  // namespace disputed::store
