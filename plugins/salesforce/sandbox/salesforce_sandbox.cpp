#include "plugins/salesforce/sandbox/salesforce_sandbox.hpp"

#include <algorithm>
#include <cstdio>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "disputed/sdk/kit/codecs.hpp"
#include "disputed/sdk/kit/time.hpp"
#include "plugins/salesforce/sandbox/soql.hpp"

namespace disputed::sandbox {

std::unique_ptr<Emulator> make_salesforce_sandbox(const Options& options) {
  return std::make_unique<salesforce::SalesforceEmulator>(options);
}

DISPUTED_REGISTER_SANDBOX("salesforce", make_salesforce_sandbox);

namespace salesforce {
namespace {

using nlohmann::json;

const std::vector<std::string> kTaskStandard = {"Id",
                                                "Subject",
                                                "Status",
                                                "Priority",
                                                "ActivityDate",
                                                "OwnerId",
                                                "WhatId",
                                                "WhoId",
                                                "Description",
                                                "IsReminderSet",
                                                "ReminderDateTime",
                                                "IsClosed",
                                                "IsDeleted",
                                                "CompletedDateTime",
                                                "CreatedDate",
                                                "CreatedById",
                                                "LastModifiedDate",
                                                "LastModifiedById",
                                                "SystemModstamp"};
const std::set<std::string> kReadOnly = {
    "Id",          "IsClosed",         "IsDeleted",        "CompletedDateTime", "CreatedDate",
    "CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp"};
const std::set<std::string> kDateTimeFields = {"CompletedDateTime", "CreatedDate",
                                               "LastModifiedDate", "SystemModstamp"};
const std::vector<std::string> kStatuses = {
    "Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred", "Cancelled"};
const std::vector<std::string> kPriorities = {"High", "Normal", "Low"};

json error_list(const std::string& code, const std::string& message,
                const std::vector<std::string>& fields = {}) {
  json e = {{"message", message}, {"errorCode", code}};
  if (!fields.empty()) e["fields"] = fields;
  return json::array({e});
}

Response errors(int status, const std::string& code, const std::string& message,
                const std::vector<std::string>& fields = {}) {
  return Response::json(status, error_list(code, message, fields));
}

// sObject Collections answer per record. Its errors carry the code as `statusCode`
// (Salesforce's name) and as `errorCode` (what the API description's ApiError requires).
json collection_error(const std::string& code, const std::string& message,
                      json fields = json::array()) {
  return {{"statusCode", code}, {"errorCode", code}, {"message", message}, {"fields", fields}};
}
json record_failed(json errors) { return {{"success", false}, {"errors", std::move(errors)}}; }
json record_failed(const std::string& code, const std::string& message,
                   json fields = json::array()) {
  return record_failed(json::array({collection_error(code, message, std::move(fields))}));
}

// allOrNone: a record that failed undoes the request; the ones that succeeded say so.
void roll_back(json& results) {
  for (auto& r : results)
    if (r["success"].get<bool>())
      r = record_failed("ALL_OR_NONE_OPERATION_ROLLED_BACK",
                        "Record rolled back because not all records were valid and the request "
                        "was using AllOrNone header");
}

// The records of a Collections write, or why the request is refused as a whole.
std::optional<Response> refused_records(const std::optional<json>& body) {
  if (!body || !body->is_object() || !body->contains("records") || !(*body)["records"].is_array())
    return errors(400, "JSON_PARSER_ERROR", "records: expected an array");
  const json& records = (*body)["records"];
  if (records.empty() || records.size() > 200)
    return errors(400, "EXCEEDED_ID_LIMIT",
                  "record limit reached. cannot submit more than 200 records into this call");
  return std::nullopt;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, sep)) {
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

using ::disputed::sdk::kit::lower;

// JWT segments are base64url without padding.
std::string base64url_decode(const std::string& in) {
  return ::disputed::sdk::kit::base64url_decode(in).value_or("");
}

bool valid_date(const std::string& s) {
  static const std::regex re("^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$");
  return std::regex_match(s, re);
}

bool looks_like_id(const std::string& s) {
  static const std::regex re("^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$");
  return std::regex_match(s, re);
}

// Compares a stored value with a SOQL literal; nullopt when the types do not fit.
std::optional<int> compare(const json& value, const SoqlLiteral& lit, bool datetime_field) {
  if (lit.kind == SoqlLiteral::Kind::kNull) return value.is_null() ? 0 : 1;
  if (value.is_null()) return std::nullopt;  // null compares false with anything but null
  if (datetime_field) {
    if (lit.kind != SoqlLiteral::Kind::kDateTime) return std::nullopt;
    auto v = parse_datetime_ms(value.get<std::string>());
    if (!v) return std::nullopt;
    return *v < lit.millis ? -1 : *v > lit.millis ? 1 : 0;
  }
  if (value.is_boolean()) {
    if (lit.kind != SoqlLiteral::Kind::kBool) return std::nullopt;
    return value.get<bool>() == lit.boolean ? 0 : 1;
  }
  if (value.is_string()) {
    std::string a = lower(value.get<std::string>()), b = lower(lit.text);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return std::nullopt;
}

}  // namespace

SalesforceEmulator::SalesforceEmulator(const Options& options) {
  static const std::set<std::string> known = {
      "client_id",    "client_secret",        "session_seconds",
      "daily_limit",  "min_version",          "max_version",
      "instance_url", "query_batch_size",     "external_id_field",
      "task_fields",  "account_number_field", "closed_statuses",
      "users"};
  for (const auto& [key, value] : options)
    if (!known.count(key)) throw std::invalid_argument(key + ": unknown salesforce sandbox option");
  auto get = [&](const std::string& key, const std::string& fallback) {
    auto it = options.find(key);
    return it == options.end() ? fallback : it->second;
  };
  auto number = [&](const std::string& key, long long fallback, long long min, long long max) {
    auto it = options.find(key);
    if (it == options.end()) return fallback;
    try {
      long long v = std::stoll(it->second);
      if (v < min || v > max) throw std::invalid_argument("range");
      return v;
    } catch (const std::exception&) {
      throw std::invalid_argument(key + ": expected a number from " + std::to_string(min) + " to " +
                                  std::to_string(max) + ", got '" + it->second + "'");
    }
  };
  client_id_ = get("client_id", "sandbox-client");
  client_secret_ = get("client_secret", "sandbox-secret");
  session_ms_ = number("session_seconds", 7200, 1, 86400 * 30) * 1000;
  daily_limit_ = number("daily_limit", 15000, 0, 100000000);
  min_version_ = static_cast<int>(number("min_version", 55, 20, 99));
  max_version_ = static_cast<int>(number("max_version", 66, min_version_, 99));
  instance_url_ = get("instance_url", "");
  batch_size_ = static_cast<std::size_t>(number("query_batch_size", 2000, 1, 2000));
  ext_field_ = get("external_id_field", "Dispute_Action_Id__c");
  account_number_field_ = get("account_number_field", "Customer_Number__c");
  task_custom_fields_ = {ext_field_};
  for (const auto& f : split(get("task_fields", "Dispute_Outcome__c"), ','))
    if (f != ext_field_) task_custom_fields_.push_back(f);
  for (const auto& s : split(get("closed_statuses", "Completed,Cancelled"), ','))
    closed_statuses_.insert(s);
  seeded_users_ = split(get("users", "rep@example.com,manager@example.com"), ',');
  build_routes();
  seed();
}

void SalesforceEmulator::seed() {
  objects_ = {{"Task", {}}, {"Account", {}}, {"User", {}}};
  sessions_.clear();
  cursors_.clear();
  api_used_ = 0;
  api_max_ = daily_limit_;
  next_id_ = 1;
  stall_times_ = 0;
  auto add_user = [&](const std::string& email, const std::string& name, bool active = true) {
    json u = {{"Id", new_id("005")},
              {"Email", email},
              {"Username", email},
              {"Name", name},
              {"IsActive", active}};
    objects_["User"].push_back(u);
    return u["Id"].get<std::string>();
  };
  integration_user_ = add_user("integration@example.com", "Disputed Integration");
  std::vector<std::string> people;
  for (const auto& email : seeded_users_) {
    std::string name = email.substr(0, email.find('@'));
    if (!name.empty())
      name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
    people.push_back(add_user(email, name));
  }
  add_user("former@example.com", "Former Employee", false);
  std::string rep = people.empty() ? integration_user_ : people[0];
  std::string manager = people.size() > 1 ? people[1] : rep;
  long long created = now_ms();
  auto add_account = [&](const std::string& name, const std::string& number,
                         const std::string& owner) {
    objects_["Account"].push_back({{"Id", new_id("001")},
                                   {"Name", name},
                                   {account_number_field_, number},
                                   {"OwnerId", owner},
                                   {"SystemModstamp", format_datetime_ms(created)}});
  };
  // The demo ledger's customers (configs/examples/invoices.csv), alternately owned by the two reps.
  const char* names[] = {"Bakkerij de Vries B.V.",    "Hoogland Installatietechniek",
                         "Nordic Office Supplies AB", "Café Het Anker",
                         "Brouwer Logistics",         "Groen & Zn. Hoveniers",
                         "Müller Maschinenbau GmbH",  "Atelier Lumière SARL"};
  for (int i = 0; i < 8; ++i)
    add_account(names[i], "C-100" + std::to_string(i + 1), i % 2 == 0 ? rep : manager);
}

void SalesforceEmulator::reset() { seed(); }

long long SalesforceEmulator::now_ms() const { return clock().now().time_since_epoch().count(); }

long long SalesforceEmulator::stamp() {
  last_stamp_ = std::max(now_ms(), last_stamp_ + 1);
  return last_stamp_;
}

std::string SalesforceEmulator::new_id(const std::string& prefix) {
  char digits[16];
  std::snprintf(digits, sizeof digits, "%012d", next_id_++);
  return prefix + digits + "AAA";
}

std::string SalesforceEmulator::user_id(const std::string& email) const {
  for (const auto& u : objects_.at("User"))
    if (lower(u["Email"].get<std::string>()) == lower(email)) return u["Id"];
  return {};
}

std::string SalesforceEmulator::session_for(const std::string& email, const std::string& base_url) {
  (void)base_url;
  std::string id = user_id(email);
  if (id.empty()) return {};
  return sessions_.issue(id, std::chrono::milliseconds(session_ms_), clock().now(),
                         "00D000000000001!AQ");
}

void SalesforceEmulator::backdate(const std::string& task_id, std::chrono::seconds by) {
  if (json* t = find("Task", task_id))
    if (auto ms = parse_datetime_ms((*t)["SystemModstamp"].get<std::string>()))
      (*t)["SystemModstamp"] = format_datetime_ms(*ms - by.count() * 1000);
}

std::vector<json> SalesforceEmulator::tasks_with_key(const std::string& key) const {
  std::vector<json> out;
  for (const auto& t : objects_.at("Task"))
    if (t.value(ext_field_, json()) == key) out.push_back(t);
  return out;
}

json* SalesforceEmulator::find(const std::string& type, const std::string& id) {
  auto it = objects_.find(type);
  if (it == objects_.end()) return nullptr;
  // Ids are case-insensitive in their 18-character form; the 15-character form is a prefix.
  for (auto& r : it->second) {
    const std::string& rid = r["Id"].get_ref<const std::string&>();
    if (rid == id || (id.size() == 15 && rid.compare(0, 15, id) == 0)) return &r;
  }
  return nullptr;
}

std::vector<json*> SalesforceEmulator::find_by(const std::string& type, const std::string& field,
                                               const std::string& value) {
  std::vector<json*> out;
  for (auto& r : objects_[type]) {  // no copy per record: bulk upserts scan every Task
    auto it = r.find(field);
    if (it != r.end() && it->is_string() && it->get_ref<const std::string&>() == value)
      out.push_back(&r);
  }
  return out;
}

bool SalesforceEmulator::is_field(const std::string& type, const std::string& field) const {
  if (type == "Task")
    return std::find(kTaskStandard.begin(), kTaskStandard.end(), field) != kTaskStandard.end() ||
           std::find(task_custom_fields_.begin(), task_custom_fields_.end(), field) !=
               task_custom_fields_.end();
  if (type == "User")
    return field == "Id" || field == "Email" || field == "Username" || field == "Name" ||
           field == "IsActive";
  if (type == "Account")
    return field == "Id" || field == "Name" || field == "OwnerId" ||
           field == account_number_field_ || field == "SystemModstamp";
  return false;
}

Response SalesforceEmulator::limited(Response r) const {
  r.with_header("Sforce-Limit-Info",
                "api-usage=" + std::to_string(api_used_) + "/" + std::to_string(api_max_));
  return r;
}

Response SalesforceEmulator::fault_response(int status, const Request&) {
  Response r;
  switch (status) {
    case 400:
      r = errors(400, "STRING_TOO_LONG", "Subject: data value too large (injected fault)",
                 {"Subject"});
      break;
    case 401:
      r = errors(401, "INVALID_SESSION_ID", "Session expired or invalid");
      break;
    case 403:
    case 429:
      r = errors(status, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
      break;
    case 404:
      r = errors(404, "NOT_FOUND", "The requested resource does not exist");
      break;
    case 503:
      r = errors(503, "SERVER_UNAVAILABLE", "Server is temporarily unavailable (injected fault)");
      break;
    default:
      r = errors(status, "UNKNOWN_EXCEPTION", "An unexpected error occurred (injected fault)");
  }
  return limited(r);
}

// ---------------------------------------------------------------------------------------------
// Routing

Response SalesforceEmulator::handle(const Request& request, const std::string& base_url) {
  const std::string instance_url = instance_url_.empty() ? base_url : instance_url_;
  if (request.path == "/services/oauth2/token") {
    if (request.method != "POST") return Response::json(405, {{"error", "invalid_request"}});
    return token(request, instance_url);
  }
  if (request.path == "/services/data" || request.path == "/services/data/") {
    if (request.method != "GET")
      return errors(405, "METHOD_NOT_ALLOWED",
                    "HTTP Method '" + request.method + "' not allowed. Allowed are GET");
    return versions();
  }
  // Bounded before std::regex, which recurses once per character of "(/.*)".
  static const std::regex versioned("^/services/data/v([0-9]{1,4})\\.0(/.*)?$");
  std::smatch m;
  if (request.path.size() > 4096 || !std::regex_match(request.path, m, versioned))
    return errors(404, "NOT_FOUND", "The requested resource does not exist");
  int number = std::stoi(m[1].str());
  std::string version = "v" + m[1].str() + ".0";
  std::string rest_path = m[2].str();

  // Authentication first (Salesforce answers 401 before it looks at the version).
  std::string auth = request.header("authorization").value_or("");
  auto session_user = sessions_.bearer(request, clock().now());
  if (!session_user) return errors(401, "INVALID_SESSION_ID", "Session expired or invalid");
  if (number < min_version_ || number > max_version_)
    return errors(404, "NOT_FOUND", "The requested resource does not exist");
  if (api_used_ >= api_max_)
    return limited(errors(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."));
  ++api_used_;
  Response answer = limited(rest(request, version, rest_path, *session_user));
  if (request.method != "GET" && stall_times_ > 0 && answer.status < 300) {
    --stall_times_;
    std::this_thread::sleep_for(std::chrono::milliseconds(stall_ms_));
  }
  return answer;
}

Response SalesforceEmulator::token(const Request& request, const std::string& instance_url) {
  auto form = TokenEndpoint::form(request);
  std::string grant = form["grant_type"];
  std::string user;
  if (grant == "client_credentials") {
    auto [id, secret] = TokenEndpoint::client(request, form);
    if (id != client_id_ || secret != client_secret_)
      return Response::json(
          400, {{"error", "invalid_client"}, {"error_description", "invalid client credentials"}});
    user = integration_user_;
  } else if (grant == "urn:ietf:params:oauth:grant-type:jwt-bearer") {
    // The sandbox reads the claims but does not verify the signature (it holds no certificate).
    auto parts = split(form["assertion"], '.');
    json claims =
        parts.size() == 3 ? json::parse(base64url_decode(parts[1]), nullptr, false) : json();
    if (!claims.is_object() || claims.value("iss", "") != client_id_)
      return Response::json(400, {{"error", "invalid_client_id"},
                                  {"error_description", "client identifier invalid"}});
    if (!claims.contains("exp") || !claims["exp"].is_number() ||
        claims["exp"].get<long long>() * 1000 < now_ms())
      return Response::json(
          400, {{"error", "invalid_grant"}, {"error_description", "expired authorization code"}});
    user = user_id(claims.value("sub", ""));
    if (user.empty())
      return Response::json(400, {{"error", "invalid_grant"},
                                  {"error_description", "user hasn't approved this consumer"}});
  } else {
    return Response::json(400, {{"error", "unsupported_grant_type"},
                                {"error_description", "grant type not supported"}});
  }
  std::string token = sessions_.issue(user, std::chrono::milliseconds(session_ms_), clock().now(),
                                      "00D000000000001!AQ");
  return Response::json(200, {{"access_token", token},
                              {"instance_url", instance_url},
                              {"id", instance_url + "/id/00D000000000001AAA/" + user},
                              {"token_type", "Bearer"},
                              {"issued_at", std::to_string(now_ms())},
                              {"signature", "c2FuZGJveC1zaWduYXR1cmU="}});
}

Response SalesforceEmulator::versions() const {
  json list = json::array();
  for (int v = min_version_; v <= max_version_; ++v) {
    std::string n = std::to_string(v) + ".0";
    list.push_back({{"label", "Release " + n}, {"url", "/services/data/v" + n}, {"version", n}});
  }
  return Response::json(200, list);
}

Response SalesforceEmulator::rest(const Request& request, const std::string& version,
                                  const std::string& path, const std::string& user_id) {
  Request at = request;  // routed on the path below /services/data/<version>
  at.path = path.empty() ? "/" : path;
  version_ = version;
  user_id_ = user_id;
  if (auto answer = api_.route(at)) return *answer;
  return errors(404, "NOT_FOUND", "The requested resource does not exist");
}

namespace {
Response not_found() { return errors(404, "NOT_FOUND", "The requested resource does not exist"); }
Response bad_json() {
  return errors(400, "JSON_PARSER_ERROR", "Unexpected character: was expecting a JSON object");
}
bool known_type(const std::string& type) {
  return type == "Task" || type == "Account" || type == "User";
}
}  // namespace

void SalesforceEmulator::build_routes() {
  using P = Router::Params;
  api_.not_allowed = [](const Request&) { return not_found(); };
  api_.on("GET", "/", [this](const Request&, const P&) {
    return Response::json(200, {{"sobjects", "/services/data/" + version_ + "/sobjects"},
                                {"query", "/services/data/" + version_ + "/query"}});
  });
  api_.on("GET", "/limits", [this](const Request&, const P&) {
    return Response::json(
        200, {{"DailyApiRequests",
               {{"Max", api_max_}, {"Remaining", std::max(0LL, api_max_ - api_used_)}}}});
  });
  api_.on("GET", "/query", [this](const Request& r, const P&) { return query(r, version_); });
  api_.on("GET", "/query/{locator}",
          [this](const Request&, const P& p) { return query_more(version_, p.at("locator")); });
  for (const char* method : {"GET", "POST", "PATCH", "DELETE"})
    for (const char* pattern : {"/composite/sobjects", "/composite/sobjects/{type}",
                                "/composite/sobjects/{type}/{field}"})
      api_.on(method, pattern, [this](const Request& r, const P&) {
        return collections(r, version_, Router::segments(r.path), user_id_);
      });
  api_.on("GET", "/sobjects/{type}/describe", [this](const Request&, const P& p) {
    return p.at("type") == "Task" ? describe_task(version_) : not_found();
  });
  api_.on("POST", "/sobjects/{type}",
          [this](const Request& r, const P& p) { return create_record(r, p.at("type")); });
  for (const char* method : {"GET", "PATCH", "DELETE", "PUT", "POST"})
    api_.on(method, "/sobjects/{type}/{id}",
            [this](const Request& r, const P& p) { return record(r, p.at("type"), p.at("id")); });
  for (const char* method : {"GET", "PATCH"})
    api_.on(method, "/sobjects/{type}/{field}/{value}", [this](const Request& r, const P& p) {
      if (p.at("type") != "Task") return not_found();
      return upsert(r, p.at("field"), p.at("value"));
    });
}

json SalesforceEmulator::write(const std::string& type, json& record, const json& body, bool insert,
                               const std::string& except) {
  return type == "Task" ? write_task(record, body, insert, user_id_, except)
                        : write_account(record, body, insert, user_id_);
}

Response SalesforceEmulator::create_record(const Request& request, const std::string& type) {
  if (!known_type(type)) return not_found();
  if (type == "User") return errors(400, "INVALID_TYPE", "Users are seeded in the sandbox");
  auto body = request.json();
  if (!body || !body->is_object()) return bad_json();
  json record = {{"Id", new_id(type == "Task" ? "00T" : "001")}};
  json errs = write(type, record, *body, true, "");
  if (!errs.is_null()) return Response::json(400, errs);
  objects_[type].push_back(record);
  return Response::json(201, {{"id", record["Id"]}, {"success", true}, {"errors", json::array()}});
}

Response SalesforceEmulator::record(const Request& request, const std::string& type,
                                    const std::string& id) {
  if (!known_type(type)) return not_found();
  json* record = find(type, id);
  if (!record) return not_found();
  const std::string& method = request.method;
  if (method == "GET") {
    std::vector<std::string> fields;
    if (auto f = request.param("fields")) {
      for (const auto& name : split(*f, ','))
        if (!is_field(type, name))
          return errors(400, "INVALID_FIELD",
                        "No such column '" + name + "' on sobject of type " + type);
        else
          fields.push_back(name);
    }
    if (fields.empty())
      for (const auto& [k, _] : record->items()) fields.push_back(k);
    return Response::json(200, project(type, *record, fields, version_));
  }
  if (method == "PATCH") {
    if (type == "User") return errors(400, "INVALID_TYPE", "Users are seeded in the sandbox");
    auto body = request.json();
    if (!body || !body->is_object()) return bad_json();
    json copy = *record;
    json errs = write(type, copy, *body, false, copy["Id"]);
    if (!errs.is_null()) return Response::json(400, errs);
    *record = copy;
    return Response::empty(204);
  }
  if (method == "DELETE") {
    auto& list = objects_[type];
    std::string record_id = (*record)["Id"];
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](const json& r) { return r["Id"] == record_id; }),
               list.end());
    return Response::empty(204);
  }
  return errors(405, "METHOD_NOT_ALLOWED",
                "HTTP Method '" + method + "' not allowed. Allowed are GET,PATCH,DELETE");
}

Response SalesforceEmulator::upsert(const Request& request, const std::string& field,
                                    const std::string& value) {
  const std::string& method = request.method;
  auto body = request.json();
  if (field != ext_field_)
    return errors(404, "NOT_FOUND",
                  "Provided external ID field does not exist or is not accessible: " + field);
  auto matches = find_by("Task", field, value);
  if (matches.size() > 1) {
    json urls = json::array();
    for (auto* r : matches)
      urls.push_back("/services/data/" + version_ + "/sobjects/Task/" +
                     (*r)["Id"].get<std::string>());
    return Response::json(300, urls);
  }
  if (method == "GET") {
    if (matches.empty()) return not_found();
    std::vector<std::string> fields;
    for (const auto& [k, _] : matches[0]->items()) fields.push_back(k);
    return Response::json(200, project("Task", *matches[0], fields, version_));
  }
  if (method == "PATCH") {
    if (!body || !body->is_object()) return bad_json();
    if (body->contains("Id") || body->contains(field))
      return errors(
          400, "INVALID_FIELD",
          "The external ID field and Id cannot be set in the body of an upsert by external ID",
          {field});
    if (matches.empty()) {
      if (request.param("updateOnly").value_or("") == "true") return not_found();
      json record = {{"Id", new_id("00T")}};
      json with_key = *body;
      with_key[field] = value;
      json errs = write_task(record, with_key, true, user_id_, "");
      if (!errs.is_null()) return Response::json(400, errs);
      objects_["Task"].push_back(record);
      return Response::json(
          201,
          {{"id", record["Id"]}, {"success", true}, {"errors", json::array()}, {"created", true}});
    }
    json copy = *matches[0];
    json errs = write_task(copy, *body, false, user_id_, copy["Id"]);
    if (!errs.is_null()) return Response::json(400, errs);
    *matches[0] = copy;
    return Response::json(
        200,
        {{"id", copy["Id"]}, {"success", true}, {"errors", json::array()}, {"created", false}});
  }
  return not_found();
}

json SalesforceEmulator::write_account(json& record, const json& body, bool insert,
                                       const std::string& user_id) {
  for (const auto& [key, value] : body.items()) {
    if (key == "attributes") continue;
    if (!is_field("Account", key))
      return error_list("INVALID_FIELD", "No such column '" + key + "' on sobject of type Account",
                        {key});
    if (key == "Id" || key == "SystemModstamp")
      return error_list("INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: " + key,
                        {key});
    if (!value.is_string() && !value.is_null())
      return error_list("INVALID_TYPE_ON_FIELD_IN_RECORD", key + ": value not of required type",
                        {key});
    record[key] = value;
  }
  if (insert && (!record.contains("Name") || !record["Name"].is_string()))
    return error_list("REQUIRED_FIELD_MISSING", "Required fields are missing: [Name]", {"Name"});
  if (insert && !record.contains("OwnerId")) record["OwnerId"] = user_id;
  record["SystemModstamp"] = format_datetime_ms(stamp());
  return nullptr;
}

json SalesforceEmulator::write_task(json& record, const json& body, bool insert,
                                    const std::string& user_id, const std::string& except_id) {
  auto in = [](const std::vector<std::string>& list, const std::string& v) {
    return std::find(list.begin(), list.end(), v) != list.end();
  };
  for (const auto& [key, value] : body.items()) {
    if (key == "attributes") continue;
    if (!is_field("Task", key))
      return error_list("INVALID_FIELD", "No such column '" + key + "' on sobject of type Task",
                        {key});
    if (kReadOnly.count(key))
      return error_list("INVALID_FIELD_FOR_INSERT_UPDATE",
                        "Unable to create/update fields: " + key +
                            ". Please check the security settings of this field.",
                        {key});
    // A reminder is a boolean and a date-time, as Salesforce has them on Task: the owner gets a
    // pop-up at ReminderDateTime while IsReminderSet is true.
    if (key == "IsReminderSet") {
      if (!value.is_boolean())
        return error_list("INVALID_TYPE_ON_FIELD_IN_RECORD",
                          "Reminder Set: value not of required type: " + value.dump(), {key});
      record[key] = value;
      continue;
    }
    if (!value.is_string() && !value.is_null())
      return error_list("INVALID_TYPE_ON_FIELD_IN_RECORD",
                        key + ": value not of required type: " + value.dump(), {key});
    std::string v = value.is_string() ? value.get<std::string>() : "";
    if (key == "ReminderDateTime" && !value.is_null()) {
      auto at = ::disputed::sdk::kit::parse_timestamp_ms(v);
      if (!at)
        return error_list("INVALID_TYPE_ON_FIELD_IN_RECORD",
                          "Reminder Date/Time: value not of required type: " + v, {key});
      record[key] = format_datetime_ms(at->time_since_epoch().count());
      continue;
    }
    if (key == "Subject" && v.size() > 255)
      return error_list(
          "STRING_TOO_LONG",
          "Subject: data value too large: " + v.substr(0, 40) + "... (max length=255)", {key});
    if (key == "Description" && v.size() > 32000)
      return error_list("STRING_TOO_LONG", "Description: data value too large (max length=32000)",
                        {key});
    if (key == "Status" && !in(kStatuses, v))
      return error_list("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                        "Status: bad value for restricted picklist field: " + v, {key});
    if (key == "Priority" && !in(kPriorities, v))
      return error_list("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                        "Priority: bad value for restricted picklist field: " + v, {key});
    if (key == "ActivityDate" && !value.is_null() && !valid_date(v))
      return error_list("INVALID_TYPE_ON_FIELD_IN_RECORD",
                        "Due Date Only: value not of required type: " + v, {key});
    if (key == "OwnerId") {
      json* u = looks_like_id(v) ? find("User", v) : nullptr;
      if (!u)
        return error_list("INVALID_CROSS_REFERENCE_KEY",
                          "Assigned To ID: id value of incorrect type: " + v, {key});
      if (!(*u)["IsActive"].get<bool>())
        return error_list("INACTIVE_OWNER_OR_USER",
                          "operation performed with inactive user [" + v + "] as owner of task",
                          {key});
    }
    if (key == "WhatId" && !value.is_null() && !(looks_like_id(v) && find("Account", v)))
      return error_list("INVALID_CROSS_REFERENCE_KEY",
                        "Related To ID: id value of incorrect type: " + v, {key});
    if (key.size() > 3 && key.compare(key.size() - 3, 3, "__c") == 0 && v.size() > 255)
      return error_list("STRING_TOO_LONG", key + ": data value too large (max length=255)", {key});
    record[key] = value;
  }
  if (record.contains(ext_field_) && record[ext_field_].is_string()) {
    const std::string& key = record[ext_field_].get_ref<const std::string&>();
    for (const auto& t : objects_["Task"]) {
      auto it = t.find(ext_field_);
      if (it == t.end() || !it->is_string() || it->get_ref<const std::string&>() != key) continue;
      if (t["Id"] != except_id)
        return error_list("DUPLICATE_VALUE",
                          "duplicate value found: " + ext_field_ +
                              " duplicates value on record with id: " + t["Id"].get<std::string>(),
                          {ext_field_});
    }
  }
  long long now = stamp();
  std::string now_text = format_datetime_ms(now);
  if (insert) {
    if (!record.contains("Status")) record["Status"] = "Not Started";
    if (!record.contains("Priority")) record["Priority"] = "Normal";
    if (!record.contains("OwnerId")) record["OwnerId"] = user_id;
    if (!record.contains("IsReminderSet")) record["IsReminderSet"] = false;
    for (const char* f : {"Subject", "ActivityDate", "WhatId", "WhoId", "Description",
                          "CompletedDateTime", "ReminderDateTime"})
      if (!record.contains(f)) record[f] = nullptr;
    for (const auto& f : task_custom_fields_)
      if (!record.contains(f)) record[f] = nullptr;
    record["IsDeleted"] = false;
    record["CreatedDate"] = now_text;
    record["CreatedById"] = user_id;
  }
  bool was_closed = record.value("IsClosed", false);
  bool closed = closed_statuses_.count(record["Status"].get<std::string>()) > 0;
  record["IsClosed"] = closed;
  if (closed && !was_closed) record["CompletedDateTime"] = now_text;
  if (!closed) record["CompletedDateTime"] = nullptr;
  record["LastModifiedDate"] = now_text;
  record["LastModifiedById"] = user_id;
  record["SystemModstamp"] = now_text;
  return nullptr;
}

json SalesforceEmulator::project(const std::string& type, const json& record,
                                 const std::vector<std::string>& fields,
                                 const std::string& version) const {
  json out = {{"attributes",
               {{"type", type},
                {"url", "/services/data/" + version + "/sobjects/" + type + "/" +
                            record["Id"].get<std::string>()}}}};
  for (const auto& f : fields) {
    auto dot = f.find('.');
    if (dot == std::string::npos) {
      json value = record.value(f, json());
      // Salesforce sends empty fields as null; the API description (spec/) declares these
      // fields non-nullable, so the sandbox leaves them out instead.
      static const std::set<std::string> kNotNullable = {
          "Subject", "Status", "Priority", "OwnerId", "WhatId", "WhoId", "Description"};
      if (value.is_null() && kNotNullable.count(f)) continue;
      out[f] = value;
      continue;
    }
    // A relationship to a User: LastModifiedBy.Email, CreatedBy.Name, Owner.Email.
    std::string rel = f.substr(0, dot), sub = f.substr(dot + 1);
    std::string id_field = rel == "Owner" ? "OwnerId" : rel + "Id";
    json target = record.value(id_field, json());
    json* user = nullptr;
    if (target.is_string())
      for (auto& u : const_cast<SalesforceEmulator*>(this)->objects_["User"])
        if (u["Id"] == target) user = &u;
    if (!user) {
      out[rel] = nullptr;
      continue;
    }
    if (!out.contains(rel) || out[rel].is_null())
      out[rel] = {
          {"attributes",
           {{"type", "User"},
            {"url", "/services/data/" + version + "/sobjects/User/" + target.get<std::string>()}}}};
    out[rel][sub] = user->value(sub, json());
  }
  return out;
}

Response SalesforceEmulator::describe_task(const std::string& version) const {
  auto field = [](const std::string& name, const std::string& type, int length, bool updateable,
                  bool custom, bool external = false, json picklist = json::array()) {
    return json{{"name", name},
                {"label", name},
                {"type", type},
                {"length", length},
                {"externalId", external},
                {"unique", external},
                {"idLookup", name == "Id" || external},
                {"nillable", name != "Id" && name != "Status"},
                {"createable", updateable},
                {"updateable", updateable},
                {"custom", custom},
                {"picklistValues", picklist},
                {"referenceTo", json::array()},
                {"relationshipName", nullptr}};
  };
  auto picklist = [](const std::vector<std::string>& values, const std::string& def) {
    json out = json::array();
    for (const auto& v : values)
      out.push_back({{"value", v},
                     {"label", v},
                     {"active", true},
                     {"defaultValue", v == def},
                     {"validFor", nullptr}});
    return out;
  };
  json fields = json::array();
  fields.push_back(field("Id", "id", 18, false, false));
  fields.push_back(field("Subject", "combobox", 255, true, false));
  fields.push_back(
      field("Status", "picklist", 255, true, false, false, picklist(kStatuses, "Not Started")));
  fields.push_back(
      field("Priority", "picklist", 40, true, false, false, picklist(kPriorities, "Normal")));
  fields.push_back(field("ActivityDate", "date", 0, true, false));
  fields.push_back(field("OwnerId", "reference", 18, true, false));
  fields.push_back(field("WhatId", "reference", 18, true, false));
  fields.push_back(field("Description", "textarea", 32000, true, false));
  fields.push_back(field("IsReminderSet", "boolean", 0, true, false));
  fields.push_back(field("ReminderDateTime", "datetime", 0, true, false));
  fields.push_back(field("IsClosed", "boolean", 0, false, false));
  fields.push_back(field("CompletedDateTime", "datetime", 0, false, false));
  fields.push_back(field("SystemModstamp", "datetime", 0, false, false));
  for (const auto& f : task_custom_fields_)
    fields.push_back(field(f, "string", 255, true, true, f == ext_field_));
  std::string base = "/services/data/" + version + "/sobjects/Task";
  return Response::json(
      200,
      {{"name", "Task"},
       {"label", "Task"},
       {"labelPlural", "Tasks"},
       {"keyPrefix", "00T"},
       {"custom", false},
       {"createable", true},
       {"updateable", true},
       {"deletable", true},
       {"queryable", true},
       {"searchable", true},
       {"urls",
        {{"sobject", base}, {"describe", base + "/describe"}, {"rowTemplate", base + "/{ID}"}}},
       {"fields", fields}});
}

// ---------------------------------------------------------------------------------------------
// SOQL

Response SalesforceEmulator::query(const Request& request, const std::string& version) {
  auto q = request.param("q");
  if (!q || q->empty()) return errors(400, "MALFORMED_QUERY", "A query string must be provided");
  std::string error;
  auto parsed = parse_soql(*q, error);
  if (!parsed) return errors(400, "MALFORMED_QUERY", error);
  const std::string& type = parsed->object;
  if (!objects_.count(type))
    return errors(400, "INVALID_TYPE", "sObject type '" + type + "' is not supported.");
  auto check_field = [&](const std::string& f) {
    auto dot = f.find('.');
    if (dot == std::string::npos) return is_field(type, f);
    std::string rel = f.substr(0, dot);
    return type == "Task" && (rel == "LastModifiedBy" || rel == "CreatedBy" || rel == "Owner") &&
           is_field("User", f.substr(dot + 1));
  };
  for (const auto& f : parsed->fields)
    if (!check_field(f))
      return errors(400, "INVALID_FIELD", "No such column '" + f + "' on entity '" + type + "'.");
  for (const auto& c : parsed->where)
    if (!is_field(type, c.field))
      return errors(400, "INVALID_FIELD",
                    "No such column '" + c.field + "' on entity '" + type + "'.");
  for (const auto& o : parsed->order_by)
    if (!is_field(type, o.field))
      return errors(400, "INVALID_FIELD",
                    "No such column '" + o.field + "' on entity '" + type + "'.");

  std::vector<const json*> hits;
  for (const auto& r : objects_[type]) {
    bool keep = true;
    for (const auto& c : parsed->where) {
      const json value = r.value(c.field, json());
      bool dt = kDateTimeFields.count(c.field) > 0;
      if (c.op == "IN") {
        bool any = false;
        if (value.is_string() && !dt) {
          std::string v = lower(value.get<std::string>());
          for (const auto& lit : c.values)
            any = any || (lit.kind == SoqlLiteral::Kind::kString && lower(lit.text) == v);
        } else {
          for (const auto& v : c.values) any = any || compare(value, v, dt) == 0;
        }
        keep = any;
      } else {
        auto cmp = compare(value, c.values[0], dt);
        if (!cmp && c.values[0].kind != SoqlLiteral::Kind::kNull && !value.is_null())
          return errors(400, "INVALID_FIELD",
                        "value of filter criterion for field '" + c.field + "' must be of type " +
                            (dt ? "dateTime" : "string") + " and should not be enclosed in quotes");
        if (c.op == "=")
          keep = cmp && *cmp == 0;
        else if (c.op == "!=")
          keep = !cmp || *cmp != 0;
        else if (c.op == "<")
          keep = cmp && *cmp < 0;
        else if (c.op == "<=")
          keep = cmp && *cmp <= 0;
        else if (c.op == ">")
          keep = cmp && *cmp > 0;
        else if (c.op == ">=")
          keep = cmp && *cmp >= 0;
        else
          return errors(400, "MALFORMED_QUERY", "unexpected token: '" + c.op + "'");
        if (c.values[0].kind == SoqlLiteral::Kind::kNull && c.op != "=" && c.op != "!=")
          return errors(400, "MALFORMED_QUERY", "null can only be compared with = or !=");
      }
      if (!keep) break;
    }
    if (keep) hits.push_back(&r);
  }
  std::stable_sort(hits.begin(), hits.end(), [&](const json* a, const json* b) {
    for (const auto& o : parsed->order_by) {
      const json va = a->value(o.field, json()), vb = b->value(o.field, json());
      if (va == vb) continue;
      bool less;
      if (va.is_null() || vb.is_null())
        less = va.is_null();  // nulls first
      else if (kDateTimeFields.count(o.field))
        less = parse_datetime_ms(va.get<std::string>()) < parse_datetime_ms(vb.get<std::string>());
      else
        less = va < vb;
      return o.descending ? !less : less;
    }
    return false;
  });
  if (parsed->limit && static_cast<long long>(hits.size()) > *parsed->limit)
    hits.resize(static_cast<std::size_t>(*parsed->limit));

  std::size_t batch = batch_size_;
  if (auto options = request.header("sforce-query-options")) {
    auto pos = options->find("batchSize=");
    if (pos != std::string::npos) {
      try {
        batch = std::min(batch, static_cast<std::size_t>(
                                    std::clamp(std::stoi(options->substr(pos + 10)), 200, 2000)));
      } catch (const std::exception&) {
      }
    }
  }
  Cursor cursor{version, {}};
  for (const json* r : hits) cursor.records.push_back(project(type, *r, parsed->fields, version));
  char locator[24];
  std::snprintf(locator, sizeof locator, "01g%012dAAA", next_id_++);
  json page = json::array();
  for (std::size_t i = 0; i < cursor.records.size() && i < batch; ++i)
    page.push_back(cursor.records[i]);
  json out = {{"totalSize", cursor.records.size()},
              {"done", cursor.records.size() <= batch},
              {"records", page}};
  if (cursor.records.size() > batch) {
    out["nextRecordsUrl"] =
        "/services/data/" + version + "/query/" + locator + "-" + std::to_string(batch);
    cursors_[std::string(locator) + "#" + std::to_string(batch)] = std::move(cursor);
    if (cursors_.size() > 100) cursors_.erase(cursors_.begin());
  }
  return Response::json(200, out);
}

Response SalesforceEmulator::query_more(const std::string& version, const std::string& locator) {
  auto dash = locator.rfind('-');
  if (dash == std::string::npos)
    return errors(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
  std::string id = locator.substr(0, dash);
  std::size_t offset = 0;
  try {
    offset = std::stoul(locator.substr(dash + 1));
  } catch (const std::exception&) {
    return errors(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
  }
  // Cursors are stored under "<locator>#<batch size>"; find the one with this locator.
  auto it = cursors_.lower_bound(id + "#");
  if (it == cursors_.end() || it->first.compare(0, id.size() + 1, id + "#") != 0)
    return errors(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
  std::size_t batch = std::stoul(it->first.substr(id.size() + 1));
  const auto& records = it->second.records;
  if (offset > records.size()) return errors(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
  json page = json::array();
  for (std::size_t i = offset; i < records.size() && i < offset + batch; ++i)
    page.push_back(records[i]);
  bool done = offset + batch >= records.size();
  json out = {{"totalSize", records.size()}, {"done", done}, {"records", page}};
  if (!done)
    out["nextRecordsUrl"] =
        "/services/data/" + version + "/query/" + id + "-" + std::to_string(offset + batch);
  return Response::json(200, out);
}

// ---------------------------------------------------------------------------------------------
// sObject Collections (Task only; one API call each), each record answered on its own
// (collection_error).

json SalesforceEmulator::write_collection_record(const json& fields, json* existing,
                                                 const std::string& user_id) {
  json record = existing ? *existing : json{{"Id", new_id("00T")}};
  json errs = write_task(record, fields, existing == nullptr, user_id, record["Id"]);
  if (!errs.is_null()) {
    for (auto& e : errs)
      e = collection_error(e["errorCode"], e["message"], e.value("fields", json::array()));
    return record_failed(errs);
  }
  if (existing)
    *existing = record;
  else
    objects_["Task"].push_back(record);
  return {{"id", record["Id"]}, {"success", true}, {"errors", json::array()}};
}

Response SalesforceEmulator::collections(const Request& request, const std::string& version,
                                         const std::vector<std::string>& parts,
                                         const std::string& user_id) {
  auto body = request.json();
  auto bad = [](const std::string& msg) { return errors(400, "INVALID_FIELD", msg); };
  if (parts.size() == 2 && (request.method == "POST" || request.method == "PATCH")) {
    if (auto refused = refused_records(body)) return *refused;
    const json& records = (*body)["records"];
    bool all_or_none = body->value("allOrNone", false);
    bool insert = request.method == "POST";
    json results = json::array();
    auto saved = objects_["Task"];
    bool failed = false;
    for (const auto& r : records) {
      if (!r.is_object() || !r.contains("attributes") ||
          r["attributes"].value("type", "") != "Task") {
        results.push_back(
            record_failed("INVALID_TYPE", "only Task records are supported by the sandbox"));
        failed = true;
        continue;
      }
      json* existing = insert ? nullptr : find("Task", r.value("Id", ""));
      if (!insert && !existing) {
        json result = record_failed("INVALID_ID_FIELD", "invalid record id");
        result["id"] = r.value("Id", "");
        results.push_back(result);
        failed = true;
        continue;
      }
      json fields = r;
      fields.erase("Id");
      results.push_back(write_collection_record(fields, existing, user_id));
      failed = failed || !results.back()["success"].get<bool>();
    }
    if (failed && all_or_none) {
      objects_["Task"] = saved;
      roll_back(results);
    }
    return Response::json(200, results);
  }
  if (parts.size() == 3 && parts[2] == "Task" &&
      (request.method == "GET" || request.method == "POST")) {
    std::vector<std::string> ids, fields;
    if (request.method == "GET") {
      ids = split(request.param("ids").value_or(""), ',');
      fields = split(request.param("fields").value_or(""), ',');
    } else {
      if (!body || !body->is_object() || !(*body)["ids"].is_array() ||
          !(*body)["fields"].is_array())
        return errors(400, "JSON_PARSER_ERROR", "ids and fields: expected arrays");
      for (const auto& i : (*body)["ids"]) ids.push_back(i.is_string() ? i.get<std::string>() : "");
      for (const auto& f : (*body)["fields"])
        fields.push_back(f.is_string() ? f.get<std::string>() : "");
    }
    if (ids.empty() || fields.empty())
      return errors(400, "MALFORMED_ID", "ids and fields are required");
    if (ids.size() > 2000) return errors(400, "EXCEEDED_ID_LIMIT", "more than 2000 ids");
    for (const auto& f : fields)
      if (!is_field("Task", f)) return bad("No such column '" + f + "' on sobject of type Task");
    json out = json::array();
    for (const auto& id : ids) {
      json* r = find("Task", id);
      out.push_back(r ? project("Task", *r, fields, version) : json(nullptr));
    }
    return Response::json(200, out);
  }
  if (parts.size() == 4 && parts[2] == "Task" &&
      request.method == "PATCH") {  // upsert by external id
    if (parts[3] != ext_field_)
      return errors(404, "NOT_FOUND",
                    "Provided external ID field does not exist or is not accessible: " + parts[3]);
    if (auto refused = refused_records(body)) return *refused;
    const json& records = (*body)["records"];
    bool all_or_none = body->value("allOrNone", false);
    auto saved = all_or_none ? objects_["Task"] : std::vector<json>{};
    bool failed = false;
    std::set<std::string> seen;
    json results = json::array();
    for (const auto& r : records) {
      if (!r.is_object() || !r.contains("attributes") || !r["attributes"].is_object() ||
          r["attributes"].value("type", "") != "Task") {
        results.push_back(record_failed(
            "INVALID_TYPE", "every record needs attributes.type Task (the type in the URL)"));
        failed = true;
        continue;
      }
      std::string key = r.contains(ext_field_) && r[ext_field_].is_string()
                            ? r[ext_field_].get<std::string>()
                            : "";
      if (key.empty()) {
        results.push_back(record_failed("REQUIRED_FIELD_MISSING",
                                        "Required fields are missing: [" + ext_field_ + "]",
                                        json::array({ext_field_})));
        failed = true;
        continue;
      }
      if (!seen.insert(key).second) {  // the same key twice in one request
        results.push_back(record_failed("DUPLICATE_EXTERNAL_ID",
                                        "Duplicate external id specified: " + key,
                                        json::array({ext_field_})));
        failed = true;
        continue;
      }
      if (r.contains("Id")) {
        results.push_back(record_failed(
            "INVALID_FIELD", "Id cannot be set in an upsert by external ID", json::array({"Id"})));
        failed = true;
        continue;
      }
      auto matches = find_by("Task", ext_field_, key);
      json* existing = matches.empty() ? nullptr : matches[0];
      json fields = r;
      if (existing) fields.erase(ext_field_);
      json result = write_collection_record(fields, existing, user_id);
      if (result["success"].get<bool>())
        result["created"] = existing == nullptr;
      else
        failed = true;
      results.push_back(result);
    }
    if (failed && all_or_none) {
      objects_["Task"] = saved;
      roll_back(results);
    }
    return Response::json(200, results);
  }
  return errors(404, "NOT_FOUND", "The requested resource does not exist");
}

// ---------------------------------------------------------------------------------------------
// Control endpoints

std::optional<Response> SalesforceEmulator::control(const Request& request) {
  auto body = request.json().value_or(json::object());
  if (!body.is_object()) body = json::object();
  if (request.path == "/_sandbox/sessions" && request.method == "POST") {
    std::string email = body.value("user", "");
    // A person the sandbox does not know yet becomes an active User (demo agents act as anyone).
    if (user_id(email).empty() && email.find('@') != std::string::npos && email.size() <= 80)
      objects_["User"].push_back({{"Id", new_id("005")},
                                  {"Email", email},
                                  {"Username", email},
                                  {"Name", email.substr(0, email.find('@'))},
                                  {"IsActive", true}});
    std::string token = session_for(email, "");
    if (token.empty())
      return Response::json(404, {{"error", "no sandbox user with e-mail '" + email + "'"}});
    return Response::json(
        201,
        {{"access_token", token}, {"instance_url", instance_url_}, {"user_id", user_id(email)}});
  }
  if (request.path == "/_sandbox/expire-sessions" && request.method == "POST") {
    expire_sessions();
    return Response::json(200, {{"ok", true}});
  }
  if (request.path == "/_sandbox/limits" && request.method == "POST") {
    set_allocation(body.value("used", api_used_), body.value("max", api_max_));
    return Response::json(200, {{"used", api_used_}, {"max", api_max_}});
  }
  if (request.path == "/_sandbox/stall-writes" && request.method == "POST") {
    stall_times_ = body.value("times", 1);
    stall_ms_ = body.value("delay_ms", 1500);
    return Response::json(200, {{"ok", true}});
  }
  if (request.path == "/_sandbox/tasks" && request.method == "GET")
    return Response::json(200, {{"tasks", objects_["Task"]}});
  return std::nullopt;
}

}  // namespace salesforce
}  // namespace disputed::sandbox
