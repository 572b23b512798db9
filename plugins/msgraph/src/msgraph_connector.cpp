// The Microsoft Graph connector: a workflow step becomes a Microsoft To Do task (Outlook shows
// it among its tasks) in a dedicated list per assignee; a completed task advances the dispute.
//
// - Auth: app-only client credentials, fetched and refreshed by the host (instance `auth`).
// - Identity: the task's one linkedResource carries externalId = task key. Graph has no
//   idempotency key, so a create records its intent first and, when a previous attempt may
//   have reached Graph, looks for the key among the list's tasks before posting again.
//   https://learn.microsoft.com/en-us/graph/api/resources/linkedresource
// - External ref: "<user>|<list id>|<task id>", so every call can be made from the ref alone;
//   the key-value store is only a cache (list ids, intents, the step's outcomes).
// - Poll: one delta query per (user, list) from the deltaLinks kept in the host's cursor.
//   https://learn.microsoft.com/en-us/graph/api/todotask-delta
// - Notes (reminders, escalations, closing) are appended to the body with a marker
//   "[disputed <action key>]", which makes each action idempotent: it is applied only when the
//   marker is absent.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "disputed/sdk/plugin.hpp"
#include "graph_client.hpp"

namespace disputed::msgraph {
namespace {

using nlohmann::json;
using sdk::Action;
using sdk::ApplyResult;
using sdk::CheckResult;
using sdk::PollResult;
using sdk::TaskEvent;

constexpr const char* kDefaultBase = "https://graph.microsoft.com/v1.0";
constexpr const char* kClosedNote = "Closed in disputed";
constexpr const char* kCancelledNote = "Cancelled in disputed";
constexpr int kPageSize = 100;
constexpr std::size_t kBatchLimit = 20;  // https://learn.microsoft.com/en-us/graph/json-batching

std::string text(const json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool is_loopback_url(const std::string& url) {
  for (const char* p : {"http://127.0.0.1", "http://localhost", "http://[::1]"}) {
    std::string prefix = p;
    if (url.rfind(prefix, 0) == 0 &&
        (url.size() == prefix.size() || url[prefix.size()] == ':' || url[prefix.size()] == '/'))
      return true;
  }
  return false;
}

/// "2025-01-10T16:00:00Z" (or with fractions/offset "+00:00") -> Instant.
std::optional<sdk::Instant> parse_utc(const std::string& s) {
  int y, mo, d, h, mi, sec;
  if (s.size() < 19 ||
      std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6)
    return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(unsigned(mo)),
                                  std::chrono::day(unsigned(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  return sdk::Instant(std::chrono::sys_days(ymd).time_since_epoch() + std::chrono::hours(h) +
                      std::chrono::minutes(mi) + std::chrono::seconds(sec));
}

/// Graph's dateTimeTimeZone form: "2025-01-10T16:00:00.0000000".
std::string graph_time(sdk::Instant t) {
  auto day = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd(day);
  std::chrono::hh_mm_ss hms(t - day);
  char out[40];
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02d.0000000", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()));
  return out;
}

bool is_local_date(const std::string& s) {
  int y, m, d;
  char tail;
  if (s.size() != 10 || std::sscanf(s.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
    return false;
  return std::chrono::year_month_day(std::chrono::year(y), std::chrono::month(unsigned(m)),
                                     std::chrono::day(unsigned(d)))
      .ok();
}

bool safe_id(const std::string& s) {
  if (s.empty() || s.size() > 512 || s == "." || s == "..") return false;
  for (unsigned char c : s)
    if (c < 0x21 || c == '|' || c == '/' || c == '\\' || c == '?' || c == '#' || c > 0x7e)
      return false;
  return true;
}

struct TaskRef {
  std::string user, list, task;
  std::string str() const { return user + "|" + list + "|" + task; }
  std::string list_key() const { return user + "|" + list; }
  static std::optional<TaskRef> parse(const std::string& ref) {
    auto a = ref.find('|');
    if (a == std::string::npos) return std::nullopt;
    auto b = ref.find('|', a + 1);
    if (b == std::string::npos) return std::nullopt;
    TaskRef r{ref.substr(0, a), ref.substr(a + 1, b - a - 1), ref.substr(b + 1)};
    if (!safe_id(r.user) || !safe_id(r.list) || !safe_id(r.task)) return std::nullopt;
    return r;
  }
};

struct Settings {
  std::string base = kDefaultBase;
  std::string list_name = "Invoice disputes";
  std::string check_user;
  std::string cancel_mode = "delete";
  std::string dispute_url;
  std::string application_name = "disputed";
  int reminder_minutes = 1440;
  int max_pages = 50;
  int timeout_ms = 30000;
  std::map<std::string, std::string> role_users;
};

std::vector<sdk::ConfigProblem> read_settings(const std::string& text_in, Settings& s) {
  std::vector<sdk::ConfigProblem> problems;
  json j = json::parse(text_in, nullptr, false);
  if (!j.is_object()) return {{"", "settings must be a JSON object"}};
  auto string_field = [&](const char* key, std::string& out, bool required) {
    std::string pointer = std::string("/") + key;
    if (!j.contains(key)) {
      if (required) problems.push_back({pointer, "is required"});
      return;
    }
    if (!j[key].is_string() || j[key].get<std::string>().empty()) {
      problems.push_back({pointer, "must be a non-empty string"});
      return;
    }
    out = j[key].get<std::string>();
  };
  auto int_field = [&](const char* key, int& out, int lo, int hi) {
    if (!j.contains(key)) return;
    if (!j[key].is_number_integer() || j[key].get<long long>() < lo ||
        j[key].get<long long>() > hi) {
      problems.push_back({std::string("/") + key, "must be an integer from " + std::to_string(lo) +
                                                      " to " + std::to_string(hi)});
      return;
    }
    out = j[key].get<int>();
  };
  string_field("graph_base_url", s.base, false);
  string_field("list_name", s.list_name, false);
  string_field("check_user", s.check_user, true);
  string_field("cancel_mode", s.cancel_mode, false);
  string_field("dispute_url", s.dispute_url, false);
  string_field("application_name", s.application_name, false);
  int_field("reminder_minutes_before", s.reminder_minutes, 0, 43200);
  int_field("max_pages_per_poll", s.max_pages, 1, 1000);
  int_field("request_timeout_ms", s.timeout_ms, 100, 120000);
  if (j.contains("role_users")) {
    if (!j["role_users"].is_object()) {
      problems.push_back({"/role_users", "must be an object of role id -> user id or UPN"});
    } else {
      for (const auto& [role, user] : j["role_users"].items()) {
        if (!user.is_string() || !safe_id(user.get<std::string>()))
          problems.push_back({"/role_users/" + role, "must be a user id or UPN"});
        else
          s.role_users[role] = user.get<std::string>();
      }
    }
  }
  while (!s.base.empty() && s.base.back() == '/') s.base.pop_back();
  if (s.base.rfind("https://", 0) != 0 && !is_loopback_url(s.base))
    problems.push_back(
        {"/graph_base_url", "must be an https:// URL (plain http only to a sandbox on loopback)"});
  else if (s.base.find('?') != std::string::npos || s.base.find('#') != std::string::npos)
    problems.push_back({"/graph_base_url", "must not carry a query or fragment"});
  if (s.cancel_mode != "delete" && s.cancel_mode != "complete")
    problems.push_back({"/cancel_mode", "must be \"delete\" or \"complete\""});
  if (!s.check_user.empty() && !safe_id(s.check_user))
    problems.push_back({"/check_user", "must be a user id or UPN (no spaces, '/' or '|')"});
  if (s.list_name.size() > 255)
    problems.push_back({"/list_name", "must be at most 255 characters"});
  if (!s.dispute_url.empty() && s.dispute_url.rfind("https://", 0) != 0 &&
      s.dispute_url.rfind("http://", 0) != 0)
    problems.push_back({"/dispute_url", "must be an http(s) URL"});
  return problems;
}

ApplyResult from_failure(const Failure& f, const std::string& ref = {}) {
  ApplyResult r;
  r.external_ref = ref;
  r.message = f.message;
  switch (f.kind) {
    case Failure::Kind::kRateLimited:
      r.status = ApplyResult::Status::kRateLimited;
      r.retry_after = f.retry_after;
      break;
    case Failure::Kind::kAuth:
      r.status = ApplyResult::Status::kAuthFailed;
      break;
    case Failure::Kind::kRejected:
    case Failure::Kind::kNotFound:
      r.status = ApplyResult::Status::kRejected;
      break;
    case Failure::Kind::kRetryable:
    case Failure::Kind::kGone:
      r.status = ApplyResult::Status::kRetryable;
      break;
  }
  return r;
}

PollResult poll_failure(const Failure& f) {
  PollResult r;
  r.message = f.message;
  switch (f.kind) {
    case Failure::Kind::kRateLimited:
      r.status = PollResult::Status::kRateLimited;
      r.retry_after = f.retry_after;
      break;
    case Failure::Kind::kAuth:
      r.status = PollResult::Status::kAuthFailed;
      break;
    default:
      r.status = PollResult::Status::kRetryable;
  }
  return r;
}

ApplyResult rejected(std::string message) {
  ApplyResult r;
  r.status = ApplyResult::Status::kRejected;
  r.message = std::move(message);
  return r;
}

ApplyResult done(ApplyResult::Status status, const std::string& ref, std::string message = {}) {
  ApplyResult r;
  r.status = status;
  r.external_ref = ref;
  r.message = std::move(message);
  return r;
}

std::string marker(const std::string& action_key) { return "[disputed " + action_key + "]"; }

class MsGraphConnector final : public sdk::Connector {
 public:
  std::vector<sdk::ConfigProblem> validate(const std::string& settings_json) noexcept override {
    try {
      Settings s;
      return read_settings(settings_json, s);
    } catch (const std::exception& e) {
      return {{"", std::string("settings could not be read: ") + e.what()}};
    }
  }

  sdk::OpenResult open(const std::string& settings_json, sdk::Host& host) noexcept override {
    try {
      Settings s;
      auto problems = read_settings(settings_json, s);
      if (!problems.empty())
        return {false, "settings" + problems.front().field + ": " + problems.front().problem};
      settings_ = s;
      host_ = &host;
      timeout_ = std::chrono::milliseconds(s.timeout_ms);
      return {true, ""};
    } catch (const std::exception& e) {
      return {false, e.what()};
    }
  }

  CheckResult check() noexcept override {
    CheckResult r;
    try {
      if (!host_)
        return {false, CheckResult::Category::kConfig, "not opened", "open the connector first"};
      const std::string& user = settings_.check_user;
      Reply lists = graph("GET", user_url(user) + "/todo/lists?$top=1");
      if (!lists.ok()) return check_failure(*lists.failure, user);
      // Writing: the dedicated list exists or can be created (it is created once anyway).
      std::string list_id;
      if (auto f = ensure_list(user, list_id)) return check_failure(*f, user);
      r.ok = true;
      r.category = CheckResult::Category::kNone;
      r.message = "token obtained; To Do of " + user + " readable and writable (list '" +
                  settings_.list_name + "')";
      return r;
    } catch (const std::exception& e) {
      return {false, CheckResult::Category::kNetwork, e.what(), "see the log"};
    }
  }

  ApplyResult apply(const Action& action) noexcept override {
    try {
      if (!host_) return rejected("the connector is not open");
      json payload = json::parse(action.payload_json, nullptr, false);
      if (!payload.is_object()) return rejected("the action's payload is not a JSON object");
      switch (action.kind) {
        case Action::Kind::kCreate:
          return create(action, payload);
        case Action::Kind::kUpdate:
          return update(action, payload);
        case Action::Kind::kCancel:
          return cancel(action, payload);
        case Action::Kind::kRemind:
          return remind(action, payload, false);
        case Action::Kind::kEscalate:
          return remind(action, payload, true);
      }
      return rejected("unknown action kind");
    } catch (const std::exception& e) {
      ApplyResult r;
      r.status = ApplyResult::Status::kRetryable;
      r.message = std::string("msgraph plugin error: ") + e.what();
      return r;
    }
  }

  PollResult poll(const sdk::PollRequest& request) noexcept override {
    try {
      if (!host_) {
        PollResult r;
        r.status = PollResult::Status::kRetryable;
        r.message = "the connector is not open";
        return r;
      }
      return do_poll(request);
    } catch (const std::exception& e) {
      PollResult r;
      r.status = PollResult::Status::kRetryable;
      r.next_cursor = request.cursor;
      r.message = std::string("msgraph plugin error: ") + e.what();
      return r;
    }
  }

 private:
  // ------------------------------------------------------------------ URLs and state

  // Creates are never re-sent by the transport: the host sends every POST and PATCH on a
  // connection of its own (core/net/http_client.cpp).
  Reply graph(const std::string& method, const std::string& url, const json* body = nullptr) {
    return call(*host_, method, url, body, timeout_);
  }

  std::string user_url(const std::string& user) const {
    return settings_.base + "/users/" + encode_segment(user);
  }
  std::string list_url(const std::string& user, const std::string& list) const {
    return user_url(user) + "/todo/lists/" + encode_segment(list);
  }
  std::string task_url(const TaskRef& ref) const {
    return list_url(ref.user, ref.list) + "/tasks/" + encode_segment(ref.task);
  }

  /// Store key of a user's dedicated list id (per list name: renaming the list makes a new one).
  std::string list_key_of(const std::string& user) const {
    return "list:" + settings_.list_name + ":" + lower(user);
  }

  json kv_json(const std::string& key) {
    auto v = host_->store().get(key);
    if (!v) return nullptr;
    json j = json::parse(*v, nullptr, false);
    return j.is_discarded() ? json(nullptr) : j;
  }

  void remember_list(const std::string& user, const std::string& list) {
    host_->store().put(list_key_of(user), list);
  }

  CheckResult check_failure(const Failure& f, const std::string& user) const {
    CheckResult r;
    r.ok = false;
    r.message = f.message;
    switch (f.kind) {
      case Failure::Kind::kAuth:
        if (f.status == 403) {
          r.category = CheckResult::Category::kPermission;
          r.remedy =
              "grant the app registration the application permission Tasks.ReadWrite.All and an "
              "admin's consent (Entra admin center > App registrations > API permissions)";
        } else {
          r.category = CheckResult::Category::kAuth;
          r.remedy =
              "check auth.token_url "
              "(https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token), "
              "auth.client_id and the client secret secrets.client_secret points to";
        }
        break;
      case Failure::Kind::kNotFound:
        r.category = CheckResult::Category::kConfig;
        r.remedy = "settings.check_user '" + user +
                   "' is not a user of the tenant with an Exchange Online mailbox; use an existing "
                   "UPN or id";
        break;
      case Failure::Kind::kRejected:
        r.category = CheckResult::Category::kConfig;
        r.remedy = "check settings.graph_base_url and the instance's allowed_hosts";
        break;
      default:
        r.category = CheckResult::Category::kNetwork;
        r.remedy = "check the network path to Microsoft Graph; see https://status.cloud.microsoft";
    }
    return r;
  }

  /// The dedicated list of `user`, found or created once and remembered.
  std::optional<Failure> ensure_list(const std::string& user, std::string& list_id) {
    if (auto cached = host_->store().get(list_key_of(user)); cached && !cached->empty()) {
      list_id = *cached;
      return std::nullopt;
    }
    std::string url = user_url(user) + "/todo/lists?$top=" + std::to_string(kPageSize);
    for (int page = 0; page < 20 && !url.empty(); ++page) {
      Reply r = graph("GET", url);
      if (!r.ok()) return r.failure;
      url.clear();
      if (!r.body.is_object()) break;
      if (r.body.contains("value") && r.body["value"].is_array())
        for (const auto& l : r.body["value"])
          if (text(l, "displayName") == settings_.list_name && !text(l, "id").empty()) {
            list_id = text(l, "id");
            remember_list(user, list_id);
            return std::nullopt;
          }
      url = text(r.body, "@odata.nextLink");
    }
    json body = {{"displayName", settings_.list_name}};
    Reply created = graph("POST", user_url(user) + "/todo/lists", &body);
    if (!created.ok()) return created.failure;
    list_id = text(created.body, "id");
    if (list_id.empty()) {
      Failure f;
      f.kind = Failure::Kind::kRetryable;
      f.message = "Graph created the task list but answered no id";
      return f;
    }
    remember_list(user, list_id);
    return std::nullopt;
  }

  /// Looks for the task whose linked resource carries `task_key` in a list.
  std::optional<Failure> find_by_key(const std::string& user, const std::string& list,
                                     const std::string& task_key, std::string& task_id) {
    task_id.clear();
    std::string url =
        list_url(user, list) + "/tasks?$expand=linkedResources&$top=" + std::to_string(kPageSize);
    for (int page = 0; page < 200 && !url.empty(); ++page) {
      Reply r = graph("GET", url);
      if (!r.ok()) return r.failure;
      url.clear();
      if (!r.body.is_object()) break;
      if (r.body.contains("value") && r.body["value"].is_array())
        for (const auto& t : r.body["value"])
          if (key_of(t) == task_key && !text(t, "id").empty()) {
            task_id = text(t, "id");
            return std::nullopt;
          }
      url = text(r.body, "@odata.nextLink");
      if (host_->cancelled()) break;
    }
    return std::nullopt;
  }

  static std::string key_of(const json& task) {
    if (!task.is_object() || !task.contains("linkedResources") ||
        !task["linkedResources"].is_array())
      return {};
    for (const auto& l : task["linkedResources"]) {
      std::string k = text(l, "externalId");
      if (!k.empty()) return k;
    }
    return {};
  }

  // ------------------------------------------------------------------ actions

  std::string dispute_link(const std::string& dispute) const {
    if (settings_.dispute_url.empty() || dispute.empty()) return {};
    std::string url = settings_.dispute_url;
    auto at = url.find("{dispute}");
    if (at == std::string::npos) return url;
    return url.replace(at, 9, dispute);
  }

  /// The user a payload's assignee means: a person's id or UPN, or the user a role maps to.
  std::string user_of(const json& payload) const {
    std::string assignee = text(payload, "assignee");
    if (text(payload, "assignee_kind") == "role") {
      auto it = settings_.role_users.find(assignee);
      return it == settings_.role_users.end() ? std::string() : it->second;
    }
    return assignee;
  }

  static std::string importance_of(const std::string& priority) {
    std::string p = lower(priority);
    if (p == "urgent" || p == "high") return "high";
    if (p == "low") return "low";
    return "normal";
  }

  /// dueDateTime (the local calendar day in the step's time zone) and the reminder.
  void add_dates(const json& payload, json& task) const {
    std::string local = text(payload, "deadline_local_date");
    std::string tz = text(payload, "time_zone");
    auto deadline = parse_utc(text(payload, "deadline_at"));
    if (is_local_date(local) && !tz.empty()) {
      // To Do keeps a due *date*: midnight of the local day, in that zone, is that day for the
      // user whatever their offset or DST on that date.
      task["dueDateTime"] = {{"dateTime", local + "T00:00:00.0000000"}, {"timeZone", tz}};
    } else if (deadline) {
      task["dueDateTime"] = {
          {"dateTime", graph_time(std::chrono::floor<std::chrono::days>(*deadline))},
          {"timeZone", "UTC"}};
    }
    if (deadline && settings_.reminder_minutes > 0) {
      task["isReminderOn"] = true;
      task["reminderDateTime"] = {
          {"dateTime", graph_time(*deadline - std::chrono::minutes(settings_.reminder_minutes))},
          {"timeZone", "UTC"}};
    }
  }

  static std::vector<std::string> outcomes_of(const json& payload) {
    std::vector<std::string> out;
    if (payload.contains("outcomes") && payload["outcomes"].is_array())
      for (const auto& o : payload["outcomes"])
        if (o.is_string() && !o.get<std::string>().empty()) out.push_back(o.get<std::string>());
    return out;
  }

  std::string body_text(const json& payload, const std::vector<std::string>& outcomes) const {
    std::string out;
    auto para = [&](const std::string& s) {
      if (s.empty()) return;
      if (!out.empty()) out += "\n\n";
      out += s;
    };
    para(text(payload, "instructions"));
    para(text(payload, "description"));
    std::string facts;
    if (payload.contains("customer") && payload["customer"].is_object()) {
      std::string name = text(payload["customer"], "name"), id = text(payload["customer"], "id");
      if (!name.empty() || !id.empty())
        facts += "Customer: " + name + (id.empty() ? "" : " (" + id + ")") + "\n";
    }
    std::string currency = text(payload, "currency");
    if (payload.contains("invoices") && payload["invoices"].is_array()) {
      std::string list;
      for (const auto& inv : payload["invoices"]) {
        std::string n = text(inv, "number");
        if (n.empty()) continue;
        std::string amount = text(inv, "disputed_amount");
        list += (list.empty() ? "" : ", ") + n +
                (amount.empty() ? "" : " (" + amount + " " + currency + ")");
      }
      if (!list.empty()) facts += "Invoices: " + list + "\n";
    }
    if (!text(payload, "disputed_amount").empty())
      facts += "Disputed amount: " + text(payload, "disputed_amount") + " " + currency + "\n";
    if (!text(payload, "deadline_local_date").empty())
      facts += "Due: " + text(payload, "deadline_local_date") + " (" + text(payload, "time_zone") +
               ")\n";
    if (!text(payload, "dispute").empty()) facts += "Dispute: " + text(payload, "dispute") + "\n";
    if (!facts.empty()) facts.pop_back();
    para(facts);
    if (!outcomes.empty()) {
      std::string list;
      for (const auto& o : outcomes) list += (list.empty() ? "" : ", ") + o;
      para(
          "When you are done, mark this task completed. To choose the outcome, give the task the "
          "category of that name first: " +
          list + " (without one, the outcome is \"" + outcomes.front() + "\").");
    }
    std::string link = dispute_link(text(payload, "dispute"));
    if (!link.empty()) para("Open the dispute: " + link);
    return out;
  }

  void remember_task(const std::string& task_key, const std::string& ref, const json& outcomes) {
    json entry = {{"ref", ref}};
    if (outcomes.is_array() && !outcomes.empty()) entry["outcomes"] = outcomes;
    host_->store().put("task:" + task_key, entry.dump());
  }

  ApplyResult create(const Action& action, const json& payload) {
    if (action.task_key.empty()) return rejected("the create has no task_key");
    std::string assignee = user_of(payload);
    if (assignee.empty()) {
      if (text(payload, "assignee_kind") == "role")
        return rejected("step assigned to role '" + text(payload, "assignee") +
                        "', which settings.role_users does not map to a user");
      return rejected("the payload names no assignee (a user id or UPN)");
    }
    if (!safe_id(assignee)) return rejected("assignee '" + assignee + "' is not a user id or UPN");
    std::string title = text(payload, "subject");
    if (title.empty()) title = text(payload, "title");
    if (title.empty()) title = "Dispute task " + action.task_key;
    auto outcomes = outcomes_of(payload);

    json known = kv_json("task:" + action.task_key);
    if (known.is_object() && !text(known, "ref").empty())
      return done(ApplyResult::Status::kAlreadyApplied, text(known, "ref"));

    std::string list;
    if (auto f = ensure_list(assignee, list)) {
      if (f->kind == Failure::Kind::kNotFound)
        return rejected(
            "user '" + assignee +
            "' not found in the tenant (or without an Exchange Online mailbox): " + f->message);
      return from_failure(*f);
    }
    // A previous attempt may have reached Graph while its answer was lost — or may still be on
    // its way (the engine was killed while waiting for the answer, and restarted at once). Graph
    // has no idempotency key, so while the intent is younger than the settle window (twice the
    // request timeout) a create is not repeated: the lookup is tried again after the window.
    std::string intent_key = "intent:" + action.task_key;
    auto intent = host_->store().get(intent_key);
    if (action.attempt > 1 || intent) {
      std::string found;
      if (auto f = find_by_key(assignee, list, action.task_key, found)) return from_failure(*f);
      if (!found.empty()) {
        TaskRef ref{assignee, list, found};
        remember_task(action.task_key, ref.str(), json(outcomes));
        host_->store().erase(intent_key);
        return done(ApplyResult::Status::kAlreadyApplied, ref.str());
      }
      json recorded = intent ? json::parse(*intent, nullptr, false) : json();
      if (recorded.is_object() && recorded.contains("at") && recorded["at"].is_number_integer()) {
        const auto settle = std::chrono::seconds(2 * ((timeout_.count() + 999) / 1000));
        const auto age = host_->clock().now().time_since_epoch() -
                         std::chrono::seconds(recorded["at"].get<std::int64_t>());
        if (age < settle) {
          ApplyResult wait;
          wait.status = ApplyResult::Status::kRetryable;
          wait.retry_after = std::chrono::duration_cast<std::chrono::seconds>(settle - age);
          wait.message = "an earlier create of " + action.task_key +
                         " may still be on its way to Graph; looking for it again in " +
                         std::to_string(wait.retry_after.count()) + " s";
          return wait;
        }
      }
    }
    json task = {{"title", title},
                 {"body", {{"content", body_text(payload, outcomes)}, {"contentType", "text"}}},
                 {"importance", importance_of(text(payload, "priority"))},
                 {"status", "notStarted"}};
    add_dates(payload, task);
    json link = {
        {"applicationName", settings_.application_name},
        {"displayName", "Dispute " + text(payload, "dispute") +
                            (text(payload, "step").empty() ? "" : " / " + text(payload, "step"))},
        {"externalId", action.task_key}};
    if (auto url = dispute_link(text(payload, "dispute")); !url.empty()) link["webUrl"] = url;
    task["linkedResources"] = json::array({link});

    host_->store().put(intent_key, json{{"user", assignee},
                                        {"list", list},
                                        {"at", host_->clock().now().time_since_epoch().count()}}
                                       .dump());
    Reply r = graph("POST", list_url(assignee, list) + "/tasks", &task);
    if (!r.ok()) {
      if (r.failure->kind == Failure::Kind::kNotFound) host_->store().erase(list_key_of(assignee));
      if (r.failure->kind == Failure::Kind::kRejected || r.failure->kind == Failure::Kind::kAuth)
        host_->store().erase(intent_key);  // Graph refused it: nothing was created
      return from_failure(*r.failure);
    }
    std::string id = text(r.body, "id");
    if (id.empty())
      return from_failure(
          Failure{Failure::Kind::kRetryable, r.status, {}, "", "Graph answered no task id"});
    TaskRef ref{assignee, list, id};
    remember_task(action.task_key, ref.str(), json(outcomes));
    host_->store().erase(intent_key);
    ApplyResult out = done(ApplyResult::Status::kApplied, ref.str());
    return out;
  }

  /// The task's ref from the action, else from the store.
  std::optional<TaskRef> ref_of(const Action& action) {
    if (!action.external_ref.empty()) return TaskRef::parse(action.external_ref);
    json known = kv_json("task:" + action.task_key);
    if (known.is_object()) return TaskRef::parse(text(known, "ref"));
    return std::nullopt;
  }

  /// Appends `note` once per action key and applies `fields` in the same PATCH.
  ApplyResult patch_with_note(const TaskRef& ref, const std::string& action_key,
                              const std::string& note, json fields, bool gone_is_done) {
    Reply current = graph("GET", task_url(ref));
    if (!current.ok()) {
      if (current.failure->kind == Failure::Kind::kNotFound) {
        if (gone_is_done)
          return done(ApplyResult::Status::kAlreadyApplied, ref.str(), "the task no longer exists");
        return rejected("the task no longer exists in Microsoft To Do (deleted by its user?): " +
                        current.failure->message);
      }
      return from_failure(*current.failure, ref.str());
    }
    std::string content, type = "text";
    if (current.body.contains("body") && current.body["body"].is_object()) {
      content = text(current.body["body"], "content");
      if (!text(current.body["body"], "contentType").empty())
        type = text(current.body["body"], "contentType");
    }
    if (content.find(marker(action_key)) != std::string::npos)
      return done(ApplyResult::Status::kAlreadyApplied, ref.str());
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
    fields["body"] = {{"content", content}, {"contentType", type}};
    Reply r = graph("PATCH", task_url(ref), &fields);
    if (!r.ok()) {
      if (r.failure->kind == Failure::Kind::kNotFound && gone_is_done)
        return done(ApplyResult::Status::kAlreadyApplied, ref.str(), "the task no longer exists");
      return from_failure(*r.failure, ref.str());
    }
    return done(ApplyResult::Status::kApplied, ref.str());
  }

  ApplyResult update(const Action& action, const json& payload) {
    auto ref = ref_of(action);
    if (!ref)
      return rejected("no task known for '" + action.task_key + "' (external_ref '" +
                      action.external_ref + "')");
    if (text(payload, "status") == "completed") {
      std::string note = std::string(kClosedNote);
      if (!text(payload, "outcome").empty())
        note += " with outcome '" + text(payload, "outcome") + "'";
      if (!text(payload, "comment").empty()) note += ": " + text(payload, "comment");
      return patch_with_note(*ref, action.action_key, note, {{"status", "completed"}}, true);
    }
    std::string assignee = user_of(payload);
    if (!assignee.empty() && lower(assignee) != lower(ref->user))
      return reassign(action, *ref, payload, assignee);
    json fields = json::object();
    add_dates(payload, fields);
    if (!text(payload, "subject").empty()) fields["title"] = text(payload, "subject");
    if (!text(payload, "priority").empty())
      fields["importance"] = importance_of(text(payload, "priority"));
    if (!text(payload, "note").empty())
      return patch_with_note(*ref, action.action_key, text(payload, "note"), fields, false);
    if (fields.empty())
      return done(ApplyResult::Status::kAlreadyApplied, ref->str(), "nothing to change");
    Reply r = graph("PATCH", task_url(*ref), &fields);
    if (!r.ok()) {
      if (r.failure->kind == Failure::Kind::kNotFound)
        return rejected("the task no longer exists in Microsoft To Do: " + r.failure->message);
      return from_failure(*r.failure, ref->str());
    }
    return done(ApplyResult::Status::kApplied, ref->str());
  }

  /// The task moves to another user's list: create it there (once), delete the old one.
  ApplyResult reassign(const Action& action, const TaskRef& old, const json& payload,
                       const std::string& assignee) {
    if (!safe_id(assignee)) return rejected("assignee '" + assignee + "' is not a user id or UPN");
    std::string list;
    if (auto f = ensure_list(assignee, list)) {
      if (f->kind == Failure::Kind::kNotFound)
        return rejected("user '" + assignee + "' not found: " + f->message);
      return from_failure(*f, old.str());
    }
    std::string found;
    if (auto f = find_by_key(assignee, list, action.task_key, found))
      return from_failure(*f, old.str());
    TaskRef moved{assignee, list, found};
    if (found.empty()) {
      Reply current = graph("GET", task_url(old) + "?$expand=linkedResources");
      if (!current.ok()) {
        if (current.failure->kind == Failure::Kind::kNotFound)
          return rejected("the task to reassign no longer exists: " + current.failure->message);
        return from_failure(*current.failure, old.str());
      }
      json task = json::object();
      for (const char* k : {"title", "body", "importance", "dueDateTime", "reminderDateTime",
                            "isReminderOn", "categories"})
        if (current.body.contains(k) && !current.body[k].is_null()) task[k] = current.body[k];
      add_dates(payload, task);
      json link = {{"applicationName", settings_.application_name},
                   {"externalId", action.task_key}};
      if (current.body.contains("linkedResources") && current.body["linkedResources"].is_array() &&
          !current.body["linkedResources"].empty()) {
        const json& l = current.body["linkedResources"][0];
        for (const char* k : {"applicationName", "displayName", "webUrl"})
          if (!text(l, k).empty()) link[k] = text(l, k);
      }
      task["linkedResources"] = json::array({link});
      Reply created = graph("POST", list_url(assignee, list) + "/tasks", &task);
      if (!created.ok()) return from_failure(*created.failure, old.str());
      moved.task = text(created.body, "id");
      if (moved.task.empty())
        return from_failure(
            Failure{Failure::Kind::kRetryable, created.status, {}, "", "Graph answered no task id"},
            old.str());
    }
    json known = kv_json("task:" + action.task_key);
    remember_task(action.task_key, moved.str(),
                  known.is_object() && known.contains("outcomes") ? known["outcomes"] : json());
    Reply deleted = graph("DELETE", task_url(old));
    if (!deleted.ok() && deleted.failure->kind != Failure::Kind::kNotFound)
      return from_failure(*deleted.failure,
                          moved.str());  // retried: found in the new list, old deleted then
    return done(ApplyResult::Status::kApplied, moved.str());
  }

  ApplyResult cancel(const Action& action, const json& payload) {
    auto ref = ref_of(action);
    if (!ref)
      return rejected("no task known for '" + action.task_key + "' (external_ref '" +
                      action.external_ref + "')");
    host_->store().put("cancelled:" + ref->task, "1");
    if (settings_.cancel_mode == "complete") {
      std::string note = std::string(kCancelledNote);
      if (!text(payload, "reason").empty()) note += ": " + text(payload, "reason");
      return patch_with_note(*ref, action.action_key, note, {{"status", "completed"}}, true);
    }
    Reply r = graph("DELETE", task_url(*ref));
    if (!r.ok()) {
      if (r.failure->kind == Failure::Kind::kNotFound)
        return done(ApplyResult::Status::kAlreadyApplied, ref->str());
      return from_failure(*r.failure, ref->str());
    }
    return done(ApplyResult::Status::kApplied, ref->str());
  }

  ApplyResult remind(const Action& action, const json& payload, bool escalate) {
    auto ref = ref_of(action);
    if (!ref)
      return rejected("no task known for '" + action.task_key + "' (external_ref '" +
                      action.external_ref + "')");
    std::string note = text(payload, "note");
    if (note.empty())
      note = escalate ? "Escalated: this task is overdue" : "Reminder: this task is due soon";
    json fields = json::object();
    if (escalate) fields["importance"] = "high";
    return patch_with_note(*ref, action.action_key, note, fields, false);
  }

  // ------------------------------------------------------------------ poll

  struct PollState {
    std::map<std::string, std::string> links;  // "user|list" -> deltaLink or a nextLink to resume
  };

  static PollState read_cursor(const std::string& cursor) {
    PollState s;
    json j = json::parse(cursor, nullptr, false);
    if (j.is_object() && j.value("v", 0) == 1 && j.contains("delta") && j["delta"].is_object())
      for (const auto& [k, v] : j["delta"].items())
        if (v.is_string() && TaskRef::parse(k + "|x")) s.links[k] = v.get<std::string>();
    return s;
  }

  static std::string write_cursor(const PollState& s) {
    json d = json::object();
    for (const auto& [k, v] : s.links) d[k] = v;
    return json{{"v", 1}, {"delta", d}}.dump();
  }

  std::string outcome_for(const std::string& task_key, const json& task) {
    json known = kv_json("task:" + task_key);
    std::vector<std::string> outcomes;
    if (known.is_object() && known.contains("outcomes") && known["outcomes"].is_array())
      for (const auto& o : known["outcomes"])
        if (o.is_string()) outcomes.push_back(o.get<std::string>());
    if (task.contains("categories") && task["categories"].is_array()) {
      for (const auto& c : task["categories"]) {
        if (!c.is_string()) continue;
        if (outcomes.empty()) return c.get<std::string>();
        for (const auto& o : outcomes)
          if (lower(o) == lower(c.get<std::string>())) return o;
      }
    }
    return outcomes.empty() ? std::string() : outcomes.front();
  }

  /// The completion event of a task, when it is completed by its user (not closed by us).
  std::optional<TaskEvent> completion_of(const json& task, const std::string& task_key,
                                         const TaskRef& ref) {
    if (text(task, "status") != "completed") return std::nullopt;
    std::string body;
    if (task.contains("body") && task["body"].is_object()) body = text(task["body"], "content");
    if (body.find(std::string("] ") + kClosedNote) != std::string::npos ||
        body.find(std::string("] ") + kCancelledNote) != std::string::npos)
      return std::nullopt;
    TaskEvent e;
    e.kind = TaskEvent::Kind::kCompleted;
    e.task_key = task_key;
    e.external_ref = ref.str();
    std::string when;
    if (task.contains("completedDateTime") && task["completedDateTime"].is_object())
      when = text(task["completedDateTime"], "dateTime");
    e.event_id =
        ref.task + ":completed:" + (when.empty() ? text(task, "lastModifiedDateTime") : when);
    e.outcome = outcome_for(task_key, task);
    e.actor = ref.user;
    auto at = parse_utc(when);
    if (!at || (task.contains("completedDateTime") &&
                lower(text(task["completedDateTime"], "timeZone")) != "utc"))
      at = parse_utc(text(task, "lastModifiedDateTime"));
    if (at) e.at = *at;
    return e;
  }

  static TaskEvent deletion_of(const std::string& task_key, const TaskRef& ref) {
    TaskEvent e;
    e.kind = TaskEvent::Kind::kDeleted;
    e.task_key = task_key;
    e.external_ref = ref.str();
    e.event_id = ref.task + ":deleted";
    return e;
  }

  PollResult do_poll(const sdk::PollRequest& request) {
    PollState state = read_cursor(request.cursor);
    // Open refs by task id, and the lists to read.
    std::map<std::string, std::pair<std::string, TaskRef>> open;  // task id -> (task key, ref)
    std::set<std::string> lists;
    for (const auto& o : request.open_refs) {
      auto ref = TaskRef::parse(o.external_ref);
      if (!ref || o.task_key.empty()) continue;
      open[ref->task] = {o.task_key, *ref};
      lists.insert(ref->list_key());
    }
    // Only lists with open tasks are read: their number, not the number of tasks, is the cost of
    // a poll. A list without open tasks drops out of the cursor; when it gets a task again, its
    // next round starts from the beginning (old completed tasks are not open refs: ignored).

    PollResult result;
    std::set<std::pair<std::string, std::string>> reported;
    std::function<void(TaskEvent)> add = [&](TaskEvent e) {
      if (reported.insert({e.task_key, e.event_id}).second) result.events.push_back(std::move(e));
    };

    if (lists.empty()) {
      // Nothing to read yet: one cheap call keeps auth and throttling visible to the host.
      Reply probe = graph("GET", user_url(settings_.check_user) + "/todo/lists?$top=1");
      if (!probe.ok() && probe.failure->kind != Failure::Kind::kNotFound)
        return poll_failure(*probe.failure);
    }

    PollState next;
    for (const auto& list_key : lists) {
      if (host_->cancelled()) {
        // Keep the old position of the lists not read.
        auto it = state.links.find(list_key);
        if (it != state.links.end()) next.links[list_key] = it->second;
        continue;
      }
      auto bar = list_key.find('|');
      std::string user = list_key.substr(0, bar), list = list_key.substr(bar + 1);
      std::string initial = list_url(user, list) + "/tasks/delta?$top=" + std::to_string(kPageSize);
      auto it = state.links.find(list_key);
      std::string url = it != state.links.end() ? it->second : initial;
      bool restarted = false, full_round = it == state.links.end();
      std::set<std::string> seen;  // task ids present in a full round
      std::vector<TaskEvent> events;
      std::string resume;
      for (int page = 0;; ++page) {
        if (page >= settings_.max_pages || host_->cancelled()) {
          resume = url;  // a nextLink: continue from here next time
          break;
        }
        Reply r = graph("GET", url);
        if (!r.ok()) {
          const Failure& f = *r.failure;
          bool invalid_token =
              f.kind == Failure::Kind::kGone ||
              (f.status == 400 && (lower(f.code).find("sync") != std::string::npos ||
                                   lower(f.code).find("token") != std::string::npos)) ||
              (f.kind == Failure::Kind::kNotFound && url != initial && !restarted);
          if (invalid_token && !restarted) {
            // The delta token expired or is unknown: read the list again from the start. Events
            // already reported carry the same ids and are dropped by the host; deletions are
            // found by comparing the full round with the open refs.
            host_->log().log(sdk::LogLevel::kInfo, "delta token of list " + list + " (" + user +
                                                       ") not accepted (" + f.message +
                                                       "); starting a new round");
            restarted = full_round = true;
            events.clear();
            seen.clear();
            url = initial;
            page = -1;
            continue;
          }
          if (f.kind == Failure::Kind::kNotFound) {
            // The list itself is gone (deleted by the user): forget it; open refs in it are gone
            // too.
            host_->log().log(sdk::LogLevel::kWarn,
                             "task list " + list + " of " + user + " no longer exists");
            host_->store().erase(list_key_of(user));
            for (const auto& [task_id, entry] : open)
              if (entry.second.list_key() == list_key)
                events.push_back(deletion_of(entry.first, entry.second));
            resume.clear();
            url.clear();
            break;
          }
          PollResult failed = poll_failure(f);
          failed.next_cursor = request.cursor;
          return failed;
        }
        if (r.body.is_object() && r.body.contains("value") && r.body["value"].is_array()) {
          for (const auto& t : r.body["value"]) {
            std::string id = text(t, "id");
            if (id.empty()) continue;
            seen.insert(id);
            auto o = open.find(id);
            std::string key = o != open.end() ? o->second.first : key_of(t);
            if (key.empty()) continue;
            TaskRef ref = o != open.end() ? o->second.second : TaskRef{user, list, id};
            if (t.contains("@removed")) {
              if (o != open.end() && !host_->store().get("cancelled:" + id))
                events.push_back(deletion_of(key, ref));
              continue;
            }
            if (auto e = completion_of(t, key, ref)) events.push_back(*e);
          }
        }
        std::string next_link = r.body.is_object() ? text(r.body, "@odata.nextLink") : "";
        std::string delta_link = r.body.is_object() ? text(r.body, "@odata.deltaLink") : "";
        if (!next_link.empty()) {
          url = next_link;
          continue;
        }
        resume = delta_link.empty() ? std::string() : delta_link;
        if (full_round) {
          // A full round lists every task: an open ref missing from it was deleted.
          for (const auto& [task_id, entry] : open)
            if (entry.second.list_key() == list_key && !seen.count(task_id) &&
                !host_->store().get("cancelled:" + task_id))
              events.push_back(deletion_of(entry.first, entry.second));
        }
        break;
      }
      for (auto& e : events) add(std::move(e));
      if (!resume.empty()) next.links[list_key] = resume;
    }

    if (request.reconcile) {
      if (auto f = reconcile(request, open, add)) {
        PollResult failed = poll_failure(*f);
        failed.next_cursor = request.cursor;
        return failed;
      }
    }
    result.status = PollResult::Status::kOk;
    result.next_cursor = write_cursor(next);
    return result;
  }

  /// Asks about every open ref directly, 20 per $batch request.
  std::optional<Failure> reconcile(
      const sdk::PollRequest& request,
      const std::map<std::string, std::pair<std::string, TaskRef>>& open,
      const std::function<void(TaskEvent)>& add) {
    (void)request;
    std::vector<std::pair<std::string, TaskRef>> refs;
    for (const auto& [_, entry] : open) refs.push_back(entry);
    for (std::size_t start = 0; start < refs.size(); start += kBatchLimit) {
      if (host_->cancelled()) break;
      json requests = json::array();
      std::size_t end = std::min(refs.size(), start + kBatchLimit);
      for (std::size_t i = start; i < end; ++i) {
        const TaskRef& ref = refs[i].second;
        requests.push_back(
            {{"id", std::to_string(i - start + 1)},
             {"method", "GET"},
             {"url", "/users/" + encode_segment(ref.user) + "/todo/lists/" +
                         encode_segment(ref.list) + "/tasks/" + encode_segment(ref.task)}});
      }
      json body = {{"requests", requests}};
      Reply r = graph("POST", settings_.base + "/$batch", &body);
      if (!r.ok()) return r.failure;
      if (!r.body.is_object() || !r.body.contains("responses") || !r.body["responses"].is_array()) {
        Failure f;
        f.message = "Graph answered a $batch without responses";
        return f;
      }
      std::optional<Failure> throttled;
      for (const auto& answer : r.body["responses"]) {
        std::string id = text(answer, "id");
        std::size_t index = 0;
        try {
          index = std::stoul(id);
        } catch (const std::exception&) {
          continue;
        }
        if (index < 1 || start + index > end) continue;
        const auto& [key, ref] = refs[start + index - 1];
        int status = answer.contains("status") && answer["status"].is_number_integer()
                         ? answer["status"].get<int>()
                         : 0;
        if (status == 200) {
          const json task = answer.contains("body") ? answer["body"] : json();
          if (auto e = completion_of(task, key, ref)) add(*e);
        } else if (status == 404) {
          if (!host_->store().get("cancelled:" + ref.task)) add(deletion_of(key, ref));
        } else if (status == 429 || status >= 500) {
          // An inner request was throttled: the whole poll waits (its events come again, same ids).
          Failure f;
          f.kind = status == 429 ? Failure::Kind::kRateLimited : Failure::Kind::kRetryable;
          f.status = status;
          if (answer.contains("headers") && answer["headers"].is_object()) {
            for (const auto& [name, value] : answer["headers"].items())
              if (lower(name) == "retry-after" && value.is_string())
                f.retry_after = parse_retry_after(value.get<std::string>(), host_->clock().now())
                                    .value_or(std::chrono::seconds(0));
          }
          f.message = "an inner $batch request answered " + std::to_string(status);
          if (!throttled) throttled = f;
        }
      }
      if (throttled) return throttled;
    }
    return std::nullopt;
  }

  Settings settings_;
  sdk::Host* host_ = nullptr;
  std::chrono::milliseconds timeout_{30000};
};

}  // namespace
}  // namespace disputed::msgraph

DISPUTED_CONNECTOR_PLUGIN(disputed::msgraph::MsGraphConnector)
