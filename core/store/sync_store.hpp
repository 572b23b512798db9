#pragma once
// SQL for the sync engine: claiming outbox work per connector instance, recording results,
// poll cursors, applied external events, connector status and plugin key-value state.

#include <optional>
#include <string>
#include <vector>

#include "core/store/records.hpp"
#include "core/store/sqlite.hpp"

namespace disputed::store {

struct ConnectorStatusRecord {
  std::string instance;
  std::string state = "running";  // running | degraded | failing | paused
  std::optional<Instant> last_poll_at;
  std::optional<Instant> last_apply_at;
  std::optional<std::string> last_error;
  std::int64_t retries = 0;
  std::int64_t applied = 0;
  std::int64_t events = 0;
};

struct OpenTaskRef {
  std::string task_key;
  std::string external_ref;
  std::int64_t step_id = 0;
};

class SyncStore {
 public:
  explicit SyncStore(Database& db) : db_(db) {}
  Database& db() { return db_; }

  /// Pending rows for `target` due at `now`, oldest first, at most one per task and none behind
  /// an earlier pending or dead row of the same task (actions of one task apply in order).
  std::vector<OutboxRecord> due_actions(const std::string& target, Instant now, int limit);
  /// The external id of a task, once a create succeeded.
  std::optional<std::string> external_ref_of_task(const std::string& task_key);
  /// Marks the row done and, when `external_ref` is new, records it on the step.
  void mark_done(const OutboxRecord& row, const std::string& external_ref, Instant now,
                 const std::string& external_url = "");
  void schedule_retry(std::int64_t row_id, int attempts, Instant next_attempt_at,
                      const std::string& error);
  void mark_dead(std::int64_t row_id, int attempts, const std::string& error, Instant now);
  /// Dead rows, for an operator; all instances when `target` is empty.
  std::vector<OutboxRecord> dead_letters(const std::string& target, int limit);
  /// Makes a dead row pending again (attempts reset). False when no dead row has that id/key.
  bool replay(const std::string& id_or_key, Instant now);

  /// Open steps of `target` that have an external task.
  std::vector<OpenTaskRef> open_refs(const std::string& target);
  std::string cursor(const std::string& instance);
  void save_cursor(const std::string& instance, const std::string& cursor, Instant now);
  /// Records an external event as applied; false when it already was (apply nothing then).
  bool mark_event_applied(const std::string& instance, const std::string& task_key,
                          const std::string& event_id, Instant now);

  ConnectorStatusRecord status(const std::string& instance);
  void save_status(const ConnectorStatusRecord& status, Instant now);
  std::vector<ConnectorStatusRecord> all_statuses();
  std::int64_t count_rows(const std::string& target, const std::string& state);

  std::optional<std::string> kv_get(const std::string& instance, const std::string& key);
  void kv_put(const std::string& instance, const std::string& key, const std::string& value);
  void kv_erase(const std::string& instance, const std::string& key);

 private:
  Database& db_;
};

}  // namespace disputed::store
