#include "plugins/salesforce/src/salesforce_client.hpp"

#include <cctype>
#include <cstring>

#include "disputed/sdk/kit/codecs.hpp"

namespace disputed::plugins::salesforce {

namespace {

bool all_of_class(const std::string& s, std::size_t min, std::size_t max, const char* extra) {
  if (s.size() < min || s.size() > max) return false;
  for (unsigned char c : s)
    if (!std::isalnum(c) && !std::strchr(extra, c)) return false;
  return true;
}

// An array of {errorCode | statusCode, message} (or the OAuth {error, error_description}):
// "CODE: message; CODE: message", the first code as the code.
kit::VendorError salesforce_error(const sdk::HttpResponse& response) {
  kit::VendorError out;
  auto body = kit::parse_json(response.body, {1024 * 1024, 32});
  if (!body) return out;
  kit::JsonView root(*body);
  for (const auto& e : root.elements()) {
    std::string code = e["errorCode"].string_or(e["statusCode"].string_or());
    if (out.code.empty()) out.code = code;
    out.message += (out.message.empty() ? "" : "; ") + code + ": " + e["message"].string_or();
  }
  if (root["error"].is_string()) {
    out.code = root["error"].string_or();
    out.message = out.code + ": " + root["error_description"].string_or();
  }
  return out;
}

}  // namespace

bool valid_id(const std::string& id) {
  return (id.size() == 15 || id.size() == 18) && all_of_class(id, 15, 18, "");
}

bool valid_key(const std::string& key) { return all_of_class(key, 1, 80, ":_-"); }

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

SalesforceClient::SalesforceClient(sdk::Host& host, const Settings& settings)
    : host_(host), settings_(settings) {
  kit::ErrorDialect dialect;
  dialect.system = "Salesforce";
  dialect.read_error = salesforce_error;
  // The daily allocation is used up: rolling, so wait long (Salesforce sends no Retry-After).
  dialect.refine = [](int status, const std::string& code) -> std::optional<kit::Verdict> {
    if (status == 403 && code == "REQUEST_LIMIT_EXCEEDED") return kit::Verdict::kRateLimited;
    return std::nullopt;
  };
  dialect.rate_limit_wait = settings.limit_backoff;
  policy_ = kit::HttpPolicy(std::move(dialect));
}

kit::HttpOutcome SalesforceClient::no_answer(sdk::HttpResponse::Failure failure,
                                             const std::string& why) const {
  return policy_.judge(sdk::HttpResponse{0, {}, "", why, failure}, host_.clock().now());
}

kit::Fetched<std::string> SalesforceClient::instance_url() {
  sdk::TokenSource* tokens = host_.tokens();
  if (!tokens)
    return no_answer(sdk::HttpResponse::Failure::kRefused,
                     "the host gives no OAuth2 token source (manifest auth kind)");
  std::string why;
  auto token = tokens->token(&why);
  if (!token) return no_answer(sdk::HttpResponse::Failure::kNoCredential, why);
  auto body = kit::parse_json(token->response_json, {64 * 1024, 8});
  std::string url = body ? kit::JsonView(*body)["instance_url"].string_or() : "";
  if (url.empty())
    return no_answer(sdk::HttpResponse::Failure::kRefused,
                     "the token response has no instance_url");
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

Reply SalesforceClient::call(const std::string& method, const std::string& path,
                             const kit::Json* body) {
  Reply reply;
  auto base = instance_url();
  if (!base) {
    reply.outcome = base.failure();
    return reply;
  }
  reply = kit::exchange(host_, policy_,
                        kit::json_request(method, *base + path, body, settings_.request_timeout));
  note_usage(reply.response);
  return reply;
}

std::string SalesforceClient::data_path(const std::string& rest) const {
  return "/services/data/" + settings_.api_version + rest;
}

// Sforce-Limit-Info: api-usage=18/5000 (used/allowed in the rolling 24 h).
void SalesforceClient::note_usage(const sdk::HttpResponse& r) {
  std::string info = r.header("Sforce-Limit-Info");
  auto pos = info.find("api-usage=");
  if (pos == std::string::npos) return;
  std::string usage = info.substr(pos + 10);
  usage = usage.substr(0, usage.find_first_of(",; "));
  auto slash = usage.find('/');
  if (slash == std::string::npos || slash > 18 || usage.size() - slash > 19) return;
  try {
    long long used = std::stoll(usage.substr(0, slash)), max = std::stoll(usage.substr(slash + 1));
    bool was_high = api_max_ > 0 && api_used_ * 10 >= api_max_ * 9;
    api_used_ = used;
    api_max_ = max;
    if (max > 0 && used * 10 >= max * 9 && !was_high)
      host_.log().log(sdk::LogLevel::kWarn,
                      "Salesforce API usage at " + usage + " of the org's daily allocation");
  } catch (const std::exception&) {  // not numbers: ignore the header
  }
}

std::string SalesforceClient::usage_text() const {
  return api_max_ > 0 ? "api-usage=" + std::to_string(api_used_) + "/" + std::to_string(api_max_)
                      : "";
}

kit::Fetched<std::vector<kit::Json>> SalesforceClient::query(const std::string& soql, int max_pages,
                                                             bool* more) {
  std::vector<kit::Json> records;
  std::string next = data_path("/query?q=" + kit::percent_encode(soql));
  for (int page = 0; !next.empty(); ++page) {
    if (page >= max_pages || (page > 0 && host_.cancelled())) {
      if (more) *more = true;
      break;
    }
    Reply r = call("GET", next);
    if (!r.ok()) return r.outcome;
    kit::JsonView body(r.body);
    if (!body["records"].is_array())
      return policy_.malformed(r.response, body["records"].problem("missing"));
    for (const auto& rec : body["records"].elements()) records.push_back(*rec.json());
    next = body["done"].boolean_or(true) ? "" : body["nextRecordsUrl"].string_or();
    // A vendor link stays under the API's own path: never followed elsewhere with our token.
    if (!next.empty() && next.rfind("/services/data/", 0) != 0)
      return policy_.malformed(r.response,
                               body["nextRecordsUrl"].problem("unexpected link " + next));
  }
  return records;
}

kit::Fetched<std::string> SalesforceClient::user_by_email(const std::string& email) {
  const std::string key = "user:" + kit::lower(email);
  if (auto cached = host_.store().get(key); cached && valid_id(*cached)) return *cached;
  auto records = query(
      "SELECT Id FROM User WHERE Email = " + soql_quote(email) + " AND IsActive = true LIMIT 1", 1);
  if (!records) return records.failure();
  std::string id = records->empty() ? "" : kit::JsonView(records->front())["Id"].string_or();
  if (!valid_id(id)) return std::string();
  host_.store().put(key, id);
  return id;
}

kit::Fetched<SalesforceClient::Account> SalesforceClient::account_by_number(
    const std::string& number) {
  const std::string key = "account:" + number;
  if (auto cached = host_.store().get(key)) {
    auto bar = cached->find('|');
    if (bar != std::string::npos && valid_id(cached->substr(0, bar)))
      return Account{cached->substr(0, bar), cached->substr(bar + 1)};
  }
  auto records = query("SELECT Id, OwnerId FROM Account WHERE " + settings_.account_number_field +
                           " = " + soql_quote(number) + " LIMIT 1",
                       1);
  if (!records) return records.failure();
  if (records->empty()) return Account{};
  kit::JsonView rec(records->front());
  Account account{rec["Id"].string_or(), rec["OwnerId"].string_or()};
  if (!valid_id(account.id)) return Account{};
  host_.store().put(key, account.id + "|" + account.owner);
  return account;
}

kit::Fetched<std::string> SalesforceClient::invoice_by_number(const std::string& number) {
  const std::string key = "invoice:" + number;
  if (auto cached = host_.store().get(key); cached && valid_id(*cached)) return *cached;
  auto records = query("SELECT Id FROM " + settings_.invoice_object + " WHERE " +
                           settings_.invoice_number_field + " = " + soql_quote(number) + " LIMIT 1",
                       1);
  if (!records) return records.failure();
  std::string id = records->empty() ? "" : kit::JsonView(records->front())["Id"].string_or();
  if (!valid_id(id)) return std::string();
  host_.store().put(key, id);
  return id;
}

void SalesforceClient::forget_lookups(const kit::TaskPayload& payload) {
  if (!payload.assignee.empty()) host_.store().erase("user:" + kit::lower(payload.assignee));
  if (!payload.customer.id.empty()) host_.store().erase("account:" + payload.customer.id);
}

kit::Fetched<std::optional<kit::Json>> SalesforceClient::find_task(const std::string& task_key) {
  Reply r = call("GET", data_path("/sobjects/Task/" + settings_.ext_field + "/" +
                                  kit::percent_encode(task_key)));
  if (r.outcome.verdict == kit::Verdict::kNotFound) return std::optional<kit::Json>();
  if (r.response.status == 300) {
    kit::HttpOutcome several = r.outcome;
    several.message = "several Tasks have " + settings_.ext_field + " = " + task_key +
                      "; mark the field Unique in Salesforce";
    return several;
  }
  if (!r.ok()) return r.outcome;
  if (!valid_id(kit::JsonView(r.body)["Id"].string_or()))
    return policy_.malformed(r.response, kit::JsonView(r.body)["Id"].problem("no Task id"));
  return std::optional<kit::Json>(std::move(r.body));
}

std::string SalesforceClient::task_url(const std::string& id) {
  auto base = instance_url();
  return base ? *base + "/lightning/r/Task/" + id + "/view" : "";
}

}  // namespace disputed::plugins::salesforce
