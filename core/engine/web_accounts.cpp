#include "core/engine/web_accounts.hpp"

namespace disputed::engine {

bool WebAccounts::add_user(const WebUser& user) {
  store::Transaction tx(db_);
  if (!store::WebAccountStore(db_).insert_user(user)) return false;
  tx.commit();
  return true;
}

std::optional<WebUser> WebAccounts::user(const std::string& email) {
  return store::WebAccountStore(db_).find_user(email);
}

std::vector<WebUser> WebAccounts::users() { return store::WebAccountStore(db_).users(); }

bool WebAccounts::disable_user(const std::string& email, domain::Instant at) {
  store::Transaction tx(db_);
  if (!store::WebAccountStore(db_).disable_user(email, at)) return false;
  tx.commit();
  return true;
}

void WebAccounts::set_password_hash(const std::string& email, const std::string& hash,
                                    domain::Instant at) {
  store::Transaction tx(db_);
  store::WebAccountStore(db_).set_password_hash(email, hash, at);
  tx.commit();
}

void WebAccounts::start_session(const WebSession& session, domain::Instant now,
                                domain::Instant idle_cutoff, domain::Instant login_cutoff) {
  store::Transaction tx(db_);
  store::WebAccountStore accounts(db_);
  accounts.delete_expired_sessions(now, idle_cutoff);
  accounts.delete_logins_before(login_cutoff);
  accounts.insert_session(session);
  tx.commit();
}

std::optional<WebSession> WebAccounts::session(const std::string& id_hash) {
  return store::WebAccountStore(db_).find_session(id_hash);
}

void WebAccounts::touch_session(const std::string& id_hash, domain::Instant at) {
  store::Transaction tx(db_);
  store::WebAccountStore(db_).touch_session(id_hash, at);
  tx.commit();
}

bool WebAccounts::end_session(const std::string& id_hash) {
  store::Transaction tx(db_);
  bool ended = store::WebAccountStore(db_).delete_session(id_hash);
  tx.commit();
  return ended;
}

void WebAccounts::start_login(const WebLogin& login, domain::Instant cutoff) {
  store::Transaction tx(db_);
  store::WebAccountStore accounts(db_);
  accounts.delete_logins_before(cutoff);
  accounts.insert_login(login);
  tx.commit();
}

std::optional<WebLogin> WebAccounts::take_login(const std::string& id_hash) {
  store::Transaction tx(db_);
  auto login = store::WebAccountStore(db_).take_login(id_hash);
  tx.commit();
  return login;
}

}  // namespace disputed::engine
