// The Microsoft Graph sandbox: a stateful emulator of the tenant token endpoint and the
// Microsoft To Do part of Graph v1.0, with the service's shapes (todoTaskList, todoTask,
// linkedResource, delta with nextLink/deltaLink/@removed, $batch, the error shape with
// innerError and request-id, 429 with Retry-After).
//
//   POST /{tenant}/oauth2/v2.0/token                     client credentials (secret in the form or
//                                                        HTTP basic), tokens expire after
//                                                        token_lifetime
//   GET  /v1.0/users/{id|upn}
//   GET|POST /v1.0/users/{u}/todo/lists                  GET|PATCH|DELETE .../lists/{l}
//   GET  /v1.0/users/{u}/todo/lists/delta
//   GET|POST .../lists/{l}/tasks  ($top, $skiptoken, $expand=linkedResources, $select)
//   GET|PATCH|DELETE .../lists/{l}/tasks/{t}
//   GET  .../lists/{l}/tasks/delta  ($deltatoken, $skiptoken, $top)   (also
//   microsoft.graph.delta()) GET|POST .../tasks/{t}/linkedResources   (one per task, as the real
//   service) POST /v1.0/$batch   (1..20 requests, independent answers)
//   POST /v1.0/users/{u}/sendMail (also microsoft.graph.sendMail): JSON or MIME, 202 (graph_mail)
//
// Control (besides the shared /_sandbox/requests, /_sandbox/faults, /_sandbox/reset):
//   POST /_sandbox/tokens/expire       every issued access token is refused from now on (401)
//   POST /_sandbox/delta/invalidate    every delta/skip token issued so far answers 410
//   GET  /_sandbox/state               users, lists, tasks (deleted ones with "deleted": true)
//   GET  /_sandbox/mail                {"sent": [...]}: every message sendMail accepted
//   POST /_sandbox/links               {"base": URL}: build nextLink/deltaLink on that base (a
//                                      proxy in front of the sandbox, paths without /v1.0)
//   POST /_sandbox/throttle            {"user": "...", "requests": N, "retry_after": S}: the next
//                                      N requests to that mailbox answer 429
//
// Differences from the live service are listed in docs/connectors/msgraph.md.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "disputed/sdk/kit/codecs.hpp"
#include "disputed/sdk/kit/time.hpp"
#include "plugins/msgraph/sandbox/entra_sign_in.hpp"
#include "plugins/msgraph/sandbox/graph_mail.hpp"
#include "plugins/msgraph/sandbox/msgraph_sandbox.hpp"
#include "plugins/sandbox/router.hpp"
#include "plugins/sandbox/token_endpoint.hpp"

namespace disputed::sandbox {
namespace {

using nlohmann::json;
using Time = SandboxClock::Time;

using sdk::kit::lower;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto at = s.find(sep, start);
    out.push_back(s.substr(start, at - start));
    if (at == std::string::npos) break;
    start = at + 1;
  }
  return out;
}

/// "2026-11-30T12:00:00.1230000Z" (Graph writes 7 fraction digits)
std::string graph_time(SandboxClock::Time at) {
  std::string text = sdk::kit::format_timestamp_ms(at);  // "...:00.123Z"
  return text.substr(0, text.size() - 1) + "0000Z";
}

std::string url_encode(const std::string& s) { return sdk::kit::percent_encode(s, "@"); }
std::string base64(const std::string& in) { return sdk::kit::base64_encode(in); }
using sdk::kit::base64_decode;

struct User {
  std::string id, upn, display_name;
};

struct TaskList {
  std::string id, user_id, display_name, wellknown = "none";
  long seq = 0;
};

struct Task {
  std::string id, list_id;
  json data;  // the todoTask as served, linkedResources apart
  std::vector<json> linked;
  long seq = 0;
  bool deleted = false;
};

const std::set<std::string> kWritableTaskProperties = {
    "title",         "body",          "importance",       "status",
    "dueDateTime",   "startDateTime", "reminderDateTime", "completedDateTime",
    "isReminderOn",  "categories",    "recurrence",       "linkedResources",
    "checklistItems"};

class MsGraphEmulator final : public Emulator {
 public:
  explicit MsGraphEmulator(const Options& options) {
    for (const auto& option : options) {
      // Named references, not a structured binding: clang before 16 cannot capture those.
      const auto& key = option.first;
      const auto& value = option.second;
      auto number = [&](int lo, int hi) {
        try {
          std::size_t used = 0;
          int v = std::stoi(value, &used);
          if (used != value.size() || v < lo || v > hi) throw std::invalid_argument(key);
          return v;
        } catch (const std::exception&) {
          throw std::invalid_argument(key + ": expected an integer from " + std::to_string(lo) +
                                      " to " + std::to_string(hi) + ", got '" + value + "'");
        }
      };
      if (key == "tenant") {
        tenant_ = value;
      } else if (key == "client_id") {
        client_id_ = value;
      } else if (key == "client_secret") {
        client_secret_ = value;
      } else if (key == "token_lifetime_seconds") {
        token_lifetime_ = number(1, 86400);
      } else if (key == "users") {
        seed_users_ = split(value, ',');
        for (const auto& u : seed_users_)
          if (u.find('@') == std::string::npos)
            throw std::invalid_argument("users: '" + u + "' is not a UPN");
      } else if (key == "page_size") {
        max_page_ = number(1, 1000);
      } else {
        throw std::invalid_argument("unknown option '" + key +
                                    "' (known: tenant, client_id, client_secret, "
                                    "token_lifetime_seconds, users, page_size)");
      }
    }
    build_routes();
    reset();
  }

