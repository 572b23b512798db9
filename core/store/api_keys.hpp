#pragma once
// API keys as the database keeps them: a name, a role and the SHA-256 of the key — never the
// key itself (see api::ApiKeys for making and checking keys).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/domain/time.hpp"
#include "core/store/sqlite.hpp"

namespace disputed::store {

struct ApiKeyRecord {
  std::int64_t id = 0;
  std::string name;        // unique among keys that are not revoked
  std::string role;        // admin | controller | viewer | integration
  std::string key_hash;    // hex SHA-256 of the whole key
  std::string key_prefix;  // the first characters of the key, to recognise it in lists
  domain::Instant created_at;
  std::optional<domain::Instant> last_used_at;
  std::optional<domain::Instant> revoked_at;
};

class ApiKeyStore {
 public:
  explicit ApiKeyStore(Database& db) : db_(db) {}

  /// Inserts and sets `key.id`. Returns false (and inserts nothing) when a key that is not
  /// revoked already has this name.
  bool insert(ApiKeyRecord& key);
  /// The key with this hash unless it is revoked.
  std::optional<ApiKeyRecord> find_active_by_hash(const std::string& key_hash);
  /// Every key, revoked ones too, oldest first.
  std::vector<ApiKeyRecord> list();
  /// Revokes the active key called `name`. Returns false when there is none.
  bool revoke(const std::string& name, domain::Instant at);
  void touch(std::int64_t id, domain::Instant at);

 private:
  Database& db_;
};

}  // namespace disputed::store
