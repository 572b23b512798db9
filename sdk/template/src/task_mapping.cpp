#include "task_mapping.hpp"

#include "disputed/sdk/kit/time.hpp"

namespace template_connector {

kit::Json new_task(const sdk::Action& action, const kit::TaskPayload& payload,
                   const Settings& settings) {
  std::string description = payload.instructions;
  description += (description.empty() ? "" : "\n\n") + kit::task_facts_text(payload);
  if (!payload.description.empty()) description += "\nComplaint: " + payload.description;
  if (std::string link = kit::dispute_link(payload, ""); !link.empty())
    description += "\nIn disputed: " + link;
  return {{"external_id", action.task_key}, {"project", settings.project},
          {"title", payload.headline()},    {"description", description},
          {"assignee", payload.assignee},   {"due_date", payload.deadline_local_date},
          {"time_zone", payload.time_zone}, {"priority", "normal"},
          {"outcomes", payload.outcomes}};
}

kit::Json closing(const kit::TaskPayload& payload) {
  return {
      {"status", "closed"}, {"resolution", payload.outcome}, {"resolution_note", payload.comment}};
}

kit::Json cancelling(const kit::TaskPayload& payload) {
  return {{"status", "cancelled"}, {"resolution_note", payload.reason}};
}

kit::Json reminder_comment(const kit::TaskPayload& payload, bool escalate) {
  std::string note = payload.note;
  if (note.empty()) note = escalate ? "Escalated: this task is overdue" : "Reminder: due soon";
  return {{"body", note}};
}

bool replayed(const sdk::HttpResponse& response) {
  return response.header("Idempotent-Replayed") == "true";
}

std::optional<sdk::TaskEvent> completion_of(const kit::JsonView& task) {
  if (task["status"].string_or() != "completed" || task["external_id"].string_or().empty())
    return std::nullopt;
  sdk::TaskEvent e;
  e.kind = sdk::TaskEvent::Kind::kCompleted;
  e.task_key = task["external_id"].string_or();
  e.external_ref = task["id"].string_or();
  // Stable per change: the same completion read twice (a re-poll, a reconciliation) has the same
  // id; a later reopen-and-complete has a new version and so a new id.
  auto version = task["version"].integer_or_none();
  e.event_id =
      e.external_ref + ":v" + (version ? std::to_string(*version) : task["updated_at"].string_or());
  e.outcome = task["resolution"].string_or();
  e.actor = task["completed_by"].string_or();
  e.comment = task["resolution_note"].string_or();
  e.at = kit::parse_timestamp(task["updated_at"].string_or()).value_or(sdk::Instant{});
  return e;
}

}  // namespace template_connector
