#pragma once
// The application layer: every command a credit controller, the CLI, the REST API or the sync
// engine can give. Each command runs in one SQLite transaction that writes the state change, its
// dossier entries, collection-feed events, timers and outbox rows together — or nothing.
//
// DisputeService is the façade; the work is split by capability: Registration (disputes and
// invoices), StepFlow (steps, outcomes, timers), DunningHold (holds and the collection feed),
// DisputeResolution (resolve, withdraw, reopen, close), DisputeQueries, and TaskOutbox, the only
// writer of outbox rows. They share one EngineContext (store, definitions, clock, dossier).

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/engine/daily_digest.hpp"
#include "core/engine/dispute_queries.hpp"
#include "core/engine/dispute_resolution.hpp"
#include "core/engine/dispute_types.hpp"
#include "core/engine/dunning_hold.hpp"
#include "core/engine/engine_context.hpp"
#include "core/engine/registration.hpp"
#include "core/engine/step_flow.hpp"
#include "core/engine/task_outbox.hpp"

namespace disputed::engine {

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
  /// How many disputes match `filter` (its cursor and limit ignored).
  std::int64_t count(const store::DisputeFilter& filter);
  /// Invoices whose number starts with `text` or whose customer id or name contains it, by
  /// number, with what active disputes already claim (the register page's search as you type).
  std::vector<store::InvoiceMatch> search_invoices(const std::string& text, int limit);
  /// The internal to-do list of a person: steps assigned to them, to a role they are a member
  /// of, or escalated to them. Empty `assignee` lists everyone's.
  std::vector<Task> tasks(const std::string& assignee);
  Result<InvoiceState> invoice_state(const std::string& number);
  /// The outcomes a step of this dispute can end with (from the dispute's workflow snapshot);
  /// empty for an unknown step.
  std::vector<std::string> outcomes_of(const store::DisputeRecord& dispute,
                                       const std::string& step_key);
  std::vector<store::CollectionEvent> events(std::int64_t after_seq, int limit);

  const workflow::Definitions& definitions() const { return ctx_.defs(); }

 private:
  template <class T, class F>
  Result<T> in_transaction(F&& command);
  Result<DisputeView> view_of(Result<store::DisputeRecord> dispute);

  EngineContext ctx_;
  TaskOutbox outbox_;
  DunningHold holds_;
  StepFlow steps_;
  DailyDigest digests_;
  DisputeResolution resolution_;
  Registration registration_;
  DisputeQueries queries_;
};

}  // namespace disputed::engine
