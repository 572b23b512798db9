#pragma once
// What the engine's commands take and answer: requests from the CLI, the REST API and the sync
// engine, and the views of disputes, invoices and tasks they get back. Plain data.

#include <optional>
#include <string>
#include <vector>

#include "core/domain/result.hpp"
#include "core/domain/time.hpp"
#include "core/engine/invoice_import.hpp"
#include "core/store/records.hpp"

namespace disputed::engine {

using domain::Result;

// The store's rows, as the engine hands them to the layers above (which never include the store).
using DisputeRecord = store::DisputeRecord;
using StepRecord = store::StepRecord;
using HoldRecord = store::HoldRecord;
using DossierEntry = store::DossierEntry;
using CollectionEvent = store::CollectionEvent;
using InvoiceRecord = store::InvoiceRecord;
using DisputeFilter = store::DisputeFilter;
using InvoiceMatch = store::InvoiceMatch;

struct ClaimedInvoice {
  std::string number;
  std::optional<domain::Decimal>
      amount;  // nullopt: the whole (undisputed remainder of the) invoice
};

struct OpenDisputeRequest {
  std::vector<ClaimedInvoice> invoices;
  std::optional<std::string> currency;  // when given, must match the invoices
  std::optional<std::string> category;  // when absent, suggested from the description
  domain::Channel channel = domain::Channel::kOther;
  std::string description;
  std::string contact_name;
  std::string contact_email;
  std::string contact_phone;
  std::string actor;  // who registers it
};

/// Where a completion comes from. A completion polled from a connector may arrive twice and is
/// then a no-op; one given by a person for a step that is not open is an error.
enum class CompletionSource { kPerson, kConnector };

struct CompleteStepRequest {
  std::string dispute;                 // ref (DSP-000001) or numeric id
  std::string step;                    // step instance id, or the workflow step id of an open step
  std::optional<std::string> outcome;  // may be omitted when the step has exactly one outcome
  std::string comment;
  std::string actor;
  CompletionSource source = CompletionSource::kPerson;
  std::optional<domain::Instant> completed_at;  // when the external system says it happened
  std::string channel;  // how the person gave it, when not in disputed itself ("email": a link)
  // A connector's completion: the task it came from (the step's own, or an escalation level's
  // task of the target, `<task key>-e<level>`); empty for the step's own.
  std::string via_task_key;
};

struct NoteRequest {
  std::string dispute;
  std::string summary;
  std::optional<domain::Channel> channel;  // set for contact moments (a call, an e-mail)
  domain::Direction direction = domain::Direction::kInternal;
  std::string actor;
};

struct ImportReport {
  int created = 0;
  int updated = 0;
  std::vector<RejectedRow> rejected;
};

/// A dispute with its steps and active holds. Commands return it without the timeline (the
/// dossier); show() fills that in too.
struct DisputeView {
  store::DisputeRecord dispute;
  std::vector<store::StepRecord> steps;
  std::vector<store::HoldRecord> active_holds;
  std::vector<store::DossierEntry> dossier;  // empty unless from show()
  bool already_applied = false;              // set by idempotent commands that changed nothing
};

struct InvoiceState {
  store::InvoiceRecord invoice;
  bool collectable = true;
  std::vector<store::HoldRecord> active_holds;
  std::vector<store::HoldRecord> history;
};

struct Task {
  store::StepRecord step;
  std::string dispute_ref;
  std::string customer_name;
  std::string category;
  domain::Decimal disputed_amount;
  std::string currency;
  std::vector<std::string> outcomes;  // what the step can end with, in workflow order
  bool overdue = false;
};

struct TickReport {
  int reminders = 0;
  int escalations = 0;
  int skipped = 0;   // timers of steps that were no longer open
  int digests = 0;   // daily digests queued
  int promises = 0;  // alerts about the date promised to the customer (PromiseWatch)
};

}  // namespace disputed::engine
