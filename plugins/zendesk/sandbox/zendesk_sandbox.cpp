// The Zendesk Support sandbox (see zendesk_sandbox.hpp). Facts: API-NOTES section 2; shapes:
// plugins/zendesk/sandbox/spec/zendesk-tickets-subset.yaml (checked by the conformance test).

#include "plugins/zendesk/sandbox/zendesk_sandbox.hpp"

#include "disputed/sdk/kit/codecs.hpp"
#include "disputed/sdk/kit/time.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <sstream>
#include <stdexcept>

namespace disputed::sandbox {

std::unique_ptr<Emulator> make_zendesk_sandbox(const Options& options) {
  return std::make_unique<zendesk::ZendeskEmulator>(options);
}

DISPUTED_REGISTER_SANDBOX("zendesk", make_zendesk_sandbox);

namespace zendesk {
namespace {

using nlohmann::json;
using Time = SandboxClock::Time;

std::string iso(std::int64_t secs) {
  return sdk::kit::format_timestamp(sdk::Instant(std::chrono::seconds(secs)));
}

// A date-time (or a date: midnight UTC) as Unix seconds.
std::optional<std::int64_t> parse_iso(const std::string& s) {
  if (auto at = sdk::kit::parse_timestamp(s)) return at->time_since_epoch().count();
  if (auto day = sdk::kit::parse_date(s))
    return std::chrono::sys_seconds(std::chrono::sys_days(*day)).time_since_epoch().count();
  return std::nullopt;
}

std::optional<std::int64_t> parse_id(const std::string& s) {
  if (s.empty() || s.size() > 18 ||
      !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::stoll(s);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, sep);)
    if (!part.empty()) out.push_back(part);
  return out;
}

using sdk::kit::lower;

// Zendesk's error bodies (API-NOTES 2.9).
Response error(int status, const std::string& code, const std::string& description) {
  return Response::json(status, {{"error", code}, {"description", description}});
}
Response invalid(const std::string& field, const std::string& description,
                 const std::string& code = "InvalidValue") {
  return Response::json(
      422,
      {{"error", "RecordInvalid"},
       {"description", "Record validation errors"},
       {"details", {{field, json::array({{{"description", description}, {"error", code}}})}}}});
}
Response not_found() { return error(404, "RecordNotFound", "Not found"); }

bool is_one_of(const json& v, std::initializer_list<const char*> allowed) {
  if (!v.is_string()) return false;
  for (const char* a : allowed)
    if (v.get<std::string>() == a) return true;
  return false;
}

}  // namespace

ZendeskEmulator::ZendeskEmulator(const Options& options) : options_(options) {
  static const std::vector<std::string> known{
      "agents",     "api_token",         "oauth_token",
      "rate_limit", "export_rate_limit", "idempotency_ttl_seconds",
      "public_url"};
  for (const auto& [key, value] : options)
    if (std::find(known.begin(), known.end(), key) == known.end())
      throw std::invalid_argument(
          "unknown zendesk sandbox option '" + key +
          "' (known: agents, api_token, oauth_token, rate_limit, export_rate_limit, "
          "idempotency_ttl_seconds, public_url)");
  auto number = [&](const char* key, int fallback, int min) {
    auto it = options.find(key);
    if (it == options.end()) return fallback;
    try {
      std::size_t used = 0;
      int v = std::stoi(it->second, &used);
      if (used != it->second.size() || v < min) throw std::invalid_argument("");
      return v;
    } catch (const std::exception&) {
      throw std::invalid_argument(std::string(key) + ": expected an integer >= " +
                                  std::to_string(min) + ", got '" + it->second + "'");
    }
  };
  rate_limit_ = number("rate_limit", 700, 1);
  export_rate_limit_ = number("export_rate_limit", 10, 1);
  idempotency_ttl_ = std::chrono::seconds(number("idempotency_ttl_seconds", 7200, 0));
  api_token_ = options.count("api_token") ? options.at("api_token") : "sandbox-token";
  public_url_ = options.count("public_url") ? options.at("public_url") : "";
  oauth_token_ = options.count("oauth_token") ? options.at("oauth_token") : "sandbox-oauth-token";
  if (options.count("agents") && split(options.at("agents"), ',').empty())
    throw std::invalid_argument("agents: expected comma-separated e-mail addresses");
  build_routes();
  reset();
}

void ZendeskEmulator::reset() {
  users_.clear();
  std::vector<std::string> agents =
      options_.count("agents") ? split(options_.at("agents"), ',')
                               : std::vector<std::string>{"agent@example.com", "lead@example.com"};
  std::int64_t id = 1001;
  for (const auto& email : agents) {
    User u;
    u.id = id++;
    u.email = lower(email);
    std::string local = u.email.substr(0, u.email.find('@'));
    u.name = "Sandbox " + local;
    u.role = u.id == 1001 ? "admin" : "agent";  // the first agent is the account's admin
    users_.push_back(u);
  }
  tokens_.clear();
  tokens_.accept(oauth_token_, users_.front().email);
  tickets_.clear();
  comments_.clear();
  deleted_at_.clear();
  idempotency_.clear();
  recent_.clear();
  recent_export_.clear();
  next_ticket_id_ = 1;
  next_comment_id_ = 1;
  next_audit_id_ = 1;
}

Response ZendeskEmulator::fault_response(int status, const Request&) {
  switch (status) {
    case 401:
      return error(401, "Couldn't authenticate you", "Couldn't authenticate you");
    case 403:
      return error(403, "Forbidden",
                   "You do not have access to this page. Please contact the account owner of this "
                   "help desk for further help.");
    case 404:
      return not_found();
    case 409:
      return error(409, "UpdateConflict",
                   "Safe Update prevented the update due to outdated ticket data. Please fetch the "
                   "latest ticket data and try again.");
    case 422:
      return invalid("base", "Subject: is too long (injected fault)", "TooLong");
    case 429:
      return error(429, "APIRateLimitExceeded",
                   "Number of allowed API requests per minute exceeded");
    case 503:
      return error(503, "ServiceUnavailable",
                   "Zendesk is temporarily unavailable (injected fault)");
    default:
      return error(status, status >= 500 ? "InternalServerError" : "Error",
                   "HTTP " + std::to_string(status) + " (injected fault)");
  }
}

const User* ZendeskEmulator::authenticate(const Request& request) const {
  auto header = request.header("authorization");
  if (!header) return nullptr;
  if (header->rfind("Bearer ", 0) == 0) {
    // The OAuth access token (a static one: Zendesk's are long-lived) acts as the first agent.
    auto email = tokens_.bearer(request, clock().now());
    for (const auto& u : users_)
      if (email && u.email == *email) return &u;
    return nullptr;
  }
  if (header->rfind("Basic ", 0) != 0) return nullptr;
  std::string decoded = sdk::kit::base64_decode(header->substr(6)).value_or("");
  auto colon = decoded.find(':');
  if (colon == std::string::npos) return nullptr;
  std::string user = decoded.substr(0, colon), secret = decoded.substr(colon + 1);
  // Only API tokens ({email}/token:{token}); password auth is being removed by Zendesk.
  static const std::string kSuffix = "/token";
  if (user.size() <= kSuffix.size() ||
      user.compare(user.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0)
    return nullptr;
  if (secret != api_token_) return nullptr;
  std::string email = lower(user.substr(0, user.size() - kSuffix.size()));
  for (const auto& u : users_)
    if (u.email == email) return &u;
  return nullptr;
}

std::optional<Response> ZendeskEmulator::throttle(const Request& request) {
  auto now = clock().now();
  auto window = std::chrono::seconds(60);
  auto check = [&](std::deque<Time>& recent, int limit) -> std::optional<Response> {
    while (!recent.empty() && recent.front() + window <= now) recent.pop_front();
    if (static_cast<int>(recent.size()) >= limit) {
      auto wait =
          std::chrono::duration_cast<std::chrono::seconds>(recent.front() + window - now).count() +
          1;
      return error(429, "APIRateLimitExceeded",
                   "Number of allowed API requests per minute exceeded")
          .with_header("Retry-After", std::to_string(std::max<long long>(1, wait)));
    }
    recent.push_back(now);
    return std::nullopt;
  };
  if (request.path.rfind("/api/v2/incremental/", 0) == 0)
    if (auto limited = check(recent_export_, export_rate_limit_)) return limited;
  return check(recent_, rate_limit_);
}

Response ZendeskEmulator::handle(const Request& request, const std::string& server_url) {
  const std::string& base_url = public_url_.empty() ? server_url : public_url_;
  base_url_ = base_url;
  Response answer;
  if (auto limited = throttle(request)) {
    answer = *limited;
  } else if (const User* user = authenticate(request)) {
    answer = route(request, *user, base_url);
  } else {
    answer = error(401, "Couldn't authenticate you", "Couldn't authenticate you");
  }
  int remaining = std::max(0, rate_limit_ - static_cast<int>(recent_.size()));
  answer.with_header("X-Rate-Limit", std::to_string(rate_limit_));
  answer.with_header("X-Rate-Limit-Remaining", std::to_string(remaining));
  // The newer headers (API-NOTES 2.8): seconds until the oldest request leaves the window.
  long long reset = recent_.empty()
                        ? 60
                        : std::chrono::duration_cast<std::chrono::seconds>(
                              recent_.front() + std::chrono::seconds(60) - clock().now())
                                  .count() +
                              1;
  answer.with_header("ratelimit-limit", std::to_string(rate_limit_));
  answer.with_header("ratelimit-remaining", std::to_string(remaining));
  answer.with_header("ratelimit-reset", std::to_string(std::clamp<long long>(reset, 1, 60)));
  return answer;
}

Response ZendeskEmulator::route(const Request& original, const User& user,
                                const std::string& base_url) {
  Request request = original;  // "/api/v2/tickets.json" is "/api/v2/tickets"
  if (request.path.size() > 5 && request.path.compare(request.path.size() - 5, 5, ".json") == 0)
    request.path.resize(request.path.size() - 5);
  user_ = &user;
  base_url_ = base_url;
  if (auto answer = api_.route(request)) return *answer;
  return error(404, "InvalidEndpoint", "Not found");
}

void ZendeskEmulator::build_routes() {
  using P = Router::Params;
  // A ticket id from the path, or the 404 Zendesk answers for any other.
  auto ticket_id = [](const P& p) { return parse_id(p.at("id")); };
  api_.on("GET", "/api/v2/users/me", [this](const Request&, const P&) {
    return Response::json(200, {{"user", user_json(*user_)}});
  });
  api_.on("GET", "/api/v2/users/search",
          [this](const Request& r, const P&) { return search_users(r); });
  api_.on("GET", "/api/v2/users/show_many",
          [this](const Request& r, const P&) { return show_many_users(r); });
  api_.on("GET", "/api/v2/users/{id}", [this, ticket_id](const Request&, const P& p) {
    auto id = ticket_id(p);
    const User* u = id ? user_by_id(*id) : nullptr;
    return u ? Response::json(200, {{"user", user_json(*u)}}) : not_found();
  });
  api_.on("GET", "/api/v2/tickets", [this](const Request& r, const P&) { return list_tickets(r); });
  api_.on("POST", "/api/v2/tickets",
          [this](const Request& r, const P&) { return create_ticket(r, *user_, base_url_); });
  api_.on("GET", "/api/v2/tickets/show_many",
          [this](const Request& r, const P&) { return show_many(r); });
  api_.on("GET", "/api/v2/tickets/{id}", [this, ticket_id](const Request&, const P& p) {
    auto id = ticket_id(p);
    auto it = id ? tickets_.find(*id) : tickets_.end();
    return it == tickets_.end() ? not_found() : Response::json(200, {{"ticket", it->second}});
  });
  api_.on("PUT", "/api/v2/tickets/{id}", [this, ticket_id](const Request& r, const P& p) {
    auto id = ticket_id(p);
    return id ? update_ticket(*id, r, *user_) : not_found();
  });
  api_.on("DELETE", "/api/v2/tickets/{id}", [this, ticket_id](const Request&, const P& p) {
    auto id = ticket_id(p);
    auto it = id ? tickets_.find(*id) : tickets_.end();
    if (it == tickets_.end()) return not_found();
    tickets_.erase(it);
    deleted_at_[*id] = clock().unix_seconds();
    return Response::empty(204);
  });
  api_.on("GET", "/api/v2/tickets/{id}/comments", [this, ticket_id](const Request& r, const P& p) {
    auto id = ticket_id(p);
    return id ? list_comments(*id, r) : not_found();
  });
  api_.on("GET", "/api/v2/incremental/tickets/cursor", [this](const Request& r, const P&) {
    if (user_->role != "admin")
      return error(403, "Forbidden", "Incremental exports are for admins only");
    return incremental_export(r, base_url_);
  });
  api_.not_allowed = [](const Request&) { return error(404, "InvalidEndpoint", "Not found"); };
}

json ZendeskEmulator::user_json(const User& u) const {
  return {{"id", u.id},
          {"url", base_url_ + "/api/v2/users/" + std::to_string(u.id) + ".json"},
          {"name", u.name},
          {"email", u.email},
          {"role", u.role},
          {"active", true},
          {"verified", true},
          {"time_zone", "Amsterdam"},
          {"created_at", "2026-01-01T00:00:00Z"},
          {"updated_at", "2026-01-01T00:00:00Z"}};
}

const User* ZendeskEmulator::user_by_id(std::int64_t id) const {
  for (const auto& u : users_)
    if (u.id == id) return &u;
  return nullptr;
}

Response ZendeskEmulator::search_users(const Request& request) {
  std::string query = lower(request.param("query").value_or(""));
  if (query.rfind("email:", 0) == 0) query = query.substr(6);
  if (!query.empty() && query.front() == '"' && query.back() == '"' && query.size() >= 2)
    query = query.substr(1, query.size() - 2);
  json users = json::array();
  for (const auto& u : users_)
    if (!query.empty() && (u.email == query || lower(u.name).find(query) != std::string::npos))
      users.push_back(user_json(u));
  return Response::json(200, {{"users", users},
                              {"next_page", nullptr},
                              {"previous_page", nullptr},
                              {"count", users.size()}});
}

Response ZendeskEmulator::show_many_users(const Request& request) {
  json users = json::array();
  for (const auto& part : split(request.param("ids").value_or(""), ','))
    if (auto id = parse_id(part))
      if (const User* u = user_by_id(*id)) users.push_back(user_json(*u));
  return Response::json(200, {{"users", users}});
}

void ZendeskEmulator::touch(json& ticket) {
  std::int64_t now = clock().unix_seconds();
  auto previous = parse_iso(ticket.value("updated_at", std::string()));
  if (previous && now <= *previous) now = *previous + 1;
  ticket["updated_at"] = iso(now);
}

void ZendeskEmulator::add_comment(json& ticket, const json& comment, std::int64_t author_id) {
  std::string body = comment.contains("body") && comment["body"].is_string()
                         ? comment["body"].get<std::string>()
                         : comment.value("html_body", "");
  bool is_public = comment.contains("public") && comment["public"].is_boolean()
                       ? comment["public"].get<bool>()
                       : true;
  if (comment.contains("author_id") && comment["author_id"].is_number_integer() &&
      user_by_id(comment["author_id"].get<std::int64_t>()))
    author_id = comment["author_id"].get<std::int64_t>();
  std::int64_t ticket_id = ticket["id"].get<std::int64_t>();
  json c = {{"id", next_comment_id_++},
            {"type", "Comment"},
            {"author_id", author_id},
            {"body", body},
            {"html_body", "<div class=\"zd-comment\"><p>" + body + "</p></div>"},
            {"plain_body", body},
            {"public", is_public},
            {"attachments", json::array()},
            {"audit_id", next_audit_id_},
            {"created_at", ticket["updated_at"]}};
  comments_[ticket_id].push_back(c);
  if (!is_public) return;
  ticket["is_public"] = true;
}

std::optional<Response> ZendeskEmulator::apply_fields(json& ticket, const json& in, bool creating) {
  // Validate everything first, then apply: a 422 changes nothing.
  if (in.contains("subject") && !in["subject"].is_string())
    return invalid("subject", "Subject: must be text");
  if (in.contains("type") && !in["type"].is_null() &&
      !is_one_of(in["type"], {"problem", "incident", "question", "task"}))
    return invalid("type", "Type: is not one of problem, incident, question, task");
  if (in.contains("priority") && !in["priority"].is_null() &&
      !is_one_of(in["priority"], {"urgent", "high", "normal", "low"}))
    return invalid("priority", "Priority: is not one of urgent, high, normal, low");
  if (in.contains("status") &&
      !is_one_of(in["status"], {"new", "open", "pending", "hold", "solved", "closed"}))
    return invalid("status", "Status: is not valid");
  if (in.contains("due_at") && !in["due_at"].is_null() &&
      (!in["due_at"].is_string() || !parse_iso(in["due_at"].get<std::string>())))
    return invalid("due_at", "Due at: is not a valid date");
  std::optional<std::int64_t> assignee;
  if (in.contains("assignee_id") && !in["assignee_id"].is_null()) {
    if (!in["assignee_id"].is_number_integer() ||
        !user_by_id(in["assignee_id"].get<std::int64_t>()))
      return invalid("assignee", "Assignee: is not an agent of this account");
    assignee = in["assignee_id"].get<std::int64_t>();
  }
  if (in.contains("assignee_email") && in["assignee_email"].is_string()) {
    for (const auto& u : users_)
      if (u.email == lower(in["assignee_email"].get<std::string>())) assignee = u.id;
    if (!assignee) return invalid("assignee", "Assignee: is not an agent of this account");
  }
  for (const char* key : {"group_id", "requester_id", "organization_id"})
    if (in.contains(key) && !in[key].is_null() && !in[key].is_number_integer())
      return invalid(key, std::string(key) + ": must be an integer");
  if (in.contains("external_id") && !in["external_id"].is_null() && !in["external_id"].is_string())
    return invalid("external_id", "External id: must be text");
  for (const char* key : {"tags", "additional_tags", "remove_tags"})
    if (in.contains(key) &&
        (!in[key].is_array() ||
         !std::all_of(in[key].begin(), in[key].end(), [](const json& t) { return t.is_string(); })))
      return invalid(key, std::string(key) + ": must be a list of tags");
  const json* fields = in.contains("custom_fields") ? &in["custom_fields"]
                       : in.contains("fields")      ? &in["fields"]
                                                    : nullptr;
  if (fields &&
      (!fields->is_array() || !std::all_of(fields->begin(), fields->end(), [](const json& f) {
        return f.is_object() && f.contains("id") && f["id"].is_number_integer();
      })))
    return invalid("custom_fields", "Custom fields: each needs an integer id and a value");
  if (in.contains("comment")) {
    const json& c = in["comment"];
    bool has_body =
        c.is_object() &&
        ((c.contains("body") && c["body"].is_string() && !c["body"].get<std::string>().empty()) ||
         (c.contains("html_body") && c["html_body"].is_string()));
    if (!has_body) return invalid("comment", "Comment: cannot be blank", "BlankValue");
  } else if (creating) {
    return invalid("base", "Description: cannot be blank", "BlankValue");
  }

  for (const char* key : {"subject", "type", "priority", "due_at", "external_id"})
    if (in.contains(key)) ticket[key] = in[key];
  if (in.contains("subject")) ticket["raw_subject"] = in["subject"];
  for (const char* key : {"group_id", "requester_id", "organization_id"})
    if (in.contains(key)) {
      if (in[key].is_null())
        ticket.erase(key);
      else
        ticket[key] = in[key];
    }
  if (assignee) {
    ticket["assignee_id"] = *assignee;
  } else if (in.contains("assignee_id") && in["assignee_id"].is_null()) {
    ticket.erase("assignee_id");
  }
  auto normalise = [](const std::string& tag) {
    std::string t = lower(tag);
    std::replace(t.begin(), t.end(), ' ', '_');
    return t;
  };
  json tags = ticket.value("tags", json::array());
  if (in.contains("tags")) {
    tags = json::array();
    for (const auto& t : in["tags"]) tags.push_back(normalise(t.get<std::string>()));
  }
  if (in.contains("additional_tags"))
    for (const auto& t : in["additional_tags"])
      if (std::find(tags.begin(), tags.end(), normalise(t.get<std::string>())) == tags.end())
        tags.push_back(normalise(t.get<std::string>()));
  if (in.contains("remove_tags"))
    for (const auto& t : in["remove_tags"])
      tags.erase(std::remove(tags.begin(), tags.end(), normalise(t.get<std::string>())),
                 tags.end());
  ticket["tags"] = tags;
  if (fields) {
    json merged = ticket.value("custom_fields", json::array());
    for (const auto& f : *fields) {
      bool found = false;
      for (auto& existing : merged)
        if (existing["id"] == f["id"]) {
          existing["value"] = f.value("value", json());
          found = true;
        }
      if (!found) merged.push_back({{"id", f["id"]}, {"value", f.value("value", json())}});
    }
    ticket["custom_fields"] = merged;
  }
  if (in.contains("status")) {
    ticket["status"] = in["status"];
  } else if (ticket.value("status", "new") == "new" && ticket.contains("assignee_id")) {
    ticket["status"] = "open";
  }
  return std::nullopt;
}

Response ZendeskEmulator::create_ticket(const Request& request, const User& user,
                                        const std::string& base_url) {
  auto key = request.header("idempotency-key");
  if (key && key->size() > 255)
    return error(400, "InvalidValue", "Idempotency-Key is longer than 255 characters");
  auto now = clock().now();
  if (key) {
    auto it = idempotency_.find(*key);
    if (it != idempotency_.end() && it->second.expires <= now) {
      idempotency_.erase(it);
      it = idempotency_.end();
    }
    if (it != idempotency_.end()) {
      if (it->second.body != request.body)
        return error(400, "IdempotentRequestError",
                     "Idempotency-Key was already used with a different request body");
      auto t = tickets_.find(it->second.ticket_id);
      if (t == tickets_.end()) return not_found();
      return Response::json(201, {{"ticket", t->second}})
          .with_header("Location",
                       base_url + "/api/v2/tickets/" + std::to_string(t->first) + ".json")
          .with_header("x-idempotency-lookup", "hit")
          .as_replay();
    }
  }
  auto body = request.json();
  if (!body || !body->is_object() || !body->contains("ticket") || !(*body)["ticket"].is_object())
    return error(400, "InvalidJSON", "The request body must be {\"ticket\": {...}}");
  const json& in = (*body)["ticket"];
  std::int64_t id = next_ticket_id_;
  std::string created = iso(clock().unix_seconds());
  json ticket = {
      {"id", id},
      {"url", base_url + "/api/v2/tickets/" + std::to_string(id) + ".json"},
      {"type", nullptr},
      {"subject", ""},
      {"raw_subject", ""},
      {"description", ""},
      {"priority", nullptr},
      {"status", "new"},
      {"requester_id", user.id},
      {"submitter_id", user.id},
      {"tags", json::array()},
      {"custom_fields", json::array()},
      {"collaborator_ids", json::array()},
      {"follower_ids", json::array()},
      {"email_cc_ids", json::array()},
      {"due_at", nullptr},
      {"is_public", false},
      {"has_incidents", false},
      {"allow_channelback", false},
      {"allow_attachments", true},
      {"via",
       {{"channel", "api"},
        {"source", {{"from", json::object()}, {"to", json::object()}, {"rel", nullptr}}}}},
      {"created_at", created},
      {"updated_at", created}};
  if (auto problem = apply_fields(ticket, in, true)) return *problem;
  ++next_ticket_id_;
  add_comment(ticket, in["comment"], user.id);
  ticket["description"] = comments_[id].front()["body"];
  tickets_[id] = ticket;
  if (key) idempotency_[*key] = {request.body, id, now + idempotency_ttl_};
  Response r = Response::json(201, {{"ticket", ticket},
                                    {"audit",
                                     {{"id", next_audit_id_++},
                                      {"ticket_id", id},
                                      {"author_id", user.id},
                                      {"created_at", created},
                                      {"events", json::array()}}}});
  r.with_header("Location", base_url + "/api/v2/tickets/" + std::to_string(id) + ".json");
  if (key) r.with_header("x-idempotency-lookup", "miss");
  return r;
}

Response ZendeskEmulator::update_ticket(std::int64_t id, const Request& request, const User& user) {
  auto it = tickets_.find(id);
  if (it == tickets_.end()) return not_found();
  auto body = request.json();
  if (!body || !body->is_object() || !body->contains("ticket") || !(*body)["ticket"].is_object())
    return error(400, "InvalidJSON", "The request body must be {\"ticket\": {...}}");
  const json& in = (*body)["ticket"];
  json& ticket = it->second;
  if (ticket["status"] == "closed")
    return invalid("status", "Status: closed prevents ticket update", "ClosedPreventsUpdate");
  if (in.contains("safe_update") && in["safe_update"] == true) {
    // Optimistic concurrency (API-NOTES 2.4): the caller's stamp must be the ticket's updated_at.
    auto stamp = in.contains("updated_stamp") && in["updated_stamp"].is_string()
                     ? parse_iso(in["updated_stamp"].get<std::string>())
                     : std::nullopt;
    if (!stamp || *stamp != parse_iso(ticket["updated_at"].get<std::string>()))
      return error(409, "UpdateConflict",
                   "Safe Update prevented the update due to outdated ticket data. Please fetch the "
                   "latest ticket data "
                   "and try again.");
  }
  json updated = ticket;
  if (auto problem = apply_fields(updated, in, false)) return *problem;
  // Solving needs an assignee; like the agent interface, the solving agent takes the ticket.
  if ((updated["status"] == "solved" || updated["status"] == "closed") &&
      !updated.contains("assignee_id"))
    updated["assignee_id"] = user.id;
  touch(updated);
  if (in.contains("comment")) add_comment(updated, in["comment"], user.id);
  ticket = updated;
  return Response::json(200, {{"ticket", ticket},
                              {"audit",
                               {{"id", next_audit_id_++},
                                {"ticket_id", id},
                                {"author_id", user.id},
                                {"created_at", ticket["updated_at"]},
                                {"events", json::array()}}}});
}

Response ZendeskEmulator::show_many(const Request& request) {
  auto ids = split(request.param("ids").value_or(""), ',');
  if (ids.empty())
    return error(400, "InvalidValue", "ids: give a comma-separated list of ticket ids");
  if (ids.size() > 100)
    return error(400, "InvalidValue", "ids: at most 100 ticket ids per request");
  json tickets = json::array();
  for (const auto& part : ids)
    if (auto id = parse_id(part))
      if (auto it = tickets_.find(*id); it != tickets_.end()) tickets.push_back(it->second);
  return Response::json(200, {{"tickets", tickets}});
}

Response ZendeskEmulator::list_tickets(const Request& request) {
  auto external_id = request.param("external_id");
  json tickets = json::array();
  for (const auto& [id, t] : tickets_) {
    if (external_id && t.value("external_id", json()) != json(*external_id)) continue;
    tickets.push_back(t);
    if (tickets.size() >= 100) break;  // one page; our lookups match a handful at most
  }
  return Response::json(200, {{"tickets", tickets},
                              {"next_page", nullptr},
                              {"previous_page", nullptr},
                              {"count", tickets.size()}});
}

Response ZendeskEmulator::list_comments(std::int64_t id, const Request& request) {
  if (!tickets_.count(id)) return not_found();
  json comments = json::array();
  for (const auto& c : comments_[id]) comments.push_back(c);
  auto sort = request.param("sort").value_or(request.param("sort_order").value_or(""));
  if (sort == "-created_at" || sort == "desc") std::reverse(comments.begin(), comments.end());
  return Response::json(200, {{"comments", comments},
                              {"next_page", nullptr},
                              {"previous_page", nullptr},
                              {"count", comments.size()}});
}

Response ZendeskEmulator::incremental_export(const Request& request, const std::string& base_url) {
  // Position = (updated unix seconds, ticket id) of the last ticket returned; cursor text
  // "<secs>.<id>".
  std::int64_t from_secs = 0, from_id = -1;
  if (auto cursor = request.param("cursor")) {
    auto dot = cursor->find('.');
    auto secs = parse_id(cursor->substr(0, dot));
    auto id = dot == std::string::npos ? std::nullopt : parse_id(cursor->substr(dot + 1));
    if (!secs || !id) return error(400, "InvalidCursor", "The cursor is not valid");
    from_secs = *secs;
    from_id = *id;
  } else if (auto start = request.param("start_time")) {
    auto secs = parse_id(*start);
    if (!secs) return error(400, "InvalidValue", "start_time must be a Unix epoch time in seconds");
    if (*secs > clock().unix_seconds() - 60)
      return error(400, "InvalidValue",
                   "Too recent start_time. Use a start_time older than 1 minute");
    from_secs = *secs;
  } else {
    return error(400, "InvalidValue", "start_time or cursor is required");
  }
  int per_page = 1000;
  if (auto pp = request.param("per_page"); pp && parse_id(*pp))
    per_page = static_cast<int>(std::clamp<std::int64_t>(*parse_id(*pp), 1, 1000));
  std::vector<std::pair<std::pair<std::int64_t, std::int64_t>, json>> changed;
  for (const auto& [id, t] : tickets_) {
    std::int64_t secs = parse_iso(t["updated_at"].get<std::string>()).value_or(0);
    if (std::make_pair(secs, id) > std::make_pair(from_secs, from_id))
      changed.push_back({{secs, id}, t});
  }
  for (const auto& [id, secs] : deleted_at_)
    if (std::make_pair(secs, id) > std::make_pair(from_secs, from_id))
      changed.push_back(
          {{secs, id},
           json{
               {"id", id}, {"status", "deleted"}, {"requester_id", 0}, {"updated_at", iso(secs)}}});
  std::sort(changed.begin(), changed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  json tickets = json::array();
  auto last = std::make_pair(from_secs, from_id);
  for (std::size_t i = 0; i < changed.size() && static_cast<int>(i) < per_page; ++i) {
    tickets.push_back(changed[i].second);
    last = changed[i].first;
  }
  bool end = static_cast<int>(changed.size()) <= per_page;
  std::string after = std::to_string(last.first) + "." + std::to_string(last.second);
  return Response::json(
      200, {{"tickets", tickets},
            {"after_cursor", after},
            {"after_url", base_url + "/api/v2/incremental/tickets/cursor.json?cursor=" + after},
            {"before_cursor", nullptr},
            {"before_url", nullptr},
            {"end_of_stream", end}});
}

std::optional<Response> ZendeskEmulator::control(const Request& request) {
  if (request.path == "/_sandbox/tickets" && request.method == "GET") {
    json all = json::array();
    for (const auto& [id, t] : tickets_) {
      json copy = t;
      copy["comments"] = comments_[id];
      all.push_back(copy);
    }
    return Response::json(200, {{"tickets", all}});
  }
  if (request.path == "/_sandbox/tickets/seed" && request.method == "POST") {
    auto body = request.json();
    if (!body || !body->contains("count") || !(*body)["count"].is_number_integer() ||
        (*body)["count"] < 0 || (*body)["count"] > 100000)
      return Response::json(400, {{"error", "count: an integer 0..100000"}});
    auto ids = seed_tickets((*body)["count"].get<int>(), "");
    return Response::json(201, {{"ids", ids}});
  }
  if (request.path == "/_sandbox/idempotency/expire" && request.method == "POST") {
    expire_idempotency_keys();
    return Response::json(200, {{"ok", true}});
  }
  return std::nullopt;
}

std::vector<json> ZendeskEmulator::tickets_with_external_id(const std::string& external_id) const {
  std::vector<json> out;
  for (const auto& [id, t] : tickets_)
    if (t.value("external_id", json()) == json(external_id)) out.push_back(t);
  return out;
}

const json* ZendeskEmulator::ticket(std::int64_t id) const {
  auto it = tickets_.find(id);
  return it == tickets_.end() ? nullptr : &it->second;
}

std::vector<json> ZendeskEmulator::comments(std::int64_t id) const {
  auto it = comments_.find(id);
  return it == comments_.end() ? std::vector<json>{} : it->second;
}

std::vector<std::int64_t> ZendeskEmulator::seed_tickets(int count, const std::string& base_url) {
  std::vector<std::int64_t> ids;
  std::string now = iso(clock().unix_seconds());
  for (int i = 0; i < count; ++i) {
    std::int64_t id = next_ticket_id_++;
    std::string key = "SEED-" + std::to_string(id) + "-1";
    json t = {{"id", id},
              {"url", base_url + "/api/v2/tickets/" + std::to_string(id) + ".json"},
              {"external_id", key},
              {"type", "task"},
              {"subject", "Seeded dispute task " + std::to_string(id)},
              {"raw_subject", "Seeded dispute task " + std::to_string(id)},
              {"description", "seeded"},
              {"priority", "normal"},
              {"status", "open"},
              {"requester_id", users_.front().id},
              {"submitter_id", users_.front().id},
              {"assignee_id", users_.front().id},
              {"tags", json::array({"invoice_dispute"})},
              {"custom_fields", json::array()},
              {"due_at", nullptr},
              {"created_at", now},
              {"updated_at", now}};
    tickets_[id] = t;
    comments_[id].push_back({{"id", next_comment_id_++},
                             {"type", "Comment"},
                             {"author_id", users_.front().id},
                             {"body", "seeded"},
                             {"html_body", "seeded"},
                             {"plain_body", "seeded"},
                             {"public", false},
                             {"attachments", json::array()},
                             {"audit_id", 0},
                             {"created_at", now}});
    ids.push_back(id);
  }
  return ids;
}

void ZendeskEmulator::solve(std::int64_t id, const std::string& agent_email, std::int64_t field_id,
                            const std::string& value, const std::string& comment) {
  auto it = tickets_.find(id);
  if (it == tickets_.end()) return;
  const User* agent = &users_.front();
  for (const auto& u : users_)
    if (u.email == lower(agent_email)) agent = &u;
  json in = {{"status", "solved"},
             {"custom_fields", json::array({{{"id", field_id}, {"value", value}}})}};
  if (!comment.empty()) in["comment"] = {{"body", comment}, {"public", false}};
  json updated = it->second;
  if (apply_fields(updated, in, false)) return;
  if (!updated.contains("assignee_id")) updated["assignee_id"] = agent->id;
  touch(updated);
  if (!comment.empty()) add_comment(updated, in["comment"], agent->id);
  it->second = updated;
}

}  // namespace zendesk
}  // namespace disputed::sandbox
