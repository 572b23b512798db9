// The template connector: a complete plugin for "Example Tasks", a placeholder REST task API
// (described in README.md and played by the sandbox in tests/contract_test.cpp). To write a
// connector for your system, copy this folder, rename it, and replace what is marked
// TODO(vendor) with your system's paths, fields and quirks. Keep the shape:
//
// - every HTTP call goes through host_->http(): the host adds credentials (and refreshes an
//   OAuth2 token after a 401), enforces the allowed hosts, applies timeouts and logs redacted;
// - nothing throws out of a Connector function: failures are statuses the host acts on
//   (retry with backoff, wait for Retry-After, dead-letter, mark the instance failing);
// - the plugin never retries or sleeps itself; the host owns scheduling;
// - a create makes at most one task per task_key (look up by key, then create with an
//   idempotency key); other actions are idempotent per action_key.

#include <cctype>
#include <charconv>
#include <chrono>
#include <ctime>  // strptime, timegm (POSIX)
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "disputed/sdk/plugin.hpp"

namespace {

namespace sdk = disputed::sdk;
using nlohmann::json;
using sdk::Action;
using sdk::ApplyResult;
using sdk::CheckResult;
using sdk::PollResult;

// Pages read per poll before returning; the cursor resumes where this poll stopped.
constexpr int kMaxPagesPerPoll = 20;
constexpr int kPageSize = 100;

// ------------------------------------------------------------------------- small helpers

/// `key` of `object` when it is a string, else empty: payloads come from the engine and from
/// the vendor, and a wrong type must become a clear answer, not an exception.
std::string text(const json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string percent_encode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

/// "2025-01-06T09:00:00Z" (also with fractional seconds) to an instant; nullopt otherwise.
std::optional<sdk::Instant> parse_timestamp(const std::string& s) {
  int y, mo, d, h, mi, se;
  if (s.size() < 20 ||
      std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &se) != 6)
    return std::nullopt;
  std::chrono::year_month_day day{std::chrono::year(y), std::chrono::month(unsigned(mo)),
                                  std::chrono::day(unsigned(d))};
  if (!day.ok()) return std::nullopt;
  return sdk::Instant(std::chrono::sys_days(day)) + std::chrono::hours(h) +
         std::chrono::minutes(mi) + std::chrono::seconds(se);
}

/// Retry-After is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3); 0 when absent.
std::chrono::seconds retry_after(const sdk::HttpResponse& response, sdk::Instant now) {
  std::string value = response.header("Retry-After");
  if (value.empty()) return std::chrono::seconds(0);
  long long seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && end == value.data() + value.size())
    return std::chrono::seconds(std::max(0LL, seconds));
  std::tm tm{};
  if (strptime(value.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm)) {
    auto at = sdk::Instant(std::chrono::seconds(timegm(&tm)));
    return at > now ? std::chrono::duration_cast<std::chrono::seconds>(at - now)
                    : std::chrono::seconds(0);
  }
  return std::chrono::seconds(0);
}

/// The vendor's own words for a failed answer, for logs and the dead-letter list.
std::string vendor_message(const sdk::HttpResponse& response) {
  if (response.status == 0) return response.error;
  json body = json::parse(response.body, nullptr, false);
  // TODO(vendor): where your API puts its error text.
  std::string message = text(body, "message");
  if (message.empty()) message = text(body, "error");
  if (message.empty()) message = response.body.substr(0, 200);
  return "HTTP " + std::to_string(response.status) + (message.empty() ? "" : ": " + message);
}

// The host answers status 0 when it did not send the request; the error's prefix says why.
bool host_refused(const sdk::HttpResponse& r) {
  return r.status == 0 && r.error.rfind("refused:", 0) == 0;
}
bool no_credential(const sdk::HttpResponse& r) {
  return r.status == 0 && r.error.rfind("auth:", 0) == 0;
}

