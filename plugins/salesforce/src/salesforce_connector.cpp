// The Salesforce connector: a dispute step becomes a Task on the customer's Account, owned by the
// rep, upserted by an external-id field (the task key) so that a retry never makes a second one.
// Completion is read back by one SOQL query per poll on SystemModstamp (API-NOTES 1.10).
//
// Vendor references:
//   upsert by external id
//   https://developer.salesforce.com/docs/platform/api-rest/guide/dome-upsert.html query + paging
//   https://developer.salesforce.com/docs/platform/api-rest/guide/resources-query.html errors
//   https://developer.salesforce.com/docs/platform/api-rest/guide/errorcodes.html Sforce-Limit-Info
//   https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "disputed/sdk/batch_applier.hpp"
#include "disputed/sdk/plugin.hpp"
#include "plugins/salesforce/src/salesforce_time.hpp"

namespace disputed::plugins::salesforce {
namespace {

namespace sdk = disputed::sdk;
using nlohmann::json;
using std::chrono::seconds;

constexpr std::size_t kKeysPerQuery = 100;  // keeps the GET URL far below the URI limit
constexpr std::size_t kSeenLimit = 500;     // ids remembered inside the overlap window

struct Settings {
  std::string api_version = "v62.0";
  std::string ext_field = "Dispute_Action_Id__c";
  std::string outcome_field = "Dispute_Outcome__c";
  std::map<std::string, std::string> outcome_by_status;
  std::string close_status = "Completed";
  std::string cancel_status = "Cancelled";
  std::string escalation_priority = "High";
  std::string default_priority = "Normal";
  std::string time_zone;
  std::string account_number_field;
  std::string invoice_object;
  std::string invoice_number_field;
  std::string owner_fallback = "account_owner";
  std::string dispute_url;
  int limit_backoff_seconds = 900;
  int poll_overlap_seconds = 60;
  int max_pages_per_poll = 50;
  int request_timeout_ms = 30000;
};

// std::regex recurses once per character it matches: every pattern here is bounded by its
// repetition counts or by a length check before it runs.
bool is_name(const std::string& s, bool custom) {
  if (s.size() > 255) return false;  // Salesforce API names are at most 40 (80 with __c) long
  static const std::regex any("^[A-Za-z][A-Za-z0-9_]*$");
  static const std::regex c("^[A-Za-z][A-Za-z0-9_]{0,36}__c$");
  return std::regex_match(s, custom ? c : any);
}

bool valid_key(const std::string& key) {
  static const std::regex re("^[A-Za-z0-9:_-]{1,80}$");
  return std::regex_match(key, re);
}

bool valid_id(const std::string& id) {
  static const std::regex re("^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$");
  return std::regex_match(id, re);
}

/// Parses and checks the settings; problems name the JSON pointer of the field.
std::optional<Settings> parse_settings(const std::string& text,
                                       std::vector<sdk::ConfigProblem>& problems) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    problems.push_back({"", "settings must be a JSON object"});
    return std::nullopt;
  }
  Settings s;
  static const std::set<std::string> known = {
      "api_version",        "external_id_field",    "outcome_field",         "outcome_by_status",
      "close_status",       "cancel_status",        "escalation_priority",   "default_priority",
      "time_zone",          "account_number_field", "invoice_object",        "invoice_number_field",
      "owner_fallback",     "dispute_url",          "limit_backoff_seconds", "poll_overlap_seconds",
      "max_pages_per_poll", "request_timeout_ms"};
  for (const auto& [key, _] : j.items())
    if (!known.count(key)) problems.push_back({"/" + key, "unknown setting"});
  auto text_field = [&](const char* key, std::string& out, auto&& check, const char* why) {
    if (!j.contains(key)) return;
    if (!j[key].is_string() || !check(j[key].get<std::string>())) {
      problems.push_back({std::string("/") + key, why});
      return;
    }
    out = j[key].get<std::string>();
  };
  auto int_field = [&](const char* key, int& out, int min, int max) {
    if (!j.contains(key)) return;
    if (!j[key].is_number_integer() || j[key].get<long long>() < min ||
        j[key].get<long long>() > max) {
      problems.push_back({std::string("/") + key, "must be an integer from " + std::to_string(min) +
                                                      " to " + std::to_string(max)});
      return;
    }
    out = j[key].get<int>();
  };
  auto nonempty = [](const std::string& v) { return !v.empty() && v.size() <= 255; };
  text_field(
      "api_version", s.api_version,
      [](const std::string& v) { return std::regex_match(v, std::regex("^v[0-9]{2}\\.0$")); },
      "must look like v62.0");
  text_field(
      "external_id_field", s.ext_field, [](const std::string& v) { return is_name(v, true); },
      "must be a custom field API name ending in __c");
  text_field(
      "outcome_field", s.outcome_field,
      [](const std::string& v) { return v.empty() || is_name(v, true); },
      "must be a custom field API name ending in __c, or empty");
  text_field("close_status", s.close_status, nonempty, "must be a Task Status value");
  text_field("cancel_status", s.cancel_status, nonempty, "must be a Task Status value");
  text_field("escalation_priority", s.escalation_priority, nonempty,
             "must be a Task Priority value");
  text_field("default_priority", s.default_priority, nonempty, "must be a Task Priority value");
  text_field(
      "time_zone", s.time_zone, [](const std::string& v) { return known_time_zone(v); },
      "must be an IANA time zone such as Europe/Amsterdam");
  text_field(
      "account_number_field", s.account_number_field,
      [](const std::string& v) { return is_name(v, false); }, "must be a field API name");
  text_field(
      "invoice_object", s.invoice_object, [](const std::string& v) { return is_name(v, true); },
      "must be a custom object API name ending in __c");
  text_field(
      "invoice_number_field", s.invoice_number_field,
      [](const std::string& v) { return is_name(v, false); }, "must be a field API name");
  text_field(
      "owner_fallback", s.owner_fallback,
      [](const std::string& v) { return v == "account_owner" || v == "integration_user"; },
      "must be account_owner or integration_user");
  text_field(
      "dispute_url", s.dispute_url,
      [](const std::string& v) {
        return v.rfind("https://", 0) == 0 || v.rfind("http://", 0) == 0;
      },
      "must be an http(s) URL");
  int_field("limit_backoff_seconds", s.limit_backoff_seconds, 60, 86400);
  int_field("poll_overlap_seconds", s.poll_overlap_seconds, 0, 3600);
  int_field("max_pages_per_poll", s.max_pages_per_poll, 1, 1000);
  int_field("request_timeout_ms", s.request_timeout_ms, 100, 600000);
  if (j.contains("outcome_by_status")) {
    if (!j["outcome_by_status"].is_object()) {
      problems.push_back({"/outcome_by_status", "must be an object of Status value -> outcome"});
    } else {
      for (const auto& [status, outcome] : j["outcome_by_status"].items()) {
        if (!outcome.is_string() || outcome.get<std::string>().empty())
          problems.push_back({"/outcome_by_status/" + status, "must be a non-empty outcome"});
        else
          s.outcome_by_status[status] = outcome.get<std::string>();
      }
    }
  }
  if (!s.invoice_object.empty() && s.invoice_number_field.empty())
    problems.push_back({"/invoice_number_field", "is required with invoice_object"});
  if (s.invoice_object.empty() && !s.invoice_number_field.empty())
    problems.push_back({"/invoice_object", "is required with invoice_number_field"});
  if (s.cancel_status == s.close_status)
    problems.push_back(
        {"/cancel_status", "must differ from close_status (a cancel is not a completion)"});
  if (!problems.empty()) return std::nullopt;
  return s;
}

