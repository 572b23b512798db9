#pragma once
// What the sync engine reads and records, as operations of the engine: the actions due for a
// connector instance, what became of each delivery, the external events that came back (each
// applied once, with the poll cursor that produced them), the instance's status and the plugin's
// key-value state. The sync engine decides (backoff, rate limits, dead letters); the ledger writes.
//
// Invariants 2 and 3 (docs/architecture.md): a delivery round's results, and a poll's events
// with its cursor, are recorded inside one CommandWriter job, so each commits whole or not at
// all; an (instance, task, event id) is applied once.

#include <optional>
#include <string>
#include <vector>

#include "core/engine/dispute_service.hpp"
#include "core/store/store.hpp"
#include "core/store/sync_store.hpp"

namespace disputed::engine {

using OutboxRecord = store::OutboxRecord;
using ConnectorStatus = store::ConnectorStatusRecord;
using OpenTaskRef = store::OpenTaskRef;

/// Something a connector reported about one of its tasks.
struct ExternalEvent {
  enum class Kind { kCompleted, kReopened, kCommented, kDeleted };
  Kind kind = Kind::kCompleted;
  std::string task_key;
  std::string event_id;  // unique per task within the instance
  std::string outcome;   // for a completion
  std::string comment;
  std::string actor;                  // who, in the system; empty: the instance
  std::optional<domain::Instant> at;  // when, in the system
};

/// A message as the dossier records it (composed by the sync engine from the row's facts).
struct SentMessage {
  std::string kind;  // task_assigned, dispute_confirmation, ...
  std::string to;    // the addresses, comma-separated
  std::string subject;
  std::string message_id;  // "<...>"
  std::string language;
};

class ConnectorLedger {
 public:
  ConnectorLedger(store::Database& db, DisputeService& disputes, const domain::Clock& clock)
      : store_(db), sync_(db), disputes_(disputes), clock_(clock) {}

  // --- reads
  /// Pending actions of `instance` due now, oldest first, at most one per task and none behind
  /// an earlier pending or dead action of the same task (a task's actions apply in order).
  std::vector<OutboxRecord> due_actions(const std::string& instance, int limit);
  /// The external id of a task, once its create succeeded.
  std::optional<std::string> external_ref_of_task(const std::string& task_key);
  /// Open steps of `instance` that have an external task.
  std::vector<OpenTaskRef> open_refs(const std::string& instance);
  std::string cursor(const std::string& instance);
  ConnectorStatus status(const std::string& instance);
  std::optional<std::string> state_get(const std::string& instance, const std::string& key);

  // --- records
  /// The action was applied (or had been): done, the external id and link written on the step;
  /// a create says in the dispute's dossier where the task now is.
  void delivered(const std::string& instance, const OutboxRecord& row,
                 const std::string& external_ref, const std::string& external_url);
  /// A message was accepted by its transport: done, and the dispute's dossier says to whom,
  /// what, through which instance and with which Message-ID.
  void message_sent(const std::string& instance, const OutboxRecord& row,
                    const SentMessage& message, const std::string& external_ref);
  /// A message will not be sent (refused for good, undeliverable, or failed too often): a dead
  /// letter, and the dispute's dossier says so (visible on the dispute's page).
  void message_failed(const std::string& instance, const OutboxRecord& row,
                      const SentMessage& message, int attempts, const std::string& error);
  /// To try again at `next_attempt_at`.
  void retry_later(const OutboxRecord& row, int attempts, domain::Instant next_attempt_at,
                   const std::string& error);
  /// The system refused the action: a dead letter, and the dispute's dossier says so.
  void rejected(const std::string& instance, const OutboxRecord& row, int attempts,
                const std::string& message);
  /// Failed too often: a dead letter.
  void give_up(const OutboxRecord& row, int attempts, const std::string& error);
  /// Applies `event` unless this instance's event was applied before; true when it was new and
  /// belongs to a step. An event for a task no step has is recorded as seen and explained in
  /// `ignored`.
  bool apply(const std::string& instance, const ExternalEvent& event, std::string& ignored);
  void save_cursor(const std::string& instance, const std::string& cursor);
  void save_status(const ConnectorStatus& status);
  void state_put(const std::string& instance, const std::string& key, const std::string& value);
  void state_erase(const std::string& instance, const std::string& key);

 private:
  store::Store store_;
  store::SyncStore sync_;
  DisputeService& disputes_;
  const domain::Clock& clock_;
};

}  // namespace disputed::engine
