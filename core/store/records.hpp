#pragma once
// Rows as the store reads and writes them. Plain data; the engine gives them meaning.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/domain/decimal.hpp"
#include "core/domain/model.hpp"
#include "core/domain/time.hpp"

namespace disputed::store {

using domain::Date;
using domain::Decimal;
using domain::Instant;

struct InvoiceRecord {
  domain::Invoice invoice;
  Date original_due_date;
  Instant created_at;
  Instant updated_at;
};

struct DisputedInvoice {
  std::string invoice_number;
  Decimal disputed_amount;
};

struct DisputeRecord {
  std::int64_t id = 0;
  std::string ref;  // readable id, e.g. DSP-000042
  std::string category;
  std::string workflow_hash;
  domain::DisputeStatus status = domain::DisputeStatus::kOpen;
  domain::Channel channel = domain::Channel::kOther;
  std::string description;
  std::string reported_by;   // who registered it in disputed
  std::string contact_name;  // the customer's contact person
  std::string contact_email;
  std::string contact_phone;
  std::string customer_id;
  std::string customer_name;
  std::string currency;
  Decimal disputed_amount;  // sum over invoices
  Instant opened_at;
  Instant due_at;  // by when the category promises a resolution
  std::optional<Instant> resolved_at;
  std::optional<domain::Resolution> resolution;
  std::string resolution_note;
  std::optional<Instant> closed_at;
  int reopen_count = 0;
  Instant updated_at;
  std::vector<DisputedInvoice> invoices;
};

struct StepRecord {
  std::int64_t id = 0;
  std::int64_t dispute_id = 0;
  std::string step_key;  // the workflow's step id
  std::string title;
  domain::AssigneeKind assignee_kind = domain::AssigneeKind::kPerson;
  std::string assignee;  // e-mail (person, account manager) or role id
  std::string target;    // "internal" or a connector instance
  std::string task_key;  // stable identity of the (external) task, used for idempotency
  domain::StepStatus status = domain::StepStatus::kOpen;
  Instant assigned_at;
  Instant deadline_at;
  std::optional<Instant> completed_at;
  std::optional<std::string> completed_by;
  std::optional<std::string> outcome;
  std::optional<std::string> comment;
  std::optional<Instant> escalated_at;
  std::optional<std::string> escalated_to;
  std::optional<std::string> external_ref;
  std::optional<std::string> external_url;  // a link to the external task, when the system has one
};

/// A reminder or escalation due at fire_at for an open step.
struct TimerRecord {
  std::int64_t id = 0;
  std::int64_t step_id = 0;
  std::string kind;  // "reminder" | "escalation"
  int ordinal = 0;   // which reminder of the step (for stable action keys)
  Instant fire_at;
};

struct HoldRecord {
  std::int64_t id = 0;
  std::string invoice_number;
  std::int64_t dispute_id = 0;
  std::string dispute_ref;
  Instant placed_at;
  std::optional<Instant> released_at;
  std::optional<std::string> release_reason;
  std::optional<Date> new_due_date;
};

struct DossierEntry {
  std::int64_t id = 0;
  std::int64_t dispute_id = 0;
  Instant at;
  std::string actor;
  std::string kind;     // registered, step_assigned, step_completed, reminder, escalation, ...
  std::string channel;  // phone, email, ... for contact moments; empty otherwise
  domain::Direction direction = domain::Direction::kInternal;
  std::string summary;
  std::string payload_json = "{}";
};

struct CollectionEvent {
  std::int64_t seq = 0;
  Instant at;
  std::string
      kind;  // hold_placed, hold_released, dispute_resolved, dispute_withdrawn, dispute_reopened
  std::string invoice_number;
  std::string dispute_ref;
  std::optional<Date> due_date;
  std::string payload_json = "{}";
};

struct OutboxRecord {
  std::int64_t id = 0;
  std::string action_key;  // idempotency key, unique
  std::string target;      // connector instance, or "notify" for messages to people
  std::string kind;        // create | update | cancel | remind | escalate | notify
  std::optional<std::int64_t> dispute_id;
  std::optional<std::int64_t> step_id;
  std::optional<std::string> task_key;
  std::string payload_json;
  Instant created_at;
  std::string state = "pending";  // pending | done | dead
  int attempts = 0;
  Instant next_attempt_at;
  std::optional<std::string> last_error;
};

struct DisputeFilter {
  std::optional<domain::DisputeStatus> status;
  bool active_only = false;  // open or in progress
  std::optional<std::string> category;
  std::optional<std::string> customer_id;
  std::optional<std::string> invoice_number;
  std::optional<std::string> assignee;  // has an open step for this person/role
  std::optional<Instant> overdue_at;    // has an open step whose deadline is before this
  std::optional<domain::Channel> channel;
  std::optional<Instant> opened_from;    // opened at or after
  std::optional<Instant> opened_before;  // opened before
  /// Contained (case-insensitively for ASCII) in the ref, customer id or name, or description.
  std::optional<std::string> text;
  bool newest_first = false;  // order by id descending
  std::int64_t after_id = 0;  // cursor: the last id of the previous page (0: from the start)
  int limit = 100;
};

/// An invoice as a search lists it, with what is already disputed by active disputes.
struct InvoiceMatch {
  InvoiceRecord record;
  Decimal disputed_amount;  // sum over open and in-progress disputes
  int active_disputes = 0;
};

}  // namespace disputed::store