// ---- small helpers

std::string str(const json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string soql_quote(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "'";
}

std::string url_encode(const std::string& v) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : v) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// Cuts at a UTF-8 character boundary.
std::string truncate_utf8(const std::string& s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// Why a request failed, in the terms the host's retry policy needs.
struct Failure {
  enum class Kind { kRetryable, kRateLimited, kAuth, kRejected };
  Kind kind = Kind::kRetryable;
  seconds retry_after{0};
  std::string message;
  std::string error_code;
};

/// The vendor's error array as "CODE: message; CODE: message", or the body's start.
std::string vendor_message(const sdk::HttpResponse& r, std::string* first_code = nullptr) {
  json body = json::parse(r.body, nullptr, false);
  std::string out;
  if (body.is_array()) {
    for (const auto& e : body) {
      if (!e.is_object()) continue;
      std::string code = str(e, "errorCode");
      if (code.empty()) code = str(e, "statusCode");
      if (first_code && first_code->empty()) *first_code = code;
      if (!out.empty()) out += "; ";
      out += code + ": " + str(e, "message");
    }
  } else if (body.is_object() && body.contains("error")) {
    out = str(body, "error") + ": " + str(body, "error_description");
  }
  if (out.empty()) out = truncate_utf8(r.body, 200);
  return "HTTP " + std::to_string(r.status) + (out.empty() ? "" : " " + out);
}

std::optional<seconds> retry_after(const sdk::HttpResponse& r) {
  std::string v = r.header("Retry-After");
  if (v.empty() ||
      !std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); }) ||
      v.size() > 7)
    return std::nullopt;
  return seconds(std::stol(v));
}

/// Records per sObject Collections request (Salesforce's limit).
constexpr std::size_t kCollectionLimit = 200;

class SalesforceConnector final : public sdk::Connector, public sdk::BatchApplier {
 public:
  std::vector<sdk::ConfigProblem> validate(const std::string& settings_json) noexcept override {
    std::vector<sdk::ConfigProblem> problems;
    try {
      parse_settings(settings_json, problems);
    } catch (const std::exception& e) {
      problems.push_back({"", std::string("settings could not be read: ") + e.what()});
    }
    return problems;
  }

  sdk::OpenResult open(const std::string& settings_json, sdk::Host& host) noexcept override {
    try {
      std::vector<sdk::ConfigProblem> problems;
      auto settings = parse_settings(settings_json, problems);
      if (!settings) return {false, problems.front().field + ": " + problems.front().problem};
      settings_ = *settings;
      host_ = &host;
      return {true, ""};
    } catch (const std::exception& e) {
      return {false, e.what()};
    }
  }

  sdk::CheckResult check() noexcept override {
    try {
      return check_inner();
    } catch (const std::exception& e) {
      return {false, sdk::CheckResult::Category::kConfig, std::string("check failed: ") + e.what(),
              "report this"};
    }
  }

  sdk::ApplyResult apply(const sdk::Action& action) noexcept override {
    try {
      return apply_inner(action);
    } catch (const json::exception& e) {
      return rejected(std::string("payload could not be read: ") + e.what());
    } catch (const std::exception& e) {
      sdk::ApplyResult r;
      r.status = sdk::ApplyResult::Status::kRetryable;
      r.message = std::string("connector error: ") + e.what();
      return r;
    } catch (...) {
      sdk::ApplyResult r;
      r.message = "connector error";
      return r;
    }
  }

  // sObject Collections upsert: 200 records per request, one API call toward the org's limits.
  // https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-upsert.html
  std::size_t max_batch() const noexcept override { return kCollectionLimit; }

  // Creates are upserted together by the external-id field; updates, cancels, reminders and
  // escalations read the Task first and compare, so they stay one by one.
  bool batches(sdk::Action::Kind kind) const noexcept override {
    return kind == sdk::Action::Kind::kCreate;
  }

  std::vector<sdk::ApplyResult> apply_batch(
      const std::vector<sdk::Action>& actions) noexcept override {
    std::vector<sdk::ApplyResult> out;
    try {
      out.resize(actions.size());
      std::vector<bool> done(actions.size(), false);
      try {
        apply_batch_inner(actions, out, done);
      } catch (const std::exception& e) {
        for (std::size_t i = 0; i < out.size(); ++i)
          if (!done[i]) out[i] = retryable(std::string("connector error: ") + e.what());
      }
    } catch (...) {
      // Out of memory: answer nothing rather than throw; the host retries the whole batch.
      out.clear();
    }
    return out;
  }

  sdk::PollResult poll(const sdk::PollRequest& request) noexcept override {
    try {
      return poll_inner(request);
    } catch (const std::exception& e) {
      sdk::PollResult r;
      r.status = sdk::PollResult::Status::kRetryable;
      r.next_cursor = request.cursor;
      r.message = std::string("connector error: ") + e.what();
      return r;
    } catch (...) {
      sdk::PollResult r;
      r.status = sdk::PollResult::Status::kRetryable;
      r.next_cursor = request.cursor;
      return r;
    }
  }

 private:
  // ---------------------------------------------------------------------------------------
  // HTTP