/// What a failed answer means for an action. 2xx answers never get here.
ApplyResult apply_failure(const sdk::HttpResponse& response, sdk::Instant now) {
  ApplyResult r;
  r.message = vendor_message(response);
  int s = response.status;
  if (no_credential(response) || s == 401 || s == 403) {
    // 401: the host already fetched a fresh token and retried once. 403: the API user lacks a
    // permission. Either way an operator must act; the host holds the instance's actions.
    r.status = ApplyResult::Status::kAuthFailed;
  } else if (host_refused(response)) {
    // The instance's configuration (allowed hosts, base URL) is wrong: every action would fail
    // the same way, so hold them all rather than dead-letter them one by one.
    r.status = ApplyResult::Status::kAuthFailed;
    r.message = "the host refused the request (check base_url and allowed_hosts): " + r.message;
  } else if (s == 429) {
    r.status = ApplyResult::Status::kRateLimited;
    r.retry_after = retry_after(response, now);
  } else if (s == 0 || s == 408 || s == 409 || s >= 500) {
    // No answer, a timeout, a concurrent edit or the vendor's trouble: worth another try.
    r.status = ApplyResult::Status::kRetryable;
    r.retry_after = retry_after(response, now);  // 503 may carry one
  } else {
    r.status = ApplyResult::Status::kRejected;  // 4xx: the content is wrong; a retry would be too
  }
  return r;
}

/// The same for a poll.
PollResult poll_failure(const sdk::HttpResponse& response, sdk::Instant now,
                        const std::string& cursor) {
  PollResult r;
  r.next_cursor = cursor;
  r.message = vendor_message(response);
  int s = response.status;
  if (no_credential(response) || host_refused(response) || s == 401 || s == 403)
    r.status = PollResult::Status::kAuthFailed;
  else if (s == 429)
    r.status = PollResult::Status::kRateLimited;
  else
    r.status = PollResult::Status::kRetryable;
  r.retry_after = retry_after(response, now);
  return r;
}

bool ok(const sdk::HttpResponse& r) { return r.status >= 200 && r.status < 300; }

// Some APIs say when they answered from their idempotency cache (Stripe: Idempotent-Replayed).
// TODO(vendor): if yours does not, report kApplied; the host treats both as done.
bool replayed(const sdk::HttpResponse& r) { return r.header("Idempotent-Replayed") == "true"; }

// ------------------------------------------------------------------------- the poll cursor

/// Where a poll resumes: the last change seen, as (updated_at, id). Timestamps tie (many changes
/// in one second), so the id breaks ties; a poll asks for updated_at >= the cursor's and skips
/// what is not after it. Encoded "<updated_at>|<id>"; empty means from the beginning.
struct Cursor {
  std::string updated_at;
  std::string id;

  static Cursor parse(const std::string& text) {
    auto bar = text.find('|');
    if (bar == std::string::npos || !parse_timestamp(text.substr(0, bar))) return {};
    return {text.substr(0, bar), text.substr(bar + 1)};
  }
  std::string encode() const { return updated_at.empty() ? std::string() : updated_at + "|" + id; }
  // Ids are numeric strings here: compare by length first so "1000" follows "999".
  // TODO(vendor): order ids the way your API sorts them.
  bool operator<(const Cursor& o) const {
    if (updated_at != o.updated_at) return updated_at < o.updated_at;
    if (id.size() != o.id.size()) return id.size() < o.id.size();
    return id < o.id;
  }
};

// ------------------------------------------------------------------------- the connector