  std::string name() const override { return "msgraph"; }

  void reset() override {
    sign_in_.reset();
    mail_.clear();
    users_.clear();
    lists_.clear();
    tasks_.clear();
    tokens_.clear();
    throttles_.clear();
    seq_ = 0;
    epoch_ = 1;
    counter_ = 0;
    int n = 0;
    for (const auto& upn : seed_users_) {
      ++n;
      char id[40];
      std::snprintf(id, sizeof id, "%08x-0000-4000-8000-%012x", 0x5a5d0000u + unsigned(n),
                    unsigned(n));
      std::string display = upn.substr(0, upn.find('@'));
      if (!display.empty()) display[0] = char(std::toupper(static_cast<unsigned char>(display[0])));
      users_.push_back({id, upn, display});
      // Every mailbox starts with the default "Tasks" list, as in Outlook.
      TaskList l;
      l.id = new_id("AQMkADAwATNiZmYAZC1");
      l.user_id = id;
      l.display_name = "Tasks";
      l.wellknown = "defaultList";
      l.seq = ++seq_;
      lists_.push_back(l);
    }
  }

  Response fault_response(int status, const Request& request) override {
    static const std::map<int, std::pair<std::string, std::string>> kCodes = {
        {400, {"invalidRequest", "Invalid request."}},
        {401, {"InvalidAuthenticationToken", "Access token has expired or is not yet valid."}},
        {403, {"ErrorAccessDenied", "Access is denied. Check credentials and try again."}},
        {404, {"ErrorItemNotFound", "The specified object was not found in the store."}},
        {409, {"conflict", "The request conflicts with the current state."}},
        {410, {"syncStateNotFound", "The sync state generation is not found."}},
        {422, {"invalidRequest", "The request is not valid."}},
        {429, {"TooManyRequests", "Too many requests. Retry after the time given in Retry-After."}},
        {500, {"generalException", "An internal server error occurred."}},
        {502, {"badGateway", "Bad gateway."}},
        {503, {"serviceNotAvailable", "The service is temporarily unavailable."}},
        {504, {"gatewayTimeout", "The gateway timed out."}}};
    auto it = kCodes.find(status);
    std::string code = it != kCodes.end() ? it->second.first : "generalException";
    std::string message = it != kCodes.end() ? it->second.second : "An error occurred.";
    return error(status, code, message, request);
  }

  std::optional<Response> control(const Request& request) override {
    if (auto r = sign_in_.control(request)) return r;
    if (request.path == "/_sandbox/tokens/expire" && request.method == "POST") {
      return Response::json(200, {{"expired", tokens_.expire_all()}});
    }
    if (request.path == "/_sandbox/delta/invalidate" && request.method == "POST") {
      ++epoch_;
      return Response::json(200, {{"epoch", epoch_}});
    }
    if (request.path == "/_sandbox/throttle" && request.method == "POST") {
      auto body = request.json();
      if (!body || !body->is_object() || !body->contains("user") || !(*body)["user"].is_string())
        return Response::json(400, {{"error", "user: expected a UPN or id"}});
      const User* u = find_user((*body)["user"].get<std::string>());
      if (!u) return Response::json(400, {{"error", "user: unknown"}});
      Throttle t;
      t.remaining = body->value("requests", 1);
      t.retry_after = body->value("retry_after", 10);
      throttles_[u->id] = t;
      return Response::json(201, {{"ok", true}});
    }
    if (request.path == "/_sandbox/links" && request.method == "POST") {
      // {"base": "http://127.0.0.1:4010"}: nextLink/deltaLink point there (a proxy in front of
      // the sandbox, serving Graph's paths without /v1.0); "" = back to the sandbox itself.
      auto body = request.json();
      if (!body || !body->is_object() || !body->contains("base") || !(*body)["base"].is_string())
        return Response::json(400, {{"error", "base: expected a URL string"}});
      link_base_ = (*body)["base"].get<std::string>();
      return Response::json(200, {{"base", link_base_}});
    }
    if (request.path == "/_sandbox/mail" && request.method == "GET")
      return Response::json(200, {{"sent", mail_.all()}});
    if (request.path == "/_sandbox/state" && request.method == "GET") {
      json users = json::array(), lists = json::array(), tasks = json::array();
      for (const auto& u : users_) users.push_back({{"id", u.id}, {"userPrincipalName", u.upn}});
      for (const auto& l : lists_)
        lists.push_back(
            {{"id", l.id}, {"user", upn_of(l.user_id)}, {"displayName", l.display_name}});
      for (const auto& [id, t] : tasks_) {
        json j = render(t, true);
        j["listId"] = t.list_id;
        j["user"] = upn_of(list_by_id(t.list_id) ? list_by_id(t.list_id)->user_id : "");
        j["deleted"] = t.deleted;
        tasks.push_back(j);
      }
      return Response::json(200, {{"users", users}, {"lists", lists}, {"tasks", tasks}});
    }
    return std::nullopt;
  }