  /// The token response's instance_url (every REST call goes there), or why there is none.
  std::optional<std::string> instance_url(std::string& error) {
    sdk::TokenSource* tokens = host_->tokens();
    if (!tokens) {
      error = "refused: the host gives no OAuth2 token source (manifest auth kind)";
      return std::nullopt;
    }
    std::string why;
    auto token = tokens->token(&why);
    if (!token) {
      error = "auth: " + why;
      return std::nullopt;
    }
    json body = json::parse(token->response_json, nullptr, false);
    std::string url = str(body, "instance_url");
    if (url.empty()) {
      error = "refused: the token response has no instance_url";
      return std::nullopt;
    }
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
  }

  /// Sends `method` to `path` under instance_url (path starts with /services/...).
  sdk::HttpResponse call(const std::string& method, const std::string& path,
                         const std::string& body = "") {
    std::string error;
    auto base = instance_url(error);
    if (!base) {
      sdk::HttpResponse r;
      r.error = error;
      return r;
    }
    sdk::HttpRequest request;
    request.method = method;
    request.url = *base + path;
    request.headers.emplace_back("Accept", "application/json");
    if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    request.body = body;
    request.timeout = std::chrono::milliseconds(settings_.request_timeout_ms);
    sdk::HttpResponse r = host_->http().send(request);
    note_usage(r);
    return r;
  }

  std::string data_path(const std::string& rest) const {
    return "/services/data/" + settings_.api_version + rest;
  }

  // Sforce-Limit-Info: api-usage=18/5000 (used/allowed in the rolling 24 h).
  void note_usage(const sdk::HttpResponse& r) {
    std::string info = r.header("Sforce-Limit-Info");
    auto pos = info.find("api-usage=");
    if (pos == std::string::npos) return;
    std::string usage = info.substr(pos + 10);
    usage = usage.substr(0, usage.find_first_of(",; "));
    auto slash = usage.find('/');
    if (slash == std::string::npos) return;
    try {
      long long used = std::stoll(usage.substr(0, slash)),
                max = std::stoll(usage.substr(slash + 1));
      bool was_high = api_max_ > 0 && api_used_ * 10 >= api_max_ * 9;
      api_used_ = used;
      api_max_ = max;
      bool high = max > 0 && used * 10 >= max * 9;
      if (high && !was_high)
        host_->log().log(sdk::LogLevel::kWarn,
                         "Salesforce API usage at " + usage + " of the org's daily allocation");
    } catch (const std::exception&) {
    }
  }

  std::string usage_text() const {
    return api_max_ > 0 ? "api-usage=" + std::to_string(api_used_) + "/" + std::to_string(api_max_)
                        : "";
  }

  /// nullopt for 2xx/3xx answers; otherwise how the host should treat the failure.
  std::optional<Failure> failure(const sdk::HttpResponse& r) const {
    if (r.status >= 200 && r.status < 400) return std::nullopt;
    Failure f;
    if (r.status == 0) {
      f.message = r.error;
      if (r.error.rfind("auth:", 0) == 0)
        f.kind = Failure::Kind::kAuth;
      else if (r.error.rfind("refused:", 0) == 0)
        f.kind = Failure::Kind::kRejected;
      else
        f.kind = Failure::Kind::kRetryable;
      return f;
    }
    f.message = vendor_message(r, &f.error_code);
    if (r.status == 401) {
      f.kind = Failure::Kind::kAuth;  // the host already fetched a new token once
    } else if ((r.status == 403 && f.error_code == "REQUEST_LIMIT_EXCEEDED") || r.status == 429) {
      // Salesforce sends no Retry-After: the daily allocation is rolling, so wait long.
      f.kind = Failure::Kind::kRateLimited;
      f.retry_after = retry_after(r).value_or(seconds(settings_.limit_backoff_seconds));
    } else if (r.status == 403) {
      f.kind = Failure::Kind::kAuth;  // permissions: an operator must act
    } else if (r.status >= 500 || r.status == 408 || r.status == 409) {
      f.kind = Failure::Kind::kRetryable;
      f.retry_after = retry_after(r).value_or(seconds(0));
    } else {
      f.kind = Failure::Kind::kRejected;
    }
    return f;
  }

  static sdk::ApplyResult from_failure(const Failure& f) {
    sdk::ApplyResult r;
    r.message = f.message;
    r.retry_after = f.retry_after;
    switch (f.kind) {
      case Failure::Kind::kRetryable:
        r.status = sdk::ApplyResult::Status::kRetryable;
        break;
      case Failure::Kind::kRateLimited:
        r.status = sdk::ApplyResult::Status::kRateLimited;
        break;
      case Failure::Kind::kAuth:
        r.status = sdk::ApplyResult::Status::kAuthFailed;
        break;
      case Failure::Kind::kRejected:
        r.status = sdk::ApplyResult::Status::kRejected;
        break;
    }
    return r;
  }

  static sdk::ApplyResult rejected(const std::string& message) {
    sdk::ApplyResult r;
    r.status = sdk::ApplyResult::Status::kRejected;
    r.message = message;
    return r;
  }

  /// Runs a SOQL query and follows nextRecordsUrl up to `max_pages` pages; records in order.
  /// `more` is set when pages were left unread.
  std::optional<Failure> query(const std::string& soql, std::vector<json>& records, int max_pages,
                               bool* more = nullptr) {
    std::string next = data_path("/query?q=" + url_encode(soql));
    for (int page = 0; !next.empty(); ++page) {
      if (page >= max_pages || (page > 0 && host_->cancelled())) {
        if (more) *more = true;
        return std::nullopt;
      }
      sdk::HttpResponse r = call("GET", next);
      if (auto f = failure(r)) return f;
      json body = json::parse(r.body, nullptr, false);
      if (!body.is_object() || !body.contains("records") || !body["records"].is_array())
        return Failure{Failure::Kind::kRetryable, seconds(0), "query answer without records", ""};
      for (auto& rec : body["records"]) records.push_back(std::move(rec));
      next = body.value("done", true) ? "" : str(body, "nextRecordsUrl");
      if (!next.empty() && next.rfind("/services/data/", 0) != 0)
        return Failure{Failure::Kind::kRetryable, seconds(0), "unexpected nextRecordsUrl " + next,
                       ""};
    }
    return std::nullopt;
  }

  // ---------------------------------------------------------------------------------------
  // check()

