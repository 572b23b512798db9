#pragma once
/// @file Value types that cross the plugin boundary: actions in, outcomes and events out.
/// All are plain structs of standard types, copied by value; nothing here throws.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace disputed::sdk {

/// UTC seconds since the epoch.
using Instant = std::chrono::sys_seconds;

/// One problem in a connector instance's settings, e.g. {"/custom_fields/invoice", "must be an
/// integer field id"}. `field` is a JSON pointer into the settings object.
struct ConfigProblem {
  std::string field;
  std::string problem;
};

/// What `check()` found. `ok` with empty category when everything works.
struct CheckResult {
  enum class Category { kNone, kAuth, kPermission, kNetwork, kConfig };
  bool ok = false;
  Category category = Category::kNone;
  std::string message;  ///< what is wrong, in the vendor's words where possible
  std::string remedy;   ///< what an operator should do about it
};

/// Result of `open()`: `ok`, or the reason the instance cannot start.
struct OpenResult {
  bool ok = false;
  std::string message;
};

/// One thing the engine wants done to an external task, or (kMessage) a message to send to a
/// person. The host delivers each action at least once, in order per task; the plugin makes the
/// effect exactly-once using `action_key` and `task_key` (the task's stable identity: Zendesk
/// external_id, Salesforce external-id field, Graph linkedResources.externalId).
struct Action {
  /// kMessage (SDK ABI 2.1): a message to people — an e-mail, rendered by the engine; the payload
  /// is the message contract (kit::MessagePayload). Only sent to plugins whose manifest lists the
  /// capability "message"; `task_key` is then the message's thread (a step's task key or a
  /// dispute's reference) and `action_key` its idempotency key.
  enum class Kind { kCreate, kUpdate, kCancel, kRemind, kEscalate, kMessage };
  Kind kind = Kind::kCreate;
  std::string action_key;  ///< unique per action, stable across retries ([A-Za-z0-9:_-])
  std::string task_key;    ///< unique per external task, stable ([A-Za-z0-9:_-])
  /// The external task's id once known (from an earlier create); empty for a first create.
  std::string external_ref;
  /// The action's content as JSON text (subject, instructions, assignee, deadline_at,
  /// deadline_local_date, time_zone, outcomes, dispute summary, note, priority, ...). See the
  /// plugin guide for the keys per kind.
  std::string payload_json;
  int attempt = 1;  ///< 1 for the first delivery
};

/// What `apply()` did.
struct ApplyResult {
  enum class Status {
    kApplied,         ///< done now
    kAlreadyApplied,  ///< found done already (a retry after a crash or timeout): not an error
    kRetryable,       ///< transient failure (5xx, timeout, connection): try again later
    kRateLimited,     ///< the system said slow down: retry after `retry_after`
    kAuthFailed,      ///< credentials rejected even after a token refresh: operator must act
    kRejected,        ///< the system refused the content (4xx validation): retrying won't help
  };
  Status status = Status::kRetryable;
  std::string external_ref;  ///< the external task's id (set on create; echo it otherwise)
  std::string external_url;  ///< a link a person can open, when the system has one
  std::chrono::seconds retry_after{0};
  std::string message;  ///< the vendor's message on failure
};

/// An external task the engine still waits on.
struct OpenRef {
  std::string task_key;
  std::string external_ref;
};

/// Input of `poll()`.
struct PollRequest {
  std::string cursor;  ///< opaque; empty on the first poll of an instance
  std::vector<OpenRef> open_refs;
  /// True for a periodic reconciliation: ask about every open ref directly instead of (or
  /// besides) following the cursor, to catch anything a cursor missed.
  bool reconcile = false;
};

/// Something that happened to an external task.
struct TaskEvent {
  enum class Kind { kCompleted, kReopened, kCommented, kDeleted };
  Kind kind = Kind::kCompleted;
  std::string task_key;
  std::string external_ref;
  /// Stable id of this event in the external system (e.g. "<ticket id>:<updated_at>"), used with
  /// the task key to apply each event once.
  std::string event_id;
  std::string outcome;  ///< for kCompleted: the outcome mapped from the system (may be empty)
  std::string actor;    ///< who did it (e-mail or name), when known
  std::string comment;  ///< comment text for kCommented, resolution note for kCompleted
  Instant at{};         ///< when it happened in the external system
};

/// Output of `poll()`.
struct PollResult {
  enum class Status { kOk, kRetryable, kRateLimited, kAuthFailed };
  Status status = Status::kOk;
  std::vector<TaskEvent> events;
  /// The cursor to pass next time; the host stores it in the same transaction as the events.
  std::string next_cursor;
  std::chrono::seconds retry_after{0};
  std::string message;
};

}  // namespace disputed::sdk