  Response handle(const Request& original, const std::string& server_url) override {
    // Graph's paths also without the version prefix (what a validating proxy in front of the
    // sandbox forwards, as the vendor's description has no /v1.0 in its paths).
    Request request = original;
    if (request.path.rfind("/users/", 0) == 0 || request.path == "/$batch")
      request.path = "/v1.0" + request.path;
    const std::string base_url = link_base_.empty() ? server_url : link_base_;
    const std::string& p = request.path;
    // Entra ID's sign-in (OpenID Connect), for the web app's tests and the demo.
    if (auto r = sign_in_.handle(request, server_url, tenant_, client_id_, client_secret_))
      return *r;
    if (p.size() > 1 && p.find("/oauth2/v2.0/token") != std::string::npos) return token(request);
    if (p.rfind("/v1.0/", 0) != 0)
      return error(404, "BadRequest", "Resource not found for the segment '" + p + "'.", request);
    auto segments = split(p.substr(6), '/');
    // Auth before anything else, as the real service does.
    std::string auth = request.header("authorization").value_or("");
    if (auth.rfind("Bearer ", 0) != 0)
      return error(401, "InvalidAuthenticationToken", "Access token is empty.", request)
          .with_header(
              "WWW-Authenticate",
              "Bearer realm=\"\", "
              "authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\"");
    if (!tokens_.subject(auth.substr(7), clock().now()))
      return error(401, "InvalidAuthenticationToken",
                   "Lifetime validation failed, the token is expired.", request)
          .with_header("WWW-Authenticate", "Bearer realm=\"\", error=\"invalid_token\"");

    if (segments.size() >= 2 && segments[0] == "users") {
      const User* user = find_user(segments[1]);
      if (!user)
        return error(404, "ErrorInvalidUser",
                     "The requested user '" + segments[1] + "' is invalid.", request);
      if (auto t = throttles_.find(user->id); t != throttles_.end() && t->second.remaining > 0) {
        --t->second.remaining;
        return error(429, "ApplicationThrottled",
                     "Application is over its MailboxConcurrency limit.", request)
            .with_header("Retry-After", std::to_string(t->second.retry_after));
      }
    }
    base_url_ = base_url;
    if (auto answer = api_.route(request)) return *answer;
    return error(
        400, "BadRequest",
        "Resource not found for the segment '" + (segments.empty() ? "" : segments.back()) + "'.",
        request);
  }

 private:
  // ---------------------------------------------------------------- routes

  using Params = Router::Params;
  /// What a route addresses: the user, their list and task, or the answer why not.
  struct Target {
    const User* user = nullptr;
    TaskList* list = nullptr;
    Task* task = nullptr;
    std::optional<Response> error;
  };

  Target target(const Request& request, const Params& p) {
    Target t;
    t.user = find_user(p.at("user"));  // known: handle() checked it
    if (!p.count("list")) return t;
    t.list = list_by_id(p.at("list"));
    if (!t.list || t.list->user_id != t.user->id) {
      t.error = not_found(request);
      return t;
    }
    if (!p.count("task")) return t;
    auto found = tasks_.find(p.at("task"));
    if (found == tasks_.end() || found->second.deleted || found->second.list_id != t.list->id)
      t.error = not_found(request);
    else
      t.task = &found->second;
    return t;
  }

  Response not_found(const Request& request) {
    return error(404, "ErrorItemNotFound", "The specified object was not found in the store.",
                 request);
  }

  std::string lists_url(const Params& p) const {
    return base_url_ + (link_base_.empty() ? "/v1.0" : "") + "/users/" + url_encode(p.at("user")) +
           "/todo/lists";
  }