class TemplateConnector final : public sdk::Connector {
 public:
  std::vector<sdk::ConfigProblem> validate(const std::string& settings_json) noexcept override {
    try {
      json s = json::parse(settings_json, nullptr, false);
      if (s.is_discarded() || !s.is_object()) return {{"", "settings must be a JSON object"}};
      std::vector<sdk::ConfigProblem> problems;
      // The manifest's config_schema already requires these; a rule a schema cannot say well is
      // checked here: https, except plain http to a sandbox on this machine.
      std::string base = text(s, "base_url");
      bool loopback =
          base.rfind("http://localhost", 0) == 0 || base.rfind("http://127.0.0.1", 0) == 0;
      if (base.rfind("https://", 0) != 0 && !loopback)
        problems.push_back({"/base_url",
                            "must be an https:// URL (http:// only to localhost), e.g. "
                            "https://api.example.com/v1"});
      else if (base.find_first_of("?#") != std::string::npos)
        problems.push_back({"/base_url", "must not have a query or fragment"});
      if (text(s, "project").empty())
        problems.push_back({"/project", "is required: the project tasks go to"});
      return problems;
    } catch (const std::exception& e) {
      return {{"", std::string("cannot read the settings: ") + e.what()}};
    }
  }

  sdk::OpenResult open(const std::string& settings_json, sdk::Host& host) noexcept override {
    try {
      host_ = &host;
      if (auto problems = validate(settings_json); !problems.empty())
        return {false,
                "invalid settings: " + problems.front().field + " " + problems.front().problem};
      json s = json::parse(settings_json);
      base_url_ = text(s, "base_url");
      while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
      project_ = text(s, "project");
      // No network call here: check() proves the credentials, with a category and a remedy.
      return {true, ""};
    } catch (const std::exception& e) {
      return {false, e.what()};
    }
  }

  CheckResult check() noexcept override {
    try {
      // TODO(vendor): the cheapest call that proves both the credentials and access to the
      // project (a "who am I", or reading the project).
      sdk::HttpResponse r = send("GET", "/me");
      if (ok(r)) return {true, CheckResult::Category::kNone, "", ""};
      std::string message = vendor_message(r);
      if (no_credential(r) || r.status == 401)
        return {false, CheckResult::Category::kAuth, message,
                "check auth.token_url and auth.client_id in the instance config and the client "
                "secret its "
                "secrets.client_secret points to"};
      if (r.status == 403)
        return {false, CheckResult::Category::kPermission, message,
                "give the API client read and write access to tasks in project " + project_};
      if (host_refused(r))
        return {false, CheckResult::Category::kConfig, message,
                "add the base URL's host to the instance's allowed_hosts, or correct "
                "settings.base_url"};
      return {false, CheckResult::Category::kNetwork, message,
              "check that " + base_url_ +
                  " is reachable from this machine (proxy, firewall, vendor status)"};
    } catch (const std::exception& e) {
      return {false, CheckResult::Category::kNetwork, e.what(), "see the log"};
    }
  }

  ApplyResult apply(const Action& action) noexcept override {
    try {
      json payload = json::parse(action.payload_json, nullptr, false);
      if (payload.is_discarded() || !payload.is_object())
        return rejected("the action's payload is not a JSON object");
      switch (action.kind) {
        case Action::Kind::kCreate:
          return create(action, payload);
        case Action::Kind::kUpdate:
          return update(action, payload);
        case Action::Kind::kCancel:
          return cancel(action, payload);
        case Action::Kind::kRemind:
          return remind(action, payload);
        case Action::Kind::kEscalate:
          return escalate(action, payload);
        case Action::Kind::kMessage:
          break;  // the manifest does not declare "message": the host never sends one
      }
      return rejected("unknown action kind");
    } catch (const json::exception& e) {
      return rejected(std::string("unexpected JSON: ") + e.what());
    } catch (const std::exception& e) {
      return {ApplyResult::Status::kRetryable, "", "", std::chrono::seconds(0), e.what()};
    }
  }

  PollResult poll(const sdk::PollRequest& request) noexcept override {
    try {
      return poll_changes(request);
    } catch (const std::exception& e) {
      return {
          PollResult::Status::kRetryable, {}, request.cursor, std::chrono::seconds(0), e.what()};
    }
  }

 private:
  static ApplyResult rejected(std::string message) {
    return {ApplyResult::Status::kRejected, "", "", std::chrono::seconds(0), std::move(message)};
  }

