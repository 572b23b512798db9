#include "core/engine/dispute_service.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/domain/text.hpp"
#include "core/store/sqlite.hpp"

namespace disputed::engine {

using domain::Channel;
using domain::Decimal;
using domain::Direction;
using domain::DisputeStatus;
using domain::Error;
using domain::Instant;
using domain::Resolution;
using domain::StepStatus;
using nlohmann::json;

namespace {

std::string str(std::string_view v) { return std::string(v); }

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

json invoices_json(const store::DisputeRecord& d) {
  json out = json::array();
  for (const auto& i : d.invoices)
    out.push_back(
        {{"number", i.invoice_number}, {"disputed_amount", i.disputed_amount.to_string()}});
  return out;
}

}  // namespace

DisputeService::DisputeService(store::Database& db, const workflow::Definitions& definitions,
                               const domain::Clock& clock)
    : store_(db), defs_(definitions), clock_(clock) {}

template <class T, class F>
Result<T> DisputeService::in_transaction(F&& command) {
  try {
    store::Transaction tx(store_.db());
    Result<T> result = command();
    if (result.ok()) tx.commit();
    return result;
  } catch (const store::SqliteError& e) {
    return Error::internal(std::string("storage error: ") + e.what());
  } catch (const std::exception& e) {
    // A corrupt snapshot or row: the transaction rolled back; report instead of crashing.
    return Error::internal(e.what());
  }
}

void DisputeService::batch(const std::function<void()>& body) {
  store::Transaction tx(store_.db());
  body();
  tx.commit();
}

// ---------------------------------------------------------------- helpers

std::optional<store::DisputeRecord> DisputeService::find(const std::string& dispute) {
  if (all_digits(dispute)) return store_.find_dispute(std::stoll(dispute));
  return store_.find_dispute_by_ref(dispute);
}

const workflow::WorkflowDef& DisputeService::workflow_of(const store::DisputeRecord& d) {
  auto it = snapshot_cache_.find(d.workflow_hash);
  if (it != snapshot_cache_.end()) return it->second;
  auto text = store_.workflow_snapshot(d.workflow_hash);
  if (!text)
    throw std::runtime_error("workflow snapshot " + d.workflow_hash + " missing for " + d.ref);
  auto def =
      workflow::WorkflowDef::from_json(json::parse(*text), "workflow snapshot " + d.workflow_hash);
  return snapshot_cache_.emplace(d.workflow_hash, std::move(def)).first->second;
}

const DisputeService::Snapshot& DisputeService::current_snapshot(const workflow::WorkflowDef& wf) {
  auto it = current_snapshots_.find(wf.id);
  if (it == current_snapshots_.end())
    it = current_snapshots_.emplace(wf.id, Snapshot{wf.hash(), wf.to_json().dump()}).first;
  return it->second;
}

store::DossierEntry DisputeService::record(const store::DisputeRecord& d, Instant at,
                                           const std::string& actor, const std::string& kind,
                                           const std::string& summary,
                                           const std::string& payload_json, Direction direction,
                                           const std::string& channel) {
  store::DossierEntry e;
  e.dispute_id = d.id;
  e.at = at;
  e.actor = actor;
  e.kind = kind;
  e.channel = channel;
  e.direction = direction;
  e.summary = summary;
  e.payload_json = payload_json;
  store_.append_dossier(e);
  return e;
}

void DisputeService::notify(const store::DisputeRecord& d, const std::string& key_suffix,
                            const std::string& payload_json, Instant now) {
  store::OutboxRecord row;
  row.action_key = d.ref + ":" + std::to_string(d.reopen_count) + ":" + key_suffix;
  row.target = "notify";
  row.kind = "notify";
  row.dispute_id = d.id;
  row.payload_json = payload_json;
  row.created_at = now;
  row.next_attempt_at = now;
  store_.enqueue(row);
}

std::string DisputeService::resolve_assignee(const workflow::AssigneeRule& rule,
                                             const store::DisputeRecord& d,
                                             domain::AssigneeKind& kind) {
  kind = rule.kind;
  if (rule.kind != domain::AssigneeKind::kAccountManager) return rule.value;
  for (const auto& di : d.invoices) {
    auto inv = store_.find_invoice(di.invoice_number);
    if (inv && !inv->invoice.account_manager.empty()) return inv->invoice.account_manager;
  }
  // No account manager on any invoice: the person who registered the dispute keeps it.
  kind = domain::AssigneeKind::kPerson;
  return d.reported_by;
}

void DisputeService::open_step(store::DisputeRecord& d, const workflow::StepDef& def, Instant now,
                               const std::string& actor) {
  store::StepRecord s;
  s.dispute_id = d.id;
  s.step_key = def.id;
  s.title = def.title;
  s.assignee = resolve_assignee(def.assignee, d, s.assignee_kind);
  s.target = def.target;
  s.task_key = d.ref + "-" + std::to_string(store_.count_steps(d.id) + 1);
  s.status = StepStatus::kOpen;
  s.assigned_at = now;
  s.deadline_at = defs_.calendar.deadline_after(now, def.deadline_working_days);
  store_.insert_step(s);

  int ordinal = 0;
  for (const auto& r : def.reminders) {
    store::TimerRecord t;
    t.step_id = s.id;
    t.kind = "reminder";
    t.ordinal = ++ordinal;
    t.fire_at = r.working_days_before == 0
                    ? s.deadline_at
                    : defs_.calendar.shift_working_days(s.deadline_at, -r.working_days_before);
    if (t.fire_at > now) store_.insert_timer(t);
  }
  if (def.escalation) {
    store::TimerRecord t;
    t.step_id = s.id;
    t.kind = "escalation";
    t.fire_at = defs_.calendar.shift_working_days(s.deadline_at,
                                                  def.escalation->after_overdue_working_days);
    store_.insert_timer(t);
  }

  json payload = {{"step_id", s.id},
                  {"step", def.id},
                  {"title", def.title},
                  {"assignee", s.assignee},
                  {"assignee_kind", str(to_string(s.assignee_kind))},
                  {"target", s.target},
                  {"task_key", s.task_key},
                  {"deadline_at", domain::format_instant(s.deadline_at)}};
  record(d, now, actor, "step_assigned",
         "Step '" + def.title + "' assigned to " + s.assignee + ", due " +
             defs_.calendar.format_local(s.deadline_at, true),
         payload.dump());

  json task = {
      {"task_key", s.task_key},
      {"dispute", d.ref},
      {"step", def.id},
      {"subject", def.title + " — " + d.ref + " (" + d.customer_name + ")"},
      {"instructions", def.instructions},
      {"assignee", s.assignee},
      {"assignee_kind", str(to_string(s.assignee_kind))},
      {"deadline_at", domain::format_instant(s.deadline_at)},
      {"deadline_local_date", domain::format_date(defs_.calendar.local_date(s.deadline_at))},
      {"time_zone", defs_.calendar.time_zone()},
      {"outcomes", json::array()},
      {"category", d.category},
      {"customer", {{"id", d.customer_id}, {"name", d.customer_name}}},
      {"description", d.description},
      {"currency", d.currency},
      {"disputed_amount", d.disputed_amount.to_string()},
      {"invoices", invoices_json(d)}};
  for (const auto& o : def.outcomes) task["outcomes"].push_back(o.outcome);
  if (!defs_.public_url.empty())
    task["dispute_url"] = defs_.public_url + "/api/v1/disputes/" + d.ref;
  if (s.assignee_kind == domain::AssigneeKind::kRole)
    if (const auto* role = defs_.role(s.assignee)) task["assignee_members"] = role->members;

  store::OutboxRecord row;
  row.dispute_id = d.id;
  row.step_id = s.id;
  row.task_key = s.task_key;
  row.created_at = now;
  row.next_attempt_at = now;
  if (s.target == "internal") {
    row.action_key = s.task_key + ":assigned";
    row.target = "notify";
    row.kind = "notify";
    task["template"] = "task_assigned";
    task["to"] = s.assignee;
  } else {
    row.action_key = s.task_key + ":create";
    row.target = s.target;
    row.kind = "create";
  }
  row.payload_json = task.dump();
  store_.enqueue(row);
}

void DisputeService::cancel_open_steps(store::DisputeRecord& d, const std::string& reason,
                                       Instant now, const std::string& actor) {
  for (auto& s : store_.steps_of(d.id)) {
    if (s.status != StepStatus::kOpen) continue;
    s.status = StepStatus::kCancelled;
    s.completed_at = now;
    s.completed_by = actor;
    s.comment = reason;
    store_.update_step(s);
    store_.delete_timers_of_step(s.id);
    record(d, now, actor, "step_cancelled", "Step '" + s.title + "' cancelled: " + reason,
           json{{"step_id", s.id}, {"step", s.step_key}, {"task_key", s.task_key}}.dump());
    if (s.target != "internal") {
      store::OutboxRecord row;
      row.action_key = s.task_key + ":cancel";
      row.target = s.target;
      row.kind = "cancel";
      row.dispute_id = d.id;
      row.step_id = s.id;
      row.task_key = s.task_key;
      row.payload_json =
          json{{"task_key", s.task_key}, {"dispute", d.ref}, {"reason", reason}}.dump();
      row.created_at = now;
      row.next_attempt_at = now;
      store_.enqueue(row);
    }
  }
}

void DisputeService::place_holds(store::DisputeRecord& d, Instant now, const std::string& actor) {
  for (const auto& di : d.invoices) {
    bool already = !store_.active_holds_of_invoice(di.invoice_number).empty();
    store::HoldRecord h;
    h.invoice_number = di.invoice_number;
    h.dispute_id = d.id;
    h.placed_at = now;
    store_.insert_hold(h);
    store::CollectionEvent e;
    e.at = now;
    e.kind = "hold_placed";
    e.invoice_number = di.invoice_number;
    e.dispute_ref = d.ref;
    e.payload_json =
        json{{"already_on_hold", already}, {"disputed_amount", di.disputed_amount.to_string()}}
            .dump();
    store_.append_collection_event(e);
    record(d, now, actor, "hold_placed",
           "Dunning of invoice " + di.invoice_number + " paused" +
               (already ? " (already on hold for another dispute)" : ""),
           json{{"invoice", di.invoice_number}, {"hold_id", h.id}}.dump());
  }
}

void DisputeService::release_holds(store::DisputeRecord& d, Resolution resolution, Instant now,
                                   const std::string& actor) {
  const auto& policy = defs_.dunning.for_resolution(resolution);
  domain::Date release_day = defs_.calendar.local_date(now);
  domain::Date due = domain::add_days(release_day, policy.days_after_release);
  if (policy.roll_to_working_day) due = defs_.calendar.add_working_days(due, 0);
  std::string reason =
      "dispute " + str(to_string(d.status)) + " (" + str(to_string(resolution)) + ")";

  for (const auto& h : store_.active_holds_of_dispute(d.id)) {
    bool last = store_.active_holds_of_invoice(h.invoice_number).size() == 1;
    std::optional<domain::Date> new_due = last ? std::optional(due) : std::nullopt;
    store_.release_hold(h.id, now, reason, new_due);
    store::CollectionEvent info;
    info.at = now;
    info.kind = d.status == DisputeStatus::kWithdrawn ? "dispute_withdrawn" : "dispute_resolved";
    info.invoice_number = h.invoice_number;
    info.dispute_ref = d.ref;
    info.payload_json =
        json{{"resolution", str(to_string(resolution))}, {"still_on_hold", !last}}.dump();
    store_.append_collection_event(info);
    if (last) {
      store_.set_invoice_due_date(h.invoice_number, due, now);
      store::CollectionEvent e;
      e.at = now;
      e.kind = "hold_released";
      e.invoice_number = h.invoice_number;
      e.dispute_ref = d.ref;
      e.due_date = due;
      e.payload_json = json{{"resolution", str(to_string(resolution))},
                            {"days_after_release", policy.days_after_release}}
                           .dump();
      store_.append_collection_event(e);
      record(d, now, actor, "hold_released",
             "Dunning of invoice " + h.invoice_number + " resumes; new due date " +
                 domain::format_date(due),
             json{{"invoice", h.invoice_number},
                  {"hold_id", h.id},
                  {"new_due_date", domain::format_date(due)},
                  {"policy",
                   {{"resolution", str(to_string(resolution))},
                    {"days_after_release", policy.days_after_release},
                    {"roll_to_working_day", policy.roll_to_working_day}}}}
                 .dump());
    } else {
      record(
          d, now, actor, "hold_released",
          "Hold of this dispute on invoice " + h.invoice_number +
              " released; the invoice stays on hold for another open dispute",
          json{{"invoice", h.invoice_number}, {"hold_id", h.id}, {"still_on_hold", true}}.dump());
    }
  }
}

void DisputeService::finish(store::DisputeRecord& d, DisputeStatus status, Resolution resolution,
                            const std::string& note, Instant now, const std::string& actor) {
  cancel_open_steps(d,
                    status == DisputeStatus::kWithdrawn ? "dispute withdrawn" : "dispute resolved",
                    now, actor);
  d.status = status;
  d.resolution = resolution;
  d.resolution_note = note;
  d.resolved_at = now;
  d.updated_at = now;
  store_.update_dispute(d);
  bool sla_met = now <= d.due_at;
  int working_days = defs_.calendar.working_days_between(d.opened_at, now);
  record(d, now, actor, status == DisputeStatus::kWithdrawn ? "withdrawn" : "resolved",
         std::string(status == DisputeStatus::kWithdrawn ? "Withdrawn" : "Resolved") + ": " +
             str(to_string(resolution)) + (note.empty() ? "" : " — " + note),
         json{{"resolution", str(to_string(resolution))},
              {"note", note},
              {"sla_met", sla_met},
              {"lead_time_working_days", working_days},
              {"due_at", domain::format_instant(d.due_at)}}
             .dump());
  release_holds(d, resolution, now, actor);

  auto inv =
      d.invoices.empty() ? std::nullopt : store_.find_invoice(d.invoices.front().invoice_number);
  std::string to =
      !d.contact_email.empty() ? d.contact_email : (inv ? inv->invoice.customer.email : "");
  if (!to.empty()) {
    json msg = {{"template",
                 status == DisputeStatus::kWithdrawn ? "dispute_withdrawn" : "dispute_resolved"},
                {"to", to},
                {"language", inv ? inv->invoice.customer.language : "en"},
                {"dispute", d.ref},
                {"resolution", str(to_string(resolution))},
                {"note", note},
                {"invoices", invoices_json(d)}};
    notify(d, "resolution-notice", msg.dump(), now);
    record(d, now, actor, "customer_notified", "Resolution notice queued to " + to, msg.dump(),
           Direction::kOutbound, "email");
    if (defs_.notifications.feedback_request && status == DisputeStatus::kResolved) {
      json fb = {{"template", "feedback_request"},
                 {"to", to},
                 {"dispute", d.ref},
                 {"language", inv ? inv->invoice.customer.language : "en"}};
      notify(d, "feedback-request", fb.dump(), now);
      record(d, now, actor, "feedback_requested", "Feedback request queued to " + to, fb.dump(),
             Direction::kOutbound, "email");
    }
  }
}

DisputeView DisputeService::view(const store::DisputeRecord& d, bool with_timeline) {
  DisputeView v;
  v.dispute = d;
  v.steps = store_.steps_of(d.id);
  v.active_holds = store_.active_holds_of_dispute(d.id);
  if (with_timeline) v.dossier = store_.dossier_of(d.id);
  return v;
}

// ---------------------------------------------------------------- commands

Result<ImportReport> DisputeService::import_invoices(const ParsedInvoices& parsed,
                                                     const std::string& actor) {
  (void)actor;
  return in_transaction<ImportReport>([&]() -> Result<ImportReport> {
    ImportReport report;
    report.rejected = parsed.rejected;
    Instant now = clock_.now();
    for (const auto& row : parsed.rows) {
      auto existing = store_.find_invoice(row.invoice.number);
      if (existing) {
        // An invoice under dispute keeps its currency and stays at least as large as what is
        // disputed.
        if (existing->invoice.currency != row.invoice.currency &&
            !store_.active_holds_of_invoice(row.invoice.number).empty()) {
          report.rejected.push_back(
              {row.where,
               row.invoice.number,
               {{"currency", "cannot change from " + existing->invoice.currency +
                                 " while the invoice is disputed"}}});
          continue;
        }
        // Keep the due date the hold logic moved; import only corrects master data.
        domain::Invoice merged = row.invoice;
        if (!store_.active_holds_of_invoice(row.invoice.number).empty())
          merged.due_date = existing->invoice.due_date;
        store_.upsert_invoice(merged, now);
        ++report.updated;
      } else {
        store_.upsert_invoice(row.invoice, now);
        ++report.created;
      }
    }
    return report;
  });
}

Result<DisputeView> DisputeService::open_dispute(const OpenDisputeRequest& req) {
  return in_transaction<DisputeView>([&]() -> Result<DisputeView> {
    Instant now = clock_.now();
    Error problems = Error::invalid("the dispute cannot be registered");
    if (req.invoices.empty())
      problems.details.push_back({"invoices", "at least one invoice is required"});
    if (req.description.empty()) problems.details.push_back({"description", "is required"});
    if (req.actor.empty())
      problems.details.push_back({"actor", "is required (who registers the dispute)"});
    if (!req.contact_email.empty() && !domain::looks_like_email(req.contact_email))
      problems.details.push_back(
          {"contact_email", "'" + req.contact_email + "' is not an e-mail address"});
    if (req.currency && !domain::is_currency_code(*req.currency))
      problems.details.push_back(
          {"currency", "'" + *req.currency + "' is not a three-letter ISO 4217 code"});

    const workflow::CategoryDef* category = nullptr;
    if (req.category) {
      category = defs_.category(*req.category);
      if (!category) {
        problems.details.push_back(
            {"category", "unknown category '" + *req.category +
                             "' (known: " + domain::join_keys(defs_.categories) + ")"});
      }
    } else {
      category = &defs_.suggest_category(req.description);
    }

    store::DisputeRecord d;
    std::set<std::string> seen;
    std::optional<store::InvoiceRecord> first;
    Decimal total;
    for (std::size_t i = 0; i < req.invoices.size(); ++i) {
      const auto& claim = req.invoices[i];
      std::string field = "invoices[" + std::to_string(i) + "]";
      if (!seen.insert(claim.number).second) {
        problems.details.push_back(
            {field + ".number", "invoice " + claim.number + " is listed twice"});
        continue;
      }
      auto inv = store_.find_invoice(claim.number);
      if (!inv) {
        problems.details.push_back({field + ".number", "invoice " + claim.number + " not found"});
        continue;
      }
      if (!first) first = inv;
      if (inv->invoice.customer.id != first->invoice.customer.id)
        problems.details.push_back({field + ".number", "invoice " + claim.number +
                                                           " belongs to customer " +
                                                           inv->invoice.customer.id + ", not " +
                                                           first->invoice.customer.id});
      std::string currency = req.currency ? *req.currency : first->invoice.currency;
      if (inv->invoice.currency != currency)
        problems.details.push_back({field + ".currency", "invoice " + claim.number + " is in " +
                                                             inv->invoice.currency +
                                                             ", the dispute in " + currency});
      // What other active disputes already claim on this invoice.
      Decimal claimed;
      for (const auto& other : store_.disputes_for_invoice(claim.number)) {
        if (!domain::holds_invoices(other.status)) continue;
        for (const auto& oi : other.invoices)
          if (oi.invoice_number == claim.number)
            claimed = claimed.plus(oi.disputed_amount).value_or(claimed);
      }
      Decimal remainder = inv->invoice.amount.minus(claimed).value_or(Decimal());
      Decimal amount = claim.amount ? *claim.amount : remainder;
      if (claim.amount && (claim.amount->is_negative() || claim.amount->is_zero())) {
        problems.details.push_back({field + ".amount", "must be greater than zero"});
        continue;
      }
      if (amount > remainder || amount.is_zero()) {
        problems.details.push_back(
            {field + ".amount",
             "disputed amount " + amount.to_string() + " exceeds what is still undisputed on " +
                 claim.number + " (" + remainder.to_string() + " of " +
                 inv->invoice.amount.to_string() + " " + inv->invoice.currency + ")"});
        continue;
      }
      d.invoices.push_back({claim.number, amount});
      total = total.plus(amount).value_or(total);
    }
    if (!problems.details.empty()) {
      bool only_missing = std::all_of(
          problems.details.begin(), problems.details.end(),
          [](const auto& p) { return p.problem.find("not found") != std::string::npos; });
      if (only_missing) problems.code = domain::ErrorCode::kNotFound;
      return problems;
    }

    const workflow::WorkflowDef* wf = defs_.workflow(category->workflow);
    const Snapshot& snapshot = current_snapshot(*wf);
    const std::string& hash = snapshot.hash;
    store_.save_workflow_snapshot(hash, wf->id, snapshot.definition, now);

    d.category = category->id;
    d.workflow_hash = hash;
    d.status = DisputeStatus::kOpen;
    d.channel = req.channel;
    d.description = req.description;
    d.reported_by = req.actor;
    d.contact_name = req.contact_name;
    d.contact_email = req.contact_email;
    d.contact_phone = req.contact_phone;
    d.customer_id = first->invoice.customer.id;
    d.customer_name = first->invoice.customer.name;
    d.currency = first->invoice.currency;
    d.disputed_amount = total;
    d.opened_at = now;
    d.due_at = defs_.calendar.deadline_after(now, category->max_resolution_working_days);
    d.updated_at = now;
    std::sort(d.invoices.begin(), d.invoices.end(),
              [](const auto& a, const auto& b) { return a.invoice_number < b.invoice_number; });
    store_.insert_dispute(d);

    record(d, now, req.actor, "registered",
           "Dispute registered via " + str(to_string(req.channel)) + " in category " +
               category->id + (req.category ? "" : " (suggested from the description)") + ": " +
               req.description,
           json{{"category", category->id},
                {"category_suggested", !req.category},
                {"workflow", wf->id},
                {"workflow_hash", hash},
                {"disputed_amount", total.to_string()},
                {"currency", d.currency},
                {"invoices", invoices_json(d)},
                {"due_at", domain::format_instant(d.due_at)},
                {"contact",
                 {{"name", req.contact_name},
                  {"email", req.contact_email},
                  {"phone", req.contact_phone}}}}
               .dump(),
           Direction::kInbound, str(to_string(req.channel)));
    place_holds(d, now, req.actor);

    // The customer hears what to expect and when; management is informed, not asked to act.
    std::string to = !req.contact_email.empty() ? req.contact_email : first->invoice.customer.email;
    std::string expect_by = domain::format_date(defs_.calendar.local_date(d.due_at));
    if (defs_.notifications.confirm_customer) {
      if (!to.empty()) {
        json msg = {{"template", "dispute_confirmation"},
                    {"to", to},
                    {"language", first->invoice.customer.language},
                    {"dispute", d.ref},
                    {"category", category->name},
                    {"expected_resolution_by", expect_by},
                    {"invoices", invoices_json(d)},
                    {"disputed_amount", total.to_string()},
                    {"currency", d.currency},
                    {"dunning_paused", true}};
        notify(d, "confirmation", msg.dump(), now);
        record(d, now, req.actor, "customer_confirmation",
               "Confirmation queued to " + to + ": dunning paused, resolution expected by " +
                   expect_by,
               msg.dump(), Direction::kOutbound, "email");
      } else {
        record(d, now, req.actor, "customer_confirmation_missing",
               "No e-mail address for the customer: confirm by phone (resolution expected by " +
                   expect_by + ")",
               "{}");
      }
    }
    for (std::size_t i = 0; i < defs_.notifications.inform.size(); ++i) {
      domain::AssigneeKind kind;
      std::string who = resolve_assignee(defs_.notifications.inform[i], d, kind);
      json msg = {{"template", "management_info"},
                  {"to", who},
                  {"to_kind", str(to_string(kind))},
                  {"dispute", d.ref},
                  {"category", category->id},
                  {"customer", d.customer_name},
                  {"disputed_amount", total.to_string()},
                  {"currency", d.currency}};
      notify(d, "inform-" + std::to_string(i + 1), msg.dump(), now);
    }

    const workflow::StepDef* start = wf->step(wf->start);
    open_step(d, *start, now, req.actor);
    return view(d);
  });
}

Result<DisputeView> DisputeService::complete_step(const CompleteStepRequest& req) {
  return in_transaction<DisputeView>([&]() -> Result<DisputeView> {
    Instant now = req.completed_at.value_or(clock_.now());
    auto d = find(req.dispute);
    if (!d) return Error::not_found("dispute " + req.dispute + " not found");
    auto steps = store_.steps_of(d->id);
    std::optional<store::StepRecord> step;
    for (const auto& s : steps) {
      bool match = all_digits(req.step) ? std::to_string(s.id) == req.step
                                        : (s.step_key == req.step || s.task_key == req.step);
      // Prefer the open instance of a step key that ran more than once.
      if (match && (!step || s.status == StepStatus::kOpen)) step = s;
    }
    if (!step) return Error::not_found("dispute " + d->ref + " has no step '" + req.step + "'");
    if (step->status != StepStatus::kOpen) {
      if (req.source == CompletionSource::kConnector && step->status == StepStatus::kCompleted &&
          step->outcome == req.outcome) {
        DisputeView v = view(*d);
        v.already_applied = true;
        return v;
      }
      return Error::conflict(
          "step '" + step->step_key + "' of " + d->ref + " is not open (it is " +
          str(to_string(step->status)) +
          (step->completed_at ? " since " + defs_.calendar.format_local(*step->completed_at) : "") +
          ")");
    }
    if (!domain::holds_invoices(d->status))
      return Error::conflict("dispute " + d->ref + " is " + str(to_string(d->status)));

    const auto& wf = workflow_of(*d);
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
      std::string options = domain::join(names);
      return Error::invalid(
          req.outcome ? "unknown outcome '" + *req.outcome + "' for step '" + def->id + "'"
                      : "step '" + def->id + "' needs an outcome",
          "outcome", "one of: " + options);
    }

    step->status = StepStatus::kCompleted;
    step->completed_at = now;
    step->completed_by = req.actor;
    step->outcome = transition->outcome;
    step->comment = req.comment;
    store_.update_step(*step);
    store_.delete_timers_of_step(step->id);
    int late_days = defs_.calendar.working_days_between(step->deadline_at, now);
    bool on_time = now <= step->deadline_at;
    record(*d, now, req.actor, "step_completed",
           "Step '" + step->title + "' completed by " + req.actor + ": " + transition->outcome +
               (req.comment.empty() ? "" : " — " + req.comment),
           json{{"step_id", step->id},
                {"step", step->step_key},
                {"outcome", transition->outcome},
                {"comment", req.comment},
                {"on_time", on_time},
                {"late_working_days", late_days},
                {"duration_seconds", (now - step->assigned_at).count()},
                {"source", req.source == CompletionSource::kConnector ? "connector" : "person"}}
               .dump());
    if (step->target != "internal" && req.source == CompletionSource::kPerson) {
      // Completed in disputed: close the mirrored task so nobody works on it any more.
      store::OutboxRecord row;
      row.action_key = step->task_key + ":complete";
      row.target = step->target;
      row.kind = "update";
      row.dispute_id = d->id;
      row.step_id = step->id;
      row.task_key = step->task_key;
      row.payload_json = json{
          {"task_key", step->task_key},
          {"status", "completed"},
          {"outcome", transition->outcome},
          {"comment",
           req.comment}}.dump();
      row.created_at = now;
      row.next_attempt_at = now;
      store_.enqueue(row);
    }

    if (d->status == DisputeStatus::kOpen) {
      d->status = DisputeStatus::kInProgress;
      d->updated_at = now;
      store_.update_dispute(*d);
    }
    if (const auto* next = wf.step(transition->next)) {
      open_step(*d, *next, now, req.actor);
    } else if (const auto* end = wf.end(transition->next)) {
      finish(*d,
             end->resolution == Resolution::kWithdrawn ? DisputeStatus::kWithdrawn
                                                       : DisputeStatus::kResolved,
             end->resolution, end->note, now, req.actor);
    }
    return view(*d);
  });
}