  void build_routes() {
    const std::string lists = "/v1.0/users/{user}/todo/lists";
    const std::string list = lists + "/{list}";
    const std::string task = list + "/tasks/{task}";
    auto on = [this](const char* method, const std::string& pattern,
                     std::function<Response(const Request&, Target&, const Params&)> handler) {
      api_.on(method, pattern, [this, handler](const Request& r, const Params& p) {
        Target t = target(r, p);
        return t.error ? *t.error : handler(r, t, p);
      });
    };
    api_.on("POST", "/v1.0/$batch",
            [this](const Request& r, const Params&) { return batch(r, base_url_); });
    for (const char* send_mail : {"sendMail", "microsoft.graph.sendMail"}) {
      on("POST", std::string("/v1.0/users/{user}/") + send_mail,
         [this](const Request& r, Target& t, const Params&) {
           auto refused = mail_.send(t.user->upn, r, graph_time(clock().now()));
           if (refused) return error(refused->status, refused->code, refused->message, r);
           return Response::empty(202);
         });
    }
    on("GET", "/v1.0/users/{user}", [](const Request&, Target& t, const Params&) {
      return Response::json(200, {{"id", t.user->id},
                                  {"userPrincipalName", t.user->upn},
                                  {"displayName", t.user->display_name},
                                  {"mail", t.user->upn}});
    });
    for (const char* delta_name : {"delta", "microsoft.graph.delta()"}) {
      on("GET", lists + "/" + delta_name, [this](const Request&, Target& t, const Params& p) {
        json value = json::array();
        for (const auto& l : lists_)
          if (l.user_id == t.user->id) value.push_back(render(l));
        return Response::json(200, {{"value", value},
                                    {"@odata.deltaLink",
                                     lists_url(p) + "/delta?$deltatoken=" + std::to_string(seq_)}});
      });
      on("GET", list + "/tasks/" + delta_name,
         [this](const Request& r, Target& t, const Params& p) {
           return this->delta(*t.list, r,
                              lists_url(p) + "/" + url_encode(t.list->id) + "/tasks/delta");
         });
    }
    on("GET", lists, [this](const Request& r, Target& t, const Params& p) {
      return page_lists(*t.user, r, lists_url(p));
    });
    on("POST", lists,
       [this](const Request& r, Target& t, const Params&) { return create_list(*t.user, r); });
    on("GET", list, [](const Request&, Target& t, const Params&) {
      return Response::json(200, render(*t.list));
    });
    on("PATCH", list, [this](const Request& r, Target& t, const Params&) {
      auto body = r.json();
      if (!body || !body->is_object())
        return error(400, "invalidRequest", "The request body is not a JSON object.", r);
      if (body->contains("displayName") && (*body)["displayName"].is_string())
        t.list->display_name = (*body)["displayName"].get<std::string>();
      return Response::json(200, render(*t.list));
    });
    on("DELETE", list, [this](const Request& r, Target& t, const Params&) {
      if (t.list->wellknown == "defaultList")
        return error(400, "invalidRequest", "The default list cannot be deleted.", r);
      std::string id = t.list->id;
      lists_.erase(std::remove_if(lists_.begin(), lists_.end(),
                                  [&](const TaskList& l) { return l.id == id; }),
                   lists_.end());
      for (auto& [_, task] : tasks_)
        if (task.list_id == id && !task.deleted) {
          task.deleted = true;
          task.seq = ++seq_;
        }
      return Response::empty(204);
    });
    on("GET", list + "/tasks", [this](const Request& r, Target& t, const Params& p) {
      return page_tasks(*t.list, r, lists_url(p) + "/" + url_encode(t.list->id) + "/tasks");
    });
    on("POST", list + "/tasks",
       [this](const Request& r, Target& t, const Params&) { return create_task(*t.list, r); });
    on("GET", task, [](const Request& r, Target& t, const Params&) {
      return Response::json(200, select(render(*t.task, expands_linked(r)), r));
    });
    on("PATCH", task,
       [this](const Request& r, Target& t, const Params&) { return patch_task(*t.task, r); });
    on("DELETE", task, [this](const Request&, Target& t, const Params&) {
      t.task->deleted = true;
      t.task->seq = ++seq_;
      return Response::empty(204);
    });
    on("GET", task + "/linkedResources", [](const Request&, Target& t, const Params&) {
      return Response::json(200, {{"value", t.task->linked}});
    });
    on("POST", task + "/linkedResources", [this](const Request& r, Target& t, const Params&) {
      auto body = r.json();
      if (!body || !body->is_object())
        return error(400, "invalidRequest", "The request body is not a JSON object.", r);
      if (!t.task->linked.empty())
        return error(400, "invalidRequest", "Only one item in linkedResources is allowed.", r);
      json l = linked_resource(*body);
      t.task->linked.push_back(l);
      touch(*t.task);
      return Response::json(201, l);
    });
    for (const char* method : {"GET", "DELETE"})
      on(method, task + "/linkedResources/{resource}",
         [this](const Request& r, Target& t, const Params& p) {
           auto lr = std::find_if(t.task->linked.begin(), t.task->linked.end(), [&](const json& l) {
             return l.value("id", "") == p.at("resource");
           });
           if (lr == t.task->linked.end()) return not_found(r);
           if (r.method == "GET") return Response::json(200, *lr);
           t.task->linked.erase(lr);
           touch(*t.task);
           return Response::empty(204);
         });
    api_.not_allowed = [this](const Request& r) { return method_not_allowed(r); };
  }

  struct Throttle {
    int remaining = 0;
    int retry_after = 10;
  };

  // ---------------------------------------------------------------- errors and helpers

  Response error(int status, const std::string& code, const std::string& message,
                 const Request& request) {
    std::string request_id = request_id_for();
    json inner = {{"date", graph_time(clock().now()).substr(0, 19)},
                  {"request-id", request_id},
                  {"client-request-id", request_id}};
    if (auto c = request.header("client-request-id")) inner["client-request-id"] = *c;
    return Response::json(
               status, {{"error", {{"code", code}, {"message", message}, {"innerError", inner}}}})
        .with_header("request-id", request_id)
        .with_header("client-request-id", inner["client-request-id"].get<std::string>());
  }

