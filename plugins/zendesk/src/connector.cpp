#include "plugins/zendesk/src/connector.hpp"

#include "disputed/sdk/kit/codecs.hpp"
#include "disputed/sdk/kit/time.hpp"
#include "disputed/sdk/plugin.hpp"
#include "plugins/zendesk/src/task_mapping.hpp"

namespace disputed::plugins::zendesk {

namespace {

using sdk::Action;
using sdk::ApplyResult;
using sdk::CheckResult;

constexpr int kSafeUpdateAttempts = 3;

kit::Remedies remedies(const Settings& settings) {
  return {
      "check auth.username ('<agent e-mail>/token') and the API token secrets.password points "
      "to (or the OAuth token secrets.token points to); API token access must be enabled in "
      "Admin Center > Apps and integrations > Zendesk API",
      "give the API user an agent role that may create and view tickets (or an OAuth token "
      "with read and write scopes)",
      "settings.base_url must be the account's root URL, e.g. https://acme.zendesk.com, with "
      "its host in the instance's allowed_hosts",
      "check that " + settings.base_url +
          " is reachable (proxy, firewall, https://status.zendesk.com)"};
}

std::optional<std::int64_t> parse_ref(const std::string& ref) {
  if (ref.empty() || ref.size() > 18) return std::nullopt;
  std::int64_t id = 0;
  for (char c : ref) {
    if (c < '0' || c > '9') return std::nullopt;
    id = id * 10 + (c - '0');
  }
  return id > 0 ? std::optional<std::int64_t>(id) : std::nullopt;
}

}  // namespace

ZendeskConnector::ZendeskConnector()
    : SystemConnector(disputed_plugin_manifest_json, "Zendesk", &zendesk::read_settings) {}

CheckResult ZendeskConnector::on_check() {
  const kit::Remedies remedy = remedies(settings());
  Reply me = client().call("GET", "/api/v2/users/me");
  if (!me.ok()) return client().policy().check_result(me.outcome, remedy);
  kit::JsonView user = kit::JsonView(me.body)["user"];
  // Zendesk answers /users/me for unknown credentials with an anonymous user (id null).
  if (!user["id"].integer_or_none())
    return {false, CheckResult::Category::kAuth,
            "Zendesk did not recognise the credentials (anonymous user)", remedy.auth};
  std::string role = user["role"].string_or();
  if (role != "agent" && role != "admin")
    return {false, CheckResult::Category::kPermission,
            "the API user " + user["email"].string_or() + " is a(n) " +
                (role.empty() ? "unknown role" : role) +
                ", not an agent: it cannot create or read tickets",
            "use an agent's or admin's e-mail in auth.username (or an OAuth token of an agent)"};
  // Reading tickets: the same list the create path uses to find a ticket by external_id.
  Reply list = client().call("GET", "/api/v2/tickets?external_id=disputed-check");
  if (!list.ok()) return client().policy().check_result(list.outcome, remedy);
  if (settings().incremental && role != "admin")
    return {false, CheckResult::Category::kPermission,
            "poll_mode incremental needs an admin (the incremental export is admin-only)",
            "use an admin's credentials or set settings.poll_mode to show_many"};
  return {true, CheckResult::Category::kNone, "", ""};
}

std::optional<ApplyResult> ZendeskConnector::before_apply(const Action& action) {
  if (auto wait = client().throttled())
    return kit::rate_limited("X-Rate-Limit-Remaining reached the reserve; slowing down", *wait,
                             action.external_ref);
  return std::nullopt;
}

ApplyResult ZendeskConnector::on_create(const Action& action, const kit::TaskPayload& payload) {
  auto existing = [&]() -> std::optional<ApplyResult> {
    auto found = client().find_ticket(action.task_key);
    if (!found) return failed(found.failure(), action);
    if (!*found) return std::nullopt;
    auto id = *kit::JsonView(**found)["id"].integer();
    return kit::already_applied(std::to_string(id), client().ticket_url(id));
  };
  // A retry may follow a create whose answer was lost, after the server forgot the idempotency
  // key (kept about 2 hours): look the ticket up by external_id first.
  if (action.attempt > 1)
    if (auto done = existing()) return *done;

  std::optional<std::int64_t> agent;
  std::string assignee_note;
  if (payload.assignee.find('@') != std::string::npos) {
    auto id = client().agent_id(payload.assignee);
    if (!id) return failed(id.failure(), action);
    agent = *id;
    if (!agent) assignee_note = " (not a Zendesk agent: assign by hand)";
  }
  kit::Json ticket = new_ticket(action, payload, settings(), assignee_note);
  if (agent) {
    ticket["assignee_id"] = *agent;
    if (settings().group_id) ticket["group_id"] = *settings().group_id;
  } else if (auto role = settings().role_groups.find(payload.assignee);
             role != settings().role_groups.end()) {
    ticket["group_id"] = role->second;
  } else if (settings().group_id) {
    ticket["group_id"] = *settings().group_id;
  }

  kit::Json body = {{"ticket", ticket}};
  Reply r = client().call("POST", "/api/v2/tickets", &body, action.action_key);
  if (r.response.status == 400 &&
      r.response.body.find("IdempotentRequestError") != std::string::npos) {
    // The key was used with another body (the payload changed between deliveries): the ticket
    // exists; find it by external_id.
    if (auto done = existing()) return *done;
  }
  if (!r.ok()) return failed(r.outcome, action);
  auto id = kit::JsonView(r.body)["ticket"]["id"].integer();
  if (!id) return failed(client().policy().malformed(r.response, id.problem()), action);
  bool replayed = kit::lower(r.response.header("x-idempotency-lookup")) == "hit";
  std::string ref = std::to_string(*id);
  return replayed ? kit::already_applied(ref, client().ticket_url(*id))
                  : kit::applied(ref, client().ticket_url(*id));
}

kit::Fetched<std::optional<std::int64_t>> ZendeskConnector::ticket_of(const Action& action) {
  if (auto id = parse_ref(action.external_ref)) return id;
  if (action.task_key.empty()) return std::optional<std::int64_t>();
  auto found = client().find_ticket(action.task_key);
  if (!found) return found.failure();
  if (!*found) return std::optional<std::int64_t>();
  return kit::JsonView(**found)["id"].integer_or_none();
}

ApplyResult ZendeskConnector::modify(const Action& action, std::int64_t id, const Change& change) {
  const std::string ref = std::to_string(id);
  const std::string path = "/api/v2/tickets/" + ref;
  for (int attempt = 1; attempt <= kSafeUpdateAttempts; ++attempt) {
    Reply got = client().call("GET", path);
    if (!got.ok()) return failed(got.outcome, action);
    kit::JsonView ticket = kit::JsonView(got.body)["ticket"];
    if (!ticket.is_object())
      return failed(client().policy().malformed(got.response, ticket.problem("missing")), action);
    std::optional<kit::Json> update = change(*ticket.json());
    if (!update) return kit::already_applied(ref, client().ticket_url(id));
    if (ticket["status"].string_or() == "closed")
      return kit::already_applied(ref, client().ticket_url(id),
                                  "the ticket is closed (read-only in Zendesk)");
    (*update)["safe_update"] = true;
    (*update)["updated_stamp"] = ticket["updated_at"].string_or();
    kit::Json put = {{"ticket", *update}};
    Reply r = client().call("PUT", path, &put);
    if (r.response.status == 409) {
      log(sdk::LogLevel::kInfo,
          "ticket " + ref + " changed meanwhile (safe_update conflict); re-reading");
      continue;
    }
    if (!r.ok()) return failed(r.outcome, action);
    return kit::applied(ref, client().ticket_url(id));
  }
  return kit::retryable("ticket " + ref + " kept changing (safe_update conflicts); will try again",
                        {}, ref);
}

ApplyResult ZendeskConnector::on_update(const Action& action, const kit::TaskPayload& payload) {
  auto due = payload.deadline();
  if (payload.status.empty() && !due && payload.assignee.empty())
    return kit::rejected(
        "an update needs \"status\": \"completed\", a new \"deadline_at\" or a new \"assignee\"");
  if (!payload.status.empty() && payload.status != "completed")
    return kit::rejected("unknown update status '" + payload.status + "'");
  auto id = ticket_of(action);
  if (!id) return failed(id.failure(), action);
  if (!*id) return kit::rejected("no Zendesk ticket for " + action.task_key);
  std::optional<std::int64_t> assignee;
  if (payload.assignee.find('@') != std::string::npos) {
    auto agent = client().agent_id(payload.assignee);
    if (!agent) return failed(agent.failure(), action);
    assignee = *agent;
  }
  return modify(action, **id, [&](const kit::Json& ticket) -> std::optional<kit::Json> {
    kit::JsonView t(ticket);
    kit::Json change = kit::Json::object();
    if (payload.status == "completed") {
      if (has_tag(ticket, kClosedTag) || t["status"].string_or() == "closed") return std::nullopt;
      change["status"] = "solved";
      change["tags"] = tags_plus(ticket, kClosedTag);
      change["comment"] = {{"body", completed_note(action, payload)}, {"public", false}};
      return change;
    }
    if (due && t["due_at"].string_or() != kit::format_timestamp(*due))
      change["due_at"] = kit::format_timestamp(*due);
    if (assignee && t["assignee_id"].integer_or_none() != assignee)
      change["assignee_id"] = *assignee;
    if (change.empty()) return std::nullopt;
    return change;
  });
}

ApplyResult ZendeskConnector::on_cancel(const Action& action, const kit::TaskPayload& payload) {
  auto id = ticket_of(action);
  if (!id) return failed(id.failure(), action);
  if (!*id) return kit::already_applied("", "", "no ticket to cancel");
  return modify(action, **id, [&](const kit::Json& ticket) -> std::optional<kit::Json> {
    if (has_tag(ticket, kCancelledTag)) return std::nullopt;
    return kit::Json{{"status", "solved"},
                     {"tags", tags_plus(ticket, kCancelledTag)},
                     {"comment", {{"body", cancelled_note(action, payload)}, {"public", false}}}};
  });
}

ApplyResult ZendeskConnector::on_reminder(const Action& action, const kit::TaskPayload& payload,
                                          bool escalate) {
  auto id = ticket_of(action);
  if (!id) return failed(id.failure(), action);
  if (!*id) return kit::rejected("no Zendesk ticket for " + action.task_key);
  auto done = client().has_comment_with(**id, marker(action.action_key));
  if (!done) return failed(done.failure(), action);
  if (*done) return kit::already_applied(std::to_string(**id), client().ticket_url(**id));
  std::optional<std::int64_t> follower;
  if (escalate && payload.escalated_to.find('@') != std::string::npos) {
    auto agent = client().agent_id(payload.escalated_to);
    if (!agent) return failed(agent.failure(), action);
    follower = *agent;
  }
  return modify(action, **id, [&](const kit::Json&) -> std::optional<kit::Json> {
    kit::Json change = {
        {"comment", {{"body", reminder_note(action, payload, escalate)}, {"public", false}}}};
    if (escalate) {
      change["priority"] = payload.priority == "high" ? "high" : "urgent";
      // user_id is a string in Zendesk's spec (FollowerObject).
      if (follower)
        change["followers"] =
            kit::Json::array({{{"user_id", std::to_string(*follower)}, {"action", "put"}}});
    }
    return change;
  });
}

sdk::PollResult ZendeskConnector::on_poll(const sdk::PollRequest& request) {
  if (auto wait = client().throttled())
    return kit::poll_rate_limited("X-Rate-Limit-Remaining reached the reserve; slowing down",
                                  request.cursor, *wait);
  return poller().poll(request);
}

}  // namespace disputed::plugins::zendesk

DISPUTED_CONNECTOR_PLUGIN(disputed::plugins::zendesk::ZendeskConnector)