  sdk::CheckResult check_inner() {
    using C = sdk::CheckResult::Category;
    std::string error;
    auto base = instance_url(error);
    if (!base) {
      if (error.rfind("auth:", 0) == 0)
        return {false, C::kAuth, error,
                "check auth.token_url "
                "(https://<MyDomain>.my.salesforce.com/services/oauth2/token), auth.client_id "
                "(the consumer key) and the secret secrets.client_secret points to; the external "
                "client app needs "
                "the client credentials flow enabled with a Run As user"};
      return {false, C::kConfig, error,
              "use auth kind oauth2_client_credentials with Salesforce's token endpoint"};
    }
    sdk::HttpRequest versions;
    versions.url = *base + "/services/data";
    versions.authenticate = false;
    versions.headers.emplace_back("Accept", "application/json");
    versions.timeout = std::chrono::milliseconds(settings_.request_timeout_ms);
    sdk::HttpResponse v = host_->http().send(versions);
    if (v.status == 0) {
      if (v.error.rfind("refused:", 0) == 0)
        return {false, C::kConfig, v.error,
                "add the org's instance host (" + *base + ") to allowed_hosts"};
      return {false, C::kNetwork, v.error, "check the network path to " + *base};
    }
    if (v.status != 200)
      return {false, C::kNetwork, vendor_message(v), "see https://status.salesforce.com"};
    json list = json::parse(v.body, nullptr, false);
    bool served = false;
    std::string newest;
    if (list.is_array())
      for (const auto& entry : list) {
        std::string n = str(entry, "version");
        if ("v" + n == settings_.api_version) served = true;
        newest = n;
      }
    if (!served)
      return {false, C::kConfig,
              "API version " + settings_.api_version + " is not served by this org",
              "set settings.api_version to a served version" +
                  (newest.empty() ? "" : " (newest: v" + newest + ")")};

    sdk::HttpResponse d = call("GET", data_path("/sobjects/Task/describe"));
    if (auto f = failure(d)) {
      if (d.status == 401 || f->kind == Failure::Kind::kAuth)
        return {false, d.status == 403 ? C::kPermission : C::kAuth, f->message,
                d.status == 403
                    ? "give the Run As user API Enabled and read/create access to Task"
                    : "check the client credentials and that the Run As user is active"};
      if (f->kind == Failure::Kind::kRateLimited)
        return {false, C::kPermission, f->message,
                "the org's daily API allocation is used up; wait or raise it"};
      return {false, C::kNetwork, f->message, "see https://status.salesforce.com"};
    }
    json describe = json::parse(d.body, nullptr, false);
    std::map<std::string, json> fields;
    if (describe.is_object() && describe.contains("fields") && describe["fields"].is_array())
      for (const auto& f : describe["fields"]) fields[str(f, "name")] = f;
    auto ext = fields.find(settings_.ext_field);
    if (ext == fields.end() || !ext->second.value("externalId", false))
      return {false, C::kConfig,
              "Task has no External ID field " + settings_.ext_field +
                  " visible to the integration user",
              "create a Text(80) custom field " + settings_.ext_field +
                  " on Activity marked External ID and Unique, and give the Run As user edit "
                  "access to it"};
    if (!settings_.outcome_field.empty() && !fields.count(settings_.outcome_field))
      return {false, C::kConfig, "Task has no field " + settings_.outcome_field,
              "create the outcome field on Activity (a picklist of the steps' outcomes) or set "
              "settings.outcome_field "
              "to \"\" and use outcome_by_status"};
    if (!describe.value("createable", false))
      return {false, C::kPermission, "the integration user may not create Tasks",
              "give the Run As user's profile or permission set Create on Tasks (Edit Tasks)"};
    sdk::CheckResult ok;
    ok.ok = true;
    ok.message = "token ok, instance " + *base + ", " + settings_.api_version + " served, " +
                 settings_.ext_field + " is an External ID" +
                 (usage_text().empty() ? "" : ", " + usage_text());
    return ok;
  }

  // ---------------------------------------------------------------------------------------
  // apply()

  sdk::ApplyResult apply_inner(const sdk::Action& action) {
    json payload = json::parse(action.payload_json, nullptr, false);
    if (payload.is_discarded() || !payload.is_object())
      return rejected("the action's payload is not a JSON object");
    if (!valid_key(action.task_key))
      return rejected("task key '" + truncate_utf8(action.task_key, 100) +
                      "' is not 1-80 of [A-Za-z0-9:_-]");
    switch (action.kind) {
      case sdk::Action::Kind::kCreate:
        return create(action, payload);
      default:
        return change(action, payload);
    }
  }

  std::string task_url(const std::string& id) {
    std::string error;
    auto base = instance_url(error);
    return base ? *base + "/lightning/r/Task/" + id + "/view" : "";
  }

  /// The active User with this e-mail (cached in the host's store), or empty.
  std::optional<Failure> user_by_email(const std::string& email, std::string& id) {
    std::string key = "user:" + lower(email);
    if (auto cached = host_->store().get(key); cached && valid_id(*cached)) {
      id = *cached;
      return std::nullopt;
    }
    std::vector<json> records;
    if (auto f = query("SELECT Id FROM User WHERE Email = " + soql_quote(email) +
                           " AND IsActive = true LIMIT 1",
                       records, 1))
      return f;
    if (!records.empty() && valid_id(str(records[0], "Id"))) {
      id = str(records[0], "Id");
      host_->store().put(key, id);
    }
    return std::nullopt;
  }

  /// The Account with this customer number (cached): its Id and OwnerId.
  std::optional<Failure> account_by_number(const std::string& number, std::string& id,
                                           std::string& owner) {
    std::string key = "account:" + number;
    if (auto cached = host_->store().get(key)) {
      auto bar = cached->find('|');
      if (bar != std::string::npos && valid_id(cached->substr(0, bar))) {
        id = cached->substr(0, bar);
        owner = cached->substr(bar + 1);
        return std::nullopt;
      }
    }
    std::vector<json> records;
    if (auto f = query("SELECT Id, OwnerId FROM Account WHERE " + settings_.account_number_field +
                           " = " + soql_quote(number) + " LIMIT 1",
                       records, 1))
      return f;
    if (!records.empty() && valid_id(str(records[0], "Id"))) {
      id = str(records[0], "Id");
      owner = str(records[0], "OwnerId");
      host_->store().put(key, id + "|" + owner);
    }
    return std::nullopt;
  }

