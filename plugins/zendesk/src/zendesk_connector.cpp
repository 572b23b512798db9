// The Zendesk Support connector: a workflow step becomes a `task` ticket; solving it (with an
// outcome in a custom field or a tag) completes the step. Facts and limits: API-NOTES section 2,
// https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/ .
//
// - Exactly one ticket per task_key: `external_id` = task_key and `Idempotency-Key` = action_key
//   on create; a retried create (attempt > 1, or a key the server no longer knows) first looks the
//   ticket up with GET /api/v2/tickets?external_id=.
// - Updates read the ticket and write with `safe_update` + `updated_stamp`, so an agent's
//   concurrent edit is never overwritten (409 -> re-read and retry, a few times per call).
// - Reminders and escalations carry a marker "[disputed:<action_key>]" in their internal comment;
//   a retry finds it and does not post again. Closing and cancelling are tagged and so idempotent.
// - Poll: show_many on the open tickets (ceil(N/100) calls); comments only for tickets changed
//   since the cursor. The cursor is "<updated_at>|<ids at that second>" so same-second changes
//   are neither repeated nor skipped.
// - Rate limits: 429 -> rate-limited with Retry-After; when X-Rate-Limit-Remaining falls to the
//   reserve, the connector answers rate-limited itself until the window resets.

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
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
using std::chrono::seconds;

constexpr std::size_t kShowManyBatch = 100;  // show_many takes up to 100 ids
constexpr int kSafeUpdateAttempts = 3;
constexpr int kExportPagesPerPoll = 2;  // the incremental export allows 10 requests/minute
const std::string kClosedTag = "disputed_closed";
const std::string kCancelledTag = "disputed_cancelled";

// ------------------------------------------------------------------------- small helpers

