#include "core/engine/views_json.hpp"

namespace disputed::engine {

using nlohmann::json;

namespace {
json opt_instant(const std::optional<domain::Instant>& t) {
  return t ? json(domain::format_instant(*t)) : json(nullptr);
}
json opt_text(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }
json payload(const std::string& text) {
  json p = json::parse(text, nullptr, false);
  return p.is_discarded() ? json(text) : p;
}
}  // namespace

json to_json(const store::DisputeRecord& d) {
  json invoices = json::array();
  for (const auto& i : d.invoices)
    invoices.push_back(
        {{"number", i.invoice_number}, {"disputed_amount", i.disputed_amount.to_string()}});
  return {
      {"id", d.id},
      {"ref", d.ref},
      {"category", d.category},
      {"status", std::string(to_string(d.status))},
      {"channel", std::string(to_string(d.channel))},
      {"description", d.description},
      {"reported_by", d.reported_by},
      {"contact",
       {{"name", d.contact_name}, {"email", d.contact_email}, {"phone", d.contact_phone}}},
      {"customer", {{"id", d.customer_id}, {"name", d.customer_name}}},
      {"currency", d.currency},
      {"disputed_amount", d.disputed_amount.to_string()},
      {"invoices", invoices},
      {"opened_at", domain::format_instant(d.opened_at)},
      {"due_at", domain::format_instant(d.due_at)},
      {"resolved_at", opt_instant(d.resolved_at)},
      {"resolution", d.resolution ? json(std::string(to_string(*d.resolution))) : json(nullptr)},
      {"resolution_note", d.resolution_note},
      {"closed_at", opt_instant(d.closed_at)},
      {"reopen_count", d.reopen_count},
      {"updated_at", domain::format_instant(d.updated_at)}};
}

namespace {
/// Where the step's external task stands, as disputed knows it: null for internal steps;
/// "pending" until the connector has created it, then the step's own status.
json external_status(const store::StepRecord& s) {
  if (s.target == "internal") return nullptr;
  if (s.status == domain::StepStatus::kOpen) return s.external_ref ? "open" : "pending";
  return std::string(to_string(s.status));
}
}  // namespace

json to_json(const store::StepRecord& s) {
  return {{"id", s.id},
          {"step", s.step_key},
          {"title", s.title},
          {"assignee", s.assignee},
          {"assignee_kind", std::string(to_string(s.assignee_kind))},
          {"target", s.target},
          {"task_key", s.task_key},
          {"status", std::string(to_string(s.status))},
          {"assigned_at", domain::format_instant(s.assigned_at)},
          {"deadline_at", domain::format_instant(s.deadline_at)},
          {"completed_at", opt_instant(s.completed_at)},
          {"completed_by", opt_text(s.completed_by)},
          {"outcome", opt_text(s.outcome)},
          {"comment", opt_text(s.comment)},
          {"escalated_at", opt_instant(s.escalated_at)},
          {"escalated_to", opt_text(s.escalated_to)},
          {"external_ref", opt_text(s.external_ref)},
          {"external_url", opt_text(s.external_url)},
          {"external_status", external_status(s)}};
}

json to_json(const store::HoldRecord& h) {
  return {{"invoice", h.invoice_number},
          {"dispute", h.dispute_ref},
          {"placed_at", domain::format_instant(h.placed_at)},
          {"released_at", opt_instant(h.released_at)},
          {"release_reason", opt_text(h.release_reason)},
          {"new_due_date",
           h.new_due_date ? json(domain::format_date(*h.new_due_date)) : json(nullptr)}};
}

json to_json(const store::DossierEntry& e) {
  return {{"id", e.id},
          {"at", domain::format_instant(e.at)},
          {"actor", e.actor},
          {"kind", e.kind},
          {"channel", e.channel.empty() ? json(nullptr) : json(e.channel)},
          {"direction", std::string(to_string(e.direction))},
          {"summary", e.summary},
          {"payload", payload(e.payload_json)}};
}

json to_json(const store::CollectionEvent& e) {
  return {{"seq", e.seq},
          {"at", domain::format_instant(e.at)},
          {"kind", e.kind},
          {"invoice", e.invoice_number},
          {"dispute", e.dispute_ref},
          {"due_date", e.due_date ? json(domain::format_date(*e.due_date)) : json(nullptr)},
          {"payload", payload(e.payload_json)}};
}

json to_json(const DisputeView& v) {
  json out = to_json(v.dispute);
  out["steps"] = json::array();
  for (const auto& s : v.steps) out["steps"].push_back(to_json(s));
  out["active_holds"] = json::array();
  for (const auto& h : v.active_holds) out["active_holds"].push_back(to_json(h));
  out["timeline"] = json::array();
  for (const auto& e : v.dossier) out["timeline"].push_back(to_json(e));
  if (v.already_applied) out["already_applied"] = true;
  return out;
}

json to_json(const InvoiceState& s) {
  const auto& inv = s.invoice.invoice;
  json out = {{"number", inv.number},
              {"customer",
               {{"id", inv.customer.id},
                {"name", inv.customer.name},
                {"email", inv.customer.email},
                {"language", inv.customer.language}}},
              {"amount", inv.amount.to_string()},
              {"currency", inv.currency},
              {"issue_date", domain::format_date(inv.issue_date)},
              {"due_date", domain::format_date(inv.due_date)},
              {"original_due_date", domain::format_date(s.invoice.original_due_date)},
              {"account_manager", inv.account_manager},
              {"collectable", s.collectable},
              {"on_hold_for", json::array()},
              {"hold_history", json::array()}};
  for (const auto& h : s.active_holds) out["on_hold_for"].push_back(to_json(h));
  for (const auto& h : s.history) out["hold_history"].push_back(to_json(h));
  return out;
}

json to_json(const Task& t) {
  json out = to_json(t.step);
  out["dispute"] = t.dispute_ref;
  out["customer"] = t.customer_name;
  out["category"] = t.category;
  out["disputed_amount"] = t.disputed_amount.to_string();
  out["currency"] = t.currency;
  out["outcomes"] = t.outcomes;
  out["overdue"] = t.overdue;
  return out;
}

json to_json(const ImportReport& r) {
  json rejected = json::array();
  for (const auto& row : r.rejected) {
    json problems = json::array();
    for (const auto& p : row.problems)
      problems.push_back({{"field", p.field}, {"problem", p.problem}});
    rejected.push_back({{"where", row.where}, {"number", row.number}, {"problems", problems}});
  }
  return {{"created", r.created}, {"updated", r.updated}, {"rejected", rejected}};
}

json to_json(const TickReport& r) {
  return {{"reminders", r.reminders},
          {"escalations", r.escalations},
          {"skipped", r.skipped},
          {"promises", r.promises}};
}

json to_json(const domain::Error& e) {
  json details = json::array();
  for (const auto& d : e.details) details.push_back({{"field", d.field}, {"problem", d.problem}});
  return {{"error",
           {{"code", domain::to_string(e.code)}, {"message", e.message}, {"details", details}}}};
}

json to_json(const ConnectorState& c) {
  auto instant = [](const std::optional<domain::Instant>& t) {
    return t ? json(domain::format_instant(*t)) : json(nullptr);
  };
  return {{"name", c.name},
          {"plugin", c.plugin},
          {"state", c.state},
          {"last_poll_at", instant(c.last_poll_at)},
          {"last_apply_at", instant(c.last_apply_at)},
          {"last_error", c.last_error ? json(*c.last_error) : json(nullptr)},
          {"applied", c.applied},
          {"events", c.events},
          {"retries", c.retries},
          {"pending", c.pending},
          {"dead_letters", c.dead_letters}};
}

json to_json(const DeadLetter& d) {
  // The payload as the engine wrote it; null in the (corrupt-row) case it is not JSON.
  json payload = json::parse(d.payload_json, nullptr, false);
  if (payload.is_discarded()) payload = nullptr;
  return {{"id", d.id},
          {"action_key", d.action_key},
          {"instance", d.instance},
          {"kind", d.kind},
          {"task_key", d.task_key ? json(*d.task_key) : json(nullptr)},
          {"attempts", d.attempts},
          {"last_error", d.last_error ? json(*d.last_error) : json(nullptr)},
          {"created_at", domain::format_instant(d.created_at)},
          {"payload", std::move(payload)}};
}

json to_json(const ApiKeyRecord& k) {
  auto instant = [](const std::optional<domain::Instant>& t) {
    return t ? json(domain::format_instant(*t)) : json(nullptr);
  };
  return {{"name", k.name},
          {"role", k.role},
          {"key_prefix", k.key_prefix},
          {"created_at", domain::format_instant(k.created_at)},
          {"last_used_at", instant(k.last_used_at)},
          {"revoked_at", instant(k.revoked_at)}};
}

}  // namespace disputed::engine