  Response method_not_allowed(const Request& request) {
    return error(405, "Request_BadRequest",
                 "The method " + request.method + " is not allowed on this resource.", request);
  }

  std::string request_id_for() {
    char id[40];
    ++requests_;
    std::snprintf(id, sizeof id, "5b1c%04x-8f0e-4a2b-9c3d-%012lx", unsigned(requests_ & 0xffff),
                  requests_);
    return id;
  }

  std::string new_id(const std::string& prefix) {
    long n = ++counter_;
    std::string id =
        prefix + base64("sandbox-" + std::to_string(n)).substr(0, 16) + std::to_string(n) + "AAA=";
    std::replace(id.begin(), id.end(), '+', '-');
    std::replace(id.begin(), id.end(), '/', '_');
    return id;
  }

  const User* find_user(const std::string& key) const {
    std::string k = lower(key);
    for (const auto& u : users_)
      if (lower(u.upn) == k || u.id == k) return &u;
    return nullptr;
  }

  std::string upn_of(const std::string& user_id) const {
    for (const auto& u : users_)
      if (u.id == user_id) return u.upn;
    return {};
  }

  TaskList* list_by_id(const std::string& id) {
    for (auto& l : lists_)
      if (l.id == id) return &l;
    return nullptr;
  }

  static json render(const TaskList& l) {
    return {{"id", l.id},
            {"displayName", l.display_name},
            {"isOwner", true},
            {"isShared", false},
            {"wellknownListName", l.wellknown}};
  }

  static json render(const Task& t, bool with_linked) {
    json j = t.data;
    j["id"] = t.id;
    if (with_linked) j["linkedResources"] = t.linked;
    return j;
  }

  static bool expands_linked(const Request& request) {
    auto e = request.param("$expand");
    return e && (e->find("linkedResources") != std::string::npos || *e == "*");
  }

  static json select(json task, const Request& request) {
    auto s = request.param("$select");
    if (!s || s->empty()) return task;
    json out = {{"id", task["id"]}};
    for (const auto& field : split(*s, ','))
      if (task.contains(field)) out[field] = task[field];
    if (task.contains("linkedResources")) out["linkedResources"] = task["linkedResources"];
    return out;
  }

  void touch(Task& t) {
    t.data["lastModifiedDateTime"] = graph_time(clock().now());
    t.seq = ++seq_;
  }

  json linked_resource(const json& in) {
    json l = {{"id", new_id("a1b2c3d4-")}};
    for (const char* k : {"applicationName", "displayName", "externalId", "webUrl"})
      if (in.contains(k) && in[k].is_string()) l[k] = in[k];
    return l;
  }

  // ---------------------------------------------------------------- token endpoint

  Response token(const Request& request) {
    auto oauth_error = [this](int status, const std::string& error,
                              const std::string& description) {
      return Response::json(
          status, {{"error", error},
                   {"error_description", description + "\r\nTrace ID: 0b6e1c7a\r\nTimestamp: " +
                                             graph_time(clock().now())},
                   {"error_codes",
                    json::array({std::stoi(description.substr(6, description.find(':') - 6))})},
                   {"timestamp", graph_time(clock().now())}});
    };
    if (request.method != "POST") return Response::json(405, {{"error", "invalid_request"}});
    std::string tenant = request.path.substr(1, request.path.find('/', 1) - 1);
    if (tenant != tenant_)
      return oauth_error(400, "invalid_tenant", "AADSTS90002: Tenant '" + tenant + "' not found.");
    Request form;  // the form's fields, read like a query
    form.query = TokenEndpoint::form(request);
    auto [client_id, secret] = TokenEndpoint::client(request, form.query);
    if (form.param("grant_type").value_or("") != "client_credentials")
      return oauth_error(400, "unsupported_grant_type",
                         "AADSTS70003: The app requested an unsupported grant type '" +
                             form.param("grant_type").value_or("") + "'.");
    if (client_id != client_id_)
      return oauth_error(400, "unauthorized_client",
                         "AADSTS700016: Application with identifier '" + client_id +
                             "' was not found in the directory '" + tenant_ + "'.");
    if (secret != client_secret_)
      return oauth_error(
          401, "invalid_client",
          "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the "
          "request is the client secret value, not the client secret ID.");
    std::string scope = form.param("scope").value_or("");
    if (scope.size() < 9 || scope.substr(scope.size() - 9) != "/.default")
      return oauth_error(400, "invalid_scope",
                         "AADSTS1002012: The provided value for scope '" + scope +
                             "' is not valid. Client credential flows must have a scope value with "
                             "/.default suffixed to the resource identifier.");
    std::string access = tokens_.issue(client_id, std::chrono::seconds(token_lifetime_),
                                       clock().now(), "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.");
    return Response::json(200, {{"token_type", "Bearer"},
                                {"expires_in", token_lifetime_},
                                {"ext_expires_in", token_lifetime_},
                                {"access_token", access}});
  }

  // ---------------------------------------------------------------- lists and tasks