Result<DisputeView> DisputeService::resolve(const std::string& dispute, Resolution resolution,
                                            const std::string& note, const std::string& actor) {
  return in_transaction<DisputeView>([&]() -> Result<DisputeView> {
    auto d = find(dispute);
    if (!d) return Error::not_found("dispute " + dispute + " not found");
    if (!domain::holds_invoices(d->status))
      return Error::conflict("dispute " + d->ref + " is already " + str(to_string(d->status)) +
                             (d->resolution ? " (" + str(to_string(*d->resolution)) + ")" : ""));
    if (resolution == Resolution::kWithdrawn)
      return Error::invalid("use withdraw for a dispute the customer withdraws", "resolution",
                            "one of: credit_note, corrected_invoice, rejected");
    finish(*d, DisputeStatus::kResolved, resolution, note, clock_.now(), actor);
    return view(*d);
  });
}

Result<DisputeView> DisputeService::withdraw(const std::string& dispute, const std::string& note,
                                             const std::string& actor) {
  return in_transaction<DisputeView>([&]() -> Result<DisputeView> {
    auto d = find(dispute);
    if (!d) return Error::not_found("dispute " + dispute + " not found");
    if (!domain::holds_invoices(d->status))
      return Error::conflict("dispute " + d->ref + " is already " + str(to_string(d->status)));
    finish(*d, DisputeStatus::kWithdrawn, Resolution::kWithdrawn, note, clock_.now(), actor);
    return view(*d);
  });
}

