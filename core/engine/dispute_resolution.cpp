#include "core/engine/dispute_resolution.hpp"

#include "core/engine/promise_watch.hpp"

#include <nlohmann/json.hpp>

#include "core/domain/text.hpp"

namespace disputed::engine {

using domain::Direction;
using domain::DisputeStatus;
using domain::Error;
using domain::Instant;
using domain::Resolution;
using nlohmann::json;

namespace {
std::string str(std::string_view v) { return std::string(v); }
}  // namespace

void DisputeResolution::finish(store::DisputeRecord& d, DisputeStatus status, Resolution resolution,
                               const std::string& note, Instant now, const std::string& actor) {
  bool withdrawn = status == DisputeStatus::kWithdrawn;
  steps_.cancel_open(d, withdrawn ? "dispute withdrawn" : "dispute resolved", now, actor);
  d.status = status;
  d.resolution = resolution;
  d.resolution_note = note;
  d.resolved_at = now;
  d.updated_at = now;
  ctx_.store().update_dispute(d);
  bool sla_met = now <= d.due_at;
  int working_days = ctx_.defs().calendar.working_days_between(d.opened_at, now);
  ctx_.record(d, now, actor, withdrawn ? "withdrawn" : "resolved",
              std::string(withdrawn ? "Withdrawn" : "Resolved") + ": " +
                  str(to_string(resolution)) + (note.empty() ? "" : " — " + note),
              json{{"resolution", str(to_string(resolution))},
                   {"note", note},
                   {"sla_met", sla_met},
                   {"lead_time_working_days", working_days},
                   {"due_at", domain::format_instant(d.due_at)}}
                  .dump());
  holds_.release(d, resolution, now, actor);

  auto inv = d.invoices.empty() ? std::nullopt
                                : ctx_.store().find_invoice(d.invoices.front().invoice_number);
  std::string to =
      !d.contact_email.empty() ? d.contact_email : (inv ? inv->invoice.customer.email : "");
  if (to.empty()) return;
  std::string language = inv ? inv->invoice.customer.language : "en";
  ctx_.record(d, now, actor, "customer_notified", "Resolution notice queued to " + to,
              outbox_.resolution_notice(d, to, language, now), Direction::kOutbound, "email");
  if (ctx_.defs().notifications.feedback_request && status == DisputeStatus::kResolved)
    ctx_.record(d, now, actor, "feedback_requested", "Feedback request queued to " + to,
                outbox_.feedback_request(d, to, language, now), Direction::kOutbound, "email");
}

Result<store::DisputeRecord> DisputeResolution::resolve(const std::string& dispute,
                                                        Resolution resolution,
                                                        const std::string& note,
                                                        const std::string& actor) {
  auto d = ctx_.find(dispute);
  if (!d) return Error::not_found("dispute " + dispute + " not found");
  if (!domain::holds_invoices(d->status))
    return Error::conflict("dispute " + d->ref + " is already " + str(to_string(d->status)) +
                           (d->resolution ? " (" + str(to_string(*d->resolution)) + ")" : ""));
  if (resolution == Resolution::kWithdrawn)
    return Error::invalid("use withdraw for a dispute the customer withdraws", "resolution",
                          "one of: credit_note, corrected_invoice, rejected");
  finish(*d, DisputeStatus::kResolved, resolution, note, ctx_.clock().now(), actor);
  return *d;
}

Result<store::DisputeRecord> DisputeResolution::withdraw(const std::string& dispute,
                                                         const std::string& note,
                                                         const std::string& actor) {
  auto d = ctx_.find(dispute);
  if (!d) return Error::not_found("dispute " + dispute + " not found");
  if (!domain::holds_invoices(d->status))
    return Error::conflict("dispute " + d->ref + " is already " + str(to_string(d->status)));
  finish(*d, DisputeStatus::kWithdrawn, Resolution::kWithdrawn, note, ctx_.clock().now(), actor);
  return *d;
}

Result<store::DisputeRecord> DisputeResolution::reopen(const std::string& dispute,
                                                       const std::string& reason,
                                                       const std::optional<std::string>& from_step,
                                                       const std::string& actor) {
  auto d = ctx_.find(dispute);
  if (!d) return Error::not_found("dispute " + dispute + " not found");
  if (domain::holds_invoices(d->status))
    return Error::conflict("dispute " + d->ref + " is " + str(to_string(d->status)) +
                           ", not resolved, withdrawn or closed");
  if (reason.empty())
    return Error::invalid("a reason is required to reopen a dispute", "reason", "is required");
  const auto& wf = ctx_.snapshots().of(*d);
  const workflow::StepDef* start = wf.step(from_step.value_or(wf.start));
  if (!start) {
    return Error::invalid("workflow " + wf.id + " has no step '" + *from_step + "'", "step",
                          "one of: " + domain::join_keys(wf.steps));
  }
  Instant now = ctx_.clock().now();
  std::string previous = str(to_string(d->status));
  d->status = DisputeStatus::kInProgress;
  d->reopen_count += 1;
  d->resolution.reset();
  d->resolution_note.clear();
  d->resolved_at.reset();
  d->closed_at.reset();
  d->updated_at = now;
  if (const auto* category = ctx_.defs().category(d->category))
    d->due_at = ctx_.defs().calendar.deadline_after(now, category->max_resolution_working_days);
  ctx_.store().update_dispute(*d);
  PromiseWatch(ctx_, outbox_).schedule(*d, now);
  ctx_.record(*d, now, actor, "reopened", "Reopened (was " + previous + "): " + reason,
              json{{"reason", reason},
                   {"previous_status", previous},
                   {"restart_step", start->id},
                   {"reopen_count", d->reopen_count}}
                  .dump());
  for (const auto& di : d->invoices) {
    store::CollectionEvent e;
    e.at = now;
    e.kind = "dispute_reopened";
    e.invoice_number = di.invoice_number;
    e.dispute_ref = d->ref;
    ctx_.store().append_collection_event(e);
  }
  holds_.place(*d, now, actor);
  steps_.open(*d, *start, now, actor);
  return *d;
}

Result<store::DisputeRecord> DisputeResolution::close(const std::string& dispute,
                                                      const std::string& actor) {
  auto d = ctx_.find(dispute);
  if (!d) return Error::not_found("dispute " + dispute + " not found");
  if (d->status != DisputeStatus::kResolved && d->status != DisputeStatus::kWithdrawn)
    return Error::conflict("only a resolved or withdrawn dispute can be closed; " + d->ref +
                           " is " + str(to_string(d->status)));
  Instant now = ctx_.clock().now();
  d->status = DisputeStatus::kClosed;
  d->closed_at = now;
  d->updated_at = now;
  ctx_.store().update_dispute(*d);
  ctx_.record(*d, now, actor, "closed", "Closed", "{}");
  return *d;
}

}  // namespace disputed::engine