  int top_of(const Request& request) const {
    int top = max_page_;
    if (auto t = request.param("$top")) {
      try {
        top = std::clamp(std::stoi(*t), 1, max_page_);
      } catch (const std::exception&) {
      }
    }
    return top;
  }

  Response page_lists(const User& user, const Request& request, const std::string& url) {
    std::vector<const TaskList*> all;
    for (const auto& l : lists_)
      if (l.user_id == user.id) all.push_back(&l);
    std::size_t skip = 0, top = std::size_t(top_of(request));
    if (auto s = request.param("$skiptoken")) skip = std::size_t(std::atol(s->c_str()));
    json value = json::array();
    for (std::size_t i = skip; i < all.size() && i < skip + top; ++i)
      value.push_back(render(*all[i]));
    json out = {{"value", value}};
    if (skip + top < all.size())
      out["@odata.nextLink"] =
          url + "?$top=" + std::to_string(top) + "&$skiptoken=" + std::to_string(skip + top);
    return Response::json(200, out);
  }

  Response create_list(const User& user, const Request& request) {
    auto body = request.json();
    if (!body || !body->is_object() || !body->contains("displayName") ||
        !(*body)["displayName"].is_string() || (*body)["displayName"].get<std::string>().empty())
      return error(400, "invalidRequest", "The displayName of a todoTaskList is required.",
                   request);
    TaskList l;
    l.id = new_id("AAMkADU3NmE2MjQ4LW");
    l.user_id = user.id;
    l.display_name = (*body)["displayName"].get<std::string>();
    l.seq = ++seq_;
    lists_.push_back(l);
    return Response::json(201, render(l));
  }

  Response page_tasks(const TaskList& list, const Request& request, const std::string& url) {
    std::vector<const Task*> all;
    for (const auto& [_, t] : tasks_)
      if (t.list_id == list.id && !t.deleted) all.push_back(&t);
    std::sort(all.begin(), all.end(), [](const Task* a, const Task* b) {
      return a->data.value("createdDateTime", "") < b->data.value("createdDateTime", "") ||
             (a->data.value("createdDateTime", "") == b->data.value("createdDateTime", "") &&
              a->id < b->id);
    });
    std::size_t skip = 0, top = std::size_t(top_of(request));
    if (auto s = request.param("$skip")) skip = std::size_t(std::atol(s->c_str()));
    bool linked = expands_linked(request);
    json value = json::array();
    for (std::size_t i = skip; i < all.size() && i < skip + top; ++i)
      value.push_back(select(render(*all[i], linked), request));
    json out = {{"value", value}};
    if (skip + top < all.size()) {
      std::string next =
          url + "?$top=" + std::to_string(top) + "&$skip=" + std::to_string(skip + top);
      if (linked) next += "&$expand=linkedResources";
      out["@odata.nextLink"] = next;
    }
    return Response::json(200, out);
  }

  std::optional<std::string> check_task_body(const json& body, bool create) {
    for (const auto& [key, _] : body.items())
      if (!kWritableTaskProperties.count(key))
        return "The property '" + key +
               "' does not exist on type 'microsoft.graph.todoTask'. Make sure to only use "
               "property names that are defined by the type.";
    if (create && (!body.contains("title") || !body["title"].is_string() ||
                   body["title"].get<std::string>().empty()))
      return "A todoTask needs a title.";
    if (body.contains("title") && !body["title"].is_string())
      return "Cannot convert the literal to the expected type 'Edm.String'.";
    if (body.contains("importance") &&
        (!body["importance"].is_string() || !std::set<std::string>{"low", "normal", "high"}.count(
                                                body["importance"].get<std::string>())))
      return "Requested value '" + body["importance"].dump() +
             "' was not found in the enum 'importance'.";
    if (body.contains("status") && (!body["status"].is_string() ||
                                    !std::set<std::string>{"notStarted", "inProgress", "completed",
                                                           "waitingOnOthers", "deferred"}
                                         .count(body["status"].get<std::string>())))
      return "Requested value '" + body["status"].dump() +
             "' was not found in the enum 'taskStatus'.";
    for (const char* k :
         {"dueDateTime", "startDateTime", "reminderDateTime", "completedDateTime"}) {
      if (!body.contains(k) || body[k].is_null()) continue;
      const json& d = body[k];
      if (!d.is_object() || !d.contains("dateTime") || !d["dateTime"].is_string() ||
          d["dateTime"].get<std::string>().size() < 19 ||
          (d.contains("timeZone") && !d["timeZone"].is_string() && !d["timeZone"].is_null()))
        return std::string("Property '") + k +
               "' must be a dateTimeTimeZone with dateTime and timeZone.";
      if (!d.contains("timeZone") || d["timeZone"].is_null() ||
          d["timeZone"].get<std::string>().empty())
        return std::string("Property '") + k + "' has no timeZone.";
    }
    if (body.contains("body") &&
        (!body["body"].is_object() ||
         (body["body"].contains("contentType") && body["body"]["contentType"] != "text" &&
          body["body"]["contentType"] != "html")))
      return "Property 'body' must be an itemBody with contentType text or html.";
    if (body.contains("categories") && !body["categories"].is_array())
      return "Property 'categories' must be a collection.";
    if (body.contains("isReminderOn") && !body["isReminderOn"].is_boolean())
      return "Property 'isReminderOn' must be a boolean.";
    if (body.contains("linkedResources")) {
      if (!create)
        return "linkedResources cannot be changed through the task; use .../linkedResources.";
      if (!body["linkedResources"].is_array())
        return "Property 'linkedResources' must be a collection.";
      if (body["linkedResources"].size() > 1) return "Only one item in linkedResources is allowed.";
      for (const auto& l : body["linkedResources"])
        if (!l.is_object()) return "A linkedResource must be an object.";
    }
    return std::nullopt;
  }

