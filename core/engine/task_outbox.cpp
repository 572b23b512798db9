#include "core/engine/task_outbox.hpp"

#include <nlohmann/json.hpp>

namespace disputed::engine {

using domain::Instant;
using nlohmann::json;

namespace {

std::string str(std::string_view v) { return std::string(v); }

json invoices_json(const store::DisputeRecord& d) {
  json out = json::array();
  for (const auto& i : d.invoices)
    out.push_back(
        {{"number", i.invoice_number}, {"disputed_amount", i.disputed_amount.to_string()}});
  return out;
}

// What a reminder and an escalation both carry.
json timer_payload(const store::DisputeRecord& d, const store::StepRecord& s,
                   const std::string& note) {
  return {{"task_key", s.task_key},
          {"dispute", d.ref},
          {"step", s.step_key},
          {"title", s.title},
          {"assignee", s.assignee},
          {"deadline_at", domain::format_instant(s.deadline_at)},
          {"note", note}};
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
  return step_title + " — " + dispute_ref + " (" + customer_name + ")";
}

std::string TaskOutbox::dispute_url(const std::string& dispute_ref) const {
  if (defs_.public_url.empty()) return {};
  return defs_.public_url + "/api/v1/disputes/" + dispute_ref;
}

void TaskOutbox::enqueue(store::OutboxRecord& row, Instant now) {
  row.created_at = now;
  row.next_attempt_at = now;
  store_.enqueue(row);  // a row whose action key exists already is not written twice
}

void TaskOutbox::step_assigned(const store::DisputeRecord& d, const store::StepRecord& s,
                               const workflow::StepDef& def, Instant now) {
  json task = {
      {"task_key", s.task_key},
      {"dispute", d.ref},
      {"step", def.id},
      {"subject", task_summary(def.title, d.ref, d.customer_name)},
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
  if (auto url = dispute_url(d.ref); !url.empty()) task["dispute_url"] = url;
  if (s.assignee_kind == domain::AssigneeKind::kRole)
    if (const auto* role = defs_.role(s.assignee)) task["assignee_members"] = role->members;

  store::OutboxRecord row = step_row(d, s);
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
  enqueue(row, now);
}

void TaskOutbox::step_completed(const store::DisputeRecord& d, const store::StepRecord& s,
                                Instant now) {
  if (s.target == "internal") return;
  store::OutboxRecord row = step_row(d, s);
  row.action_key = s.task_key + ":complete";
  row.target = s.target;
  row.kind = "update";
  row.payload_json = json{{"task_key", s.task_key},
                          {"status", "completed"},
                          {"outcome", s.outcome.value_or("")},
                          {"comment", s.comment.value_or("")}}
                         .dump();
  enqueue(row, now);
}

void TaskOutbox::step_cancelled(const store::DisputeRecord& d, const store::StepRecord& s,
                                const std::string& reason, Instant now) {
  if (s.target == "internal") return;
  store::OutboxRecord row = step_row(d, s);
  row.action_key = s.task_key + ":cancel";
  row.target = s.target;
  row.kind = "cancel";
  row.payload_json = json{{"task_key", s.task_key}, {"dispute", d.ref}, {"reason", reason}}.dump();
  enqueue(row, now);
}

void TaskOutbox::reminder(const store::DisputeRecord& d, const store::StepRecord& s, int ordinal,
                          const std::string& note, Instant now) {
  json payload = timer_payload(d, s, note);
  store::OutboxRecord row = step_row(d, s);
  row.action_key = s.task_key + ":remind-" + std::to_string(ordinal);
  if (s.target == "internal") {
    row.target = "notify";
    row.kind = "notify";
    payload["template"] = "task_reminder";
    payload["to"] = s.assignee;
  } else {
    row.target = s.target;
    row.kind = "remind";
  }
  row.payload_json = payload.dump();
  enqueue(row, now);
}

void TaskOutbox::escalation(const store::DisputeRecord& d, const store::StepRecord& s,
                            const std::string& to, const std::string& note, Instant now) {
  json payload = timer_payload(d, s, note);
  payload["escalated_to"] = to;
  payload["priority"] = "urgent";
  store::OutboxRecord row = step_row(d, s);
  row.action_key = s.task_key + ":escalate";
  if (s.target == "internal") {
    row.target = "notify";
    row.kind = "notify";
    payload["template"] = "task_escalation";
    payload["to"] = to;
  } else {
    row.target = s.target;
    row.kind = "escalate";
  }
  row.payload_json = payload.dump();
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
