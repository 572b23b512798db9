#pragma once
// The web app's local accounts, browser sessions and OpenID Connect sign-ins under way, as the
// engine keeps them (migration 5; the rules — hashing, expiry, CSRF — are core/web's). Part of
// the engine Session, so the web layer and the CLI reach them without touching the store. Each
// write is one transaction (a savepoint inside the writer's batch).

#include <optional>
#include <string>
#include <vector>

#include "core/domain/time.hpp"
#include "core/store/web_accounts.hpp"

namespace disputed::engine {

using WebUser = store::WebUserRecord;
using WebSession = store::WebSessionRecord;
using WebLogin = store::WebLoginRecord;

class WebAccounts {
 public:
  explicit WebAccounts(store::Database& db) : db_(db) {}

  /// False (nothing written) when the address is taken.
  bool add_user(const WebUser& user);
  std::optional<WebUser> user(const std::string& email);
  std::vector<WebUser> users();
  /// Disables the account and ends its sessions; false when there is no such active account.
  bool disable_user(const std::string& email, domain::Instant at);
  void set_password_hash(const std::string& email, const std::string& hash, domain::Instant at);

  /// Stores a new session after deleting those expired at `now` or idle since `idle_cutoff`
  /// (and sign-ins older than `login_cutoff`).
  void start_session(const WebSession& session, domain::Instant now, domain::Instant idle_cutoff,
                     domain::Instant login_cutoff);
  std::optional<WebSession> session(const std::string& id_hash);
  void touch_session(const std::string& id_hash, domain::Instant at);
  bool end_session(const std::string& id_hash);

  /// Stores a sign-in under way after deleting those started before `cutoff`.
  void start_login(const WebLogin& login, domain::Instant cutoff);
  /// Removes and returns the sign-in (single use).
  std::optional<WebLogin> take_login(const std::string& id_hash);

 private:
  store::Database& db_;
};

}  // namespace disputed::engine
