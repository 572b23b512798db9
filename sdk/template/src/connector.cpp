#include "connector.hpp"

#include "disputed/sdk/plugin.hpp"
#include "task_mapping.hpp"

namespace template_connector {

using sdk::Action;
using sdk::ApplyResult;

TemplateConnector::TemplateConnector()
    : SystemConnector(disputed_plugin_manifest_json, "Example Tasks",
                      &template_connector::read_settings) {}

sdk::CheckResult TemplateConnector::on_check() {
  // TODO(vendor): the cheapest call that proves both the credentials and access to the project
  // (a "who am I", or reading the project).
  kit::Reply me = client().call("GET", "/me");
  if (me.ok()) return {true, sdk::CheckResult::Category::kNone, "", ""};
  return client().policy().check_result(
      me.outcome,
      {"check auth.token_url and auth.client_id in the instance config and the client secret "
       "its secrets.client_secret points to",
       "give the API client read and write access to tasks in project " + settings().project,
       "add the base URL's host to the instance's allowed_hosts, or correct settings.base_url",
       "check that " + settings().base_url +
           " is reachable from this machine (proxy, firewall, vendor status)"});
}

ApplyResult TemplateConnector::on_create(const Action& action, const kit::TaskPayload& payload) {
  // Exactly one task per task_key, even when an earlier attempt's answer was lost: look for the
  // task first (covers retries after the vendor forgot the idempotency key, typically after
  // 24 h), then create with the action's key (covers a race with that earlier attempt).
  auto existing = client().find_task(action.task_key);
  if (!existing) return failed(existing.failure(), action);
  if (*existing) {
    kit::JsonView task(**existing);
    return kit::already_applied(task["id"].string_or(), task["url"].string_or());
  }
  kit::Json body = new_task(action, payload, settings());
  kit::Reply r = client().call("POST", "/tasks", &body, action.action_key);
  kit::JsonView answer(r.body);
  if (r.response.status == 409 && !answer["existing_id"].string_or().empty())
    return kit::already_applied(answer["existing_id"].string_or());  // made by an attempt we lost
  if (!r.ok()) return failed(r.outcome, action);
  std::string id = answer["id"].string_or();
  if (id.empty()) return kit::retryable("created, but no id in the answer");
  return replayed(r.response) ? kit::already_applied(id, answer["url"].string_or())
                              : kit::applied(id, answer["url"].string_or());
}

ApplyResult TemplateConnector::on_update(const Action& action, const kit::TaskPayload& payload) {
  // The engine sends an update when a step was completed in disputed: close the task so nobody
  // works on it any more.
  if (payload.status != "completed")
    return kit::rejected("this connector only applies updates with \"status\": \"completed\"");
  auto id = task_id(action);
  if (!id) return failed(id.failure(), action);
  if (!*id) return kit::rejected("no task for " + action.task_key);
  return write(action, **id, "PATCH", ExampleClient::task_path(**id), closing(payload),
               action.action_key);
}

ApplyResult TemplateConnector::on_cancel(const Action& action, const kit::TaskPayload& payload) {
  auto id = task_id(action);
  if (!id) return failed(id.failure(), action);
  if (!*id) return kit::already_applied("", "", "no task to cancel");  // never created
  // TODO(vendor): your "cancelled" state; some systems delete, some close with a reason. A 404
  // here is already applied (the kit's policy: nothing left to cancel).
  return write(action, **id, "PATCH", ExampleClient::task_path(**id), cancelling(payload),
               action.action_key);
}

ApplyResult TemplateConnector::on_reminder(const Action& action, const kit::TaskPayload& payload,
                                           bool escalate) {
  auto id = task_id(action);
  if (!id) return failed(id.failure(), action);
  if (!*id) return kit::rejected("no task for " + action.task_key);
  const std::string comments = ExampleClient::task_path(**id) + "/comments";
  if (!escalate)
    return write(action, **id, "POST", comments, reminder_comment(payload, false),
                 action.action_key);
  // Two requests, each with its own key derived from the action's: a retry after the second
  // failed replays the first instead of repeating it.
  // TODO(vendor): add `escalated_to` as a follower/CC if your system has them.
  ApplyResult raised = write(action, **id, "PATCH", ExampleClient::task_path(**id),
                             {{"priority", "urgent"}}, action.action_key + ":priority");
  if (raised.status != ApplyResult::Status::kApplied &&
      raised.status != ApplyResult::Status::kAlreadyApplied)
    return raised;
  ApplyResult noted = write(action, **id, "POST", comments, reminder_comment(payload, true),
                            action.action_key + ":comment");
  if (noted.status == ApplyResult::Status::kAlreadyApplied &&
      raised.status != ApplyResult::Status::kAlreadyApplied)
    noted.status = ApplyResult::Status::kApplied;  // done only now
  return noted;
}

kit::Fetched<std::optional<std::string>> TemplateConnector::task_id(const Action& action) {
  if (!action.external_ref.empty()) return std::optional<std::string>(action.external_ref);
  auto task = client().find_task(action.task_key);
  if (!task) return task.failure();
  if (!*task) return std::optional<std::string>();
  return std::optional<std::string>(kit::JsonView(**task)["id"].string_or());
}

ApplyResult TemplateConnector::write(const Action& action, const std::string& id,
                                     const std::string& method, const std::string& path,
                                     const kit::Json& body, const std::string& key) {
  kit::Reply r = client().call(method, path, &body, key);
  if (!r.ok()) return failed(r.outcome, action, id);
  return replayed(r.response) ? kit::already_applied(id) : kit::applied(id);
}

}  // namespace template_connector

DISPUTED_CONNECTOR_PLUGIN(template_connector::TemplateConnector)
