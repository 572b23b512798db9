#pragma once
// The only writer of outbox rows. Whatever must be mirrored into a connector instance (a step's
// external task: create, update when completed in disputed, cancel, remind, escalate) or sent to
// a person (notify) is written here, in the command's transaction, so one place decides:
//
// - the idempotency keys (derived from data, never from time): a step's task key
//   `DSP-000042-3` and its actions `:create`, `:complete`, `:cancel`, `:remind-N`, `:escalate`;
//   dispute-level messages `DSP-000042:<reopen count>:<what>`;
// - the payload each action on a task carries: the SDK's typed, versioned task contract
//   (sdk::kit::TaskPayload, written with serialise_task_payload; docs/plugin-guide.md), which
//   plugins read with parse_task_payload;
// - the task's summary line and the link back to the dispute (`dispute_url`), by the kit's one
//   rule for each (task_subject, dispute_url).
//
// Messages about a dispute as a whole (confirmation, management information, resolution notice,
// feedback request) are not tasks: their payloads are the messaging templates' data, written
// here too.

#include <string>

#include <nlohmann/json.hpp>

#include "core/store/store.hpp"
#include "core/workflow/definition.hpp"
#include "disputed/sdk/kit/task_contract.hpp"

namespace disputed::engine {

class TaskOutbox {
 public:
  TaskOutbox(store::Store& store, const workflow::Definitions& definitions)
      : store_(store), defs_(definitions) {}

  /// A step was assigned: a task to create in its connector instance, or for an internal step
  /// the assignee's "task assigned" message.
  void step_assigned(const store::DisputeRecord& d, const store::StepRecord& s,
                     const workflow::StepDef& def, domain::Instant now);
  /// The step was completed in disputed by a person: close the mirrored task (external steps
  /// only; a completion that came from the connector needs no echo).
  void step_completed(const store::DisputeRecord& d, const store::StepRecord& s,
                      domain::Instant now);
  /// The dispute ended while the step was open: cancel the mirrored task (external steps only).
  void step_cancelled(const store::DisputeRecord& d, const store::StepRecord& s,
                      const std::string& reason, domain::Instant now);
  /// Reminder number `ordinal` of an open step; `note` is the text the assignee reads.
  /// `def`: the step's definition (its outcomes and instructions for an internal step's mail).
  void reminder(const store::DisputeRecord& d, const store::StepRecord& s, int ordinal,
                const std::string& note, domain::Instant now,
                const workflow::StepDef* def = nullptr);
  /// One escalation level of an overdue step: whom it reaches and how.
  struct EscalationLevel {
    int level = 1;
    workflow::EscalationChannel channel = workflow::EscalationChannel::kDefault;
    std::string to;
    domain::AssigneeKind to_kind = domain::AssigneeKind::kPerson;
  };
  /// The step is overdue: one action for the level's target, keyed `:escalate` (level 1) or
  /// `:escalate-N` — a task_escalation mail (an internal step, or channel email), the step's
  /// task moved to the target (reassign: an update carrying the new assignee), or a task of the
  /// target's own in the step's system (task: created with the task key
  /// `escalation_task_key(task key, level)`, action `:create`). `s` is the step as escalated.
  void escalation(const store::DisputeRecord& d, const store::StepRecord& s,
                  const EscalationLevel& level, const std::string& note, domain::Instant now,
                  const workflow::StepDef* def = nullptr);
  /// The step ended (completed or cancelled): the escalation levels' own tasks still open in
  /// the step's system are cancelled with `reason`, except `done_task_key`, the one the step
  /// was completed through.
  void escalation_tasks_closed(const store::DisputeRecord& d, const store::StepRecord& s,
                               const std::string& reason, const std::string& done_task_key,
                               domain::Instant now);
  /// `<task key>-e<level>`: the task key of an escalation level's own task.
  static std::string escalation_task_key(const std::string& task_key, int level);
  // Messages about the dispute as a whole, keyed `<ref>:<reopen count>:<what>` (a reopened
  // dispute sends them again). Each returns the payload it queued, for the dossier entry.

