#include "core/engine/step_flow.hpp"

#include <nlohmann/json.hpp>

#include "core/domain/text.hpp"

namespace disputed::engine {

using domain::DisputeStatus;
using domain::Error;
using domain::Instant;
using domain::StepStatus;
using nlohmann::json;

namespace {
std::string str(std::string_view v) { return std::string(v); }
}  // namespace

void StepFlow::open(store::DisputeRecord& d, const workflow::StepDef& def, Instant now,
                    const std::string& actor) {
  auto& store = ctx_.store();
  const auto& calendar = ctx_.defs().calendar;
  store::StepRecord s;
  s.dispute_id = d.id;
  s.step_key = def.id;
  s.title = def.title;
  s.assignee = ctx_.resolve_assignee(def.assignee, d, s.assignee_kind);
  s.target = def.target;
  s.task_key = d.ref + "-" + std::to_string(store.count_steps(d.id) + 1);
  s.status = StepStatus::kOpen;
  s.assigned_at = now;
  s.deadline_at = calendar.deadline_after(now, def.deadline_working_days);
  store.insert_step(s);

  int ordinal = 0;
  for (const auto& r : def.reminders) {
    store::TimerRecord t;
    t.step_id = s.id;
    t.kind = "reminder";
    t.ordinal = ++ordinal;
    t.fire_at = r.working_days_before == 0
                    ? s.deadline_at
                    : calendar.shift_working_days(s.deadline_at, -r.working_days_before);
    if (t.fire_at > now) store.insert_timer(t);
  }
  // One timer per escalation level, its ordinal the level (1, 2, ...).
  for (std::size_t k = 0; k < def.escalations.size(); ++k) {
    store::TimerRecord t;
    t.step_id = s.id;
    t.kind = "escalation";
    t.ordinal = int(k + 1);
    t.fire_at =
        calendar.shift_working_days(s.deadline_at, def.escalations[k].after_overdue_working_days);
    store.insert_timer(t);
  }

  json payload = {{"step_id", s.id},
                  {"step", def.id},
                  {"title", def.title},
                  {"assignee", s.assignee},
                  {"assignee_kind", str(to_string(s.assignee_kind))},
                  {"target", s.target},
                  {"task_key", s.task_key},
                  {"deadline_at", domain::format_instant(s.deadline_at)}};
  ctx_.record(d, now, actor, "step_assigned",
              "Step '" + def.title + "' assigned to " + s.assignee + ", due " +
                  calendar.format_local(s.deadline_at, true),
              payload.dump());
  outbox_.step_assigned(d, s, def, now);
}

void StepFlow::cancel_open(store::DisputeRecord& d, const std::string& reason, Instant now,
                           const std::string& actor) {
  auto& store = ctx_.store();
  for (auto& s : store.steps_of(d.id)) {
    if (s.status != StepStatus::kOpen) continue;
    s.status = StepStatus::kCancelled;
    s.completed_at = now;
    s.completed_by = actor;
    s.comment = reason;
    store.update_step(s);
    store.delete_timers_of_step(s.id);
    outbox_.escalation_tasks_closed(d, s, reason, "", now);
    ctx_.record(d, now, actor, "step_cancelled", "Step '" + s.title + "' cancelled: " + reason,
                json{{"step_id", s.id}, {"step", s.step_key}, {"task_key", s.task_key}}.dump());
    outbox_.step_cancelled(d, s, reason, now);
  }
}

Result<StepCompletion> StepFlow::complete(const CompleteStepRequest& req) {
  auto& store = ctx_.store();
  const auto& calendar = ctx_.defs().calendar;
  Instant now = req.completed_at.value_or(ctx_.clock().now());
  auto d = ctx_.find(req.dispute);
  if (!d) return Error::not_found("dispute " + req.dispute + " not found");
  std::optional<store::StepRecord> step;
  for (const auto& s : store.steps_of(d->id)) {
    bool match = all_digits(req.step) ? std::to_string(s.id) == req.step
                                      : (s.step_key == req.step || s.task_key == req.step);
    // Prefer the open instance of a step key that ran more than once.
    if (match && (!step || s.status == StepStatus::kOpen)) step = s;
  }
  if (!step) return Error::not_found("dispute " + d->ref + " has no step '" + req.step + "'");
  if (step->status != StepStatus::kOpen) {
    if (req.source == CompletionSource::kConnector && step->status == StepStatus::kCompleted &&
        step->outcome == req.outcome)
      return StepCompletion{*d, nullptr, now, true};
    return Error::conflict(
        "step '" + step->step_key + "' of " + d->ref + " is not open (it is " +
        str(to_string(step->status)) +
        (step->completed_at ? " since " + calendar.format_local(*step->completed_at) : "") + ")");
  }
  if (!domain::holds_invoices(d->status))
    return Error::conflict("dispute " + d->ref + " is " + str(to_string(d->status)));

  const auto& wf = ctx_.snapshots().of(*d);
  const workflow::StepDef* def = wf.step(step->step_key);
  if (!def)
    return Error::internal("step '" + step->step_key + "' missing from the workflow snapshot");
  const workflow::Transition* transition = nullptr;
  if (req.outcome) {
    transition = def->outcome(*req.outcome);
  } else if (def->outcomes.size() == 1) {
    transition = &def->outcomes.front();
  }
  if (!transition) {
    std::vector<std::string> names;
    for (const auto& o : def->outcomes) names.push_back(o.outcome);
    return Error::invalid(req.outcome
                              ? "unknown outcome '" + *req.outcome + "' for step '" + def->id + "'"
                              : "step '" + def->id + "' needs an outcome",
                          "outcome", "one of: " + domain::join(names));
  }

  step->status = StepStatus::kCompleted;
  step->completed_at = now;
  step->completed_by = req.actor;
  step->outcome = transition->outcome;
  step->comment = req.comment;
  store.update_step(*step);
  store.delete_timers_of_step(step->id);
  int late_days = calendar.working_days_between(step->deadline_at, now);
  bool on_time = now <= step->deadline_at;
  json completed{{"step_id", step->id},
                 {"step", step->step_key},
                 {"outcome", transition->outcome},
                 {"comment", req.comment},
                 {"on_time", on_time},
                 {"late_working_days", late_days},
                 {"duration_seconds", (now - step->assigned_at).count()},
                 {"source", req.source == CompletionSource::kConnector ? "connector" : "person"}};
  if (!req.channel.empty()) completed["channel"] = req.channel;
  ctx_.record(*d, now, req.actor, "step_completed",
              "Step '" + step->title + "' completed by " + req.actor +
                  (req.channel.empty() ? "" : " (" + req.channel + ")") + ": " +
                  transition->outcome + (req.comment.empty() ? "" : " — " + req.comment),
              completed.dump(), domain::Direction::kInternal, req.channel);
  // Completed in disputed, or in the system through an escalation level's own task: close the
  // step's task so nobody works on it any more (a completion from the task itself needs no echo).
  const bool via_own_task = req.via_task_key.empty() || req.via_task_key == step->task_key;
  if (req.source == CompletionSource::kPerson || !via_own_task)
    outbox_.step_completed(*d, *step, now);
  outbox_.escalation_tasks_closed(*d, *step, "completed by " + req.actor, req.via_task_key, now);

  if (d->status == DisputeStatus::kOpen) {
    d->status = DisputeStatus::kInProgress;
    d->updated_at = now;
    store.update_dispute(*d);
  }
  StepCompletion done{*d, nullptr, now, false};
  if (const auto* next = wf.step(transition->next))
    open(done.dispute, *next, now, req.actor);
  else
    done.end = wf.end(transition->next);
  return done;
}

TickReport StepFlow::tick() {
  TickReport report;
  Instant now = ctx_.clock().now();
  for (;;) {
    auto due = ctx_.store().due_timers(now, 500);
    if (due.empty()) break;
    for (const auto& t : due) fire(t, now, report);
  }
  return report;
}

void StepFlow::fire(const store::TimerRecord& t, Instant now, TickReport& report) {
  auto& store = ctx_.store();
  const auto& calendar = ctx_.defs().calendar;
  store.mark_timer_fired(t.id, now);
  auto step = store.find_step(t.step_id);
  if (!step || step->status != StepStatus::kOpen) {
    ++report.skipped;
    return;
  }
  auto d = store.find_dispute(step->dispute_id);
  const auto& wf = ctx_.snapshots().of(*d);

  if (t.kind == "reminder") {
    ++report.reminders;
    bool at_deadline = now >= step->deadline_at;
    std::string text = at_deadline ? "Reminder: '" + step->title + "' is due now"
                                   : "Reminder: '" + step->title + "' is due " +
                                         calendar.format_local(step->deadline_at, true);
    ctx_.record(
        *d, now, "disputed", "reminder", text + " (" + step->assignee + ")",
        json{{"step_id", step->id}, {"ordinal", t.ordinal}, {"assignee", step->assignee}}.dump(),
        domain::Direction::kOutbound, step->target == "internal" ? "email" : step->target);
    outbox_.reminder(*d, *step, t.ordinal, text, now, wf.step(step->step_key));
    return;
  }

  escalate(t, *d, *step, wf.step(step->step_key), now);
  ++report.escalations;
}

// One escalation level: the step is overdue; the level's target gets one action in their
// channel (their own task, the step moved to them, or a mail), the step shows in their to-do
// list, and the dossier says so. The timer fired in this same transaction, so the level acts
// once, also across restarts; the outbox row's key makes a repeated delivery idempotent.
void StepFlow::escalate(const store::TimerRecord& t, store::DisputeRecord& d,
                        store::StepRecord& step, const workflow::StepDef* def, Instant now) {
  const auto& calendar = ctx_.defs().calendar;
  const int level = std::max(1, t.ordinal);  // timers from before levels had ordinal 0
  const workflow::Escalation* rule =
      def && level <= int(def->escalations.size()) ? &def->escalations[level - 1] : nullptr;
  domain::AssigneeKind kind = domain::AssigneeKind::kPerson;
  std::string to = rule ? ctx_.resolve_assignee(rule->to, d, kind) : d.reported_by;
  const auto channel = rule ? rule->effective_channel(step.target)
                            : workflow::Escalation{}.effective_channel(step.target);
  int overdue = calendar.working_days_between(step.deadline_at, now);
  const std::string previous = step.assignee;
  step.escalated_at = now;
  step.escalated_to = to;
  if (channel == workflow::EscalationChannel::kReassign) {
    step.assignee = to;
    step.assignee_kind = kind;
  }
  ctx_.store().update_step(step);
  std::string how = channel == workflow::EscalationChannel::kReassign ? "the step moved to them"
                    : channel == workflow::EscalationChannel::kEmail
                        ? "by mail"
                        : (step.target == "internal" ? "in the to-do list"
                                                     : "a task of their own in " + step.target);
  std::string text = "Escalated to " + to + " (level " + std::to_string(level) + ", " + how +
                     "): '" + step.title + "' assigned to " + previous + " is " +
                     std::to_string(overdue) + " working day(s) overdue";
  ctx_.record(d, now, "disputed", "escalation", text,
              json{{"step_id", step.id},
                   {"level", level},
                   {"channel", str(workflow::to_string(channel))},
                   {"escalated_to", to},
                   {"escalated_to_kind", str(to_string(kind))},
                   {"previous_assignee", previous},
                   {"overdue_working_days", overdue},
                   {"sla_breach", true}}
                  .dump());
  outbox_.escalation(d, step, {level, channel, to, kind}, text, now, def);
}

}  // namespace disputed::engine