  std::optional<Failure> invoice_by_number(const std::string& number, std::string& id) {
    std::string key = "invoice:" + number;
    if (auto cached = host_->store().get(key); cached && valid_id(*cached)) {
      id = *cached;
      return std::nullopt;
    }
    std::vector<json> records;
    if (auto f = query("SELECT Id FROM " + settings_.invoice_object + " WHERE " +
                           settings_.invoice_number_field + " = " + soql_quote(number) + " LIMIT 1",
                       records, 1))
      return f;
    if (!records.empty() && valid_id(str(records[0], "Id"))) {
      id = str(records[0], "Id");
      host_->store().put(key, id);
    }
    return std::nullopt;
  }

  void forget_lookups(const json& payload) {
    if (std::string email = str(payload, "assignee"); !email.empty())
      host_->store().erase("user:" + lower(email));
    if (payload.contains("customer"))
      host_->store().erase("account:" + str(payload["customer"], "id"));
  }

  /// ActivityDate: the deadline's calendar date where the person works, never a day early.
  std::string activity_date(const json& payload) const {
    std::string at = str(payload, "deadline_at");
    auto ms = parse_datetime_ms(at);
    if (!settings_.time_zone.empty() && ms) {
      if (auto d = local_date(sdk::Instant(seconds(*ms / 1000)), settings_.time_zone)) return *d;
    }
    std::string given = str(payload, "deadline_local_date");
    if (valid_date(given)) return given;
    if (ms) {
      std::string zone = str(payload, "time_zone");
      if (auto d = local_date(sdk::Instant(seconds(*ms / 1000)), zone.empty() ? "UTC" : zone))
        return *d;
      if (auto d = local_date(sdk::Instant(seconds(*ms / 1000)), "UTC")) return *d;
    }
    return {};
  }

  std::string priority_of(const json& payload) const {
    std::string p = lower(str(payload, "priority"));
    return p == "urgent" || p == "high" ? settings_.escalation_priority
                                        : settings_.default_priority;
  }

  std::string description(const sdk::Action& action, const json& payload) const {
    std::string out;
    auto line = [&](const std::string& text) {
      if (!text.empty()) out += text + "\n";
    };
    line(str(payload, "description"));
    if (!str(payload, "instructions").empty())
      line("\nWhat to do: " + str(payload, "instructions"));
    if (payload.contains("outcomes") && payload["outcomes"].is_array()) {
      std::string list;
      for (const auto& o : payload["outcomes"])
        if (o.is_string()) list += (list.empty() ? "" : ", ") + o.get<std::string>();
      if (!list.empty())
        line(settings_.outcome_field.empty() ? "Outcomes: " + list
                                             : "Set " + settings_.outcome_field + " to one of: " +
                                                   list + ", then close the Task.");
    }
    std::string dispute = str(payload, "dispute");
    std::string customer = payload.contains("customer") ? str(payload["customer"], "name") : "";
    std::string amount = str(payload, "disputed_amount");
    if (!dispute.empty())
      line("\nDispute " + dispute + (customer.empty() ? "" : " (" + customer + ")") +
           (amount.empty() ? "" : ", disputed " + str(payload, "currency") + " " + amount));
    if (payload.contains("invoices") && payload["invoices"].is_array())
      for (const auto& inv : payload["invoices"])
        if (!str(inv, "number").empty())
          line("Invoice " + str(inv, "number") +
               (str(inv, "disputed_amount").empty() ? ""
                                                    : ": disputed " + str(inv, "disputed_amount")));
    // The link back: the engine's own (server.public_url), else the configured template.
    std::string url = str(payload, "dispute_url");
    if (url.empty() && !settings_.dispute_url.empty() && !dispute.empty()) {
      url = settings_.dispute_url;
      if (auto p = url.find("{dispute}"); p != std::string::npos) url.replace(p, 9, dispute);
    }
    if (!url.empty()) line("Open in disputed: " + url);
    line("[disputed " + action.task_key + "]");
    return truncate_utf8(out, 32000);
  }

  /// The Task fields of a create (everything but the key), looking up owner and WhatId; a
  /// failed lookup is the action's result.
  std::optional<sdk::ApplyResult> task_record(const sdk::Action& action, const json& payload,
                                              json& task) {
    task = json::object();
    std::string subject = str(payload, "subject");
    if (subject.empty()) subject = str(payload, "title");
    if (subject.empty()) subject = "Dispute action " + action.task_key;
    task["Subject"] = truncate_utf8(subject, 255);
    task["Description"] = description(action, payload);
    task["Priority"] = priority_of(payload);
    if (std::string date = activity_date(payload); !date.empty()) task["ActivityDate"] = date;
    // Status is left out: a new Task gets the org's default (Not Started), and a retried upsert
    // must not reopen a Task the rep has closed meanwhile.

    std::string owner, what, account_owner;
    std::string assignee = str(payload, "assignee");
    if (assignee.find('@') != std::string::npos)
      if (auto f = user_by_email(assignee, owner)) return from_failure(*f);
    if (!settings_.invoice_object.empty() && payload.contains("invoices") &&
        payload["invoices"].is_array() && !payload["invoices"].empty()) {
      std::string number = str(payload["invoices"][0], "number");
      if (!number.empty())
        if (auto f = invoice_by_number(number, what)) return from_failure(*f);
    }
    if (!settings_.account_number_field.empty() && payload.contains("customer")) {
      std::string number = str(payload["customer"], "id");
      std::string account;
      if (!number.empty())
        if (auto f = account_by_number(number, account, account_owner)) return from_failure(*f);
      if (what.empty()) what = account;
    }
    if (owner.empty() && settings_.owner_fallback == "account_owner" && valid_id(account_owner))
      owner = account_owner;
    if (!owner.empty()) task["OwnerId"] = owner;
    if (!what.empty()) task["WhatId"] = what;
    return std::nullopt;
  }