  sdk::Instant now() const { return host_->clock().now(); }

  sdk::HttpResponse send(const std::string& method, const std::string& path,
                         const json* body = nullptr, const std::string& idempotency_key = "") {
    sdk::HttpRequest request;
    request.method = method;
    request.url = base_url_ + path;
    request.headers.emplace_back("Accept", "application/json");
    if (body) {
      request.headers.emplace_back("Content-Type", "application/json");
      request.body = body->dump();
    }
    // TODO(vendor): your API's idempotency header, if it has one (Zendesk: Idempotency-Key).
    if (!idempotency_key.empty()) request.headers.emplace_back("Idempotency-Key", idempotency_key);
    request.timeout = std::chrono::seconds(30);
    return host_->http().send(request);
  }

  /// The task disputed created for `task_key`, looked up by the external id we stored on it;
  /// nullopt when there is none. A failed lookup sets `failure`.
  std::optional<json> find_task(const std::string& task_key, std::optional<ApplyResult>& failure) {
    // TODO(vendor): how your API finds a record by an external id (a filter, a search, an
    // upsert key such as Salesforce's external-id field).
    sdk::HttpResponse r = send("GET", "/tasks?project=" + percent_encode(project_) +
                                          "&external_id=" + percent_encode(task_key));
    if (!ok(r)) {
      failure = apply_failure(r, now());
      return std::nullopt;
    }
    json body = json::parse(r.body, nullptr, false);
    if (body.is_object() && body.contains("tasks") && body["tasks"].is_array())
      for (const auto& task : body["tasks"])
        if (text(task, "external_id") == task_key) return task;
    return std::nullopt;
  }

  /// The external id of the action's task: the one the host knows, else looked up by key.
  std::optional<std::string> task_id(const Action& action, std::optional<ApplyResult>& failure) {
    if (!action.external_ref.empty()) return action.external_ref;
    if (auto task = find_task(action.task_key, failure)) return text(*task, "id");
    return std::nullopt;
  }

  ApplyResult done(const sdk::HttpResponse& r, const std::string& id, const std::string& url = "") {
    return {replayed(r) ? ApplyResult::Status::kAlreadyApplied : ApplyResult::Status::kApplied, id,
            url, std::chrono::seconds(0), ""};
  }

  ApplyResult create(const Action& action, const json& payload) {
    // Exactly one task per task_key, even when an earlier attempt's answer was lost: look for
    // the task first (covers retries after the vendor forgot the idempotency key, typically
    // after 24 h), then create with the action's key (covers a race with that earlier attempt).
    std::optional<ApplyResult> failure;
    if (auto existing = find_task(action.task_key, failure))
      return {ApplyResult::Status::kAlreadyApplied, text(*existing, "id"), text(*existing, "url"),
              std::chrono::seconds(0), ""};
    if (failure) return *failure;

    // TODO(vendor): map the engine's payload (see docs/plugin-guide.md) to your task's fields.
    std::string description = text(payload, "instructions");
    if (!text(payload, "description").empty())
      description += "\n\nDispute: " + text(payload, "description");
    json body = {{"external_id", action.task_key},
                 {"project", project_},
                 {"title", text(payload, "subject")},
                 {"description", description},
                 {"assignee", text(payload, "assignee")},
                 {"due_date", text(payload, "deadline_local_date")},
                 {"time_zone", text(payload, "time_zone")},
                 {"priority", "normal"}};
    if (payload.contains("outcomes") && payload["outcomes"].is_array())
      body["outcomes"] = payload["outcomes"];
    sdk::HttpResponse r = send("POST", "/tasks", &body, action.action_key);
    json answer = json::parse(r.body, nullptr, false);
    if (r.status == 409 && !text(answer, "existing_id").empty())  // created by an attempt we lost
      return {ApplyResult::Status::kAlreadyApplied, text(answer, "existing_id"), "",
              std::chrono::seconds(0), ""};
    if (!ok(r)) return apply_failure(r, now());
    if (text(answer, "id").empty())
      return {ApplyResult::Status::kRetryable, "", "", {}, "created, but no id in the answer"};
    return done(r, text(answer, "id"), text(answer, "url"));
  }

