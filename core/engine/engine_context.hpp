#pragma once
// What every part of a command shares: the store (one connection; the command's transaction is
// already open), the definitions, the clock, the workflow snapshots and the dossier writer. The
// parts of the engine (registration, step flow, dunning hold, resolution, queries) each hold a
// reference to one EngineContext; DisputeService owns it and runs each command in a transaction.

#include <map>
#include <optional>
#include <string>

#include "core/engine/dispute_types.hpp"
#include "core/store/store.hpp"
#include "core/workflow/definition.hpp"

namespace disputed::engine {

/// Workflow definitions as the disputes under way run them. A dispute runs the snapshot taken
/// when it opened (keyed by content hash), so editing a workflow file changes new disputes only.
class WorkflowSnapshots {
 public:
  explicit WorkflowSnapshots(store::Store& store) : store_(store) {}

  /// The snapshot `d` runs. Throws std::runtime_error when it is missing or corrupt (the command's
  /// transaction then rolls back and the caller hears an internal error).
  const workflow::WorkflowDef& of(const store::DisputeRecord& d);

  struct Current {
    std::string hash;
    std::string definition;  // JSON
  };
  /// The hash and JSON of `wf` as configured now (definitions never change while running).
  const Current& current(const workflow::WorkflowDef& wf);

 private:
  store::Store& store_;
  std::map<std::string, workflow::WorkflowDef> by_hash_;
  std::map<std::string, Current> current_;  // by workflow id
};

class EngineContext {
 public:
  EngineContext(store::Database& db, const workflow::Definitions& definitions,
                const domain::Clock& clock)
      : store_(db), defs_(definitions), clock_(clock), snapshots_(store_) {}
  EngineContext(const EngineContext&) = delete;
  EngineContext& operator=(const EngineContext&) = delete;

  store::Store& store() { return store_; }
  const workflow::Definitions& defs() const { return defs_; }
  const domain::Clock& clock() const { return clock_; }
  WorkflowSnapshots& snapshots() { return snapshots_; }

  /// A dispute by its ref (DSP-000001) or its numeric id.
  std::optional<store::DisputeRecord> find(const std::string& dispute);

  /// Appends a dossier entry for `d` (the dossier is append-only) and returns it with its id.
  store::DossierEntry record(const store::DisputeRecord& d, domain::Instant at,
                             const std::string& actor, const std::string& kind,
                             const std::string& summary, const std::string& payload_json,
                             domain::Direction direction = domain::Direction::kInternal,
                             const std::string& channel = "");

  /// Who `rule` names for `d`: a person or role as written, or the account manager of the
  /// dispute's first invoice that has one (else the person who registered it). `kind` says which.
  std::string resolve_assignee(const workflow::AssigneeRule& rule, const store::DisputeRecord& d,
                               domain::AssigneeKind& kind);

  /// `d` with its steps and active holds, and its dossier when `with_timeline`.
  DisputeView view(const store::DisputeRecord& d, bool with_timeline = false);

 private:
  store::Store store_;
  const workflow::Definitions& defs_;
  const domain::Clock& clock_;
  WorkflowSnapshots snapshots_;
};

/// True for a non-empty string of ASCII digits (a numeric id rather than a ref or a key).
bool all_digits(const std::string& s);

}  // namespace disputed::engine
