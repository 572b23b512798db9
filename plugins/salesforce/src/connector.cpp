#include "plugins/salesforce/src/connector.hpp"

#include <map>
#include <set>

#include "disputed/sdk/kit/codecs.hpp"
#include "disputed/sdk/kit/time.hpp"
#include "disputed/sdk/plugin.hpp"
#include "plugins/salesforce/src/task_mapping.hpp"

namespace disputed::plugins::salesforce {

namespace {

using sdk::Action;
using sdk::ApplyResult;
using sdk::CheckResult;

constexpr std::size_t kCollectionLimit = 200;  // records per sObject Collections request

// Contention and a rolled-back neighbour are transient; anything else is about the content.
bool transient(const std::string& code) {
  return code == "UNABLE_TO_LOCK_ROW" || code == "ALL_OR_NONE_OPERATION_ROLLED_BACK" ||
         code == "SERVER_UNAVAILABLE" || code == "REQUEST_RUNNING_TOO_LONG" ||
         code == "UNKNOWN_EXCEPTION";
}

// A cached User or Account went away: look it up again next time, and retry.
bool stale_lookup(const std::string& code) {
  return code == "INVALID_CROSS_REFERENCE_KEY" || code == "INACTIVE_OWNER_OR_USER";
}

}  // namespace

SalesforceConnector::SalesforceConnector()
    : SystemConnector(disputed_plugin_manifest_json, "Salesforce", &salesforce::read_settings) {}

std::size_t SalesforceConnector::max_batch() const noexcept { return kCollectionLimit; }

bool SalesforceConnector::batches(sdk::Action::Kind kind) const noexcept {
  return kind == sdk::Action::Kind::kCreate;
}

CheckResult SalesforceConnector::on_check() {
  using C = CheckResult::Category;
  auto base = client().instance_url();
  if (!base) {
    if (base.failure().failure == sdk::HttpResponse::Failure::kNoCredential)
      return {false, C::kAuth, base.failure().message,
              "check auth.token_url (https://<MyDomain>.my.salesforce.com/services/oauth2/token), "
              "auth.client_id (the consumer key) and the secret secrets.client_secret points to; "
              "the external client app needs the client credentials flow enabled with a Run As "
              "user"};
    return {false, C::kConfig, base.failure().message,
            "use auth kind oauth2_client_credentials with Salesforce's token endpoint"};
  }
  sdk::HttpRequest versions;
  versions.url = *base + "/services/data";
  versions.authenticate = false;
  versions.headers.emplace_back("Accept", "application/json");
  versions.timeout = settings().request_timeout;
  sdk::HttpResponse v = host().http().send(versions);
  auto verdict = client().policy().judge(v, now());
  if (!verdict.ok())
    return client().policy().check_result(
        verdict, {"", "", "add the org's instance host (" + *base + ") to allowed_hosts",
                  "check the network path to " + *base + "; see https://status.salesforce.com"});
  auto list = kit::parse_json(v.body);
  bool served = false;
  std::string newest;
  if (list)
    for (const auto& entry : kit::JsonView(*list).elements()) {
      std::string n = entry["version"].string_or();
      if ("v" + n == settings().api_version) served = true;
      newest = n;
    }
  if (!served)
    return {false, C::kConfig,
            "API version " + settings().api_version + " is not served by this org",
            "set settings.api_version to a served version" +
                (newest.empty() ? "" : " (newest: v" + newest + ")")};

  Reply d = client().call("GET", client().data_path("/sobjects/Task/describe"));
  if (!d.ok()) {
    if (d.outcome.verdict == kit::Verdict::kRateLimited)
      return {false, C::kPermission, d.outcome.message,
              "the org's daily API allocation is used up; wait or raise it"};
    return client().policy().check_result(
        d.outcome, {"check the client credentials and that the Run As user is active",
                    "give the Run As user API Enabled and read/create access to Task",
                    "check settings.api_version and the instance's allowed_hosts",
                    "see https://status.salesforce.com"});
  }
  kit::JsonView describe(d.body);
  std::map<std::string, kit::JsonView> fields;
  for (const auto& f : describe["fields"].elements()) fields.emplace(f["name"].string_or(), f);
  auto ext = fields.find(settings().ext_field);
  if (ext == fields.end() || !ext->second["externalId"].boolean_or(false))
    return {false, C::kConfig,
            "Task has no External ID field " + settings().ext_field +
                " visible to the integration user",
            "create a Text(80) custom field " + settings().ext_field +
                " on Activity marked External ID and Unique, and give the Run As user edit "
                "access to it"};
  if (!settings().outcome_field.empty() && !fields.count(settings().outcome_field))
    return {false, C::kConfig, "Task has no field " + settings().outcome_field,
            "create the outcome field on Activity (a picklist of the steps' outcomes) or set "
            "settings.outcome_field to \"\" and use outcome_by_status"};
  if (!describe["createable"].boolean_or(false))
    return {false, C::kPermission, "the integration user may not create Tasks",
            "give the Run As user's profile or permission set Create on Tasks (Edit Tasks)"};
  std::string usage = client().usage_text();
  return {true, C::kNone,
          "token ok, instance " + *base + ", " + settings().api_version + " served, " +
              settings().ext_field + " is an External ID" + (usage.empty() ? "" : ", " + usage),
          ""};
}

std::optional<ApplyResult> SalesforceConnector::task_record(const Action& action,
                                                            const kit::TaskPayload& p,
                                                            kit::Json& task) {
  if (!valid_key(action.task_key))
    return kit::rejected("task key '" + kit::truncate_utf8(action.task_key, 100) +
                         "' is not 1-80 of [A-Za-z0-9:_-]");
  task = task_fields(action, p, settings());
  std::string owner, what, account_owner;
  if (p.assignee.find('@') != std::string::npos) {
    auto user = client().user_by_email(p.assignee);
    if (!user) return failed(user.failure(), action);
    owner = *user;
  }
  if (!settings().invoice_object.empty() && !p.invoices.empty() &&
      !p.invoices.front().number.empty()) {
    auto invoice = client().invoice_by_number(p.invoices.front().number);
    if (!invoice) return failed(invoice.failure(), action);
    what = *invoice;
  }
  if (!settings().account_number_field.empty() && !p.customer.id.empty()) {
    auto account = client().account_by_number(p.customer.id);
    if (!account) return failed(account.failure(), action);
    account_owner = account->owner;
    if (what.empty()) what = account->id;
  }
  if (owner.empty() && settings().owner_fallback == "account_owner" && valid_id(account_owner))
    owner = account_owner;
  if (!owner.empty()) task["OwnerId"] = owner;
  if (!what.empty()) task["WhatId"] = what;
  return std::nullopt;
}

ApplyResult SalesforceConnector::on_create(const Action& action, const kit::TaskPayload& payload) {
  kit::Json task;
  if (auto early = task_record(action, payload, task)) return *early;
  Reply r = client().call("PATCH",
                          client().data_path("/sobjects/Task/" + settings().ext_field + "/" +
                                             kit::percent_encode(action.task_key)),
                          &task);
  if (r.response.status == 300)
    return kit::rejected("several Tasks have " + settings().ext_field + " = " + action.task_key +
                         "; mark the field Unique in Salesforce");
  if (!r.ok()) {
    if (stale_lookup(r.outcome.code)) {
      client().forget_lookups(payload);
      return kit::retryable(r.outcome.message);
    }
    return failed(r.outcome, action);
  }
  std::string id = kit::JsonView(r.body)["id"].string_or();
  if (id.empty()) {  // 204 from old API versions: read the id back
    auto found = client().find_task(action.task_key);
    if (!found) return failed(found.failure(), action);
    if (!*found) return kit::retryable("the upserted Task could not be read back");
    id = kit::JsonView(**found)["Id"].string_or();
  }
  return r.response.status == 201 ? kit::applied(id, client().task_url(id))
                                  : kit::already_applied(id, client().task_url(id));
}

void SalesforceConnector::on_batch(std::vector<kit::BatchItem>& items) {
  // Creates go as collection upserts by the external-id field (a retried batch finds the Tasks
  // it made and answers created=false); any other kind, or a task key seen twice, alone.
  std::vector<kit::BatchItem*> upserts, singles;
  std::vector<kit::Json> records;
  std::set<std::string> keys;
  // A lookup that failed for a transient reason (the org busy, the allocation used up) fails
  // the same way for the rest: answer them with it rather than sending a query for each.
  std::optional<ApplyResult> lookups_down;
  for (auto& item : items) {
    if (item.action.kind != Action::Kind::kCreate || keys.count(item.action.task_key)) {
      singles.push_back(&item);
      continue;
    }
    if (lookups_down) {
      item.result = *lookups_down;
      continue;
    }
    kit::Json task;
    if (auto early = task_record(item.action, item.payload, task)) {
      item.result = *early;
      if (early->status != ApplyResult::Status::kRejected) lookups_down = early;
      continue;
    }
    task["attributes"] = {{"type", "Task"}};
    task[settings().ext_field] = item.action.task_key;
    keys.insert(item.action.task_key);
    upserts.push_back(&item);
    records.push_back(std::move(task));
  }
  for (std::size_t from = 0; from < upserts.size(); from += kCollectionLimit) {
    std::size_t to = std::min(upserts.size(), from + kCollectionLimit);
    kit::Json body = {{"allOrNone", false}, {"records", kit::Json::array()}};
    for (std::size_t k = from; k < to; ++k) body["records"].push_back(records[k]);
    Reply r = client().call(
        "PATCH", client().data_path("/composite/sobjects/Task/" + settings().ext_field), &body);
    bool readable = r.ok() && r.body.is_array() && r.body.size() == to - from;
    for (std::size_t k = from; k < to; ++k) {
      kit::BatchItem& item = *upserts[k];
      if (!r.ok())
        item.result = failed(r.outcome, item.action);
      else if (!readable)
        item.result = kit::retryable("unexpected answer to a collection upsert (HTTP " +
                                     std::to_string(r.response.status) + ")");
      else
        item.result = upsert_result(item.action, item.payload, r.body[k - from]);
    }
  }
  for (auto* item : singles) item->result = dispatch(item->action, item->payload);
}

ApplyResult SalesforceConnector::upsert_result(const Action& action, const kit::TaskPayload& p,
                                               const kit::Json& result) {
  kit::JsonView r(result);
  if (!r.is_object()) return kit::retryable("unexpected record result in a collection upsert");
  if (r["success"].boolean_or(false)) {
    std::string id = r["id"].string_or();
    if (!valid_id(id))
      return kit::retryable("collection upsert answered success without a Task id");
    return r["created"].boolean_or(false) ? kit::applied(id, client().task_url(id))
                                          : kit::already_applied(id, client().task_url(id));
  }
  // Per-record errors carry statusCode (top-level ones errorCode).
  std::string code, message;
  for (const auto& e : r["errors"].elements()) {
    std::string c = e["statusCode"].string_or(e["errorCode"].string_or());
    if (code.empty()) code = c;
    message += (message.empty() ? "" : "; ") + c + ": " + e["message"].string_or();
  }
  if (message.empty()) message = "collection upsert failed without an error";
  if (stale_lookup(code)) {
    client().forget_lookups(p);
    return kit::retryable(message);
  }
  if (code == "DUPLICATE_EXTERNAL_ID")
    return kit::rejected("several Tasks have " + settings().ext_field + " = " + action.task_key +
                         "; mark the field Unique in Salesforce");
  if (code == "REQUEST_LIMIT_EXCEEDED") return kit::rate_limited(message, settings().limit_backoff);
  return transient(code) ? kit::retryable(message) : kit::rejected(message);
}

ApplyResult SalesforceConnector::on_update(const Action& action, const kit::TaskPayload& p) {
  return change(action, p);
}
ApplyResult SalesforceConnector::on_cancel(const Action& action, const kit::TaskPayload& p) {
  return change(action, p);
}
ApplyResult SalesforceConnector::on_reminder(const Action& action, const kit::TaskPayload& p,
                                             bool) {
  return change(action, p);  // the kind decides the note and the priority
}

ApplyResult SalesforceConnector::change(const Action& action, const kit::TaskPayload& p) {
  if (!valid_key(action.task_key))
    return kit::rejected("task key '" + kit::truncate_utf8(action.task_key, 100) +
                         "' is not 1-80 of [A-Za-z0-9:_-]");
  auto found = client().find_task(action.task_key);
  if (!found) return failed(found.failure(), action);
  const bool cancel = action.kind == Action::Kind::kCancel;
  if (!*found) {
    std::string why = "no Task has " + settings().ext_field + " = " + action.task_key;
    if (cancel) return kit::already_applied(action.external_ref, "", why);  // nothing to cancel
    return kit::rejected(why, action.external_ref);
  }
  kit::JsonView task(**found);
  const std::string id = task["Id"].string_or();
  const bool closed = task["IsClosed"].boolean_or(false);
  const std::string existing = task["Description"].string_or();
  ApplyResult done = kit::already_applied(id, client().task_url(id));
  if (existing.find(marker(action.action_key)) != std::string::npos) return done;

  kit::Json patch = kit::Json::object();
  std::string note;
  switch (action.kind) {
    case Action::Kind::kUpdate: {
      std::string status = kit::lower(p.status);
      if (status == "completed" || status == "closed" || status == "done") {
        if (closed) return done;
        patch["Status"] = settings().close_status;
        if (!settings().outcome_field.empty() && !p.outcome.empty())
          patch[settings().outcome_field] = p.outcome;
        note = "Completed in disputed" + (p.outcome.empty() ? "" : " with outcome " + p.outcome) +
               (p.comment.empty() ? "" : ": " + p.comment);
      }
      if (std::string date = activity_date(p, settings()); !date.empty() && !closed)
        patch["ActivityDate"] = date;
      if (p.assignee.find('@') != std::string::npos && !closed) {
        auto owner = client().user_by_email(p.assignee);
        if (!owner) return failed(owner.failure(), action);
        if (!owner->empty()) patch["OwnerId"] = *owner;
      }
      break;
    }
    case Action::Kind::kCancel:
      if (closed) return done;
      patch["Status"] = settings().cancel_status;
      note = "Cancelled by disputed" + (p.reason.empty() ? "" : ": " + p.reason);
      break;
    case Action::Kind::kRemind:
    case Action::Kind::kEscalate:
      if (closed) return done;
      note = !p.note.empty()                        ? p.note
             : action.kind == Action::Kind::kRemind ? "Reminder from disputed"
                                                    : "Escalated by disputed";
      if (action.kind == Action::Kind::kEscalate)
        patch["Priority"] = settings().escalation_priority;
      // A real reminder: the owner gets Salesforce's reminder pop-up now, not only a line in
      // the Description (Task.IsReminderSet, Task.ReminderDateTime).
      if (action.kind == Action::Kind::kRemind) {
        patch["IsReminderSet"] = true;
        patch["ReminderDateTime"] = kit::format_timestamp(now());
      }
      break;
    case Action::Kind::kCreate:
    case Action::Kind::kMessage:  // not a task change (ConnectorBase sends it to on_message)
      break;
  }
  if (!note.empty()) patch["Description"] = with_note(existing, action.action_key, note);
  if (patch.empty()) return done;
  Reply r = client().call("PATCH", client().data_path("/sobjects/Task/" + id), &patch);
  if (!r.ok()) return failed(r.outcome, action);
  done.status = ApplyResult::Status::kApplied;
  return done;
}

}  // namespace disputed::plugins::salesforce

DISPUTED_CONNECTOR_PLUGIN(disputed::plugins::salesforce::SalesforceConnector)