  ApplyResult update(const Action& action, const json& payload) {
    // The engine sends an update when a step was completed in disputed: close the task so
    // nobody works on it any more. TODO(vendor): your "closed" state and resolution fields.
    if (text(payload, "status") != "completed")
      return rejected("this connector only applies updates with \"status\": \"completed\"");
    std::optional<ApplyResult> failure;
    auto id = task_id(action, failure);
    if (!id) return failure ? *failure : rejected("no task for " + action.task_key);
    json body = {{"status", "closed"},
                 {"resolution", text(payload, "outcome")},
                 {"resolution_note", text(payload, "comment")}};
    sdk::HttpResponse r = send("PATCH", "/tasks/" + percent_encode(*id), &body, action.action_key);
    if (r.status == 404) return rejected("task " + *id + " no longer exists");
    if (!ok(r)) return apply_failure(r, now());
    return done(r, *id);
  }

  ApplyResult cancel(const Action& action, const json& payload) {
    std::optional<ApplyResult> failure;
    auto id = task_id(action, failure);
    if (!id) {
      if (failure) return *failure;
      return {
          ApplyResult::Status::kAlreadyApplied, "", "", {}, "no task to cancel"};  // never created
    }
    // TODO(vendor): your "cancelled" state; some systems delete, some close with a reason.
    json body = {{"status", "cancelled"}, {"resolution_note", text(payload, "reason")}};
    sdk::HttpResponse r = send("PATCH", "/tasks/" + percent_encode(*id), &body, action.action_key);
    if (r.status == 404)
      return {ApplyResult::Status::kAlreadyApplied, *id, "", {}, "task already gone"};
    if (!ok(r)) return apply_failure(r, now());
    return done(r, *id);
  }

  ApplyResult remind(const Action& action, const json& payload) {
    std::optional<ApplyResult> failure;
    auto id = task_id(action, failure);
    if (!id) return failure ? *failure : rejected("no task for " + action.task_key);
    // TODO(vendor): a comment, or a notification API if your system has one.
    json body = {{"body", text(payload, "note")}};
    sdk::HttpResponse r =
        send("POST", "/tasks/" + percent_encode(*id) + "/comments", &body, action.action_key);
    if (r.status == 404) return rejected("task " + *id + " no longer exists");
    if (!ok(r)) return apply_failure(r, now());
    return done(r, *id);
  }

  ApplyResult escalate(const Action& action, const json& payload) {
    std::optional<ApplyResult> failure;
    auto id = task_id(action, failure);
    if (!id) return failure ? *failure : rejected("no task for " + action.task_key);
    // Two requests, each with its own key derived from the action's: a retry after the second
    // failed replays the first instead of repeating it.
    // TODO(vendor): add `escalated_to` as a follower/CC if your system has them.
    json raise = {{"priority", "urgent"}};
    sdk::HttpResponse first =
        send("PATCH", "/tasks/" + percent_encode(*id), &raise, action.action_key + ":priority");
    if (first.status == 404) return rejected("task " + *id + " no longer exists");
    if (!ok(first)) return apply_failure(first, now());
    json note = {{"body", text(payload, "note")}};
    sdk::HttpResponse second = send("POST", "/tasks/" + percent_encode(*id) + "/comments", &note,
                                    action.action_key + ":comment");
    if (!ok(second)) return apply_failure(second, now());
    return replayed(first) && replayed(second)
               ? done(second, *id)
               : ApplyResult{ApplyResult::Status::kApplied, *id, "", {}, ""};
  }