std::string text(const json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<std::int64_t> integer(const json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

std::optional<std::int64_t> parse_id(const std::string& s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
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

std::string lower(std::string s) {
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// "2025-01-06T09:00:00Z" (fractions allowed) to an instant; nullopt otherwise.
std::optional<sdk::Instant> parse_timestamp(const std::string& s) {
  int y, mo, d, h, mi, se;
  if (s.size() < 19 ||
      std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &se) != 6)
    return std::nullopt;
  std::chrono::year_month_day day{std::chrono::year(y), std::chrono::month(unsigned(mo)),
                                  std::chrono::day(unsigned(d))};
  if (!day.ok() || h > 23 || mi > 59 || se > 60) return std::nullopt;
  return sdk::Instant(std::chrono::sys_days(day)) + std::chrono::hours(h) +
         std::chrono::minutes(mi) + seconds(se);
}

std::string format_timestamp(sdk::Instant t) {
  auto day = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd(day);
  std::chrono::hh_mm_ss hms(t - day);
  char out[32];
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()));
  return out;
}

/// Retry-After: delta-seconds or an HTTP-date (RFC 9110 10.2.3); 0 when absent.
seconds retry_after(const sdk::HttpResponse& response, sdk::Instant now) {
  std::string value = response.header("Retry-After");
  if (value.empty()) return seconds(0);
  long long secs = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
  if (ec == std::errc() && end == value.data() + value.size()) return seconds(std::max(0LL, secs));
  std::tm tm{};
  if (strptime(value.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm)) {
    auto at = sdk::Instant(seconds(timegm(&tm)));
    return at > now ? std::chrono::duration_cast<seconds>(at - now) : seconds(0);
  }
  return seconds(0);
}

/// Zendesk's own words: {"error": "RecordInvalid", "description": "...", "details": {field:
/// [{description}]}}.
std::string vendor_message(const sdk::HttpResponse& response) {
  if (response.status == 0) return response.error;
  json body = json::parse(response.body, nullptr, false);
  std::string message;
  if (body.is_object()) {
    if (body.contains("error") && body["error"].is_string())
      message = body["error"].get<std::string>();
    if (body.contains("error") && body["error"].is_object()) message = text(body["error"], "title");
    std::string description = text(body, "description");
    if (!description.empty() && description != message)
      message += (message.empty() ? "" : ": ") + description;
    if (body.contains("details") && body["details"].is_object())
      for (const auto& [field, problems] : body["details"].items())
        if (problems.is_array())
          for (const auto& p : problems) message += "; " + field + ": " + text(p, "description");
  }
  if (message.empty()) message = response.body.substr(0, 200);
  return "HTTP " + std::to_string(response.status) + (message.empty() ? "" : ": " + message);
}

bool host_refused(const sdk::HttpResponse& r) {
  return r.status == 0 && r.error.rfind("refused:", 0) == 0;
}
bool no_credential(const sdk::HttpResponse& r) {
  return r.status == 0 && r.error.rfind("auth:", 0) == 0;
}
bool ok(const sdk::HttpResponse& r) { return r.status >= 200 && r.status < 300; }

ApplyResult rejected(std::string message) {
  return {ApplyResult::Status::kRejected, "", "", seconds(0), std::move(message)};
}

ApplyResult apply_failure(const sdk::HttpResponse& response, sdk::Instant now) {
  ApplyResult r;
  r.message = vendor_message(response);
  int s = response.status;
  if (no_credential(response) || s == 401 || s == 403) {
    r.status = ApplyResult::Status::kAuthFailed;
  } else if (host_refused(response)) {
    r.status = ApplyResult::Status::kAuthFailed;  // every action would fail alike: hold them all
    r.message =
        "the host refused the request (check settings.base_url and allowed_hosts): " + r.message;
  } else if (s == 429) {
    r.status = ApplyResult::Status::kRateLimited;
    r.retry_after = retry_after(response, now);
  } else if (s == 0 || s == 408 || s == 409 || s >= 500) {
    r.status = ApplyResult::Status::kRetryable;
    r.retry_after = retry_after(response, now);
  } else {
    r.status = ApplyResult::Status::kRejected;
  }
  return r;
}

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

bool has_tag(const json& ticket, const std::string& tag) {
  if (!ticket.is_object() || !ticket.contains("tags") || !ticket["tags"].is_array()) return false;
  for (const auto& t : ticket["tags"])
    if (t.is_string() && t.get<std::string>() == tag) return true;
  return false;
}

std::string marker(const std::string& action_key) { return "[disputed:" + action_key + "]"; }

// ------------------------------------------------------------------------- the poll cursor

/// Where a poll resumes: the newest ticket change seen, as its updated_at (Zendesk has second
/// precision) and the ids changed in that very second. "<updated_at>|<id>,<id>"; empty = start.
/// When more than kMaxTies tickets share that second (a bulk update), the ids are replaced by "*"
/// ("every change of that second was seen"): a later change in the same second is then left to
/// the periodic reconciliation, which keeps the cursor a few KB at most.
struct Cursor {
  static constexpr std::size_t kMaxTies = 200;
  std::optional<sdk::Instant> at;
  std::set<std::int64_t> ids;
  bool whole_second = false;

  static Cursor parse(const std::string& text) {
    Cursor c;
    auto bar = text.find('|');
    if (bar == std::string::npos) return c;
    c.at = parse_timestamp(text.substr(0, bar));
    if (!c.at) return c;
    std::string rest = text.substr(bar + 1);
    if (rest == "*") {
      c.whole_second = true;
      return c;
    }
    for (std::size_t start = 0; start < rest.size();) {
      auto comma = rest.find(',', start);
      if (auto id = parse_id(rest.substr(start, comma - start))) c.ids.insert(*id);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return c;
  }
  std::string encode() const {
    if (!at) return {};
    std::string out = format_timestamp(*at) + "|";
    if (whole_second) return out + "*";
    bool first = true;
    for (auto id : ids) {
      out += (first ? "" : ",") + std::to_string(id);
      first = false;
    }
    return out;
  }
  /// True when a ticket changed at `when` with `id` is newer than this cursor.
  bool before(sdk::Instant when, std::int64_t id) const {
    if (!at) return true;
    return when > *at || (when == *at && !whole_second && !ids.count(id));
  }
  void advance(sdk::Instant when, std::int64_t id) {
    if (!at || when > *at) {
      at = when;
      ids = {id};
      whole_second = false;
    } else if (when == *at && !whole_second) {
      ids.insert(id);
      if (ids.size() > kMaxTies) {
        ids.clear();
        whole_second = true;
      }
    }
  }
};

// ------------------------------------------------------------------------- settings

struct Settings {
  std::string base_url;
  std::vector<std::string> tags{"invoice_dispute"};
  std::optional<std::int64_t> group_id;
  std::map<std::string, std::int64_t> role_groups;
  std::map<std::string, std::int64_t> fields;  // dispute, invoice_number, customer, amount, outcome
  std::string outcome_tag_prefix = "outcome_";
  std::map<std::string, std::string> outcome_values;
  std::string dispute_url;
  int rate_limit_reserve = 10;
  int request_timeout_ms = 30000;
  std::string poll_mode = "show_many";
};

bool loopback_http(const std::string& url) {
  for (const char* prefix : {"http://127.0.0.1", "http://localhost", "http://[::1]"})
    if (url.rfind(prefix, 0) == 0) {
      char next = url.size() > std::string(prefix).size() ? url[std::string(prefix).size()] : '\0';
      if (next == '\0' || next == ':' || next == '/') return true;
    }
  return false;
}

/// Reads the settings, collecting every problem as {JSON pointer, text}.
Settings read_settings(const json& s, std::vector<sdk::ConfigProblem>& problems) {
  Settings out;
  out.base_url = text(s, "base_url");
  if (out.base_url.empty()) {
    problems.push_back(
        {"/base_url", "is required: your account's URL, e.g. https://acme.zendesk.com"});
  } else if (out.base_url.rfind("https://", 0) != 0 && !loopback_http(out.base_url)) {
    problems.push_back({"/base_url",
                        "must be an https:// URL (http:// only to a sandbox on loopback), e.g. "
                        "https://acme.zendesk.com"});
  } else if (out.base_url.find_first_of("?#") != std::string::npos ||
             out.base_url.find("/api/") != std::string::npos) {
    problems.push_back(
        {"/base_url", "must be the account's root URL without /api/v2, query or fragment"});
  }
  while (!out.base_url.empty() && out.base_url.back() == '/') out.base_url.pop_back();
  if (s.contains("tags")) {
    out.tags.clear();
    if (!s["tags"].is_array())
      problems.push_back({"/tags", "must be a list of tags"});
    else
      for (std::size_t i = 0; i < s["tags"].size(); ++i) {
        const auto& t = s["tags"][i];
        if (!t.is_string() || t.get<std::string>().empty() ||
            t.get<std::string>().find(' ') != std::string::npos)
          problems.push_back({"/tags/" + std::to_string(i), "must be a tag without spaces"});
        else
          out.tags.push_back(lower(t.get<std::string>()));
      }
  }
  if (s.contains("group_id")) {
    out.group_id = integer(s, "group_id");
    if (!out.group_id || *out.group_id <= 0)
      problems.push_back({"/group_id", "must be a Zendesk group id (a positive integer)"});
  }
  if (s.contains("role_groups")) {
    if (!s["role_groups"].is_object())
      problems.push_back({"/role_groups", "must map role ids to group ids"});
    else
      for (const auto& [role, id] : s["role_groups"].items()) {
        if (!id.is_number_integer() || id.get<std::int64_t>() <= 0)
          problems.push_back(
              {"/role_groups/" + role, "must be a Zendesk group id (a positive integer)"});
        else
          out.role_groups[role] = id.get<std::int64_t>();
      }
  }
  if (s.contains("custom_fields")) {
    static const std::set<std::string> known{"dispute", "invoice_number", "customer", "amount",
                                             "outcome"};
    if (!s["custom_fields"].is_object())
      problems.push_back({"/custom_fields", "must map names to ticket field ids"});
    else
      for (const auto& [name, id] : s["custom_fields"].items()) {
        if (!known.count(name))
          problems.push_back({"/custom_fields/" + name,
                              "unknown; use dispute, invoice_number, customer, amount or outcome"});
        else if (!id.is_number_integer() || id.get<std::int64_t>() <= 0)
          problems.push_back({"/custom_fields/" + name,
                              "must be a ticket field id (a positive integer, Admin Center > "
                              "Objects and rules > Ticket fields)"});
        else
          out.fields[name] = id.get<std::int64_t>();
      }
  }
  if (s.contains("outcome_tag_prefix")) {
    out.outcome_tag_prefix = text(s, "outcome_tag_prefix");
    if (out.outcome_tag_prefix.empty() || out.outcome_tag_prefix.find(' ') != std::string::npos)
      problems.push_back({"/outcome_tag_prefix", "must be a non-empty tag prefix without spaces"});
  }
  if (s.contains("outcome_values")) {
    if (!s["outcome_values"].is_object())
      problems.push_back({"/outcome_values", "must map Zendesk values to outcomes"});
    else
      for (const auto& [from, to] : s["outcome_values"].items()) {
        if (!to.is_string() || to.get<std::string>().empty())
          problems.push_back({"/outcome_values/" + from, "must be a workflow outcome"});
        else
          out.outcome_values[from] = to.get<std::string>();
      }
  }
  if (s.contains("dispute_url")) {
    out.dispute_url = text(s, "dispute_url");
    if (out.dispute_url.rfind("https://", 0) != 0 && out.dispute_url.rfind("http://", 0) != 0)
      problems.push_back(
          {"/dispute_url",
           "must be an http(s) URL, e.g. https://disputed.example.com/disputes/{dispute}"});
  }
  if (s.contains("rate_limit_reserve")) {
    auto v = integer(s, "rate_limit_reserve");
    if (!v || *v < 0 || *v > 1000)
      problems.push_back({"/rate_limit_reserve", "must be an integer 0..1000"});
    else
      out.rate_limit_reserve = int(*v);
  }
  if (s.contains("request_timeout_ms")) {
    auto v = integer(s, "request_timeout_ms");
    if (!v || *v < 100 || *v > 120000)
      problems.push_back({"/request_timeout_ms", "must be an integer 100..120000"});
    else
      out.request_timeout_ms = int(*v);
  }
  if (s.contains("poll_mode")) {
    out.poll_mode = text(s, "poll_mode");
    if (out.poll_mode != "show_many" && out.poll_mode != "incremental")
      problems.push_back({"/poll_mode", "must be show_many or incremental"});
  }
  return out;
}

// ------------------------------------------------------------------------- the connector

class ZendeskConnector final : public sdk::Connector {
 public:
  std::vector<sdk::ConfigProblem> validate(const std::string& settings_json) noexcept override {
    try {
      json s = json::parse(settings_json, nullptr, false);
      if (s.is_discarded() || !s.is_object()) return {{"", "settings must be a JSON object"}};
      std::vector<sdk::ConfigProblem> problems;
      read_settings(s, problems);
      return problems;
    } catch (const std::exception& e) {
      return {{"", std::string("cannot read the settings: ") + e.what()}};
    }
  }

  sdk::OpenResult open(const std::string& settings_json, sdk::Host& host) noexcept override {
    try {
      host_ = &host;
      json s = json::parse(settings_json, nullptr, false);
      if (s.is_discarded() || !s.is_object()) return {false, "settings must be a JSON object"};
      std::vector<sdk::ConfigProblem> problems;
      settings_ = read_settings(s, problems);
      if (!problems.empty())
        return {false,
                "invalid settings: " + problems.front().field + " " + problems.front().problem};
      return {true, ""};
    } catch (const std::exception& e) {
      return {false, e.what()};
    }
  }

  CheckResult check() noexcept override {
    try {
      sdk::HttpResponse me = send("GET", "/api/v2/users/me");
      std::string remedy_auth =
          "check auth.username ('<agent e-mail>/token') and the API token secrets.password points "
          "to "
          "(or the OAuth token secrets.token points to); API token access must be enabled in Admin "
          "Center > Apps "
          "and integrations > Zendesk API";
      if (!ok(me)) return check_failure(me, remedy_auth);
      json body = json::parse(me.body, nullptr, false);
      const json user = body.is_object() && body.contains("user") ? body["user"] : json();
      // Zendesk answers /users/me for unknown credentials with an anonymous user (id null).
      if (!integer(user, "id"))
        return {false, CheckResult::Category::kAuth,
                "Zendesk did not recognise the credentials (anonymous user)", remedy_auth};
      std::string role = text(user, "role");
      if (role != "agent" && role != "admin")
        return {
            false, CheckResult::Category::kPermission,
            "the API user " + text(user, "email") + " is a(n) " +
                (role.empty() ? "unknown role" : role) +
                ", not an agent: it cannot create or read tickets",
            "use an agent's or admin's e-mail in auth.username (or an OAuth token of an agent)"};
      // Reading tickets: the same list the create path uses to find a ticket by external_id.
      sdk::HttpResponse list = send("GET", "/api/v2/tickets?external_id=disputed-check");
      if (!ok(list)) return check_failure(list, remedy_auth);
      if (settings_.poll_mode == "incremental" && role != "admin")
        return {false, CheckResult::Category::kPermission,
                "poll_mode incremental needs an admin (the incremental export is admin-only)",
                "use an admin's credentials or set settings.poll_mode to show_many"};
      return {true, CheckResult::Category::kNone, "", ""};
    } catch (const std::exception& e) {
      return {false, CheckResult::Category::kNetwork, e.what(), "see the log"};
    }
  }

  ApplyResult apply(const Action& action) noexcept override {
    try {
      if (auto wait = throttled()) {
        return {ApplyResult::Status::kRateLimited, action.external_ref, "", *wait,
                "X-Rate-Limit-Remaining reached the reserve; slowing down"};
      }
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
          return remind(action, payload, false);
        case Action::Kind::kEscalate:
          return remind(action, payload, true);
      }
      return rejected("unknown action kind");
    } catch (const json::exception& e) {
      return rejected(std::string("unexpected JSON: ") + e.what());
    } catch (const std::exception& e) {
      return {ApplyResult::Status::kRetryable, "", "", seconds(0), e.what()};
    }
  }

  PollResult poll(const sdk::PollRequest& request) noexcept override {
    try {
      if (auto wait = throttled())
        return {PollResult::Status::kRateLimited,
                {},
                request.cursor,
                *wait,
                "X-Rate-Limit-Remaining reached the reserve; slowing down"};
      return settings_.poll_mode == "incremental" ? poll_incremental(request)
                                                  : poll_show_many(request);
    } catch (const std::exception& e) {
      return {PollResult::Status::kRetryable, {}, request.cursor, seconds(0), e.what()};
    }
  }

 private:
  sdk::Instant now() const { return host_->clock().now(); }

  CheckResult check_failure(const sdk::HttpResponse& r, const std::string& remedy_auth) {
    std::string message = vendor_message(r);
    if (no_credential(r) || r.status == 401)
      return {false, CheckResult::Category::kAuth, message, remedy_auth};
    if (r.status == 403)
      return {false, CheckResult::Category::kPermission, message,
              "give the API user an agent role that may create and view tickets (or an OAuth token "
              "with read and "
              "write scopes)"};
    if (host_refused(r))
      return {false, CheckResult::Category::kConfig, message,
              "correct settings.base_url or add its host to the instance's allowed_hosts"};
    if (r.status == 404)
      return {false, CheckResult::Category::kConfig, message,
              "settings.base_url must be the account's root URL, e.g. https://acme.zendesk.com"};
    return {false, CheckResult::Category::kNetwork, message,
            "check that " + settings_.base_url +
                " is reachable (proxy, firewall, https://status.zendesk.com)"};
  }

  /// How long to hold off when the account's remaining requests reached the reserve.
  std::optional<seconds> throttled() const {
    if (throttle_until_ && now() < *throttle_until_)
      return std::max(seconds(1), std::chrono::duration_cast<seconds>(*throttle_until_ - now()));
    return std::nullopt;
  }

  void watch_rate_limit(const sdk::HttpResponse& r) {
    std::string remaining = r.header("X-Rate-Limit-Remaining");
    if (remaining.empty()) remaining = r.header("ratelimit-remaining");
    long long left = 0;
    auto [end, ec] = std::from_chars(remaining.data(), remaining.data() + remaining.size(), left);
    if (remaining.empty() || ec != std::errc() || end != remaining.data() + remaining.size())
      return;
    if (left > settings_.rate_limit_reserve) return;
    std::string reset = r.header("ratelimit-reset");
    long long wait = 60;  // the account limit is per minute
    if (!reset.empty()) {
      long long v = 0;
      auto [e2, ec2] = std::from_chars(reset.data(), reset.data() + reset.size(), v);
      if (ec2 == std::errc() && e2 == reset.data() + reset.size() && v > 0) wait = v;
    }
    throttle_until_ = now() + seconds(wait);
    host_->log().log(sdk::LogLevel::kWarn, "Zendesk rate limit nearly used up (" + remaining +
                                               " requests left); holding off for " +
                                               std::to_string(wait) + " s");
  }

  sdk::HttpResponse send(const std::string& method, const std::string& path,
                         const json* body = nullptr, const std::string& idempotency_key = "") {
    sdk::HttpRequest request;
    request.method = method;
    request.url = settings_.base_url + path;
    request.headers.emplace_back("Accept", "application/json");
    if (body) {
      request.headers.emplace_back("Content-Type", "application/json");
      request.body = body->dump();
    }
    if (!idempotency_key.empty()) request.headers.emplace_back("Idempotency-Key", idempotency_key);
    request.timeout = std::chrono::milliseconds(settings_.request_timeout_ms);
    sdk::HttpResponse r = host_->http().send(request);
    watch_rate_limit(r);
    return r;
  }

  std::string ticket_url(const std::string& id) const {
    return settings_.base_url + "/agent/tickets/" + id;
  }

  /// Tickets carrying `task_key` as external_id (external_id is not unique in Zendesk: the oldest
  /// wins).
  std::optional<json> find_ticket(const std::string& task_key,
                                  std::optional<ApplyResult>& failure) {
    sdk::HttpResponse r = send("GET", "/api/v2/tickets?external_id=" + percent_encode(task_key));
    if (!ok(r)) {
      failure = apply_failure(r, now());
      return std::nullopt;
    }
    json body = json::parse(r.body, nullptr, false);
    std::optional<json> oldest;
    if (body.is_object() && body.contains("tickets") && body["tickets"].is_array())
      for (const auto& t : body["tickets"])
        if (text(t, "external_id") == task_key && integer(t, "id") &&
            (!oldest || *integer(t, "id") < *integer(*oldest, "id")))
          oldest = t;
    return oldest;
  }

  /// The Zendesk user id of an agent by e-mail, cached in the host's store; nullopt when no agent
  /// has that address. A failed lookup sets `failure`.
  std::optional<std::int64_t> agent_id(const std::string& email,
                                       std::optional<ApplyResult>& failure) {
    std::string key = "user:" + lower(email);
    if (auto cached = host_->store().get(key))
      if (auto id = parse_id(*cached)) return id;
    sdk::HttpResponse r =
        send("GET", "/api/v2/users/search?query=" + percent_encode("email:" + lower(email)));
    if (!ok(r)) {
      failure = apply_failure(r, now());
      return std::nullopt;
    }
    json body = json::parse(r.body, nullptr, false);
    if (body.is_object() && body.contains("users") && body["users"].is_array())
      for (const auto& u : body["users"]) {
        std::string role = text(u, "role");
        if (lower(text(u, "email")) == lower(email) && (role == "agent" || role == "admin") &&
            integer(u, "id")) {
          std::int64_t id = *integer(u, "id");
          host_->store().put(key, std::to_string(id));
          host_->store().put("email:" + std::to_string(id), lower(email));
          return id;
        }
      }
    return std::nullopt;
  }

  std::string summary(const Action& action, const json& p, const std::string& assignee_note) const {
    std::string out;
    auto line = [&](const std::string& label, const std::string& value) {
      if (!value.empty()) out += label + ": " + value + "\n";
    };
    line("Dispute", text(p, "dispute"));
    line("Step", text(p, "step"));
    const json customer = p.contains("customer") ? p["customer"] : json();
    std::string who = text(customer, "name");
    if (!text(customer, "id").empty())
      who += (who.empty() ? "" : " ") + std::string("(") + text(customer, "id") + ")";
    line("Customer", who);
    line("Category", text(p, "category"));
    std::string currency = text(p, "currency");
    if (p.contains("invoices") && p["invoices"].is_array()) {
      std::string list;
      for (const auto& inv : p["invoices"]) {
        if (text(inv, "number").empty()) continue;
        list += (list.empty() ? "" : ", ") + text(inv, "number");
        if (!text(inv, "disputed_amount").empty())
          list += " (" + currency + " " + text(inv, "disputed_amount") + ")";
      }
      line("Invoices", list);
    }
    if (!text(p, "disputed_amount").empty())
      line("Disputed amount", currency + " " + text(p, "disputed_amount"));
    std::string due = text(p, "deadline_local_date");
    if (!due.empty() && !text(p, "time_zone").empty()) due += " (" + text(p, "time_zone") + ")";
    line("Due", due);
    line("Assigned to", text(p, "assignee") + assignee_note);
    if (!text(p, "instructions").empty()) out += "\n" + text(p, "instructions") + "\n";
    if (!text(p, "description").empty())
      out += "\nCustomer's complaint: " + text(p, "description") + "\n";
    if (p.contains("outcomes") && p["outcomes"].is_array() && !p["outcomes"].empty()) {
      std::string outcomes;
      for (const auto& o : p["outcomes"])
        if (o.is_string()) outcomes += (outcomes.empty() ? "" : ", ") + o.get<std::string>();
      out += "\nWhen done, solve this ticket with one outcome (" + outcomes + ")";
      out += settings_.fields.count("outcome") ? " in the dispute outcome field" : "";
      out += " or the tag " + settings_.outcome_tag_prefix + "<outcome>.\n";
    }
    if (!settings_.dispute_url.empty() && !text(p, "dispute").empty()) {
      std::string url = settings_.dispute_url;
      auto at = url.find("{dispute}");
      if (at != std::string::npos) url.replace(at, 9, percent_encode(text(p, "dispute")));
      out += "\nDispute in disputed: " + url + "\n";
    }
    out += "\n" + marker(action.action_key);
    return out;
  }

  ApplyResult create(const Action& action, const json& payload) {
    // A retry may follow a create whose answer was lost, after the server forgot the idempotency
    // key (kept about 2 hours): look the ticket up by external_id first.
    std::optional<ApplyResult> failure;
    if (action.attempt > 1) {
      if (auto existing = find_ticket(action.task_key, failure)) {
        std::string id = std::to_string(*integer(*existing, "id"));
        return {ApplyResult::Status::kAlreadyApplied, id, ticket_url(id), seconds(0), ""};
      }
      if (failure) return *failure;
    }
    std::string subject = text(payload, "subject");
    if (subject.empty()) subject = text(payload, "title");
    if (subject.empty()) subject = "Dispute task " + action.task_key;

    json ticket = {{"subject", subject}, {"type", "task"}, {"external_id", action.task_key}};
    std::string assignee = text(payload, "assignee"), assignee_note;
    if (assignee.find('@') != std::string::npos) {
      auto id = agent_id(assignee, failure);
      if (failure) return *failure;
      if (id)
        ticket["assignee_id"] = *id;
      else
        assignee_note = " (not a Zendesk agent: assign by hand)";
    }
    if (!ticket.contains("assignee_id")) {
      auto role = settings_.role_groups.find(assignee);
      if (role != settings_.role_groups.end())
        ticket["group_id"] = role->second;
      else if (settings_.group_id)
        ticket["group_id"] = *settings_.group_id;
    } else if (settings_.group_id) {
      ticket["group_id"] = *settings_.group_id;
    }
    ticket["comment"] = {{"body", summary(action, payload, assignee_note)}, {"public", false}};
    if (auto due = parse_timestamp(text(payload, "deadline_at")))
      ticket["due_at"] = format_timestamp(*due);
    std::string priority = text(payload, "priority");
    ticket["priority"] =
        priority == "urgent" || priority == "high" || priority == "low" ? priority : "normal";
    json tags = json::array();
    for (const auto& t : settings_.tags) tags.push_back(t);
    ticket["tags"] = tags;
    json fields = json::array();
    auto field = [&](const char* name, const std::string& value) {
      auto it = settings_.fields.find(name);
      if (it != settings_.fields.end() && !value.empty())
        fields.push_back({{"id", it->second}, {"value", value}});
    };
    field("dispute", text(payload, "dispute"));
    if (payload.contains("invoices") && payload["invoices"].is_array() &&
        !payload["invoices"].empty())
      field("invoice_number", text(payload["invoices"][0], "number"));
    field("customer", payload.contains("customer") ? text(payload["customer"], "name") : "");
    field("amount", text(payload, "disputed_amount"));
    if (!fields.empty()) ticket["custom_fields"] = fields;

    json body = {{"ticket", ticket}};
    sdk::HttpResponse r = send("POST", "/api/v2/tickets", &body, action.action_key);
    if (r.status == 400 && r.body.find("IdempotentRequestError") != std::string::npos) {
      // The key was used with another body (the payload changed between deliveries): the ticket
      // exists; find it by external_id.
      if (auto existing = find_ticket(action.task_key, failure)) {
        std::string id = std::to_string(*integer(*existing, "id"));
        return {ApplyResult::Status::kAlreadyApplied, id, ticket_url(id), seconds(0), ""};
      }
      if (failure) return *failure;
    }
    if (!ok(r)) return apply_failure(r, now());
    json answer = json::parse(r.body, nullptr, false);
    auto id = answer.is_object() && answer.contains("ticket") ? integer(answer["ticket"], "id")
                                                              : std::nullopt;
    if (!id)
      return {ApplyResult::Status::kRetryable, "", "", seconds(0),
              "created, but no ticket id in the answer"};
    bool hit = lower(r.header("x-idempotency-lookup")) == "hit";
    return {hit ? ApplyResult::Status::kAlreadyApplied : ApplyResult::Status::kApplied,
            std::to_string(*id), ticket_url(std::to_string(*id)), seconds(0), ""};
  }

  /// The ticket id of the action's task: the ref the host knows, else looked up by external_id.
  std::optional<std::int64_t> ticket_id(const Action& action, std::optional<ApplyResult>& failure) {
    if (auto id = parse_id(action.external_ref)) return id;
    if (action.task_key.empty()) return std::nullopt;
    if (auto t = find_ticket(action.task_key, failure)) return integer(*t, "id");
    return std::nullopt;
  }

  /// Reads the ticket, asks `change` for the update (nullopt: nothing to do, already applied) and
  /// writes it with safe_update; a 409 (an agent changed the ticket meanwhile) re-reads and
  /// retries.
  template <class Change>
  ApplyResult modify(std::int64_t id, bool missing_is_done, Change change) {
    std::string ref = std::to_string(id);
    for (int attempt = 1; attempt <= kSafeUpdateAttempts; ++attempt) {
      sdk::HttpResponse got = send("GET", "/api/v2/tickets/" + ref);
      if (got.status == 404)
        return missing_is_done ? ApplyResult{ApplyResult::Status::kAlreadyApplied, ref, "",
                                             seconds(0), "ticket deleted"}
                               : rejected("ticket " + ref + " no longer exists in Zendesk");
      if (!ok(got)) return apply_failure(got, now());
      json body = json::parse(got.body, nullptr, false);
      json ticket = body.is_object() && body.contains("ticket") ? body["ticket"] : json();
      if (!ticket.is_object())
        return {ApplyResult::Status::kRetryable, ref, "", seconds(0), "unexpected answer"};
      std::optional<ApplyResult> failure;
      std::optional<json> update = change(ticket, failure);
      if (failure) return *failure;
      if (!update)
        return {ApplyResult::Status::kAlreadyApplied, ref, ticket_url(ref), seconds(0), ""};
      if (text(ticket, "status") == "closed")
        return {ApplyResult::Status::kAlreadyApplied, ref, ticket_url(ref), seconds(0),
                "the ticket is closed (read-only in Zendesk)"};
      (*update)["safe_update"] = true;
      (*update)["updated_stamp"] = text(ticket, "updated_at");
      json put = {{"ticket", *update}};
      sdk::HttpResponse r = send("PUT", "/api/v2/tickets/" + ref, &put);
      if (r.status == 409) {
        host_->log().log(sdk::LogLevel::kInfo,
                         "ticket " + ref + " changed meanwhile (safe_update conflict); re-reading");
        continue;
      }
      if (r.status == 404 && missing_is_done)
        return {ApplyResult::Status::kAlreadyApplied, ref, "", seconds(0), "ticket deleted"};
      if (!ok(r)) return apply_failure(r, now());
      return {ApplyResult::Status::kApplied, ref, ticket_url(ref), seconds(0), ""};
    }
    return {ApplyResult::Status::kRetryable, ref, "", seconds(0),
            "ticket " + ref + " kept changing (safe_update conflicts); will try again"};
  }

  static json tags_plus(const json& ticket, const std::string& tag) {
    json tags =
        ticket.contains("tags") && ticket["tags"].is_array() ? ticket["tags"] : json::array();
    if (!has_tag(ticket, tag)) tags.push_back(tag);
    return tags;
  }

  ApplyResult update(const Action& action, const json& payload) {
    std::string status = text(payload, "status");
    auto due = parse_timestamp(text(payload, "deadline_at"));
    std::string assignee = text(payload, "assignee");
    if (status.empty() && !due && assignee.empty())
      return rejected(
          "an update needs \"status\": \"completed\", a new \"deadline_at\" or a new \"assignee\"");
    if (!status.empty() && status != "completed")
      return rejected("unknown update status '" + status + "'");
    std::optional<ApplyResult> failure;
    auto id = ticket_id(action, failure);
    if (!id) return failure ? *failure : rejected("no Zendesk ticket for " + action.task_key);
    std::optional<std::int64_t> assignee_id;
    if (assignee.find('@') != std::string::npos) {
      assignee_id = agent_id(assignee, failure);
      if (failure) return *failure;
    }
    return modify(*id, false,
                  [&](const json& ticket, std::optional<ApplyResult>&) -> std::optional<json> {
                    json change = json::object();
                    if (status == "completed") {
                      if (has_tag(ticket, kClosedTag) || text(ticket, "status") == "closed")
                        return std::nullopt;
                      std::string note = "Completed in disputed";
                      if (!text(payload, "outcome").empty())
                        note += " with outcome '" + text(payload, "outcome") + "'";
                      if (!text(payload, "comment").empty())
                        note += ": " + text(payload, "comment");
                      note += ". No further action needed here.\n\n" + marker(action.action_key);
                      change["status"] = "solved";
                      change["tags"] = tags_plus(ticket, kClosedTag);
                      change["comment"] = {{"body", note}, {"public", false}};
                      return change;
                    }
                    if (due && text(ticket, "due_at") != format_timestamp(*due))
                      change["due_at"] = format_timestamp(*due);
                    if (assignee_id && integer(ticket, "assignee_id") != assignee_id)
                      change["assignee_id"] = *assignee_id;
                    if (change.empty()) return std::nullopt;
                    return change;
                  });
  }

  ApplyResult cancel(const Action& action, const json& payload) {
    std::optional<ApplyResult> failure;
    auto id = ticket_id(action, failure);
    if (!id) {
      if (failure) return *failure;
      return {ApplyResult::Status::kAlreadyApplied, "", "", seconds(0), "no ticket to cancel"};
    }
    return modify(
        *id, true, [&](const json& ticket, std::optional<ApplyResult>&) -> std::optional<json> {
          if (has_tag(ticket, kCancelledTag)) return std::nullopt;
          std::string reason = text(payload, "reason");
          std::string note =
              "Cancelled by disputed" + (reason.empty() ? std::string() : ": " + reason) +
              ". No action needed on this ticket any more.\n\n" + marker(action.action_key);
          return json{{"status", "solved"},
                      {"tags", tags_plus(ticket, kCancelledTag)},
                      {"comment", {{"body", note}, {"public", false}}}};
        });
  }

  /// Whether one of the ticket's comments carries the action's marker (the action was applied by
  /// an earlier attempt whose answer was lost).
  std::optional<bool> already_commented(std::int64_t id, const std::string& action_key,
                                        std::optional<ApplyResult>& failure) {
    sdk::HttpResponse r =
        send("GET", "/api/v2/tickets/" + std::to_string(id) + "/comments?sort_order=desc");
    if (!ok(r)) {
      failure = apply_failure(r, now());
      return std::nullopt;
    }
    json body = json::parse(r.body, nullptr, false);
    if (body.is_object() && body.contains("comments") && body["comments"].is_array())
      for (const auto& c : body["comments"])
        if (text(c, "body").find(marker(action_key)) != std::string::npos) return true;
    return false;
  }

  ApplyResult remind(const Action& action, const json& payload, bool escalate) {
    std::optional<ApplyResult> failure;
    auto id = ticket_id(action, failure);
    if (!id) return failure ? *failure : rejected("no Zendesk ticket for " + action.task_key);
    auto done = already_commented(*id, action.action_key, failure);
    if (failure) {
      if (failure->status == ApplyResult::Status::kRejected)
        return rejected("ticket " + std::to_string(*id) + ": " + failure->message);
      return *failure;
    }
    if (*done)
      return {ApplyResult::Status::kAlreadyApplied, std::to_string(*id),
              ticket_url(std::to_string(*id)), seconds(0), ""};
    std::string note = text(payload, "note");
    if (note.empty())
      note = escalate ? "This task is overdue and has been escalated."
                      : "Reminder: this task is due soon.";
    std::optional<std::int64_t> follower;
    std::string escalated_to = text(payload, "escalated_to");
    if (escalate && escalated_to.find('@') != std::string::npos) {
      follower = agent_id(escalated_to, failure);
      if (failure) return *failure;
    }
    return modify(*id, false,
                  [&](const json& ticket, std::optional<ApplyResult>&) -> std::optional<json> {
                    json change = {
                        {"comment",
                         {{"body", note + "\n\n" + marker(action.action_key)}, {"public", false}}}};
                    if (escalate) {
                      std::string priority = text(payload, "priority");
                      change["priority"] = priority == "high" ? "high" : "urgent";
                      if (follower)
                        change["followers"] = json::array(
                            {{{"user_id", std::to_string(*follower)},
                              {"action", "put"}}});  // a string in Zendesk's spec (FollowerObject)
                    }
                    (void)ticket;
                    return change;
                  });
  }

  // ----------------------------------------------------------------------- poll

  std::string outcome_of(const json& ticket) const {
    std::string value;
    if (auto field = settings_.fields.find("outcome"); field != settings_.fields.end() &&
                                                       ticket.contains("custom_fields") &&
                                                       ticket["custom_fields"].is_array())
      for (const auto& f : ticket["custom_fields"])
        if (integer(f, "id") == field->second) value = text(f, "value");
    if (value.empty() && ticket.contains("tags") && ticket["tags"].is_array())
      for (const auto& t : ticket["tags"])
        if (t.is_string() && t.get<std::string>().rfind(settings_.outcome_tag_prefix, 0) == 0)
          value = t.get<std::string>().substr(settings_.outcome_tag_prefix.size());
    auto mapped = settings_.outcome_values.find(value);
    return mapped != settings_.outcome_values.end() ? mapped->second : value;
  }

  /// E-mail addresses of users by id, from the store or one users/show_many call.
  std::map<std::int64_t, std::string> emails(const std::set<std::int64_t>& ids) {
    std::map<std::int64_t, std::string> out;
    std::string missing;
    for (auto id : ids) {
      if (auto cached = host_->store().get("email:" + std::to_string(id)))
        out[id] = *cached;
      else
        missing += (missing.empty() ? "" : ",") + std::to_string(id);
    }
    if (missing.empty()) return out;
    sdk::HttpResponse r = send("GET", "/api/v2/users/show_many?ids=" + missing);
    if (!ok(r)) return out;  // the actor is a nicety; the events stand without it
    json body = json::parse(r.body, nullptr, false);
    if (body.is_object() && body.contains("users") && body["users"].is_array())
      for (const auto& u : body["users"])
        if (auto id = integer(u, "id"); id && !text(u, "email").empty()) {
          out[*id] = lower(text(u, "email"));
          host_->store().put("email:" + std::to_string(*id), out[*id]);
        }
    return out;
  }

  PollResult poll_show_many(const sdk::PollRequest& request) {
    PollResult result;
    Cursor from = Cursor::parse(request.cursor);
    if (!from.at && !request.cursor.empty())
      host_->log().log(sdk::LogLevel::kWarn,
                       "unreadable cursor; treating every open ticket as changed");
    Cursor next = from;

    std::map<std::int64_t, std::string> keys;  // ticket id -> task key
    for (const auto& ref : request.open_refs)
      if (auto id = parse_id(ref.external_ref)) keys.emplace(*id, ref.task_key);

    if (keys.empty()) {
      // Nothing to ask about: one cheap call keeps credentials and rate limits honest.
      sdk::HttpResponse me = send("GET", "/api/v2/users/me");
      if (!ok(me)) return poll_failure(me, now(), request.cursor);
      result.next_cursor = request.cursor;
      return result;
    }

    std::vector<json> tickets;
    std::vector<std::int64_t> ids;
    for (const auto& [id, key] : keys) ids.push_back(id);
    for (std::size_t start = 0; start < ids.size(); start += kShowManyBatch) {
      if (host_->cancelled())
        return {PollResult::Status::kRetryable, {}, request.cursor, seconds(0), "cancelled"};
      if (start > 0)
        if (auto wait = throttled())
          return {PollResult::Status::kRateLimited,
                  {},
                  request.cursor,
                  *wait,
                  "X-Rate-Limit-Remaining reached the reserve during the poll"};
      std::string list;
      for (std::size_t i = start; i < std::min(ids.size(), start + kShowManyBatch); ++i)
        list += (i == start ? "" : ",") + std::to_string(ids[i]);
      sdk::HttpResponse r = send("GET", "/api/v2/tickets/show_many?ids=" + list);
      if (!ok(r)) return poll_failure(r, now(), request.cursor);
      json body = json::parse(r.body, nullptr, false);
      if (!body.is_object() || !body.contains("tickets") || !body["tickets"].is_array())
        return {PollResult::Status::kRetryable,
                {},
                request.cursor,
                seconds(0),
                "unexpected answer: " + r.body.substr(0, 200)};
      for (const auto& t : body["tickets"]) tickets.push_back(t);
    }

    std::set<std::int64_t> seen, actors;
    struct Pending {
      sdk::TaskEvent event;
      std::int64_t assignee = 0;
    };
    std::vector<Pending> completions;
    std::vector<std::int64_t> changed;
    for (const auto& t : tickets) {
      auto id = integer(t, "id");
      if (!id || !keys.count(*id)) continue;
      seen.insert(*id);
      auto at = parse_timestamp(text(t, "updated_at"));
      if (!at) continue;
      bool is_new = from.before(*at, *id);
      next.advance(*at, *id);
      if (is_new && from.at) changed.push_back(*id);
      std::string status = text(t, "status");
      bool solved = status == "solved" || status == "closed";
      bool ours =
          has_tag(t, kClosedTag) || has_tag(t, kCancelledTag);  // closed on disputed's behalf
      std::string solved_key = "solved:" + std::to_string(*id);
      if (!solved && is_new && host_->store().get(solved_key)) {
        // Solved earlier (e.g. with an outcome the workflow did not know), now open again.
        sdk::TaskEvent reopened;
        reopened.kind = sdk::TaskEvent::Kind::kReopened;
        reopened.task_key = keys[*id];
        reopened.external_ref = std::to_string(*id);
        reopened.event_id = reopened.external_ref + ":reopened:" + text(t, "updated_at");
        reopened.at = *at;
        result.events.push_back(reopened);
        host_->store().erase(solved_key);
      }
      if (solved && !ours && (is_new || request.reconcile)) {
        host_->store().put(solved_key, text(t, "updated_at"));
        Pending p;
        p.event.kind = sdk::TaskEvent::Kind::kCompleted;
        p.event.task_key = keys[*id];
        p.event.external_ref = std::to_string(*id);
        p.event.event_id = std::to_string(*id) + ":solved:" + text(t, "updated_at");
        p.event.outcome = outcome_of(t);
        p.event.at = *at;
        if (auto a = integer(t, "assignee_id")) {
          p.assignee = *a;
          actors.insert(*a);
        }
        completions.push_back(p);
      }
    }
    // Tickets show_many no longer returns were deleted.
    for (const auto& [id, key] : keys)
      if (!seen.count(id)) {
        sdk::TaskEvent gone;
        gone.kind = sdk::TaskEvent::Kind::kDeleted;
        gone.task_key = key;
        gone.external_ref = std::to_string(id);
        gone.event_id = std::to_string(id) + ":deleted";
        gone.at = now();
        result.events.push_back(gone);
      }

    // Comments, only for tickets changed since the cursor; ours carry the marker and are skipped.
    std::map<std::int64_t, std::string> last_comment;
    std::vector<std::pair<sdk::TaskEvent, std::int64_t>> comments;
    for (auto id : changed) {
      if (host_->cancelled()) break;
      if (auto wait = throttled())
        return {PollResult::Status::kRateLimited,
                {},
                request.cursor,
                *wait,
                "X-Rate-Limit-Remaining reached the reserve during the poll"};
      sdk::HttpResponse r = send("GET", "/api/v2/tickets/" + std::to_string(id) + "/comments");
      if (r.status == 404) continue;
      if (!ok(r)) return poll_failure(r, now(), request.cursor);
      json body = json::parse(r.body, nullptr, false);
      if (!body.is_object() || !body.contains("comments") || !body["comments"].is_array()) continue;
      for (const auto& c : body["comments"]) {
        auto at = parse_timestamp(text(c, "created_at"));
        auto comment_id = integer(c, "id");
        std::string text_body = text(c, "body");
        if (!at || !comment_id || text_body.find("[disputed:") != std::string::npos) continue;
        if (*at < *from.at) continue;  // older than the cursor: reported by an earlier poll
        sdk::TaskEvent e;
        e.kind = sdk::TaskEvent::Kind::kCommented;
        e.task_key = keys[id];
        e.external_ref = std::to_string(id);
        e.event_id = std::to_string(id) + ":comment:" + std::to_string(*comment_id);
        bool is_public = !c.contains("public") || c["public"] != false;
        e.comment = std::string(is_public ? "(public) " : "(internal) ") + text_body;
        e.at = *at;
        last_comment[id] = text_body;
        auto author = integer(c, "author_id");
        if (author) actors.insert(*author);
        comments.emplace_back(e, author.value_or(0));
      }
    }

    auto who = actors.empty() ? std::map<std::int64_t, std::string>{} : emails(actors);
    for (auto& [e, author] : comments) {
      if (who.count(author)) e.actor = who[author];
      result.events.push_back(e);
    }
    for (auto& p : completions) {
      if (who.count(p.assignee)) p.event.actor = who[p.assignee];
      std::int64_t id = *parse_id(p.event.external_ref);
      if (last_comment.count(id)) p.event.comment = last_comment[id];
      result.events.push_back(p.event);
    }
    result.next_cursor = next.at ? next.encode() : request.cursor;
    return result;
  }

  /// The ticket as an event source for `task_key`: a completion when solved by an agent.
  std::optional<sdk::TaskEvent> completion(const json& t, const std::string& task_key) const {
    std::string status = text(t, "status");
    auto id = integer(t, "id");
    auto at = parse_timestamp(text(t, "updated_at"));
    if (!id || !at || (status != "solved" && status != "closed")) return std::nullopt;
    if (has_tag(t, kClosedTag) || has_tag(t, kCancelledTag)) return std::nullopt;
    sdk::TaskEvent e;
    e.kind = sdk::TaskEvent::Kind::kCompleted;
    e.task_key = task_key;
    e.external_ref = std::to_string(*id);
    e.event_id = e.external_ref + ":solved:" + text(t, "updated_at");
    e.outcome = outcome_of(t);
    e.at = *at;
    return e;
  }

  /// The cursor incremental export (admins only, 10 requests/minute): one call per poll while
  /// fewer than 1000 tickets changed in the whole account; our tickets are picked by the first
  /// configured tag and their external_id. Cursor "inc|<after_cursor>"; the first poll starts an
  /// hour back (start_time must be at least a minute old). Comments are not followed in this mode;
  /// reconciliation asks show_many about every open ticket.
  PollResult poll_incremental(const sdk::PollRequest& request) {
    PollResult result;
    std::string after =
        request.cursor.rfind("inc|", 0) == 0 ? request.cursor.substr(4) : std::string();
    std::map<std::int64_t, std::string> keys;
    for (const auto& ref : request.open_refs)
      if (auto id = parse_id(ref.external_ref)) keys.emplace(*id, ref.task_key);
    std::string tag = settings_.tags.empty() ? std::string() : settings_.tags.front();
    for (int page = 0; page < kExportPagesPerPoll && !host_->cancelled(); ++page) {
      std::string path = "/api/v2/incremental/tickets/cursor?";
      if (after.empty()) {
        auto start =
            std::chrono::duration_cast<seconds>((now() - std::chrono::hours(1)).time_since_epoch())
                .count();
        path += "start_time=" + std::to_string(std::max<long long>(0, start));
      } else {
        path += "cursor=" + percent_encode(after);
      }
      sdk::HttpResponse r = send("GET", path);
      if (!ok(r)) return poll_failure(r, now(), request.cursor);
      json body = json::parse(r.body, nullptr, false);
      if (!body.is_object() || !body.contains("tickets") || !body["tickets"].is_array())
        return {PollResult::Status::kRetryable,
                {},
                request.cursor,
                seconds(0),
                "unexpected answer: " + r.body.substr(0, 200)};
      for (const auto& t : body["tickets"]) {
        auto id = integer(t, "id");
        if (!id) continue;
        if (text(t, "status") == "deleted") {
          if (!keys.count(*id)) continue;
          sdk::TaskEvent gone;
          gone.kind = sdk::TaskEvent::Kind::kDeleted;
          gone.task_key = keys[*id];
          gone.external_ref = std::to_string(*id);
          gone.event_id = gone.external_ref + ":deleted";
          gone.at = parse_timestamp(text(t, "updated_at")).value_or(now());
          result.events.push_back(gone);
          continue;
        }
        std::string key = text(t, "external_id");
        if (key.empty() || (!tag.empty() && !has_tag(t, tag) && !keys.count(*id))) continue;
        if (auto e = completion(t, key)) result.events.push_back(*e);
      }
      if (!text(body, "after_cursor").empty()) after = text(body, "after_cursor");
      if (!body.contains("end_of_stream") || body["end_of_stream"] != false) break;
    }
    if (request.reconcile && !keys.empty()) {
      sdk::PollRequest direct = request;
      direct.cursor.clear();
      PollResult checked = poll_show_many(direct);
      if (checked.status != PollResult::Status::kOk) {
        checked.next_cursor = request.cursor;
        return checked;
      }
      for (const auto& e : checked.events)
        if (e.kind != sdk::TaskEvent::Kind::kCommented) result.events.push_back(e);
    }
    result.next_cursor = after.empty() ? request.cursor : "inc|" + after;
    return result;
  }

  sdk::Host* host_ = nullptr;
  Settings settings_;
  std::optional<sdk::Instant> throttle_until_;
};

}  // namespace

DISPUTED_CONNECTOR_PLUGIN(ZendeskConnector)