  sdk::ApplyResult create(const sdk::Action& action, const json& payload) {
    json task;
    if (auto failed = task_record(action, payload, task)) return *failed;
    sdk::HttpResponse r =
        call("PATCH",
             data_path("/sobjects/Task/" + settings_.ext_field + "/" + url_encode(action.task_key)),
             task.dump());
    if (auto f = failure(r)) {
      if (f->error_code == "INVALID_CROSS_REFERENCE_KEY" ||
          f->error_code == "INACTIVE_OWNER_OR_USER") {
        forget_lookups(payload);  // a cached User or Account went away: look it up again next time
        f->kind = Failure::Kind::kRetryable;
      }
      return from_failure(*f);
    }
    if (r.status == 300)
      return rejected("several Tasks have " + settings_.ext_field + " = " + action.task_key +
                      "; mark the field Unique in Salesforce");
    json body = json::parse(r.body, nullptr, false);
    std::string id = str(body, "id");
    if (id.empty()) {  // 204 from old API versions: read the id back
      sdk::ApplyResult found = find_task(action.task_key, body);
      if (found.status != sdk::ApplyResult::Status::kApplied) return found;
      id = str(body, "Id");
    }
    sdk::ApplyResult out;
    out.status = r.status == 201 ? sdk::ApplyResult::Status::kApplied
                                 : sdk::ApplyResult::Status::kAlreadyApplied;
    out.external_ref = id;
    out.external_url = task_url(id);
    return out;
  }

  static sdk::ApplyResult retryable(const std::string& message) {
    sdk::ApplyResult r;
    r.status = sdk::ApplyResult::Status::kRetryable;
    r.message = message;
    return r;
  }

  /// Creates go as collection upserts by the external-id field (a retried batch finds the Tasks
  /// it made and answers created=false); any other kind, or a task key seen twice, goes through
  /// apply() alone. Fills out[i] and sets done[i] as results become known.
  void apply_batch_inner(const std::vector<sdk::Action>& actions,
                         std::vector<sdk::ApplyResult>& out, std::vector<bool>& done) {
    std::vector<std::size_t> upserts, singles;
    std::vector<json> records, payloads;
    std::set<std::string> keys;
    // A lookup that failed for a transient reason (the org busy, the allocation used up) fails
    // the same way for the rest: answer them with it rather than sending a query for each.
    std::optional<sdk::ApplyResult> lookups_down;
    for (std::size_t i = 0; i < actions.size(); ++i) {
      const sdk::Action& action = actions[i];
      if (action.kind != sdk::Action::Kind::kCreate || keys.count(action.task_key)) {
        singles.push_back(i);
        continue;
      }
      if (lookups_down) {
        out[i] = *lookups_down;
        done[i] = true;
        continue;
      }
      json payload = json::parse(action.payload_json, nullptr, false);
      json task;
      std::optional<sdk::ApplyResult> early;
      if (payload.is_discarded() || !payload.is_object())
        early = rejected("the action's payload is not a JSON object");
      else if (!valid_key(action.task_key))
        early = rejected("task key '" + truncate_utf8(action.task_key, 100) +
                         "' is not 1-80 of [A-Za-z0-9:_-]");
      else {
        try {
          early = task_record(action, payload, task);
        } catch (const json::exception& e) {
          early = rejected(std::string("payload could not be read: ") + e.what());
        }
      }
      if (early) {
        out[i] = *early;
        done[i] = true;
        if (early->status != sdk::ApplyResult::Status::kRejected) lookups_down = early;
        continue;
      }
      task["attributes"] = {{"type", "Task"}};
      task[settings_.ext_field] = action.task_key;
      keys.insert(action.task_key);
      upserts.push_back(i);
      records.push_back(std::move(task));
      payloads.push_back(std::move(payload));
    }

    for (std::size_t from = 0; from < upserts.size(); from += kCollectionLimit) {
      std::size_t to = std::min(upserts.size(), from + kCollectionLimit);
      json body = {{"allOrNone", false}, {"records", json::array()}};
      for (std::size_t k = from; k < to; ++k) body["records"].push_back(records[k]);
      sdk::HttpResponse r =
          call("PATCH", data_path("/composite/sobjects/Task/" + settings_.ext_field), body.dump());
      json answer = failure(r) ? json() : json::parse(r.body, nullptr, false);
      bool readable = answer.is_array() && answer.size() == to - from;
      for (std::size_t k = from; k < to; ++k) {
        std::size_t i = upserts[k];
        if (auto f = failure(r))
          out[i] = from_failure(*f);
        else if (!readable)
          out[i] = retryable("unexpected answer to a collection upsert (HTTP " +
                             std::to_string(r.status) + ")");
        else
          out[i] = upsert_result(actions[i], payloads[k], answer[k - from]);
        done[i] = true;
      }
    }
    for (std::size_t i : singles) {
      out[i] = apply(actions[i]);
      done[i] = true;
    }
  }

  /// One record's UpsertResult ({id, success, created, errors}) as what apply() would answer.
  sdk::ApplyResult upsert_result(const sdk::Action& action, const json& payload,
                                 const json& result) {
    if (!result.is_object()) return retryable("unexpected record result in a collection upsert");
    if (result.value("success", false)) {
      std::string id = str(result, "id");
      if (!valid_id(id)) return retryable("collection upsert answered success without a Task id");
      sdk::ApplyResult ok;
      ok.status = result.value("created", false) ? sdk::ApplyResult::Status::kApplied
                                                 : sdk::ApplyResult::Status::kAlreadyApplied;
      ok.external_ref = id;
      ok.external_url = task_url(id);
      return ok;
    }
    // Per-record errors carry statusCode (top-level ones errorCode).
    std::string code, message;
    if (result.contains("errors") && result["errors"].is_array())
      for (const auto& e : result["errors"]) {
        std::string c = str(e, "statusCode");
        if (c.empty()) c = str(e, "errorCode");
        if (code.empty()) code = c;
        message += (message.empty() ? "" : "; ") + c + ": " + str(e, "message");
      }
    if (message.empty()) message = "collection upsert failed without an error";
    if (code == "INVALID_CROSS_REFERENCE_KEY" || code == "INACTIVE_OWNER_OR_USER") {
      forget_lookups(payload);  // a cached User or Account went away: look it up again next time
      return retryable(message);
    }
    if (code == "DUPLICATE_EXTERNAL_ID")
      return rejected("several Tasks have " + settings_.ext_field + " = " + action.task_key +
                      "; mark the field Unique in Salesforce");
    if (code == "REQUEST_LIMIT_EXCEEDED") {
      sdk::ApplyResult limited;
      limited.status = sdk::ApplyResult::Status::kRateLimited;
      limited.retry_after = seconds(settings_.limit_backoff_seconds);
      limited.message = message;
      return limited;
    }
    // Contention and a rolled-back neighbour are transient; anything else is about the content.
    if (code == "UNABLE_TO_LOCK_ROW" || code == "ALL_OR_NONE_OPERATION_ROLLED_BACK" ||
        code == "SERVER_UNAVAILABLE" || code == "REQUEST_RUNNING_TOO_LONG" ||
        code == "UNKNOWN_EXCEPTION")
      return retryable(message);
    return rejected(message);
  }

