#pragma once
// The web app's accounts and sessions as the database keeps them (migration 5): local users
// with an Argon2id hash, browser sessions keyed by the SHA-256 of their id, and OpenID Connect
// sign-ins under way. Hashing and expiry rules live in core/web; this is only the SQL.

#include <optional>
#include <string>
#include <vector>

#include "core/domain/time.hpp"
#include "core/store/sqlite.hpp"

namespace disputed::store {

struct WebUserRecord {
  std::string email;
  std::string name;
  std::string role;           // admin | controller | viewer | integration
  std::string password_hash;  // "$argon2id$v=19$m=...,t=...,p=...$salt$hash"
  domain::Instant created_at;
  domain::Instant updated_at;
  std::optional<domain::Instant> disabled_at;
};

struct WebSessionRecord {
  std::string id_hash;  // hex SHA-256 of the cookie's value
  std::string user;     // recorded as the actor
  std::string name;
  std::string role;
  std::string source;      // "local" or "oidc"
  std::string csrf_token;  // sent back in X-CSRF-Token on every write
  domain::Instant created_at;
  domain::Instant last_seen_at;
  domain::Instant expires_at;  // absolute expiry
};

struct WebLoginRecord {
  std::string id_hash;  // hex SHA-256 of the short-lived login cookie
  std::string state;
  std::string nonce;
  std::string code_verifier;
  std::string return_path;
  domain::Instant created_at;
};

class WebAccountStore {
 public:
  explicit WebAccountStore(Database& db) : db_(db) {}

  /// Inserts a user; false (nothing written) when the e-mail address is taken.
  bool insert_user(const WebUserRecord& user);
  std::optional<WebUserRecord> find_user(const std::string& email);
  /// Every user, by e-mail address.
  std::vector<WebUserRecord> users();
  /// Disables the user and ends their sessions; false when there is no such active user.
  bool disable_user(const std::string& email, domain::Instant at);
  void set_password_hash(const std::string& email, const std::string& hash, domain::Instant at);

  void insert_session(const WebSessionRecord& session);
  std::optional<WebSessionRecord> find_session(const std::string& id_hash);
  void touch_session(const std::string& id_hash, domain::Instant at);
  /// Returns true when a session was deleted.
  bool delete_session(const std::string& id_hash);
  /// Deletes sessions past their absolute expiry or idle since before `idle_cutoff`.
  int delete_expired_sessions(domain::Instant now, domain::Instant idle_cutoff);

  void insert_login(const WebLoginRecord& login);
  /// Removes and returns the sign-in (single use).
  std::optional<WebLoginRecord> take_login(const std::string& id_hash);
  int delete_logins_before(domain::Instant cutoff);

 private:
  Database& db_;
};

}  // namespace disputed::store
