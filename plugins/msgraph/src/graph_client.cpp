#include "plugins/msgraph/src/graph_client.hpp"

#include "disputed/sdk/kit/codecs.hpp"

namespace disputed::plugins::msgraph {

namespace {

constexpr int kPageSize = 100;
constexpr int kListPages = 20;
constexpr int kTaskPages = 200;

// {"error": {"code", "message", "innerError": {"request-id"}}}, or the token endpoint's
// {"error": "invalid_client", "error_description"}.
kit::VendorError graph_error(const sdk::HttpResponse& response) {
  kit::VendorError out;
  auto body = kit::parse_json(response.body, {1024 * 1024, 32});
  kit::Json empty;
  kit::JsonView root(body ? *body : empty);
  std::string words, request_id;
  if (root["error"].is_object()) {
    out.code = root["error"]["code"].string_or();
    words = root["error"]["message"].string_or();
    request_id = root["error"]["innerError"]["request-id"].string_or();
  } else if (root["error"].is_string()) {
    out.code = root["error"].string_or();
    words = root["error_description"].string_or();
  }
  if (request_id.empty()) request_id = response.header("request-id");
  out.message = out.code;
  if (!words.empty()) out.message += (out.message.empty() ? "" : ": ") + words;
  if (!request_id.empty() && !out.message.empty())
    out.message += " (request-id " + request_id + ")";
  return out;
}

}  // namespace

bool safe_id(const std::string& s) {
  if (s.empty() || s.size() > 512 || s == "." || s == "..") return false;
  for (unsigned char c : s)
    if (c < 0x21 || c == '|' || c == '/' || c == '\\' || c == '?' || c == '#' || c > 0x7e)
      return false;
  return true;
}

std::optional<TaskRef> TaskRef::parse(const std::string& ref) {
  auto a = ref.find('|');
  if (a == std::string::npos) return std::nullopt;
  auto b = ref.find('|', a + 1);
  if (b == std::string::npos) return std::nullopt;
  TaskRef r{ref.substr(0, a), ref.substr(a + 1, b - a - 1), ref.substr(b + 1)};
  if (!safe_id(r.user) || !safe_id(r.list) || !safe_id(r.task)) return std::nullopt;
  return r;
}

std::string key_of(const kit::Json& task) {
  for (const auto& l : kit::JsonView(task)["linkedResources"].elements())
    if (std::string k = l["externalId"].string_or(); !k.empty()) return k;
  return {};
}

GraphClient::GraphClient(sdk::Host& host, const Settings& settings)
    : host_(host),
      settings_(settings),
      policy_(kit::ErrorDialect{"Microsoft Graph", graph_error, {}, std::chrono::seconds(0)}) {}

Reply GraphClient::call(const std::string& method, const std::string& url, const kit::Json* body) {
  return kit::exchange(host_, policy_, kit::json_request(method, url, body, settings_.timeout));
}

kit::HttpOutcome GraphClient::malformed(const Reply& reply, const std::string& what) const {
  return policy_.malformed(reply.response, kit::Problem{"", what});
}

std::string GraphClient::user_url(const std::string& user) const {
  return settings_.base + "/users/" + kit::percent_encode(user, "@");
}
std::string GraphClient::list_url(const std::string& user, const std::string& list) const {
  return user_url(user) + "/todo/lists/" + kit::percent_encode(list, "@");
}
std::string GraphClient::task_url(const TaskRef& ref) const {
  return list_url(ref.user, ref.list) + "/tasks/" + kit::percent_encode(ref.task, "@");
}
bool GraphClient::own_link(const std::string& url) const {
  return kit::url_within(url, settings_.base);
}

// Per list name: renaming the list makes a new one.
std::string GraphClient::list_key_of(const std::string& user) const {
  return "list:" + settings_.list_name + ":" + kit::lower(user);
}

void GraphClient::forget_list(const std::string& user) { host_.store().erase(list_key_of(user)); }

kit::Json GraphClient::stored(const std::string& key) {
  auto value = host_.store().get(key);
  if (!value) return nullptr;
  auto parsed = kit::parse_json(*value, {64 * 1024, 8});
  return parsed ? *parsed : kit::Json(nullptr);
}

kit::Fetched<std::string> GraphClient::ensure_list(const std::string& user) {
  if (auto cached = host_.store().get(list_key_of(user)); cached && !cached->empty())
    return *cached;
  std::string url = user_url(user) + "/todo/lists?$top=" + std::to_string(kPageSize);
  for (int page = 0; page < kListPages && !url.empty(); ++page) {
    Reply r = call("GET", url);
    if (!r.ok()) return r.outcome;
    for (const auto& l : kit::JsonView(r.body)["value"].elements())
      if (l["displayName"].string_or() == settings_.list_name && !l["id"].string_or().empty()) {
        host_.store().put(list_key_of(user), l["id"].string_or());
        return l["id"].string_or();
      }
    url = kit::JsonView(r.body)["@odata.nextLink"].string_or();
    if (!url.empty() && !own_link(url)) return malformed(r, "a nextLink outside graph_base_url");
  }
  kit::Json body = {{"displayName", settings_.list_name}};
  Reply created = call("POST", user_url(user) + "/todo/lists", &body);
  if (!created.ok()) return created.outcome;
  std::string id = kit::JsonView(created.body)["id"].string_or();
  if (id.empty()) return malformed(created, "Graph created the task list but answered no id");
  host_.store().put(list_key_of(user), id);
  return id;
}

kit::Fetched<std::string> GraphClient::find_by_key(const std::string& user, const std::string& list,
                                                   const std::string& task_key) {
  std::string url =
      list_url(user, list) + "/tasks?$expand=linkedResources&$top=" + std::to_string(kPageSize);
  for (int page = 0; page < kTaskPages && !url.empty(); ++page) {
    Reply r = call("GET", url);
    if (!r.ok()) return r.outcome;
    for (const auto& t : kit::JsonView(r.body)["value"].elements())
      if (key_of(*t.json()) == task_key && !t["id"].string_or().empty()) return t["id"].string_or();
    url = kit::JsonView(r.body)["@odata.nextLink"].string_or();
    if (!url.empty() && !own_link(url)) return malformed(r, "a nextLink outside graph_base_url");
    if (host_.cancelled()) break;
  }
  return std::string();
}

}  // namespace disputed::plugins::msgraph
