#pragma once
// The application layer: every command a credit controller, the CLI, the REST API or the sync
// engine can give. Each command runs in one SQLite transaction that writes the state change, its
// dossier entries, collection-feed events, timers and outbox rows together — or nothing.

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/domain/result.hpp"
#include "core/domain/time.hpp"
#include "core/engine/invoice_import.hpp"
#include "core/store/records.hpp"
#include "core/store/store.hpp"
#include "core/workflow/definition.hpp"

namespace disputed::engine {

using domain::Result;

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
  bool overdue = false;
};

struct TickReport {
  int reminders = 0;
  int escalations = 0;
  int skipped = 0;  // timers of steps that were no longer open
};

class DisputeService {
 public:
  DisputeService(store::Database& db, const workflow::Definitions& definitions,
                 const domain::Clock& clock);

  // --- commands (each one transaction)
  Result<ImportReport> import_invoices(const ParsedInvoices& parsed, const std::string& actor);
  Result<DisputeView> open_dispute(const OpenDisputeRequest& request);
  Result<DisputeView> complete_step(const CompleteStepRequest& request);
  Result<DisputeView> resolve(const std::string& dispute, domain::Resolution resolution,
                              const std::string& note, const std::string& actor);
  Result<DisputeView> withdraw(const std::string& dispute, const std::string& note,
                               const std::string& actor);
  /// Reopens a resolved, withdrawn or closed dispute: holds return, the workflow restarts at
  /// `from_step` (default: its first step).
  Result<DisputeView> reopen(const std::string& dispute, const std::string& reason,
                             const std::optional<std::string>& from_step, const std::string& actor);
  Result<DisputeView> close(const std::string& dispute, const std::string& actor);
  Result<store::DossierEntry> add_note(const NoteRequest& request);
  /// A dossier entry written by the system itself (a task mirrored into a connector, a comment
  /// that arrived from an external system), for the dispute that owns `task_key`.
  Result<store::DossierEntry> add_task_entry(
      const std::string& task_key, const std::string& actor, const std::string& kind,
      const std::string& summary, const std::string& payload_json,
      domain::Direction direction = domain::Direction::kInternal, const std::string& channel = "");
  /// Fires every reminder and escalation due at the clock's now.
  Result<TickReport> tick();

  /// Runs `body` inside one transaction: the commands it calls share one commit (each still
  /// fails alone, through a savepoint). This is how bulk registration reaches thousands per
  /// second at synchronous=NORMAL.
  void batch(const std::function<void()>& body);

  // --- queries
  /// A dispute with its steps, active holds and (unless `with_timeline` is false) its dossier.
  Result<DisputeView> show(const std::string& dispute, bool with_timeline = true);
  std::vector<store::DisputeRecord> list(const store::DisputeFilter& filter);
  /// The internal to-do list of a person: steps assigned to them, to a role they are a member
  /// of, or escalated to them. Empty `assignee` lists everyone's.
  std::vector<Task> tasks(const std::string& assignee);
  Result<InvoiceState> invoice_state(const std::string& number);
  std::vector<store::CollectionEvent> events(std::int64_t after_seq, int limit);

  const workflow::Definitions& definitions() const { return defs_; }
  store::Store& store() { return store_; }

 private:
  template <class T, class F>
  Result<T> in_transaction(F&& command);

  std::optional<store::DisputeRecord> find(const std::string& dispute);
  const workflow::WorkflowDef& workflow_of(const store::DisputeRecord& d);
  void open_step(store::DisputeRecord& d, const workflow::StepDef& def, domain::Instant now,
                 const std::string& actor);
  void cancel_open_steps(store::DisputeRecord& d, const std::string& reason, domain::Instant now,
                         const std::string& actor);
  void finish(store::DisputeRecord& d, domain::DisputeStatus status, domain::Resolution resolution,
              const std::string& note, domain::Instant now, const std::string& actor);
  void place_holds(store::DisputeRecord& d, domain::Instant now, const std::string& actor);
  void release_holds(store::DisputeRecord& d, domain::Resolution resolution, domain::Instant now,
                     const std::string& actor);
  void fire_timer(const store::TimerRecord& timer, domain::Instant now, TickReport& report);
  store::DossierEntry record(const store::DisputeRecord& d, domain::Instant at,
                             const std::string& actor, const std::string& kind,
                             const std::string& summary, const std::string& payload_json,
                             domain::Direction direction = domain::Direction::kInternal,
                             const std::string& channel = "");
  void notify(const store::DisputeRecord& d, const std::string& key_suffix,
              const std::string& payload_json, domain::Instant now);
  std::string resolve_assignee(const workflow::AssigneeRule& rule, const store::DisputeRecord& d,
                               domain::AssigneeKind& kind);
  DisputeView view(const store::DisputeRecord& d, bool with_timeline = false);

  store::Store store_;
  const workflow::Definitions& defs_;
  const domain::Clock& clock_;
  std::map<std::string, workflow::WorkflowDef> snapshot_cache_;  // by hash
  struct Snapshot {
    std::string hash;
    std::string definition;
  };
  std::map<std::string, Snapshot> current_snapshots_;  // by workflow id; definitions never change
  const Snapshot& current_snapshot(const workflow::WorkflowDef& wf);
};

}  // namespace disputed::engine
