#pragma once
// The only place that speaks SQL. The engine composes these calls inside one Transaction per
// command, so a state change, its dossier entries, feed events and outbox rows commit together.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/store/records.hpp"
#include "core/store/sqlite.hpp"

namespace disputed::store {

class Store {
 public:
  explicit Store(Database& db) : db_(db) {}
  Database& db() { return db_; }

  // --- invoices
  /// Inserts or updates by number. Returns true when the invoice was new.
  bool upsert_invoice(const domain::Invoice& invoice, Instant now);
  std::optional<InvoiceRecord> find_invoice(const std::string& number);
  void set_invoice_due_date(const std::string& number, Date due_date, Instant now);

  // --- workflow snapshots
  void save_workflow_snapshot(const std::string& hash, const std::string& workflow_id,
                              const std::string& definition_json, Instant now);
  std::optional<std::string> workflow_snapshot(const std::string& hash);

  // --- disputes
  /// Assigns id and ref (DSP-000001 style) and inserts the dispute with its invoices.
  void insert_dispute(DisputeRecord& dispute);
  /// Writes the mutable fields (status, resolution, timestamps, reopen count).
  void update_dispute(const DisputeRecord& dispute);
  std::optional<DisputeRecord> find_dispute(std::int64_t id);
  std::optional<DisputeRecord> find_dispute_by_ref(const std::string& ref);
  std::vector<DisputeRecord> list_disputes(const DisputeFilter& filter);
  /// How many disputes match `filter` (its cursor and limit ignored).
  std::int64_t count_disputes(const DisputeFilter& filter);
  /// Invoices whose number starts with `text`, or whose customer id or name contains it
  /// (case-insensitively for ASCII), by number; at most `limit`.
  std::vector<InvoiceMatch> search_invoices(const std::string& text, int limit);
  /// Disputes naming this invoice, oldest first.
  std::vector<DisputeRecord> disputes_for_invoice(const std::string& number);

  // --- steps
  void insert_step(StepRecord& step);
  void update_step(const StepRecord& step);
  std::optional<StepRecord> find_step(std::int64_t id);
  std::optional<StepRecord> find_step_by_task_key(const std::string& task_key);
  std::vector<StepRecord> steps_of(std::int64_t dispute_id);
  /// Open steps targeting the internal to-do list for any of these assignees (all if empty).
  std::vector<StepRecord> open_internal_steps(const std::set<std::string>& assignees);
  /// How many steps of this dispute have been created (for task keys).
  int count_steps(std::int64_t dispute_id);

  // --- timers
  void insert_timer(TimerRecord& timer);
  /// Unfired timers due at or before `now`, oldest first.
  std::vector<TimerRecord> due_timers(Instant now, int limit);
  void mark_timer_fired(std::int64_t id, Instant now);
  void delete_timers_of_step(std::int64_t step_id);

  // --- holds
  void insert_hold(HoldRecord& hold);
  void release_hold(std::int64_t id, Instant at, const std::string& reason,
                    std::optional<Date> new_due_date);
  std::vector<HoldRecord> active_holds_of_dispute(std::int64_t dispute_id);
  std::vector<HoldRecord> active_holds_of_invoice(const std::string& number);
  std::vector<HoldRecord> holds_of_invoice(const std::string& number);

  // --- dossier (append-only)
  void append_dossier(DossierEntry& entry);
  std::vector<DossierEntry> dossier_of(std::int64_t dispute_id);

  // --- collection feed (append-only)
  void append_collection_event(CollectionEvent& event);
  std::vector<CollectionEvent> collection_events(std::int64_t after_seq, int limit);

  // --- outbox
  /// Inserts unless a row with the same action key exists. Returns true when inserted.
  bool enqueue(OutboxRecord& row);
  /// Whether a row with this action key was ever queued (whatever its state).
  bool has_outbox_action(const std::string& action_key);
  std::vector<OutboxRecord> outbox_rows(const std::string& state, int limit);
  std::int64_t outbox_count(const std::string& state);

 private:
  DisputeRecord read_dispute(Statement& s);
  void load_dispute_invoices(DisputeRecord& d);
  Database& db_;
};

}  // namespace disputed::store