  /// Reads our Task by its key into `record`; kApplied when found, kRejected with "not found".
  sdk::ApplyResult find_task(const std::string& task_key, json& record) {
    sdk::HttpResponse r = call(
        "GET", data_path("/sobjects/Task/" + settings_.ext_field + "/" + url_encode(task_key)));
    if (r.status == 404) return rejected("no Task has " + settings_.ext_field + " = " + task_key);
    if (auto f = failure(r)) return from_failure(*f);
    if (r.status == 300)
      return rejected("several Tasks have " + settings_.ext_field + " = " + task_key);
    record = json::parse(r.body, nullptr, false);
    if (!record.is_object() || !valid_id(str(record, "Id")))
      return from_failure(
          {Failure::Kind::kRetryable, seconds(0), "unexpected answer reading the Task", ""});
    sdk::ApplyResult ok;
    ok.status = sdk::ApplyResult::Status::kApplied;
    return ok;
  }

  sdk::ApplyResult change(const sdk::Action& action, const json& payload) {
    json task;
    sdk::ApplyResult found = find_task(action.task_key, task);
    bool cancel = action.kind == sdk::Action::Kind::kCancel;
    if (found.status == sdk::ApplyResult::Status::kRejected &&
        found.message.rfind("no Task", 0) == 0 && cancel) {
      sdk::ApplyResult gone;  // nothing left to cancel
      gone.status = sdk::ApplyResult::Status::kAlreadyApplied;
      gone.external_ref = action.external_ref;
      gone.message = found.message;
      return gone;
    }
    if (found.status != sdk::ApplyResult::Status::kApplied) return found;
    const std::string id = str(task, "Id");
    const bool closed = task.value("IsClosed", false);
    const std::string marker = "[disputed " + action.action_key + "]";
    std::string existing = str(task, "Description");
    sdk::ApplyResult done;
    done.status = sdk::ApplyResult::Status::kAlreadyApplied;
    done.external_ref = id;
    done.external_url = task_url(id);
    if (existing.find(marker) != std::string::npos) return done;  // this action's note is there

    json patch = json::object();
    std::string note;
    switch (action.kind) {
      case sdk::Action::Kind::kUpdate: {
        std::string status = lower(str(payload, "status"));
        if (status == "completed" || status == "closed" || status == "done") {
          if (closed) return done;
          patch["Status"] = settings_.close_status;
          std::string outcome = str(payload, "outcome");
          if (!settings_.outcome_field.empty() && !outcome.empty())
            patch[settings_.outcome_field] = outcome;
          note = "Completed in disputed" + (outcome.empty() ? "" : " with outcome " + outcome) +
                 (str(payload, "comment").empty() ? "" : ": " + str(payload, "comment"));
        }
        if (std::string date = activity_date(payload); !date.empty() && !closed)
          patch["ActivityDate"] = date;
        std::string assignee = str(payload, "assignee");
        if (assignee.find('@') != std::string::npos && !closed) {
          std::string owner;
          if (auto f = user_by_email(assignee, owner)) return from_failure(*f);
          if (!owner.empty()) patch["OwnerId"] = owner;
        }
        break;
      }
      case sdk::Action::Kind::kCancel: {
        if (closed) return done;
        patch["Status"] = settings_.cancel_status;
        std::string reason = str(payload, "reason");
        note = "Cancelled by disputed" + (reason.empty() ? "" : ": " + reason);
        break;
      }
      case sdk::Action::Kind::kRemind:
      case sdk::Action::Kind::kEscalate: {
        if (closed) return done;
        note = str(payload, "note");
        if (note.empty())
          note = action.kind == sdk::Action::Kind::kRemind ? "Reminder from disputed"
                                                           : "Escalated by disputed";
        if (action.kind == sdk::Action::Kind::kEscalate)
          patch["Priority"] = settings_.escalation_priority;
        break;
      }
      case sdk::Action::Kind::kCreate:
        break;
    }
    if (!note.empty()) {
      std::string appended = existing + (existing.empty() ? "" : "\n") + marker + " " + note;
      if (appended.size() > 32000) appended = appended.substr(appended.size() - 32000);
      patch["Description"] = appended;
    }
    if (patch.empty()) return done;
    sdk::HttpResponse r = call("PATCH", data_path("/sobjects/Task/" + id), patch.dump());
    if (auto f = failure(r)) return from_failure(*f);
    done.status = sdk::ApplyResult::Status::kApplied;
    return done;
  }

  // ---------------------------------------------------------------------------------------
  // poll()

  struct Cursor {
    long long t = 0;  // SystemModstamp, ms; 0 = from the beginning
    std::string id;
    std::vector<std::string> seen;  // "Id@ms" inside the overlap window
  };

  static Cursor read_cursor(const std::string& text) {
    Cursor c;
    json j = json::parse(text, nullptr, false);
    if (!j.is_object()) return c;
    if (j.contains("t") && j["t"].is_number_integer() && j["t"].get<long long>() > 0)
      c.t = j["t"].get<long long>();
    c.id = str(j, "id");
    if (j.contains("seen") && j["seen"].is_array())
      for (const auto& s : j["seen"])
        if (s.is_string()) c.seen.push_back(s.get<std::string>());
    return c;
  }

  static std::string write_cursor(const Cursor& c) {
    return json{{"t", c.t}, {"id", c.id}, {"seen", c.seen}}.dump();
  }

  std::string fields_list() const {
    std::string f = "Id, " + settings_.ext_field +
                    ", Status, IsClosed, CompletedDateTime, SystemModstamp, LastModifiedBy.Email";
    if (!settings_.outcome_field.empty()) f += ", " + settings_.outcome_field;
    return f;
  }