  void apply_fields(Task& t, const json& body) {
    for (const auto& [key, value] : body.items()) {
      if (key == "linkedResources") continue;
      t.data[key] = value;
    }
    if (body.contains("status")) {
      if (body["status"] == "completed") {
        if (!body.contains("completedDateTime"))
          t.data["completedDateTime"] = {{"dateTime", graph_time(clock().now()).substr(0, 27)},
                                         {"timeZone", "UTC"}};
      } else {
        t.data.erase("completedDateTime");
      }
    }
    if (body.contains("body")) t.data["bodyLastModifiedDateTime"] = graph_time(clock().now());
  }

  Response create_task(const TaskList& list, const Request& request) {
    auto body = request.json();
    if (!body || !body->is_object())
      return error(400, "invalidRequest", "The request body is not a JSON object.", request);
    if (auto problem = check_task_body(*body, true))
      return error(400, "invalidRequest", *problem, request);
    Task t;
    t.id = new_id("AAMkAGI2NGY0ZjE3LT");
    t.list_id = list.id;
    std::string now = graph_time(clock().now());
    t.data = {{"importance", "normal"},
              {"isReminderOn", false},
              {"status", "notStarted"},
              {"title", ""},
              {"createdDateTime", now},
              {"lastModifiedDateTime", now},
              {"hasAttachments", false},
              {"categories", json::array()},
              {"body", {{"content", ""}, {"contentType", "text"}}},
              {"bodyLastModifiedDateTime", now}};
    apply_fields(t, *body);
    if (body->contains("linkedResources"))
      for (const auto& l : (*body)["linkedResources"]) t.linked.push_back(linked_resource(l));
    t.seq = ++seq_;
    auto [it, _] = tasks_.emplace(t.id, t);
    return Response::json(201, render(it->second, !it->second.linked.empty()));
  }

  Response patch_task(Task& task, const Request& request) {
    auto body = request.json();
    if (!body || !body->is_object())
      return error(400, "invalidRequest", "The request body is not a JSON object.", request);
    if (auto problem = check_task_body(*body, false))
      return error(400, "invalidRequest", *problem, request);
    apply_fields(task, *body);
    touch(task);
    return Response::json(200, render(task, false));
  }

  // ---------------------------------------------------------------- delta

  // Tokens: base64 of "from.ceiling.after.top.epoch.list". A round returns every task changed after
  // `from` up to `ceiling` (the change counter when the round began), ordered by change, after
  // `after`; a task changed during the round has moved past the ceiling and comes next round.
  Response delta(const TaskList& list, const Request& request, const std::string& url) {
    long from = 0, ceiling = seq_, after = 0;
    long top = top_of(request);
    auto parse = [&](const std::string& token, bool skip) -> std::optional<Response> {
      auto decoded = base64_decode(token);
      std::vector<std::string> parts = decoded ? split(*decoded, '.') : std::vector<std::string>{};
      if (parts.size() != 6 || parts[5] != list.id)
        return error(400, "syncStateInvalid", "The delta token is not valid for this resource.",
                     request);
      try {
        long epoch = std::stol(parts[4]);
        if (epoch != epoch_)
          return error(410, "syncStateNotFound",
                       "The sync state generation is not found; start a new round.", request);
        from = std::stol(parts[0]);
        if (skip) {
          ceiling = std::stol(parts[1]);
          after = std::stol(parts[2]);
        }
        top = std::clamp(std::stol(parts[3]), 1L, long(max_page_));
      } catch (const std::exception&) {
        return error(400, "syncStateInvalid", "The delta token is not valid for this resource.",
                     request);
      }
      return std::nullopt;
    };
    if (auto s = request.param("$skiptoken")) {
      if (auto bad = parse(*s, true)) return *bad;
    } else if (auto d = request.param("$deltatoken")) {
      if (auto bad = parse(*d, false)) return *bad;
    }
    auto token = [&](long f, long c, long a) {
      std::string raw = std::to_string(f) + "." + std::to_string(c) + "." + std::to_string(a) +
                        "." + std::to_string(top) + "." + std::to_string(epoch_) + "." + list.id;
      return url_encode(base64(raw));
    };
    std::vector<const Task*> changed;
    for (const auto& [_, t] : tasks_) {
      if (t.list_id != list.id || t.seq <= from || t.seq > ceiling || t.seq <= after) continue;
      if (t.deleted && from == 0) continue;  // a first round lists what exists
      changed.push_back(&t);
    }
    std::sort(changed.begin(), changed.end(),
              [](const Task* a, const Task* b) { return a->seq < b->seq; });
    json value = json::array();
    long last = after;
    for (std::size_t i = 0; i < changed.size() && long(i) < top; ++i) {
      const Task& t = *changed[i];
      if (t.deleted) {
        value.push_back({{"id", t.id}, {"@removed", {{"reason", "deleted"}}}});
      } else {
        value.push_back(select(render(t, expands_linked(request)), request));
      }
      last = t.seq;
    }
    json out = {{"value", value}};
    if (long(changed.size()) > top) {
      out["@odata.nextLink"] = url + "?$skiptoken=" + token(from, ceiling, last);
    } else {
      out["@odata.deltaLink"] = url + "?$deltatoken=" + token(ceiling, ceiling, ceiling);
    }
    return Response::json(200, out);
  }