  /// The customer's confirmation: dunning paused, resolution expected by `expected_by`.
  std::string confirmation(const store::DisputeRecord& d, const std::string& to,
                           const std::string& language, const std::string& category_name,
                           const std::string& expected_by, domain::Instant now);
  /// Management is informed (number `ordinal` of the configured `inform` rules), not asked to act.
  std::string management_info(const store::DisputeRecord& d, std::size_t ordinal,
                              const std::string& to, domain::AssigneeKind to_kind,
                              domain::Instant now);
  /// The daily digest of `day` (YYYY-MM-DD, local) for `to` under digest rule number `ordinal`:
  /// one row per rule, recipient and day, keyed `digest:<day>:<ordinal>:<to>` (queued again, it is
  /// not written twice); `items` are that recipient's disputes of the day. About no single
  /// dispute, so no dossier entry; without a transport the row is recorded undeliverable.
  /// Returns false when the row existed already.
  bool management_digest(const std::string& day, std::size_t ordinal, const std::string& to,
                         domain::AssigneeKind to_kind, const nlohmann::json& items,
                         domain::Instant now);
  /// The date promised to the customer is near (`stage` "before") or has come ("due") with the
  /// dispute still open: a promise_due mail to `to` (number `ordinal` of the recipients), keyed
  /// `<ref>:<reopen count>:promise-<stage>-<date>-<ordinal>` (`date`: the promised local date).
  void promise_due(const store::DisputeRecord& d, const std::string& stage, const std::string& date,
                   std::size_t ordinal, const std::string& to, domain::AssigneeKind to_kind,
                   const nlohmann::json& open_steps, domain::Instant now);
  /// The customer hears how the dispute ended (resolved or withdrawn).
  std::string resolution_notice(const store::DisputeRecord& d, const std::string& to,
                                const std::string& language, domain::Instant now);
  /// After a resolution the customer is asked for feedback.
  std::string feedback_request(const store::DisputeRecord& d, const std::string& to,
                               const std::string& language, domain::Instant now);

  /// "<step title> — <dispute ref> (<customer>)": the one line a task is known by.
  static std::string task_summary(const std::string& step_title, const std::string& dispute_ref,
                                  const std::string& customer_name);
  /// `<server.public_url>/disputes/<ref>` (the dispute's page in the web app), or empty when no
  /// public URL is configured.
  std::string dispute_url(const std::string& dispute_ref) const;

 private:
  static constexpr int kMaxEscalationLevels = 5;  // the workflow schema's maxItems
  void enqueue(store::OutboxRecord& row, domain::Instant now);
  /// Everything a task's creation carries (the step's task, or an escalation level's own).
  sdk::kit::TaskPayload create_payload(const store::DisputeRecord& d, const store::StepRecord& s,
                                       const workflow::StepDef& def) const;
  nlohmann::json resolved_invoices_json(const store::DisputeRecord& d) const;
  void dispute_message(const store::DisputeRecord& d, const std::string& what,
                       const std::string& payload_json, domain::Instant now);
  /// Queues `row` (its facts in payload_json) as a message of `kind` to the instance that sends
  /// that kind; without one, recorded as undeliverable (state `undeliverable`, the reason in
  /// last_error) with a dossier entry.
  void message(const store::DisputeRecord& d, store::OutboxRecord& row, const std::string& kind,
               domain::Instant now);
  /// A message to the assignee of an internal step (`to`: a person, or a role whose members all
  /// get it), with the facts its templates need; `extra` adds or overrides facts.
  void step_message(const store::DisputeRecord& d, const store::StepRecord& s,
                    const workflow::StepDef* def, store::OutboxRecord& row, const std::string& kind,
                    const std::string& to, const nlohmann::json& extra, domain::Instant now);

  store::Store& store_;
  const workflow::Definitions& defs_;
};

}  // namespace disputed::engine
