#pragma once
// What an operator and the API's access control need from the database, in one place for the
// REST API and the CLI alike: connector instances' status, dead letters (and replaying one), API
// keys (made, listed, revoked, checked, their last use), the schema version and the gauges that
// /metrics shows. Writes run in a transaction of their own (a savepoint inside the writer's batch).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/domain/result.hpp"
#include "core/domain/time.hpp"
#include "core/store/api_keys.hpp"
#include "core/store/reports.hpp"
#include "core/store/sqlite.hpp"

namespace disputed::engine {

using domain::Result;
using ApiKeyRecord = store::ApiKeyRecord;
using Gauges = store::Gauges;

/// A connector instance as configured (configs/connectors/*.json).
struct ConnectorInstance {
  std::string name;
  std::string plugin;
  bool paused = false;
};

/// A connector instance's state as `GET /connectors` and `disputed connectors` show it.
struct ConnectorState {
  std::string name;
  std::string plugin;
  std::string state;  // running | degraded | failing | paused
  std::optional<domain::Instant> last_poll_at;
  std::optional<domain::Instant> last_apply_at;
  std::optional<std::string> last_error;
  std::int64_t applied = 0;
  std::int64_t events = 0;
  std::int64_t retries = 0;
  std::int64_t pending = 0;       // actions waiting to be delivered
  std::int64_t dead_letters = 0;  // actions given up on
};

/// An action a connector rejected or that failed too often.
struct DeadLetter {
  std::int64_t id = 0;
  std::string action_key;
  std::string instance;
  std::string kind;
  std::optional<std::string> task_key;
  int attempts = 0;
  std::optional<std::string> last_error;
  domain::Instant created_at;
  std::string payload_json;  // what the action carried
};

/// An API key as made: the record as stored and the key itself, which is shown once.
struct NewApiKey {
  ApiKeyRecord record;
  std::string key;
};

/// The roles a key can have: "admin, controller, viewer, integration".
const std::vector<std::string>& api_key_roles();
/// "dsp_" followed by 32 random bytes in base64url (43 characters).
std::string generate_api_key();
/// Lower-case hex SHA-256 of `key` (OpenSSL EVP).
std::string hash_api_key(std::string_view key);

class Operations {
 public:
  Operations(store::Database& db, const domain::Clock& clock) : db_(db), clock_(clock) {}

  // --- connectors and dead letters
  std::vector<ConnectorState> connectors(const std::vector<ConnectorInstance>& configured);
  /// Oldest first; all instances when `instance` is empty.
  std::vector<DeadLetter> dead_letters(const std::string& instance, int limit);
  /// Makes a dead letter (by id or action key) pending again, attempts reset.
  Result<domain::Ok> replay_dead_letter(const std::string& id_or_key);

  // --- API keys (only the SHA-256 of a key is stored)
  /// Makes a key called `name` (letters, digits, '.', '_', '-', '@'; at most 64) with `role`.
  /// Fails with a conflict when an active key already has the name.
  Result<NewApiKey> create_api_key(const std::string& name, const std::string& role);
  /// Every key, revoked ones too, oldest first.
  std::vector<ApiKeyRecord> api_keys();
  /// Revokes the active key called `name` now and says when; not found when there is none.
  Result<domain::Instant> revoke_api_key(const std::string& name);
  /// The active key `key` is, if any.
  std::optional<ApiKeyRecord> active_api_key(std::string_view key);
  /// Records when a key was last used.
  Result<domain::Ok> note_api_key_use(std::int64_t id, domain::Instant at);

  // --- health and metrics
  int schema_version();
  Gauges gauges();

 private:
  store::Database& db_;
  const domain::Clock& clock_;
};

}  // namespace disputed::engine
