#pragma once
// Row readers shared by the store's query classes (Store, SyncStore): one place that knows how
// a column becomes a value. Internal to core/store.

#include <string>

#include "core/store/records.hpp"
#include "core/store/sqlite.hpp"

namespace disputed::store::detail {

/// An ISO-8601 UTC timestamp column; throws std::runtime_error naming a corrupt value.
Instant instant_of(const std::string& text);

/// The outbox columns in this order (prefix `o.`): id, action_key, target, kind, dispute_id,
/// step_id, task_key, payload, created_at, state, attempts, next_attempt_at, last_error.
inline constexpr const char* kOutboxColumns =
    "o.id, o.action_key, o.target, o.kind, o.dispute_id, o.step_id, o.task_key, o.payload, "
    "o.created_at, o.state, o.attempts, o.next_attempt_at, o.last_error";
OutboxRecord read_outbox(const Statement& s);

}  // namespace disputed::store::detail
