#include "plugins/msgraph/src/connector.hpp"

#include "disputed/sdk/kit/codecs.hpp"
#include "disputed/sdk/kit/time.hpp"
#include "disputed/sdk/plugin.hpp"
#include "plugins/msgraph/src/message_mapping.hpp"
#include "plugins/msgraph/src/task_mapping.hpp"

namespace disputed::plugins::msgraph {

namespace {

using sdk::Action;
using sdk::ApplyResult;
using sdk::CheckResult;

std::string no_task(const Action& action) {
  return "no task known for '" + action.task_key + "' (external_ref '" + action.external_ref + "')";
}

}  // namespace

MsGraphConnector::MsGraphConnector()
    : SystemConnector(disputed_plugin_manifest_json, "Microsoft Graph", &msgraph::read_settings) {}

CheckResult MsGraphConnector::on_check() {
  const std::string& user = settings().check_user;
  const kit::Remedies remedies{
      "check auth.token_url (https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token), "
      "auth.client_id and the client secret secrets.client_secret points to",
      "grant the app registration the application permission Tasks.ReadWrite.All and an admin's "
      "consent (Entra admin center > App registrations > API permissions)",
      "settings.check_user '" + user +
          "' must be a user of the tenant with an Exchange Online mailbox, settings.graph_base_url "
          "right and its host in the instance's allowed_hosts",
      "check the network path to Microsoft Graph; see https://status.cloud.microsoft"};
  Reply lists = client().call("GET", client().user_url(user) + "/todo/lists?$top=1");
  if (!lists.ok()) return client().policy().check_result(lists.outcome, remedies);
  // Writing: the dedicated list exists or can be created (it is created once anyway).
  auto list = client().ensure_list(user);
  if (!list) return client().policy().check_result(list.failure(), remedies);
  // Mail.Send cannot be proven without sending a message: the first message does (a 403 holds
  // the instance with the remedy below).
  return {true, CheckResult::Category::kNone,
          "token obtained; To Do of " + user + " readable and writable (list '" +
              settings().list_name + "')" +
              (settings().mailbox.empty() ? ""
                                          : "; messages go out from " + settings().mailbox +
                                                " (application permission Mail.Send)"),
          ""};
}

ApplyResult MsGraphConnector::on_message(const Action& action, const kit::MessagePayload& m) {
  if (settings().mailbox.empty())
    return kit::rejected(
        "this Microsoft Graph instance sends no messages: settings.mailbox is not set");
  kit::Json body = send_mail_body(m, settings().mailbox, settings().save_to_sent_items);
  // No idempotency in sendMail: a retry after a lost 202 sends the message again (with the same
  // X-Disputed-Message-Id); see docs/messaging.md.
  Reply r = client().call("POST", client().user_url(settings().mailbox) + "/sendMail", &body);
  log(r.ok() ? sdk::LogLevel::kInfo : sdk::LogLevel::kWarn,
      "message " + m.message_id + " (" + action.action_key + ", " +
          std::to_string(m.recipients().size()) + " recipient(s)) from " + settings().mailbox +
          " -> " + (r.ok() ? "accepted" : client().policy().describe(r.response)));
  if (!r.ok()) return failed(r.outcome, action, "");
  return kit::applied(m.message_id);
}

void MsGraphConnector::remember_task(const std::string& task_key, const TaskRef& ref,
                                     const kit::Json& outcomes) {
  kit::Json entry = {{"ref", ref.str()}};
  if (outcomes.is_array() && !outcomes.empty()) entry["outcomes"] = outcomes;
  host().store().put("task:" + task_key, entry.dump());
}

ApplyResult MsGraphConnector::on_create(const Action& action, const kit::TaskPayload& payload) {
  if (action.task_key.empty()) return kit::rejected("the create has no task_key");
  std::string assignee = user_of(payload, settings());
  if (assignee.empty()) {
    if (payload.assignee_kind == "role")
      return kit::rejected("step assigned to role '" + payload.assignee +
                           "', which settings.role_users does not map to a user");
    return kit::rejected("the payload names no assignee (a user id or UPN)");
  }
  if (!safe_id(assignee))
    return kit::rejected("assignee '" + assignee + "' is not a user id or UPN");

  kit::Json known = client().stored("task:" + action.task_key);
  if (std::string ref = kit::JsonView(known)["ref"].string_or(); !ref.empty())
    return kit::already_applied(ref);

  auto list = client().ensure_list(assignee);
  if (!list) {
    if (list.failure().verdict == kit::Verdict::kNotFound)
      return kit::rejected("user '" + assignee +
                           "' not found in the tenant (or without an Exchange Online mailbox): " +
                           list.failure().message);
    return failed(list.failure(), action, "");
  }
  // A previous attempt may have reached Graph while its answer was lost — or may still be on its
  // way (the engine was killed while waiting for the answer, and restarted at once). Graph has no
  // idempotency key, so while the intent is younger than the settle window (twice the request
  // timeout) a create is not repeated: the lookup is tried again after the window.
  const std::string intent_key = "intent:" + action.task_key;
  auto intent = host().store().get(intent_key);
  if (action.attempt > 1 || intent) {
    auto found = client().find_by_key(assignee, *list, action.task_key);
    if (!found) return failed(found.failure(), action, "");
    if (!found->empty()) {
      TaskRef ref{assignee, *list, *found};
      remember_task(action.task_key, ref, kit::Json(payload.outcomes));
      host().store().erase(intent_key);
      return kit::already_applied(ref.str());
    }
    kit::Json recorded = intent ? client().stored(intent_key) : kit::Json();
    if (auto at = kit::JsonView(recorded)["at"].integer_or_none()) {
      const auto settle = std::chrono::seconds(2 * ((settings().timeout.count() + 999) / 1000));
      const auto age = now().time_since_epoch() - std::chrono::seconds(*at);
      if (age < settle) {
        auto wait = std::chrono::duration_cast<std::chrono::seconds>(settle - age);
        return kit::retryable("an earlier create of " + action.task_key +
                                  " may still be on its way to Graph; looking for it again in " +
                                  std::to_string(wait.count()) + " s",
                              wait);
      }
    }
  }
  kit::Json task = new_task(action, payload, settings());
  host().store().put(
      intent_key,
      kit::Json{{"user", assignee}, {"list", *list}, {"at", now().time_since_epoch().count()}}
          .dump());
  Reply r = client().call("POST", client().list_url(assignee, *list) + "/tasks", &task);
  if (!r.ok()) {
    if (r.not_found()) client().forget_list(assignee);
    if (r.outcome.verdict == kit::Verdict::kRejected ||
        r.outcome.verdict == kit::Verdict::kNotFound ||
        r.outcome.verdict == kit::Verdict::kAuthFailed)
      host().store().erase(intent_key);  // Graph refused it: nothing was created
    return failed(r.outcome, action, "");
  }
  std::string id = kit::JsonView(r.body)["id"].string_or();
  if (id.empty()) return failed(client().malformed(r, "Graph answered no task id"), action, "");
  TaskRef ref{assignee, *list, id};
  remember_task(action.task_key, ref, kit::Json(payload.outcomes));
  host().store().erase(intent_key);
  return kit::applied(ref.str());
}

std::optional<TaskRef> MsGraphConnector::ref_of(const Action& action) {
  if (!action.external_ref.empty()) return TaskRef::parse(action.external_ref);
  const kit::Json known = client().stored("task:" + action.task_key);
  return TaskRef::parse(kit::JsonView(known)["ref"].string_or());
}

ApplyResult MsGraphConnector::patch_with_note(const Action& action, const TaskRef& ref,
                                              const std::string& note, kit::Json fields,
                                              bool gone_is_done) {
  Reply current = client().call("GET", client().task_url(ref));
  if (current.not_found() && gone_is_done)
    return kit::already_applied(ref.str(), "", "the task no longer exists");
  if (!current.ok()) return failed(current.outcome, action, ref.str());
  if (has_note(current.body, action.action_key)) return kit::already_applied(ref.str());
  fields["body"] = body_with_note(current.body, action.action_key, note);
  Reply r = client().call("PATCH", client().task_url(ref), &fields);
  if (r.not_found() && gone_is_done)
    return kit::already_applied(ref.str(), "", "the task no longer exists");
  if (!r.ok()) return failed(r.outcome, action, ref.str());
  return kit::applied(ref.str());
}

ApplyResult MsGraphConnector::on_update(const Action& action, const kit::TaskPayload& payload) {
  auto ref = ref_of(action);
  if (!ref) return kit::rejected(no_task(action));
  if (payload.status == "completed") {
    std::string note = kClosedNote;
    if (!payload.outcome.empty()) note += " with outcome '" + payload.outcome + "'";
    if (!payload.comment.empty()) note += ": " + payload.comment;
    // The task is gone: nothing left to close.
    return patch_with_note(action, *ref, note, {{"status", "completed"}}, true);
  }
  std::string assignee = user_of(payload, settings());
  if (!assignee.empty() && kit::lower(assignee) != kit::lower(ref->user))
    return reassign(action, *ref, payload, assignee);
  kit::Json fields = kit::Json::object();
  add_dates(payload, settings(), fields);
  if (!payload.subject.empty()) fields["title"] = payload.subject;
  if (!payload.priority.empty()) fields["importance"] = importance_of(payload.priority);
  if (!payload.note.empty()) return patch_with_note(action, *ref, payload.note, fields, false);
  if (fields.empty()) return kit::already_applied(ref->str(), "", "nothing to change");
  Reply r = client().call("PATCH", client().task_url(*ref), &fields);
  if (!r.ok()) return failed(r.outcome, action, ref->str());
  return kit::applied(ref->str());
}

ApplyResult MsGraphConnector::reassign(const Action& action, const TaskRef& old,
                                       const kit::TaskPayload& payload,
                                       const std::string& assignee) {
  if (!safe_id(assignee))
    return kit::rejected("assignee '" + assignee + "' is not a user id or UPN");
  auto list = client().ensure_list(assignee);
  if (!list) {
    if (list.failure().verdict == kit::Verdict::kNotFound)
      return kit::rejected("user '" + assignee + "' not found: " + list.failure().message);
    return failed(list.failure(), action, old.str());
  }
  auto found = client().find_by_key(assignee, *list, action.task_key);
  if (!found) return failed(found.failure(), action, old.str());
  TaskRef moved{assignee, *list, *found};
  if (found->empty()) {
    Reply current = client().call("GET", client().task_url(old) + "?$expand=linkedResources");
    if (!current.ok()) return failed(current.outcome, action, old.str());
    kit::Json task = kit::Json::object();
    for (const char* k : {"title", "body", "importance", "dueDateTime", "reminderDateTime",
                          "isReminderOn", "categories"})
      if (current.body.contains(k) && !current.body[k].is_null()) task[k] = current.body[k];
    add_dates(payload, settings(), task);
    kit::Json link = {{"applicationName", settings().application_name},
                      {"externalId", action.task_key}};
    kit::JsonView first = kit::JsonView(current.body)["linkedResources"][0];
    for (const char* k : {"applicationName", "displayName", "webUrl"})
      if (!first[k].string_or().empty()) link[k] = first[k].string_or();
    task["linkedResources"] = kit::Json::array({link});
    Reply created = client().call("POST", client().list_url(assignee, *list) + "/tasks", &task);
    if (!created.ok()) return failed(created.outcome, action, old.str());
    moved.task = kit::JsonView(created.body)["id"].string_or();
    if (moved.task.empty())
      return failed(client().malformed(created, "Graph answered no task id"), action, old.str());
  }
  const kit::Json known = client().stored("task:" + action.task_key);
  const kit::Json* outcomes = kit::JsonView(known)["outcomes"].json();
  remember_task(action.task_key, moved, outcomes ? *outcomes : kit::Json());
  Reply deleted = client().call("DELETE", client().task_url(old));
  // Retried after a failure here: the task is found in the new list, the old one deleted then.
  if (!deleted.ok() && !deleted.not_found()) return failed(deleted.outcome, action, moved.str());
  return kit::applied(moved.str());
}

ApplyResult MsGraphConnector::on_cancel(const Action& action, const kit::TaskPayload& payload) {
  auto ref = ref_of(action);
  if (!ref) return kit::rejected(no_task(action));
  host().store().put("cancelled:" + ref->task, "1");
  if (settings().cancel_completes) {
    std::string note = kCancelledNote;
    if (!payload.reason.empty()) note += ": " + payload.reason;
    return patch_with_note(action, *ref, note, {{"status", "completed"}}, true);
  }
  Reply r = client().call("DELETE", client().task_url(*ref));
  if (!r.ok()) return failed(r.outcome, action, ref->str());
  return kit::applied(ref->str());
}

ApplyResult MsGraphConnector::on_reminder(const Action& action, const kit::TaskPayload& payload,
                                          bool escalate) {
  auto ref = ref_of(action);
  if (!ref) return kit::rejected(no_task(action));
  std::string note = payload.note;
  if (note.empty())
    note = escalate ? "Escalated: this task is overdue" : "Reminder: this task is due soon";
  kit::Json fields = kit::Json::object();
  if (escalate) fields["importance"] = "high";
  // A reminder To Do shows: the task's reminder set to now (todoTask isReminderOn and
  // reminderDateTime), beside the note in its body.
  if (!escalate) {
    fields["isReminderOn"] = true;
    fields["reminderDateTime"] =
        kit::Json{{"dateTime", kit::format_graph_datetime(now())}, {"timeZone", "UTC"}};
  }
  return patch_with_note(action, *ref, note, fields, false);
}

}  // namespace disputed::plugins::msgraph

DISPUTED_CONNECTOR_PLUGIN(disputed::plugins::msgraph::MsGraphConnector)
