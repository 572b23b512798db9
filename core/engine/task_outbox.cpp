#include "core/engine/task_outbox.hpp"

#include <nlohmann/json.hpp>

#include "disputed/sdk/kit/task_contract.hpp"

namespace disputed::engine {

using domain::Instant;
using nlohmann::json;

namespace {

using Kind = sdk::Action::Kind;

std::string str(std::string_view v) { return std::string(v); }

json invoices_json(const store::DisputeRecord& d) {
  json out = json::array();
  for (const auto& i : d.invoices)
    out.push_back(
        {{"number", i.invoice_number}, {"disputed_amount", i.disputed_amount.to_string()}});
  return out;
}

// What every action on a step's task names.
sdk::kit::TaskPayload step_payload(const store::DisputeRecord& d, const store::StepRecord& s) {
  sdk::kit::TaskPayload p;
  p.task_key = s.task_key;
  p.dispute = d.ref;
  p.step = s.step_key;
  p.title = s.title;
  p.assignee = s.assignee;
  p.deadline_at = domain::format_instant(s.deadline_at);
  return p;
}

store::OutboxRecord step_row(const store::DisputeRecord& d, const store::StepRecord& s) {
  store::OutboxRecord row;
  row.dispute_id = d.id;
  row.step_id = s.id;
  row.task_key = s.task_key;
  return row;
}

}  // namespace

std::string TaskOutbox::task_summary(const std::string& step_title, const std::string& dispute_ref,
                                     const std::string& customer_name) {
  return sdk::kit::task_subject(step_title, dispute_ref, customer_name);
}

std::string TaskOutbox::dispute_url(const std::string& dispute_ref) const {
  return sdk::kit::dispute_url(defs_.public_url, dispute_ref);
}

void TaskOutbox::enqueue(store::OutboxRecord& row, Instant now) {
  row.created_at = now;
  row.next_attempt_at = now;
  store_.enqueue(row);  // a row whose action key exists already is not written twice
}

void TaskOutbox::step_assigned(const store::DisputeRecord& d, const store::StepRecord& s,
                               const workflow::StepDef& def, Instant now) {
  sdk::kit::TaskPayload task = step_payload(d, s);
  task.subject = task_summary(def.title, d.ref, d.customer_name);
  task.instructions = def.instructions;
  task.assignee_kind = str(to_string(s.assignee_kind));
  task.deadline_local_date = domain::format_date(defs_.calendar.local_date(s.deadline_at));
  task.time_zone = defs_.calendar.time_zone();
  for (const auto& o : def.outcomes) task.outcomes.push_back(o.outcome);
  task.category = d.category;
  task.customer = {d.customer_id, d.customer_name};
  task.description = d.description;
  task.currency = d.currency;
  task.disputed_amount = d.disputed_amount.to_string();
  for (const auto& i : d.invoices)
    task.invoices.push_back({i.invoice_number, i.disputed_amount.to_string()});
  task.dispute_url = dispute_url(d.ref);
  if (s.assignee_kind == domain::AssigneeKind::kRole)
    if (const auto* role = defs_.role(s.assignee)) task.assignee_members = role->members;

  store::OutboxRecord row = step_row(d, s);
  if (s.target == "internal") {
    row.action_key = s.task_key + ":assigned";
    row.target = "notify";
    row.kind = "notify";
    task.template_name = "task_assigned";
    task.to = s.assignee;
  } else {
    row.action_key = s.task_key + ":create";
    row.target = s.target;
    row.kind = "create";
  }
  row.payload_json = sdk::kit::serialise_task_payload(Kind::kCreate, task);
  enqueue(row, now);
}

void TaskOutbox::step_completed(const store::DisputeRecord& d, const store::StepRecord& s,
                                Instant now) {
  if (s.target == "internal") return;
  sdk::kit::TaskPayload update = step_payload(d, s);
  update.status = "completed";
  update.outcome = s.outcome.value_or("");
  update.comment = s.comment.value_or("");
  store::OutboxRecord row = step_row(d, s);
  row.action_key = s.task_key + ":complete";
  row.target = s.target;
  row.kind = "update";
  row.payload_json = sdk::kit::serialise_task_payload(Kind::kUpdate, update);
  enqueue(row, now);
}

void TaskOutbox::step_cancelled(const store::DisputeRecord& d, const store::StepRecord& s,
                                const std::string& reason, Instant now) {
  if (s.target == "internal") return;
  sdk::kit::TaskPayload cancel = step_payload(d, s);
  cancel.reason = reason;
  store::OutboxRecord row = step_row(d, s);
  row.action_key = s.task_key + ":cancel";
  row.target = s.target;
  row.kind = "cancel";
  row.payload_json = sdk::kit::serialise_task_payload(Kind::kCancel, cancel);
  enqueue(row, now);
}

void TaskOutbox::reminder(const store::DisputeRecord& d, const store::StepRecord& s, int ordinal,
                          const std::string& note, Instant now) {
  sdk::kit::TaskPayload remind = step_payload(d, s);
  remind.note = note;
  store::OutboxRecord row = step_row(d, s);
  row.action_key = s.task_key + ":remind-" + std::to_string(ordinal);
  if (s.target == "internal") {
    row.target = "notify";
    row.kind = "notify";
    remind.template_name = "task_reminder";
    remind.to = s.assignee;
  } else {
    row.target = s.target;
    row.kind = "remind";
  }
  row.payload_json = sdk::kit::serialise_task_payload(Kind::kRemind, remind);
  enqueue(row, now);
}

void TaskOutbox::escalation(const store::DisputeRecord& d, const store::StepRecord& s,
                            const std::string& to, const std::string& note, Instant now) {
  sdk::kit::TaskPayload escalate = step_payload(d, s);
  escalate.note = note;
  escalate.escalated_to = to;
  escalate.priority = "urgent";
  store::OutboxRecord row = step_row(d, s);
  row.action_key = s.task_key + ":escalate";
  if (s.target == "internal") {
    row.target = "notify";
    row.kind = "notify";
    escalate.template_name = "task_escalation";
    escalate.to = to;
  } else {
    row.target = s.target;
    row.kind = "escalate";
  }
  row.payload_json = sdk::kit::serialise_task_payload(Kind::kEscalate, escalate);
  enqueue(row, now);
}

void TaskOutbox::dispute_message(const store::DisputeRecord& d, const std::string& what,
                                 const std::string& payload_json, Instant now) {
  store::OutboxRecord row;
  row.action_key = d.ref + ":" + std::to_string(d.reopen_count) + ":" + what;
  row.target = "notify";
  row.kind = "notify";
  row.dispute_id = d.id;
  row.payload_json = payload_json;
  enqueue(row, now);
}

std::string TaskOutbox::confirmation(const store::DisputeRecord& d, const std::string& to,
                                     const std::string& language, const std::string& category_name,
                                     const std::string& expected_by, Instant now) {
  std::string payload = json{
      {"template", "dispute_confirmation"},
      {"to", to},
      {"language", language},
      {"dispute", d.ref},
      {"category", category_name},
      {"expected_resolution_by", expected_by},
      {"invoices", invoices_json(d)},
      {"disputed_amount", d.disputed_amount.to_string()},
      {"currency", d.currency},
      {"dunning_paused",
       true}}.dump();
  dispute_message(d, "confirmation", payload, now);
  return payload;
}

std::string TaskOutbox::management_info(const store::DisputeRecord& d, std::size_t ordinal,
                                        const std::string& to, domain::AssigneeKind to_kind,
                                        Instant now) {
  std::string payload = json{
      {"template", "management_info"},
      {"to", to},
      {"to_kind", str(to_string(to_kind))},
      {"dispute", d.ref},
      {"category", d.category},
      {"customer", d.customer_name},
      {"disputed_amount", d.disputed_amount.to_string()},
      {"currency",
       d.currency}}.dump();
  dispute_message(d, "inform-" + std::to_string(ordinal), payload, now);
  return payload;
}

std::string TaskOutbox::resolution_notice(const store::DisputeRecord& d, const std::string& to,
                                          const std::string& language, Instant now) {
  bool withdrawn = d.status == domain::DisputeStatus::kWithdrawn;
  std::string payload = json{
      {"template", withdrawn ? "dispute_withdrawn" : "dispute_resolved"},
      {"to", to},
      {"language", language},
      {"dispute", d.ref},
      {"resolution", d.resolution ? str(to_string(*d.resolution)) : std::string()},
      {"note", d.resolution_note},
      {"invoices",
       invoices_json(d)}}.dump();
  dispute_message(d, "resolution-notice", payload, now);
  return payload;
}

std::string TaskOutbox::feedback_request(const store::DisputeRecord& d, const std::string& to,
                                         const std::string& language, Instant now) {
  std::string payload =
      json{{"template", "feedback_request"}, {"to", to}, {"dispute", d.ref}, {"language", language}}
          .dump();
  dispute_message(d, "feedback-request", payload, now);
  return payload;
}

}  // namespace disputed::engine