Result<DisputeView> DisputeService::reopen(const std::string& dispute, const std::string& reason,
                                           const std::optional<std::string>& from_step,
                                           const std::string& actor) {
  return in_transaction<DisputeView>([&]() -> Result<DisputeView> {
    auto d = find(dispute);
    if (!d) return Error::not_found("dispute " + dispute + " not found");
    if (domain::holds_invoices(d->status))
      return Error::conflict("dispute " + d->ref + " is " + str(to_string(d->status)) +
                             ", not resolved, withdrawn or closed");
    if (reason.empty())
      return Error::invalid("a reason is required to reopen a dispute", "reason", "is required");
    const auto& wf = workflow_of(*d);
    const workflow::StepDef* start = wf.step(from_step.value_or(wf.start));
    if (!start) {
      return Error::invalid("workflow " + wf.id + " has no step '" + *from_step + "'", "step",
                            "one of: " + domain::join_keys(wf.steps));
    }
    Instant now = clock_.now();
    std::string previous = str(to_string(d->status));
    d->status = DisputeStatus::kInProgress;
    d->reopen_count += 1;
    d->resolution.reset();
    d->resolution_note.clear();
    d->resolved_at.reset();
    d->closed_at.reset();
    d->updated_at = now;
    const auto* category = defs_.category(d->category);
    if (category)
      d->due_at = defs_.calendar.deadline_after(now, category->max_resolution_working_days);
    store_.update_dispute(*d);
    record(*d, now, actor, "reopened", "Reopened (was " + previous + "): " + reason,
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
      store_.append_collection_event(e);
    }
    place_holds(*d, now, actor);
    open_step(*d, *start, now, actor);
    return view(*d);
  });
}

