#include "plugins/zendesk/src/task_mapping.hpp"

#include "disputed/sdk/kit/time.hpp"

namespace disputed::plugins::zendesk {

std::string marker(const std::string& action_key) { return "[disputed:" + action_key + "]"; }

std::string description(const sdk::Action& action, const kit::TaskPayload& p,
                        const Settings& settings, const std::string& assignee_note) {
  std::string out;
  for (auto [label, value] : kit::task_facts(p)) {
    if (label == "Assigned to") value += assignee_note;
    out += label + ": " + value + "\n";
  }
  if (!p.instructions.empty()) out += "\n" + p.instructions + "\n";
  if (!p.description.empty()) out += "\nCustomer's complaint: " + p.description + "\n";
  if (!p.outcomes.empty()) {
    std::string outcomes;
    for (const auto& o : p.outcomes) outcomes += (outcomes.empty() ? "" : ", ") + o;
    out += "\nWhen done, solve this ticket with one outcome (" + outcomes + ")";
    out += settings.fields.count("outcome") ? " in the dispute outcome field" : "";
    out += " or the tag " + settings.outcome_tag_prefix + "<outcome>.\n";
  }
  if (std::string link = kit::dispute_link(p, settings.dispute_url); !link.empty())
    out += "\nDispute in disputed: " + link + "\n";
  return out + "\n" + marker(action.action_key);
}

kit::Json new_ticket(const sdk::Action& action, const kit::TaskPayload& p, const Settings& settings,
                     const std::string& assignee_note) {
  kit::Json ticket = {
      {"subject", p.headline()}, {"type", "task"}, {"external_id", action.task_key}};
  ticket["comment"] = {{"body", description(action, p, settings, assignee_note)},
                       {"public", false}};  // an internal note: the customer is never e-mailed
  if (auto due = p.deadline()) ticket["due_at"] = kit::format_timestamp(*due);
  bool known = p.priority == "urgent" || p.priority == "high" || p.priority == "low";
  ticket["priority"] = known ? p.priority : "normal";
  ticket["tags"] = settings.tags;
  kit::Json fields = kit::Json::array();
  auto field = [&](const char* name, const std::string& value) {
    auto it = settings.fields.find(name);
    if (it != settings.fields.end() && !value.empty())
      fields.push_back({{"id", it->second}, {"value", value}});
  };
  field("dispute", p.dispute);
  field("invoice_number", p.invoices.empty() ? "" : p.invoices.front().number);
  field("customer", p.customer.name);
  field("amount", p.disputed_amount);
  if (!fields.empty()) ticket["custom_fields"] = fields;
  return ticket;
}

std::string completed_note(const sdk::Action& action, const kit::TaskPayload& p) {
  std::string note = "Completed in disputed";
  if (!p.outcome.empty()) note += " with outcome '" + p.outcome + "'";
  if (!p.comment.empty()) note += ": " + p.comment;
  return note + ". No further action needed here.\n\n" + marker(action.action_key);
}

std::string cancelled_note(const sdk::Action& action, const kit::TaskPayload& p) {
  return "Cancelled by disputed" + (p.reason.empty() ? std::string() : ": " + p.reason) +
         ". No action needed on this ticket any more.\n\n" + marker(action.action_key);
}

std::string reminder_note(const sdk::Action& action, const kit::TaskPayload& p, bool escalate) {
  std::string note = p.note;
  if (note.empty())
    note = escalate ? "This task is overdue and has been escalated."
                    : "Reminder: this task is due soon.";
  return note + "\n\n" + marker(action.action_key);
}

bool has_tag(const kit::Json& ticket, const std::string& tag) {
  for (const auto& t : kit::JsonView(ticket)["tags"].elements())
    if (t.string_or() == tag) return true;
  return false;
}

kit::Json tags_plus(const kit::Json& ticket, const std::string& tag) {
  kit::Json tags = kit::Json::array();
  for (const auto& t : kit::JsonView(ticket)["tags"].elements()) tags.push_back(*t.json());
  if (!has_tag(ticket, tag)) tags.push_back(tag);
  return tags;
}

bool closed_by_us(const kit::Json& ticket) {
  return has_tag(ticket, kClosedTag) || has_tag(ticket, kCancelledTag);
}

std::string outcome_of(const kit::Json& ticket, const Settings& settings) {
  kit::JsonView t(ticket);
  std::string value;
  if (auto field = settings.fields.find("outcome"); field != settings.fields.end())
    for (const auto& f : t["custom_fields"].elements())
      if (f["id"].integer_or_none() == field->second) value = f["value"].string_or();
  if (value.empty())
    for (const auto& tag : t["tags"].elements()) {
      std::string text = tag.string_or();
      if (text.rfind(settings.outcome_tag_prefix, 0) == 0)
        value = text.substr(settings.outcome_tag_prefix.size());
    }
  auto mapped = settings.outcome_values.find(value);
  return mapped != settings.outcome_values.end() ? mapped->second : value;
}

std::optional<sdk::TaskEvent> completion_of(const kit::Json& ticket, const std::string& task_key,
                                            const Settings& settings) {
  kit::JsonView t(ticket);
  std::string status = t["status"].string_or();
  auto id = t["id"].integer_or_none();
  std::string updated = t["updated_at"].string_or();
  auto at = kit::parse_timestamp(updated);
  if (!id || !at || (status != "solved" && status != "closed") || closed_by_us(ticket))
    return std::nullopt;
  sdk::TaskEvent e;
  e.kind = sdk::TaskEvent::Kind::kCompleted;
  e.task_key = task_key;
  e.external_ref = std::to_string(*id);
  e.event_id = e.external_ref + ":solved:" + updated;
  e.outcome = outcome_of(ticket, settings);
  e.at = *at;
  return e;
}

}  // namespace disputed::plugins::zendesk