  /// The completion event for a closed Task of ours; nullopt for open or cancelled ones.
  std::optional<sdk::TaskEvent> event_of(const json& rec) const {
    if (!rec.value("IsClosed", false)) return std::nullopt;
    std::string status = str(rec, "Status");
    if (status == settings_.cancel_status) return std::nullopt;
    sdk::TaskEvent e;
    e.kind = sdk::TaskEvent::Kind::kCompleted;
    e.task_key = str(rec, settings_.ext_field.c_str());
    e.external_ref = str(rec, "Id");
    std::string when = str(rec, "CompletedDateTime");
    if (!parse_datetime_ms(when)) when = str(rec, "SystemModstamp");
    e.event_id = e.external_ref + ":closed:" + when;
    if (auto ms = parse_datetime_ms(when)) e.at = sdk::Instant(seconds(*ms / 1000));
    if (!settings_.outcome_field.empty()) e.outcome = str(rec, settings_.outcome_field.c_str());
    if (e.outcome.empty())
      if (auto it = settings_.outcome_by_status.find(status);
          it != settings_.outcome_by_status.end())
        e.outcome = it->second;
    if (rec.contains("LastModifiedBy")) e.actor = str(rec["LastModifiedBy"], "Email");
    e.comment = "Task " + status + " in Salesforce";
    return e;
  }

  static sdk::PollResult poll_failure(const Failure& f, const std::string& cursor) {
    sdk::PollResult r;
    r.next_cursor = cursor;
    r.message = f.message;
    r.retry_after = f.retry_after;
    switch (f.kind) {
      case Failure::Kind::kRateLimited:
        r.status = sdk::PollResult::Status::kRateLimited;
        break;
      case Failure::Kind::kAuth:
        r.status = sdk::PollResult::Status::kAuthFailed;
        break;
      default:
        r.status = sdk::PollResult::Status::kRetryable;
    }
    return r;
  }

  sdk::PollResult poll_inner(const sdk::PollRequest& request) {
    Cursor cursor = read_cursor(request.cursor);
    const long long overlap_ms = settings_.poll_overlap_seconds * 1000LL;
    std::string soql =
        "SELECT " + fields_list() + " FROM Task WHERE " + settings_.ext_field + " != null";
    if (cursor.t > 0) soql += " AND SystemModstamp >= " + soql_datetime(cursor.t - overlap_ms);
    soql += " ORDER BY SystemModstamp, Id";
    std::vector<json> records;
    if (auto f = query(soql, records, settings_.max_pages_per_poll))
      return poll_failure(*f, request.cursor);

    sdk::PollResult out;
    std::set<std::string> seen(cursor.seen.begin(), cursor.seen.end());
    std::set<std::string> event_ids;
    Cursor next = cursor;
    std::vector<std::pair<long long, std::string>> window;  // (ms, "Id@ms")
    for (const auto& s : cursor.seen) {
      auto at = s.rfind('@');
      if (at != std::string::npos) try {
          window.emplace_back(std::stoll(s.substr(at + 1)), s);
        } catch (const std::exception&) {
        }
    }
    for (const auto& rec : records) {
      std::string id = str(rec, "Id");
      auto ms = parse_datetime_ms(str(rec, "SystemModstamp"));
      if (id.empty() || !ms) continue;
      std::string tag = id + "@" + std::to_string(*ms);
      bool after = std::make_pair(*ms, id) > std::make_pair(cursor.t, cursor.id);
      if (!after && seen.count(tag)) continue;  // reported by an earlier poll
      if (auto e = event_of(rec); e && event_ids.insert(e->event_id).second)
        out.events.push_back(*e);
      if (std::make_pair(*ms, id) > std::make_pair(next.t, next.id)) {
        next.t = *ms;
        next.id = id;
      }
      window.emplace_back(*ms, tag);
    }
    // Remember what lies inside the overlap window below the new high-water mark, so a poll from
    // the new cursor does not report it again, while a late commit in that window still shows.
    std::sort(window.begin(), window.end());
    window.erase(std::unique(window.begin(), window.end()), window.end());
    next.seen.clear();
    for (auto it = window.rbegin(); it != window.rend() && next.seen.size() < kSeenLimit; ++it)
      if (it->first >= next.t - overlap_ms) next.seen.push_back(it->second);

    if (request.reconcile) {
      if (auto f = reconcile(request.open_refs, out.events, event_ids))
        return poll_failure(*f, request.cursor);
    }
    out.status = sdk::PollResult::Status::kOk;
    out.next_cursor = write_cursor(next);
    out.message = usage_text();
    return out;
  }

  /// Asks about every open ref directly (by key, 100 per query): completions the cursor missed,
  /// and Tasks that no longer exist.
  std::optional<Failure> reconcile(const std::vector<sdk::OpenRef>& refs,
                                   std::vector<sdk::TaskEvent>& events,
                                   std::set<std::string>& event_ids) {
    std::vector<sdk::OpenRef> valid;
    for (const auto& r : refs)
      if (valid_key(r.task_key)) valid.push_back(r);
    for (std::size_t start = 0; start < valid.size(); start += kKeysPerQuery) {
      if (host_->cancelled()) break;
      std::string list;
      std::size_t end = std::min(valid.size(), start + kKeysPerQuery);
      for (std::size_t i = start; i < end; ++i)
        list += (list.empty() ? "" : ", ") + soql_quote(valid[i].task_key);
      std::vector<json> records;
      if (auto f = query("SELECT " + fields_list() + " FROM Task WHERE " + settings_.ext_field +
                             " IN (" + list + ")",
                         records, settings_.max_pages_per_poll))
        return f;
      std::set<std::string> present;
      for (const auto& rec : records) {
        present.insert(str(rec, settings_.ext_field.c_str()));
        if (auto e = event_of(rec); e && event_ids.insert(e->event_id).second) events.push_back(*e);
      }
      for (std::size_t i = start; i < end; ++i) {
        if (present.count(valid[i].task_key)) continue;
        sdk::TaskEvent gone;
        gone.kind = sdk::TaskEvent::Kind::kDeleted;
        gone.task_key = valid[i].task_key;
        gone.external_ref = valid[i].external_ref;
        gone.event_id = valid[i].task_key + ":deleted";
        gone.at = host_->clock().now();
        gone.comment = "the Task no longer exists in Salesforce (deleted or never created)";
        if (event_ids.insert(gone.event_id).second) events.push_back(gone);
      }
    }
    return std::nullopt;
  }

  Settings settings_;
  sdk::Host* host_ = nullptr;
  long long api_used_ = 0, api_max_ = 0;
};

}  // namespace
}  // namespace disputed::plugins::salesforce

DISPUTED_CONNECTOR_PLUGIN(disputed::plugins::salesforce::SalesforceConnector)