  // ---------------------------------------------------------------- $batch

  Response batch(const Request& request, const std::string& base_url) {
    auto body = request.json();
    if (!body || !body->is_object() || !body->contains("requests") ||
        !(*body)["requests"].is_array())
      return error(400, "BadRequest", "Invalid batch payload format.", request);
    const json& requests = (*body)["requests"];
    if (requests.empty() || requests.size() > 20)
      return error(400, "BadRequest",
                   "Invalid batch payload: the number of requests must be between 1 and 20.",
                   request);
    std::set<std::string> ids;
    for (const auto& r : requests) {
      if (!r.is_object() || !r.contains("id") || !r["id"].is_string() || !r.contains("method") ||
          !r["method"].is_string() || !r.contains("url") || !r["url"].is_string())
        return error(400, "BadRequest", "Each batch request needs a string id, method and url.",
                     request);
      if (!ids.insert(r["id"].get<std::string>()).second)
        return error(400, "BadRequest",
                     "Batch request ids must be unique: '" + r["id"].get<std::string>() + "'.",
                     request);
      if (r.contains("body") && !(r.contains("headers") && r["headers"].is_object() &&
                                  r["headers"].contains("Content-Type")))
        return error(400, "BadRequest", "A batch request with a body needs a Content-Type header.",
                     request);
    }
    json responses = json::array();
    for (const auto& r : requests) {
      Request inner;
      inner.method = r["method"].get<std::string>();
      std::string url = r["url"].get<std::string>();
      if (url.empty() || url[0] != '/') url = "/" + url;
      inner.target = "/v1.0" + url;
      auto q = url.find('?');
      inner.path = "/v1.0" + url.substr(0, q);
      // The inner URL's path is still percent-encoded: decode it the way the server does.
      {
        std::string decoded;
        for (std::size_t i = 0; i < inner.path.size(); ++i) {
          if (inner.path[i] == '%' && i + 2 < inner.path.size()) {
            decoded += char(std::stoi(inner.path.substr(i + 1, 2), nullptr, 16));
            i += 2;
          } else {
            decoded += inner.path[i];
          }
        }
        inner.path = decoded;
      }
      if (q != std::string::npos)
        for (const auto& pair : split(url.substr(q + 1), '&')) {
          auto eq = pair.find('=');
          if (!pair.empty())
            inner.query[pair.substr(0, eq)] = eq == std::string::npos ? "" : pair.substr(eq + 1);
        }
      inner.headers = request.headers;
      if (r.contains("body")) inner.body = r["body"].dump();
      Response answer = handle(inner, base_url);
      json entry = {{"id", r["id"]}, {"status", answer.status}};
      json headers = json::object();
      for (const auto& [name, value] : answer.headers) headers[name] = value;
      if (!headers.empty()) entry["headers"] = headers;
      if (!answer.body.empty()) {
        json b = json::parse(answer.body, nullptr, false);
        if (!b.is_discarded()) entry["body"] = b;
      }
      responses.push_back(entry);
    }
    return Response::json(200, {{"responses", responses}});
  }

  EntraSignIn sign_in_;
  std::string tenant_ = "sandbox-tenant";
  std::string client_id_ = "sandbox-client";
  std::string client_secret_ = "sandbox-secret";
  int token_lifetime_ = 3599;
  int max_page_ = 100;
  std::vector<std::string> seed_users_ = {"alex@example.com", "sam@example.com"};
  std::string link_base_;

  std::vector<User> users_;
  std::vector<TaskList> lists_;
  std::map<std::string, Task> tasks_;
  TokenEndpoint tokens_;
  msgraph::SentMail mail_;
  Router api_;
  std::string base_url_;  // of the request being answered (for links)
  std::map<std::string, Throttle> throttles_;
  long seq_ = 0;
  long epoch_ = 1;
  long counter_ = 0;
  unsigned long requests_ = 0;
};

}  // namespace

std::unique_ptr<Emulator> make_msgraph_sandbox(const Options& options) {
  return std::make_unique<MsGraphEmulator>(options);
}

DISPUTED_REGISTER_SANDBOX("msgraph", make_msgraph_sandbox);

}  // namespace disputed::sandbox
