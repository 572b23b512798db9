#include "disputed/sdk/kit/task_contract.hpp"

#include "disputed/sdk/kit/codecs.hpp"
#include "disputed/sdk/kit/json.hpp"
#include "disputed/sdk/kit/time.hpp"

namespace disputed::sdk::kit {

namespace {

constexpr JsonLimits kPayloadLimits{1024 * 1024, 16};

// Reads optional string fields into `out`, stopping at the first problem.
struct FieldReader {
  JsonView root;
  std::optional<Problem> problem;

  void text(const char* key, std::string& out) {
    if (problem) return;
    auto v = root[key].optional_string();
    if (!v)
      problem = v.problem();
    else
      out = std::move(*v);
  }
  void list(const char* key, std::vector<std::string>& out) {
    if (problem) return;
    auto v = root[key].string_list();
    if (!v)
      problem = v.problem();
    else
      out = std::move(*v);
  }
  void text_in(JsonView object, const char* key, std::string& out) {
    if (problem) return;
    auto v = object[key].optional_string();
    if (!v)
      problem = v.problem();
    else
      out = std::move(*v);
  }
};

}  // namespace

std::optional<Instant> TaskPayload::deadline() const { return parse_timestamp(deadline_at); }

std::string TaskPayload::headline() const {
  if (!subject.empty()) return subject;
  if (!title.empty()) return title;
  return "Dispute task " + task_key;
}

Expected<TaskPayload> parse_task_payload(std::string_view json) {
  auto doc = parse_json(json, kPayloadLimits);
  if (!doc) return Problem{doc.problem().where, "the action's payload: " + doc.problem().what};
  JsonView root(*doc);
  if (!root.is_object()) return Problem{"", "the action's payload is not a JSON object"};

  TaskPayload p;
  auto version = root["version"].optional_integer();
  if (!version) return version.problem();
  if (*version) {
    if (**version < 1) return root["version"].problem("must be 1 or more");
    if (**version > TaskPayload::kVersion)
      return root["version"].problem(
          "payload version " + std::to_string(**version) + " is newer than this connector reads (" +
          std::to_string(TaskPayload::kVersion) + "); update the plugin");
    p.version = int(**version);
  } else {
    p.version = 1;  // written before the field existed
  }

  FieldReader r{root, std::nullopt};
  r.text("task_key", p.task_key);
  r.text("dispute", p.dispute);
  r.text("step", p.step);
  r.text("subject", p.subject);
  r.text("title", p.title);
  r.text("instructions", p.instructions);
  r.text("assignee", p.assignee);
  r.text("assignee_kind", p.assignee_kind);
  r.list("assignee_members", p.assignee_members);
  r.text("deadline_at", p.deadline_at);
  r.text("deadline_local_date", p.deadline_local_date);
  r.text("time_zone", p.time_zone);
  r.list("outcomes", p.outcomes);
  r.text("category", p.category);
  if (!r.problem && root["customer"].exists() && !root["customer"].is_object())
    r.problem = root["customer"].problem(std::string("expected an object, got ") +
                                         type_words(*root["customer"].json()));
  r.text_in(root["customer"], "id", p.customer.id);
  r.text_in(root["customer"], "name", p.customer.name);
  r.text("description", p.description);
  r.text("currency", p.currency);
  r.text("disputed_amount", p.disputed_amount);
  if (!r.problem && root["invoices"].exists() && !root["invoices"].is_array())
    r.problem = root["invoices"].problem(std::string("expected a list of invoices, got ") +
                                         type_words(*root["invoices"].json()));
  for (const auto& invoice : root["invoices"].elements()) {
    if (r.problem) break;
    if (!invoice.is_object()) {
      r.problem =
          invoice.problem(std::string("expected an object, got ") + type_words(*invoice.json()));
      break;
    }
    TaskInvoice line;
    r.text_in(invoice, "number", line.number);
    r.text_in(invoice, "disputed_amount", line.disputed_amount);
    p.invoices.push_back(std::move(line));
  }
  r.text("dispute_url", p.dispute_url);
  r.text("status", p.status);
  r.text("outcome", p.outcome);
  r.text("comment", p.comment);
  r.text("reason", p.reason);
  r.text("note", p.note);
  r.text("escalated_to", p.escalated_to);
  r.text("priority", p.priority);
  r.text("template", p.template_name);
  r.text("to", p.to);
  if (r.problem) return *r.problem;
  return p;
}

std::string serialise_task_payload(Action::Kind kind, const TaskPayload& p) {
  Json out = Json::object();
  out["version"] = TaskPayload::kVersion;
  out["task_key"] = p.task_key;
  auto notify = [&] {
    if (!p.template_name.empty()) out["template"] = p.template_name;
    if (!p.to.empty()) out["to"] = p.to;
  };
  switch (kind) {
    case Action::Kind::kCreate: {
      out["dispute"] = p.dispute;
      out["step"] = p.step;
      out["subject"] = p.subject;
      out["instructions"] = p.instructions;
      out["assignee"] = p.assignee;
      out["assignee_kind"] = p.assignee_kind;
      out["deadline_at"] = p.deadline_at;
      out["deadline_local_date"] = p.deadline_local_date;
      out["time_zone"] = p.time_zone;
      out["outcomes"] = p.outcomes;
      out["category"] = p.category;
      out["customer"] = {{"id", p.customer.id}, {"name", p.customer.name}};
      out["description"] = p.description;
      out["currency"] = p.currency;
      out["disputed_amount"] = p.disputed_amount;
      Json invoices = Json::array();
      for (const auto& i : p.invoices)
        invoices.push_back({{"number", i.number}, {"disputed_amount", i.disputed_amount}});
      out["invoices"] = std::move(invoices);
      if (!p.dispute_url.empty()) out["dispute_url"] = p.dispute_url;
      if (!p.assignee_members.empty()) out["assignee_members"] = p.assignee_members;
      notify();
      // An escalation level's task of the target's own (issue 16): who, why, how urgent.
      if (!p.escalated_to.empty()) {
        out["escalated_to"] = p.escalated_to;
        out["priority"] = p.priority;
        out["note"] = p.note;
      }
      break;
    }
    case Action::Kind::kUpdate:
      out["status"] = p.status;
      out["outcome"] = p.outcome;
      out["comment"] = p.comment;
      // A move (issue 16): the new assignee (reassigned) or the new due date (extended, after a
      // wait for the customer), only when that is what the update changes.
      if (!p.assignee.empty()) {
        out["assignee"] = p.assignee;
        out["assignee_kind"] = p.assignee_kind;
        if (!p.assignee_members.empty()) out["assignee_members"] = p.assignee_members;
      }
      if (!p.deadline_at.empty()) {
        out["deadline_at"] = p.deadline_at;
        out["deadline_local_date"] = p.deadline_local_date;
        out["time_zone"] = p.time_zone;
      }
      if (!p.note.empty()) out["note"] = p.note;
      // An escalation level that moves the task to its target.
      if (!p.escalated_to.empty()) {
        out["escalated_to"] = p.escalated_to;
        out["priority"] = p.priority;
      }
      break;
    case Action::Kind::kCancel:
      out["dispute"] = p.dispute;
      out["reason"] = p.reason;
      break;
    case Action::Kind::kRemind:
    case Action::Kind::kEscalate:
      out["dispute"] = p.dispute;
      out["step"] = p.step;
      out["title"] = p.title;
      out["assignee"] = p.assignee;
      out["deadline_at"] = p.deadline_at;
      out["note"] = p.note;
      if (kind == Action::Kind::kEscalate) {
        out["escalated_to"] = p.escalated_to;
        out["priority"] = p.priority;
      }
      notify();
      break;
    case Action::Kind::kMessage:
      break;  // a message is not a task: kit::serialise_message_payload
  }
  // Stored text may hold anything a person typed: never fail on invalid UTF-8.
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string dispute_url(std::string_view public_url, std::string_view dispute_ref) {
  while (!public_url.empty() && public_url.back() == '/') public_url.remove_suffix(1);
  if (public_url.empty() || dispute_ref.empty()) return {};
  return std::string(public_url) + "/disputes/" + percent_encode(dispute_ref);
}

std::string dispute_link(const TaskPayload& payload, std::string_view url_template) {
  if (!payload.dispute_url.empty()) return payload.dispute_url;
  if (url_template.empty() || payload.dispute.empty()) return {};
  std::string url(url_template);
  auto at = url.find("{dispute}");
  if (at != std::string::npos) url.replace(at, 9, percent_encode(payload.dispute));
  return url;
}

std::string task_subject(std::string_view step_title, std::string_view dispute_ref,
                         std::string_view customer_name) {
  std::string out = std::string(step_title) + " \u2014 " + std::string(dispute_ref);
  if (!customer_name.empty()) out += " (" + std::string(customer_name) + ")";
  return out;
}

std::vector<std::pair<std::string, std::string>> task_facts(const TaskPayload& p) {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](const char* label, std::string value) {
    if (!value.empty()) out.emplace_back(label, std::move(value));
  };
  add("Dispute", p.dispute);
  add("Step", p.step);
  std::string who = p.customer.name;
  if (!p.customer.id.empty()) who += (who.empty() ? "(" : " (") + p.customer.id + ")";
  add("Customer", who);
  add("Category", p.category);
  std::string invoices;
  for (const auto& i : p.invoices) {
    if (i.number.empty()) continue;
    invoices += (invoices.empty() ? "" : ", ") + i.number;
    if (!i.disputed_amount.empty())
      invoices += " (" + (p.currency.empty() ? "" : p.currency + " ") + i.disputed_amount + ")";
  }
  add("Invoices", invoices);
  if (!p.disputed_amount.empty())
    add("Disputed amount", (p.currency.empty() ? "" : p.currency + " ") + p.disputed_amount);
  std::string due = p.deadline_local_date;
  if (!due.empty() && !p.time_zone.empty()) due += " (" + p.time_zone + ")";
  add("Due", due);
  add("Assigned to", p.assignee);
  return out;
}

std::string task_facts_text(const TaskPayload& p) {
  std::string out;
  for (const auto& [label, value] : task_facts(p)) out += label + ": " + value + "\n";
  return out;
}

}  // namespace disputed::sdk::kit
