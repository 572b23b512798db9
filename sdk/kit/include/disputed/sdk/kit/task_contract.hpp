#pragma once
/// @file The task contract between the engine and the connectors: the typed, versioned content
/// of `Action::payload_json`. The engine writes it with serialise_task_payload(); plugins read it
/// only through parse_task_payload() (ConnectorBase does it for them). Standard library only.
///
/// Versions. A payload without "version" is version 1 (everything written before the field
/// existed), so an outbox row written by an older release still parses after an upgrade. A
/// reader refuses a version newer than it knows, naming both. Within a version, fields are only
/// ever added; an absent field reads as empty.
///
/// Keys per action kind (what serialise_task_payload writes; "version" with each):
/// - create: task_key, dispute, step, subject, instructions, assignee, assignee_kind,
///   deadline_at, deadline_local_date, time_zone, outcomes, category, customer {id, name},
///   description, currency, disputed_amount, invoices [{number, disputed_amount}], and when set
///   dispute_url and assignee_members;
/// - update: task_key, status, outcome, comment;
/// - cancel: task_key, dispute, reason;
/// - remind: task_key, dispute, step, title, assignee, deadline_at, note;
/// - escalate: the remind keys plus escalated_to and priority;
/// - any kind, for a step the engine notifies itself (target "internal"): template and to.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "disputed/sdk/kit/expected.hpp"
#include "disputed/sdk/types.hpp"

namespace disputed::sdk::kit {

/// The customer a dispute is about.
struct TaskCustomer {
  std::string id;    ///< the customer number in the ERP, e.g. "C-1001"
  std::string name;  ///< e.g. "Acme B.V."
};

/// One disputed invoice.
struct TaskInvoice {
  std::string number;           ///< e.g. "INV-1001"
  std::string disputed_amount;  ///< a decimal string, e.g. "125.00"
};

/// What the engine asks of one external task (every kind's fields; a kind uses its own).
struct TaskPayload {
  /// The version this SDK writes and the newest it reads.
  static constexpr int kVersion = 1;
  int version = kVersion;

  std::string task_key;  ///< the task's stable identity, "DSP-000123-2"
  std::string dispute;   ///< the dispute's reference, "DSP-000123"
  std::string step;      ///< the workflow step's id, "approve"
  std::string subject;   ///< create: the task's title (see task_subject())
  std::string title;     ///< remind, escalate: the step's title
  std::string instructions;
  std::string assignee;                       ///< an e-mail address, a role id, ...
  std::string assignee_kind;                  ///< "person", "role" or "account_manager"
  std::vector<std::string> assignee_members;  ///< a role's members' e-mail addresses
  std::string deadline_at;                    ///< RFC 3339, UTC
  std::string deadline_local_date;            ///< the deadline's date where the step is worked
  std::string time_zone;                      ///< IANA zone of deadline_local_date
  std::vector<std::string> outcomes;          ///< the step's outcomes, in the workflow's order
  std::string category;
  TaskCustomer customer;
  std::string description;  ///< the customer's complaint
  std::string currency;     ///< ISO 4217
  std::string disputed_amount;
  std::vector<TaskInvoice> invoices;
  std::string dispute_url;  ///< the link back (see dispute_url()); empty when not configured

  std::string status;   ///< update: "completed"
  std::string outcome;  ///< update: the outcome chosen in disputed
  std::string comment;  ///< update: the person's comment
  std::string reason;   ///< cancel: why
  std::string note;     ///< remind, escalate: the text for the person
  std::string escalated_to;
  std::string priority;  ///< escalate: "urgent"

  std::string template_name;  ///< "template": the notification a step targeting "internal" sends
  std::string to;             ///< the notification's recipient

  /// deadline_at as an instant; nullopt when absent or unreadable.
  std::optional<Instant> deadline() const;
  /// What to call the task: subject, else title, else "Dispute task <task_key>".
  std::string headline() const;
};

/// Reads a payload. A problem names the JSON pointer of a field of the wrong type
/// ("/invoices/0/number: expected a string, got a number"), a text that is not a JSON object,
/// or a version this SDK does not know. Bounded: at most 1 MiB and 16 levels deep.
Expected<TaskPayload> parse_task_payload(std::string_view json);

/// The JSON text of `payload` for an action of `kind`: the keys listed in the file comment, plus
/// "version". Never throws except std::bad_alloc.
std::string serialise_task_payload(Action::Kind kind, const TaskPayload& payload);

/// The one link-back rule. The engine's: `<public_url>/disputes/<ref>` (the dispute's page in the
/// web app) (a trailing '/' of public_url dropped), empty when public_url is empty.
std::string dispute_url(std::string_view public_url, std::string_view dispute_ref);
/// A connector's: the payload's dispute_url when the engine set one; else `url_template` with
/// "{dispute}" replaced by the percent-encoded reference (a template without it is used as
/// is); empty when neither gives one or the payload names no dispute.
std::string dispute_link(const TaskPayload& payload, std::string_view url_template);

/// The one task title rule: "<step title> — <ref> (<customer name>)".
std::string task_subject(std::string_view step_title, std::string_view dispute_ref,
                         std::string_view customer_name);

/// The facts of a task every connector shows, as (label, value) pairs in a fixed order, empty
/// values left out: Dispute, Step, Customer ("name (id)"), Category, Invoices ("INV-1 (EUR
/// 100.00), ..."), Disputed amount ("EUR 125.00"), Due ("2025-01-10 (Europe/Amsterdam)"),
/// Assigned to.
std::vector<std::pair<std::string, std::string>> task_facts(const TaskPayload& payload);
/// task_facts() as lines "Label: value\n".
std::string task_facts_text(const TaskPayload& payload);

}  // namespace disputed::sdk::kit
