#include "plugins/zendesk/src/zendesk_client.hpp"

#include <charconv>

#include "disputed/sdk/kit/codecs.hpp"

namespace disputed::plugins::zendesk {

namespace {

using std::chrono::seconds;

// {"error": "RecordInvalid" | {"title", "message"}, "description": ..., "details": {field:
// [{"description"}]}} -> "RecordInvalid: Record validation errors; base: Subject: ..."
kit::VendorError zendesk_error(const sdk::HttpResponse& response) {
  kit::VendorError out;
  auto body = kit::parse_json(response.body, {1024 * 1024, 32});
  if (!body) return out;
  kit::JsonView root(*body);
  out.code = root["error"].string_or(root["error"]["title"].string_or());
  std::string message = out.code;
  std::string description = root["description"].string_or(root["error"]["message"].string_or());
  if (!description.empty() && description != message)
    message += (message.empty() ? "" : ": ") + description;
  for (const auto& [field, problems] : root["details"].members())
    for (const auto& problem : problems.elements())
      message += "; " + field + ": " + problem["description"].string_or();
  out.message = message;
  return out;
}

std::optional<long long> whole_number(const std::string& text) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

ZendeskClient::ZendeskClient(sdk::Host& host, const Settings& settings)
    : host_(host),
      settings_(settings),
      policy_(kit::ErrorDialect{"Zendesk", zendesk_error, {}, seconds(0)}) {}

Reply ZendeskClient::call(const std::string& method, const std::string& path, const kit::Json* body,
                          const std::string& idempotency_key) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!idempotency_key.empty()) headers.emplace_back("Idempotency-Key", idempotency_key);
  Reply reply = kit::exchange(host_, policy_,
                              kit::json_request(method, settings_.base_url + path, body,
                                                settings_.request_timeout, std::move(headers)));
  watch_rate_limit(reply.response);
  return reply;
}

std::optional<seconds> ZendeskClient::throttled() const {
  sdk::Instant now = host_.clock().now();
  if (throttle_until_ && now < *throttle_until_)
    return std::max(seconds(1), std::chrono::duration_cast<seconds>(*throttle_until_ - now));
  return std::nullopt;
}

void ZendeskClient::watch_rate_limit(const sdk::HttpResponse& r) {
  std::string remaining = r.header("X-Rate-Limit-Remaining");
  if (remaining.empty()) remaining = r.header("ratelimit-remaining");
  auto left = whole_number(remaining);
  if (!left || *left > settings_.rate_limit_reserve) return;
  long long wait = 60;  // the account limit is per minute
  if (auto reset = whole_number(r.header("ratelimit-reset")); reset && *reset > 0) wait = *reset;
  throttle_until_ = host_.clock().now() + seconds(wait);
  host_.log().log(sdk::LogLevel::kWarn, "Zendesk rate limit nearly used up (" + remaining +
                                            " requests left); holding off for " +
                                            std::to_string(wait) + " s");
}

std::string ZendeskClient::ticket_url(std::int64_t id) const {
  return settings_.base_url + "/agent/tickets/" + std::to_string(id);
}

kit::Fetched<std::optional<kit::Json>> ZendeskClient::find_ticket(const std::string& task_key) {
  Reply r = call("GET", "/api/v2/tickets?external_id=" + kit::percent_encode(task_key));
  if (!r.ok()) return r.outcome;
  std::optional<kit::Json> oldest;
  std::int64_t oldest_id = 0;
  for (const auto& t : kit::JsonView(r.body)["tickets"].elements()) {
    auto id = t["id"].integer_or_none();
    if (t["external_id"].string_or() == task_key && id && (!oldest || *id < oldest_id)) {
      oldest = *t.json();
      oldest_id = *id;
    }
  }
  return oldest;
}

kit::Fetched<std::optional<std::int64_t>> ZendeskClient::agent_id(const std::string& email) {
  const std::string address = kit::lower(email);
  const std::string key = "user:" + address;
  if (auto cached = host_.store().get(key))
    if (auto id = whole_number(*cached); id && *id > 0) return std::optional<std::int64_t>(*id);
  Reply r = call("GET", "/api/v2/users/search?query=" + kit::percent_encode("email:" + address));
  if (!r.ok()) return r.outcome;
  for (const auto& u : kit::JsonView(r.body)["users"].elements()) {
    std::string role = u["role"].string_or();
    auto id = u["id"].integer_or_none();
    if (kit::lower(u["email"].string_or()) == address && (role == "agent" || role == "admin") &&
        id) {
      host_.store().put(key, std::to_string(*id));
      host_.store().put("email:" + std::to_string(*id), address);
      return std::optional<std::int64_t>(*id);
    }
  }
  return std::optional<std::int64_t>();
}

std::map<std::int64_t, std::string> ZendeskClient::emails(const std::set<std::int64_t>& ids) {
  std::map<std::int64_t, std::string> out;
  std::string missing;
  for (auto id : ids) {
    if (auto cached = host_.store().get("email:" + std::to_string(id)))
      out[id] = *cached;
    else
      missing += (missing.empty() ? "" : ",") + std::to_string(id);
  }
  if (missing.empty()) return out;
  Reply r = call("GET", "/api/v2/users/show_many?ids=" + missing);
  if (!r.ok()) return out;
  for (const auto& u : kit::JsonView(r.body)["users"].elements()) {
    auto id = u["id"].integer_or_none();
    std::string email = kit::lower(u["email"].string_or());
    if (!id || email.empty()) continue;
    out[*id] = email;
    host_.store().put("email:" + std::to_string(*id), email);
  }
  return out;
}

kit::Fetched<bool> ZendeskClient::has_comment_with(std::int64_t id, const std::string& text) {
  Reply r = call("GET", "/api/v2/tickets/" + std::to_string(id) + "/comments?sort_order=desc");
  if (!r.ok()) return r.outcome;
  for (const auto& c : kit::JsonView(r.body)["comments"].elements())
    if (c["body"].string_or().find(text) != std::string::npos) return true;
  return false;
}

}  // namespace disputed::plugins::zendesk