Result<DisputeView> DisputeService::close(const std::string& dispute, const std::string& actor) {
  return in_transaction<DisputeView>([&]() -> Result<DisputeView> {
    auto d = find(dispute);
    if (!d) return Error::not_found("dispute " + dispute + " not found");
    if (d->status != DisputeStatus::kResolved && d->status != DisputeStatus::kWithdrawn)
      return Error::conflict("only a resolved or withdrawn dispute can be closed; " + d->ref +
                             " is " + str(to_string(d->status)));
    Instant now = clock_.now();
    d->status = DisputeStatus::kClosed;
    d->closed_at = now;
    d->updated_at = now;
    store_.update_dispute(*d);
    record(*d, now, actor, "closed", "Closed", "{}");
    return view(*d);
  });
}

Result<store::DossierEntry> DisputeService::add_note(const NoteRequest& req) {
  return in_transaction<store::DossierEntry>([&]() -> Result<store::DossierEntry> {
    auto d = find(req.dispute);
    if (!d) return Error::not_found("dispute " + req.dispute + " not found");
    if (req.summary.empty()) return Error::invalid("a note needs a text", "summary", "is required");
    if (req.actor.empty()) return Error::invalid("a note needs an author", "actor", "is required");
    return record(*d, clock_.now(), req.actor, req.channel ? "contact" : "note", req.summary, "{}",
                  req.direction, req.channel ? str(to_string(*req.channel)) : "");
  });
}