  /// A completion event for `task`, or nullopt when it is not completed (or not ours).
  static std::optional<sdk::TaskEvent> completion(const json& task) {
    // TODO(vendor): your "done" state, who did it, and how its resolution maps to the workflow's
    // outcomes (the create payload lists them under "outcomes").
    if (text(task, "status") != "completed" || text(task, "external_id").empty())
      return std::nullopt;
    sdk::TaskEvent e;
    e.kind = sdk::TaskEvent::Kind::kCompleted;
    e.task_key = text(task, "external_id");
    e.external_ref = text(task, "id");
    // Stable per change: the same completion read twice (a re-poll, a reconciliation) has the
    // same id; a later reopen-and-complete has a new version and so a new id.
    e.event_id = e.external_ref + ":v" +
                 (task.contains("version") ? task["version"].dump() : text(task, "updated_at"));
    e.outcome = text(task, "resolution");
    e.actor = text(task, "completed_by");
    e.comment = text(task, "resolution_note");
    e.at = parse_timestamp(text(task, "updated_at")).value_or(sdk::Instant{});
    return e;
  }

  PollResult poll_changes(const sdk::PollRequest& request) {
    PollResult result;
    Cursor from = Cursor::parse(request.cursor);
    if (from.updated_at.empty() && !request.cursor.empty())
      host_->log().log(sdk::LogLevel::kWarn,
                       "unreadable cursor '" + request.cursor + "'; polling from the beginning");
    Cursor last = from;
    std::string page_token;
    // TODO(vendor): your "changed since" listing (incremental export, updated_at filter, delta
    // query). Ask for updated_at >= the cursor's time, oldest first; skip what is not after the
    // cursor (ties by id).
    for (int page = 0; page < kMaxPagesPerPoll && !host_->cancelled(); ++page) {
      std::string path = "/tasks?project=" + percent_encode(project_) +
                         "&order=updated_at&page_size=" + std::to_string(kPageSize);
      if (!from.updated_at.empty()) path += "&updated_since=" + percent_encode(from.updated_at);
      if (!page_token.empty()) path += "&page_token=" + percent_encode(page_token);
      sdk::HttpResponse r = send("GET", path);
      if (!ok(r)) return poll_failure(r, now(), request.cursor);
      json body = json::parse(r.body, nullptr, false);
      if (!body.is_object() || !body.contains("tasks") || !body["tasks"].is_array())
        return {PollResult::Status::kRetryable,
                {},
                request.cursor,
                {},
                "unexpected answer: " + r.body.substr(0, 200)};
      for (const auto& task : body["tasks"]) {
        Cursor at{text(task, "updated_at"), text(task, "id")};
        if (at.updated_at.empty() || !(from < at)) continue;  // seen by an earlier poll
        if (last < at) last = at;                             // every change moves the cursor
        if (auto e = completion(task)) result.events.push_back(*e);
      }
      page_token = text(body, "next_page_token");
      if (page_token.empty()) break;
    }
    if (request.reconcile) {
      // Ask about each task the host still waits on, to catch what the cursor missed.
      for (const auto& ref : request.open_refs) {
        if (host_->cancelled()) break;
        if (ref.external_ref.empty()) continue;
        sdk::HttpResponse r = send("GET", "/tasks/" + percent_encode(ref.external_ref));
        if (r.status == 404) {
          sdk::TaskEvent gone;
          gone.kind = sdk::TaskEvent::Kind::kDeleted;
          gone.task_key = ref.task_key;
          gone.external_ref = ref.external_ref;
          gone.event_id = ref.external_ref + ":deleted";
          gone.at = now();
          result.events.push_back(gone);
          continue;
        }
        if (!ok(r)) return poll_failure(r, now(), request.cursor);
        json task = json::parse(r.body, nullptr, false);
        if (auto e = completion(task)) result.events.push_back(*e);
      }
    }
    result.next_cursor = last.encode();
    return result;
  }

  sdk::Host* host_ = nullptr;
  std::string base_url_;
  std::string project_;
};

}  // namespace

DISPUTED_CONNECTOR_PLUGIN(TemplateConnector)
