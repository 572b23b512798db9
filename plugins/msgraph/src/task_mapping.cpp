#include "plugins/msgraph/src/task_mapping.hpp"

#include "disputed/sdk/kit/codecs.hpp"
#include "disputed/sdk/kit/time.hpp"

namespace disputed::plugins::msgraph {

namespace {

std::string body_text(const kit::TaskPayload& p, const Settings& settings) {
  std::string out;
  auto para = [&](const std::string& s) {
    if (s.empty()) return;
    if (!out.empty()) out += "\n\n";
    out += s;
  };
  para(p.instructions);
  para(p.description);
  std::string facts = kit::task_facts_text(p);
  if (!facts.empty()) facts.pop_back();
  para(facts);
  std::vector<std::string> outcomes;
  for (const auto& o : p.outcomes)
    if (!o.empty()) outcomes.push_back(o);
  if (!outcomes.empty()) {
    std::string list;
    for (const auto& o : outcomes) list += (list.empty() ? "" : ", ") + o;
    para(
        "When you are done, mark this task completed. To choose the outcome, give the task the "
        "category of that name first: " +
        list + " (without one, the outcome is \"" + outcomes.front() + "\").");
  }
  if (std::string link = kit::dispute_link(p, settings.dispute_url); !link.empty())
    para("Open the dispute: " + link);
  return out;
}

}  // namespace

std::string marker(const std::string& action_key) { return "[disputed " + action_key + "]"; }

std::string user_of(const kit::TaskPayload& p, const Settings& settings) {
  if (p.assignee_kind == "role") {
    auto it = settings.role_users.find(p.assignee);
    return it == settings.role_users.end() ? std::string() : it->second;
  }
  return p.assignee;
}

std::string importance_of(const std::string& priority) {
  std::string p = kit::lower(priority);
  if (p == "urgent" || p == "high") return "high";
  if (p == "low") return "low";
  return "normal";
}

void add_dates(const kit::TaskPayload& p, const Settings& settings, kit::Json& task) {
  auto deadline = p.deadline();
  if (kit::parse_date(p.deadline_local_date) && !p.time_zone.empty()) {
    // To Do keeps a due *date*: midnight of the local day, in that zone, is that day for the
    // user whatever their offset or DST on that date.
    task["dueDateTime"] = {{"dateTime", p.deadline_local_date + "T00:00:00.0000000"},
                           {"timeZone", p.time_zone}};
  } else if (deadline) {
    task["dueDateTime"] = {
        {"dateTime", kit::format_graph_datetime(std::chrono::floor<std::chrono::days>(*deadline))},
        {"timeZone", "UTC"}};
  }
  if (deadline && settings.reminder_before.count() > 0) {
    task["isReminderOn"] = true;
    task["reminderDateTime"] = {
        {"dateTime", kit::format_graph_datetime(*deadline - settings.reminder_before)},
        {"timeZone", "UTC"}};
  }
}

kit::Json new_task(const sdk::Action& action, const kit::TaskPayload& p, const Settings& settings) {
  kit::Json task = {{"title", p.headline()},
                    {"body", {{"content", body_text(p, settings)}, {"contentType", "text"}}},
                    {"importance", importance_of(p.priority)},
                    {"status", "notStarted"}};
  add_dates(p, settings, task);
  kit::Json link = {
      {"applicationName", settings.application_name},
      {"displayName", "Dispute " + p.dispute + (p.step.empty() ? "" : " / " + p.step)},
      {"externalId", action.task_key}};
  if (std::string url = kit::dispute_link(p, settings.dispute_url); !url.empty())
    link["webUrl"] = url;
  task["linkedResources"] = kit::Json::array({link});
  return task;
}

bool has_note(const kit::Json& task, const std::string& action_key) {
  return kit::JsonView(task)["body"]["content"].string_or().find(marker(action_key)) !=
         std::string::npos;
}

kit::Json body_with_note(const kit::Json& task, const std::string& action_key,
                         const std::string& note) {
  kit::JsonView body = kit::JsonView(task)["body"];
  std::string content = body["content"].string_or();
  std::string type = body["contentType"].string_or("text");
  if (type.empty()) type = "text";
  std::string line = marker(action_key) + " " + note;
  if (type == "html") {
    std::string escaped;
    for (char c : line)
      escaped += c == '<'   ? std::string("&lt;")
                 : c == '>' ? std::string("&gt;")
                 : c == '&' ? std::string("&amp;")
                            : std::string(1, c);
    content += "<p>" + escaped + "</p>";
  } else {
    content += (content.empty() ? "" : "\n\n") + line;
  }
  return {{"content", content}, {"contentType", type}};
}

std::optional<sdk::TaskEvent> completion_of(const kit::Json& task, const std::string& task_key,
                                            const TaskRef& ref,
                                            const std::vector<std::string>& outcomes) {
  kit::JsonView t(task);
  if (t["status"].string_or() != "completed") return std::nullopt;
  std::string body = t["body"]["content"].string_or();
  if (body.find("] " + kClosedNote) != std::string::npos ||
      body.find("] " + kCancelledNote) != std::string::npos)
    return std::nullopt;
  sdk::TaskEvent e;
  e.kind = sdk::TaskEvent::Kind::kCompleted;
  e.task_key = task_key;
  e.external_ref = ref.str();
  std::string when = t["completedDateTime"]["dateTime"].string_or();
  e.event_id =
      ref.task + ":completed:" + (when.empty() ? t["lastModifiedDateTime"].string_or() : when);
  for (const auto& c : t["categories"].elements()) {
    if (!c.is_string() || !e.outcome.empty()) continue;
    if (outcomes.empty()) e.outcome = c.string_or();
    for (const auto& o : outcomes)
      if (kit::lower(o) == kit::lower(c.string_or())) e.outcome = o;
  }
  if (e.outcome.empty() && !outcomes.empty()) e.outcome = outcomes.front();
  e.actor = ref.user;
  auto at = kit::parse_utc_datetime(when);
  if (!at || kit::lower(t["completedDateTime"]["timeZone"].string_or("utc")) != "utc")
    at = kit::parse_utc_datetime(t["lastModifiedDateTime"].string_or());
  if (at) e.at = *at;
  return e;
}

sdk::TaskEvent deletion_of(const std::string& task_key, const TaskRef& ref) {
  sdk::TaskEvent e;
  e.kind = sdk::TaskEvent::Kind::kDeleted;
  e.task_key = task_key;
  e.external_ref = ref.str();
  e.event_id = ref.task + ":deleted";
  return e;
}

}  // namespace disputed::plugins::msgraph