Result<store::DossierEntry> DisputeService::add_task_entry(
    const std::string& task_key, const std::string& actor, const std::string& kind,
    const std::string& summary, const std::string& payload_json, Direction direction,
    const std::string& channel) {
  return in_transaction<store::DossierEntry>([&]() -> Result<store::DossierEntry> {
    auto step = store_.find_step_by_task_key(task_key);
    if (!step) return Error::not_found("no step has task key " + task_key);
    auto d = store_.find_dispute(step->dispute_id);
    return record(*d, clock_.now(), actor, kind, summary, payload_json, direction, channel);
  });
}

void DisputeService::fire_timer(const store::TimerRecord& t, Instant now, TickReport& report) {
  store_.mark_timer_fired(t.id, now);
  auto step = store_.find_step(t.step_id);
  if (!step || step->status != StepStatus::kOpen) {
    ++report.skipped;
    return;
  }
  auto d = store_.find_dispute(step->dispute_id);
  const auto& wf = workflow_of(*d);
  const workflow::StepDef* def = wf.step(step->step_key);

  store::OutboxRecord row;
  row.dispute_id = d->id;
  row.step_id = step->id;
  row.task_key = step->task_key;
  row.created_at = now;
  row.next_attempt_at = now;
  json payload = {
      {"task_key", step->task_key}, {"dispute", d->ref},
      {"step", step->step_key},     {"title", step->title},
      {"assignee", step->assignee}, {"deadline_at", domain::format_instant(step->deadline_at)}};

  if (t.kind == "reminder") {
    ++report.reminders;
    bool at_deadline = now >= step->deadline_at;
    std::string text = at_deadline ? "Reminder: '" + step->title + "' is due now"
                                   : "Reminder: '" + step->title + "' is due " +
                                         defs_.calendar.format_local(step->deadline_at, true);
    record(*d, now, "disputed", "reminder", text + " (" + step->assignee + ")",
           json{{"step_id", step->id}, {"ordinal", t.ordinal}, {"assignee", step->assignee}}.dump(),
           Direction::kOutbound, step->target == "internal" ? "email" : step->target);
    payload["note"] = text;
    row.action_key = step->task_key + ":remind-" + std::to_string(t.ordinal);
    if (step->target == "internal") {
      row.target = "notify";
      row.kind = "notify";
      payload["template"] = "task_reminder";
      payload["to"] = step->assignee;
    } else {
      row.target = step->target;
      row.kind = "remind";
    }
    row.payload_json = payload.dump();
    store_.enqueue(row);
    return;
  }

  // Escalation: the step is overdue; someone with authority is told and added to the task.
  ++report.escalations;
  domain::AssigneeKind kind;
  std::string to =
      def && def->escalation ? resolve_assignee(def->escalation->to, *d, kind) : d->reported_by;
  int overdue = defs_.calendar.working_days_between(step->deadline_at, now);
  step->escalated_at = now;
  step->escalated_to = to;
  store_.update_step(*step);
  std::string text = "Escalated to " + to + ": '" + step->title + "' assigned to " +
                     step->assignee + " is " + std::to_string(overdue) + " working day(s) overdue";
  record(*d, now, "disputed", "escalation", text,
         json{{"step_id", step->id},
              {"escalated_to", to},
              {"overdue_working_days", overdue},
              {"sla_breach", true}}
             .dump());
  payload["note"] = text;
  payload["escalated_to"] = to;
  payload["priority"] = "urgent";
  row.action_key = step->task_key + ":escalate";
  if (step->target == "internal") {
    row.target = "notify";
    row.kind = "notify";
    payload["template"] = "task_escalation";
    payload["to"] = to;
  } else {
    row.target = step->target;
    row.kind = "escalate";
  }
  row.payload_json = payload.dump();
  store_.enqueue(row);
}

