#pragma once
// Row readers shared by the store's query classes (Store, SyncStore): one place that knows how
// a column becomes a value. Internal to core/store.

#include <optional>
#include <stdexcept>
#include <string>

#include "core/store/records.hpp"
#include "core/store/sqlite.hpp"

namespace disputed::store::detail {

/// An ISO-8601 UTC timestamp column; throws std::runtime_error naming a corrupt value.
Instant instant_of(const std::string& text);

/// A YYYY-MM-DD column; throws std::runtime_error naming a corrupt value.
Date date_of(const std::string& text);

/// The enum `parsed` from `text`; throws std::runtime_error naming a corrupt value.
template <class E>
E enum_of(std::optional<E> parsed, const std::string& text) {
  if (!parsed) throw std::runtime_error("corrupt enum value in database: '" + text + "'");
  return *parsed;
}

/// The dispute columns in the order Store::read_dispute reads them (prefix `d.`).
inline constexpr const char* kDisputeColumns =
    "d.id, d.ref, d.category, d.workflow_hash, d.status, d.channel, d.description, d.reported_by, "
    "d.contact_name, d.contact_email, d.contact_phone, d.customer_id, d.customer_name, d.currency, "
    "d.disputed_units, d.opened_at, d.due_at, d.resolved_at, d.resolution, d.resolution_note, "
    "d.closed_at, d.reopen_count, d.updated_at";

/// The outbox columns in this order (prefix `o.`): id, action_key, target, kind, dispute_id,
/// step_id, task_key, payload, created_at, state, attempts, next_attempt_at, last_error.
inline constexpr const char* kOutboxColumns =
    "o.id, o.action_key, o.target, o.kind, o.dispute_id, o.step_id, o.task_key, o.payload, "
    "o.created_at, o.state, o.attempts, o.next_attempt_at, o.last_error";
OutboxRecord read_outbox(const Statement& s);

}  // namespace disputed::store::detail
