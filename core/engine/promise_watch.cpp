#include "core/engine/promise_watch.hpp"

#include <nlohmann/json.hpp>

#include "core/store/promise_timers.hpp"

namespace disputed::engine {

using domain::Instant;
using nlohmann::json;

void PromiseWatch::schedule(const store::DisputeRecord& d, Instant now) {
  const auto& policy = ctx_.defs().notifications.promise;
  store::PromiseTimerStore timers(ctx_.store().db());
  timers.delete_unfired(d.id);
  if (!policy.enabled || !domain::holds_invoices(d.status)) return;
  if (policy.before_working_days > 0) {
    store::PromiseTimerRecord before;
    before.dispute_id = d.id;
    before.stage = "before";
    before.due_at = d.due_at;
    before.fire_at = ctx_.defs().calendar.shift_working_days(d.due_at, -policy.before_working_days);
    if (before.fire_at > now) timers.insert(before);
  }
  store::PromiseTimerRecord due;
  due.dispute_id = d.id;
  due.stage = "due";
  due.due_at = d.due_at;
  due.fire_at = d.due_at;
  timers.insert(due);
}

int PromiseWatch::tick(Instant now) {
  if (!ctx_.defs().notifications.promise.enabled) return 0;
  store::PromiseTimerStore timers(ctx_.store().db());
  int alerts = 0;
  for (;;) {
    auto due = timers.due(now, 500);
    if (due.empty()) break;
    for (const auto& t : due) {
      timers.mark_fired(t.id, now);
      auto d = ctx_.store().find_dispute(t.dispute_id);
      if (!d || !domain::holds_invoices(d->status)) continue;
      if (d->due_at != t.due_at) {
        // The promised date moved (a reopen, a wait for the customer): watch the new one.
        schedule(*d, now);
        continue;
      }
      alert(*d, t.stage, now);
      ++alerts;
    }
  }
  return alerts;
}

void PromiseWatch::alert(const store::DisputeRecord& d, const std::string& stage, Instant now) {
  const auto& defs = ctx_.defs();
  const auto& policy = defs.notifications.promise;
  json open_steps = json::array();
  for (const auto& s : ctx_.store().steps_of(d.id)) {
    if (s.status != domain::StepStatus::kOpen) continue;
    open_steps.push_back({{"title", s.title},
                          {"assignee", s.assignee},
                          {"deadline_at", domain::format_instant(s.deadline_at)}});
  }
  // Whom: the controller rules (else the person who registered the dispute), and at the date
  // management as well.
  std::vector<std::pair<std::string, domain::AssigneeKind>> recipients;
  auto add = [&](const workflow::AssigneeRule& rule) {
    domain::AssigneeKind kind;
    std::string who = ctx_.resolve_assignee(rule, d, kind);
    for (const auto& r : recipients)
      if (r.first == who) return;
    recipients.emplace_back(who, kind);
  };
  for (const auto& rule : policy.controller) add(rule);
  if (policy.controller.empty() && domain::looks_like_email(d.reported_by))
    add({domain::AssigneeKind::kPerson, d.reported_by});
  if (stage == "due")
    for (const auto& rule : policy.management) add(rule);

  const std::string date = domain::format_date(defs.calendar.local_date(d.due_at));
  json told = json::array();
  for (std::size_t i = 0; i < recipients.size(); ++i) {
    outbox_.promise_due(d, stage, date, i + 1, recipients[i].first, recipients[i].second,
                        open_steps, now);
    told.push_back(recipients[i].first);
  }
  std::string summary =
      stage == "due"
          ? "The date promised to the customer (" + date + ") has arrived; still open"
          : "The date promised to the customer (" + date + ") is " +
                std::to_string(policy.before_working_days) + " working day(s) away; still open";
  if (recipients.empty()) summary += " (nobody to alert: notifications.promise names no one)";
  ctx_.record(d, now, "disputed", "promise_due", summary,
              json{{"stage", stage},
                   {"due_at", domain::format_instant(d.due_at)},
                   {"alerted", told},
                   {"open_steps", open_steps.size()}}
                  .dump());
}

}  // namespace disputed::engine
