#include "core/app/commands/dispute_view.hpp"

#include <ostream>

#include "core/engine/views_json.hpp"

namespace disputed::app {

void print_dispute_line(std::ostream& out, const engine::DisputeRecord& d) {
  out << pad(d.ref, 12) << pad(std::string(to_string(d.status)), 12) << pad(d.category, 19)
      << pad(d.disputed_amount.to_string() + " " + d.currency, 16) << pad(d.customer_name, 24);
  for (std::size_t i = 0; i < d.invoices.size(); ++i)
    out << (i ? "," : "") << d.invoices[i].invoice_number;
  out << "\n";
}

void print_view(std::ostream& out, const workflow::Definitions& defs,
                const engine::DisputeView& v) {
  const auto& d = v.dispute;
  out << d.ref << "  " << to_string(d.status);
  if (d.resolution) out << " (" << to_string(*d.resolution) << ")";
  out << "\n";
  out << "  customer     " << d.customer_name << " (" << d.customer_id << ")\n";
  out << "  category     " << d.category << "\n";
  out << "  channel      " << to_string(d.channel) << ", registered by " << d.reported_by << " at "
      << local_time(defs, d.opened_at) << "\n";
  if (!d.contact_name.empty() || !d.contact_email.empty() || !d.contact_phone.empty())
    out << "  contact      " << d.contact_name << " " << d.contact_email << " " << d.contact_phone
        << "\n";
  out << "  description  " << d.description << "\n";
  out << "  disputed     " << d.disputed_amount.to_string() << " " << d.currency << " on";
  for (const auto& i : d.invoices)
    out << " " << i.invoice_number << " (" << i.disputed_amount.to_string() << ")";
  out << "\n";
  out << "  resolve by   " << local_time(defs, d.due_at) << " " << defs.calendar.time_zone()
      << "\n";
  if (!d.resolution_note.empty()) out << "  note         " << d.resolution_note << "\n";
  out << "  holds        ";
  if (v.active_holds.empty()) out << "none active";
  for (std::size_t i = 0; i < v.active_holds.size(); ++i)
    out << (i ? ", " : "") << v.active_holds[i].invoice_number << " since "
        << local_time(defs, v.active_holds[i].placed_at);
  out << "\n\nSteps:\n";
  for (const auto& s : v.steps) {
    out << "  " << pad("#" + std::to_string(s.id), 6) << pad(s.step_key, 24)
        << pad(std::string(to_string(s.status)), 11) << pad(s.assignee, 28) << "due "
        << local_time(defs, s.deadline_at);
    if (s.outcome) out << "  -> " << *s.outcome;
    if (s.completed_by && s.status == domain::StepStatus::kCompleted)
      out << " by " << *s.completed_by;
    if (s.escalated_to) out << "  [escalated to " << *s.escalated_to << "]";
    if (s.target != "internal") out << "  via " << s.target;
    out << "\n";
  }
  out << "\nTimeline:\n";
  for (const auto& e : v.dossier) {
    out << "  " << local_time(defs, e.at) << "  " << pad(e.kind, 22) << pad(e.actor, 22)
        << e.summary << "\n";
  }
}

int dispute_result(Context& ctx, const Engine& e, const domain::Result<engine::DisputeView>& r,
                   const std::string& verb) {
  if (!r) return fail(ctx, r.error());
  // Commands answer without the timeline; show the whole dispute as it now stands.
  auto full = e.disputes().show(r->dispute.ref);
  if (!full) return fail(ctx, full.error());
  if (ctx.json_output) {
    auto j = engine::to_json(full.value());
    if (r->already_applied) j["already_applied"] = true;
    print_json(ctx.out, j);
  } else {
    if (!verb.empty()) ctx.out << r->dispute.ref << " " << verb << "\n\n";
    print_view(ctx.out, e.definitions, full.value());
  }
  return kExitOk;
}

}  // namespace disputed::app