Result<TickReport> DisputeService::tick() {
  return in_transaction<TickReport>([&]() -> Result<TickReport> {
    TickReport report;
    Instant now = clock_.now();
    for (;;) {
      auto due = store_.due_timers(now, 500);
      if (due.empty()) break;
      for (const auto& t : due) fire_timer(t, now, report);
    }
    return report;
  });
}

// ---------------------------------------------------------------- queries

Result<DisputeView> DisputeService::show(const std::string& dispute, bool with_timeline) {
  try {
    auto d = find(dispute);
    if (!d) return Error::not_found("dispute " + dispute + " not found");
    return view(*d, with_timeline);
  } catch (const store::SqliteError& e) {
    return Error::internal(std::string("storage error: ") + e.what());
  }
}

std::vector<store::DisputeRecord> DisputeService::list(const store::DisputeFilter& filter) {
  return store_.list_disputes(filter);
}

std::vector<Task> DisputeService::tasks(const std::string& assignee) {
  std::set<std::string> who;
  if (!assignee.empty()) {
    who.insert(assignee);
    for (const auto& [id, role] : defs_.roles)
      if (std::find(role.members.begin(), role.members.end(), assignee) != role.members.end())
        who.insert(id);
  }
  Instant now = clock_.now();
  std::vector<Task> out;
  std::map<std::int64_t, store::DisputeRecord> disputes;
  for (auto& s : store_.open_internal_steps(who)) {
    auto it = disputes.find(s.dispute_id);
    if (it == disputes.end())
      it = disputes.emplace(s.dispute_id, *store_.find_dispute(s.dispute_id)).first;
    Task t;
    t.dispute_ref = it->second.ref;
    t.customer_name = it->second.customer_name;
    t.category = it->second.category;
    t.overdue = s.deadline_at < now;
    t.step = std::move(s);
    out.push_back(std::move(t));
  }
  return out;
}

Result<InvoiceState> DisputeService::invoice_state(const std::string& number) {
  auto inv = store_.find_invoice(number);
  if (!inv) return Error::not_found("invoice " + number + " not found");
  InvoiceState st;
  st.invoice = *inv;
  st.active_holds = store_.active_holds_of_invoice(number);
  st.collectable = st.active_holds.empty();
  st.history = store_.holds_of_invoice(number);
  return st;
}

std::vector<store::CollectionEvent> DisputeService::events(std::int64_t after_seq, int limit) {
  return store_.collection_events(after_seq, limit);
}

}  // namespace disputed::engine
