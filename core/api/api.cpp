#include "core/api/api.hpp"

#include <algorithm>
#include <initializer_list>
#include <limits>

#include <nlohmann/json.hpp>

#include "core/api/openapi.hpp"
#include "core/config/json_file.hpp"
#include "core/engine/invoice_import.hpp"
#include "core/engine/views_json.hpp"
#include "core/reporting/reports.hpp"

namespace disputed::api {

namespace {

using domain::Error;
using nlohmann::json;

constexpr auto kKeyUseInterval = std::chrono::seconds(60);

HttpResponse json_response(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  r.body = config::dump_json(body);
  return r;
}

HttpResponse failure(const ApiError& e) { return error_response(e); }
HttpResponse failure(const Error& e) { return error_response(ApiError::from(e)); }

// A dispute as a command or GET /disputes/{id} answers it: without the dossier, which has its
// own route (and which commands do not read back).
json dispute_json(const engine::DisputeView& v) {
  json j = engine::to_json(v);
  j.erase("timeline");
  return j;
}

std::optional<ApiError> unknown_query_parameters(const HttpRequest& r,
                                                 std::initializer_list<const char*> allowed) {
  for (const auto& [name, value] : r.query) {
    bool known =
        std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return name == a; });
    if (!known) {
      std::string names;
      for (const char* a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
      return ApiError::make(
          422, "invalid_argument", "unknown query parameter", name,
          "is not a parameter of this route (known: " + (names.empty() ? "none" : names) + ")");
    }
  }
  return std::nullopt;
}

const std::string* query(const HttpRequest& r, const char* name) {
  auto it = r.query.find(name);
  return it == r.query.end() ? nullptr : &it->second;
}

std::optional<std::int64_t> whole_number(const std::string& text) {
  if (text.empty() || text.size() > 18 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::stoll(text);
}

// An integer query parameter in [min, max], or the default when absent.
std::variant<std::int64_t, ApiError> int_parameter(const HttpRequest& r, const char* name,
                                                   std::int64_t fallback, std::int64_t min,
                                                   std::int64_t max) {
  const std::string* text = query(r, name);
  if (!text) return fallback;
  auto n = whole_number(*text);
  if (!n || *n < min || *n > max)
    return ApiError::make(422, "invalid_argument", "invalid query parameter", name,
                          "must be a whole number from " + std::to_string(min) + " to " +
                              std::to_string(max) + " (got '" + *text + "')");
  return *n;
}

std::variant<bool, ApiError> bool_parameter(const HttpRequest& r, const char* name) {
  const std::string* text = query(r, name);
  if (!text || *text == "false") return false;
  if (*text == "true") return true;
  return ApiError::make(422, "invalid_argument", "invalid query parameter", name,
                        "must be true or false (got '" + *text + "')");
}

bool is_json_media_type(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  while (!type.empty() && type.back() == ' ') type.pop_back();
  while (!type.empty() && type.front() == ' ') type.erase(type.begin());
  return type == "application/json" || (type.rfind("application/", 0) == 0 && type.size() > 5 &&
                                        type.compare(type.size() - 5, 5, "+json") == 0);
}

// The request body as JSON checked against `#/components/schemas/<schema>`: 413 too large,
// 415 not JSON, 400 malformed (naming line and column), 422 not matching the schema (naming
// each field). A missing optional body reads as {}.
std::variant<json, ApiError> read_body(const HttpRequest& r, const std::string& schema,
                                       bool required, std::size_t max_bytes) {
  if (r.body.size() > max_bytes)
    return ApiError::make(
        413, "payload_too_large",
        "the request body is larger than " + std::to_string(max_bytes) + " bytes");
  bool empty = std::all_of(r.body.begin(), r.body.end(),
                           [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; });
  if (empty && r.header("content-type").empty()) {
    if (required) return ApiError::make(400, "malformed_request", "a JSON body is required");
    return json::object();
  }
  if (!is_json_media_type(r.header("content-type")))
    return ApiError::make(415, "unsupported_media_type", "the body must be JSON", "Content-Type",
                          "must be application/json (got '" + r.header("content-type") + "')");
  if (empty) {
    if (required) return ApiError::make(400, "malformed_request", "a JSON body is required");
    return json::object();
  }
  auto parsed = config::try_parse_json_text(r.body);
  if (!parsed) {
    const Error& e = parsed.error();
    ApiError bad = ApiError::make(400, "malformed_request", "malformed JSON: " + e.message);
    bad.error.details =
        e.details.empty() ? std::vector<domain::FieldProblem>{{"", e.message}} : e.details;
    return bad;
  }
  json doc = std::move(parsed).value();
  auto problems = OpenApi::instance().schema(schema).problems(doc);
  if (!problems.empty()) {
    ApiError invalid = ApiError::make(422, "invalid_argument", "the request body is invalid");
    invalid.error.details = std::move(problems);
    return invalid;
  }
  return doc;
}

std::string text_or(const json& doc, const char* key, std::string fallback = {}) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : fallback;
}

std::optional<std::string> optional_text(const json& doc, const char* key) {
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

struct Api::Call {
  const HttpRequest& request;
  std::map<std::string, std::string> params;
  Principal who;
  engine::ReaderPool::Lease& reader;
  const std::string& param(const char* name) const { return params.at(name); }
};

Api::Api(engine::ReaderPool& readers, engine::CommandWriter& writer, const Authenticator& auth,
         const workflow::Definitions& definitions, const domain::Clock& clock, ApiSettings settings)
    : readers_(readers),
      writer_(writer),
      auth_(auth),
      defs_(definitions),
      clock_(clock),
      settings_(std::move(settings)) {
  (void)OpenApi::instance();  // a broken embedded contract stops the start, not the first request
  auto add = [&](const char* method, std::string path, Permission permission,
                 std::function<HttpResponse(Api&, const Call&)> run) {
    router_.add(method, kBasePath + path, RouteEntry{permission, std::move(run)});
  };
  using P = Permission;
  add("GET", "/metrics", P::kRead, &Api::metrics);
  add("GET", "/openapi.json", P::kRead, &Api::openapi);
  add("POST", "/invoices", P::kUpsertInvoices, &Api::upsert_invoices);
  add("GET", "/invoices/{number}", P::kRead, &Api::get_invoice);
  add("POST", "/disputes", P::kRunDisputes, &Api::open_dispute);
  add("GET", "/disputes", P::kRead, &Api::list_disputes);
  add("GET", "/disputes/{id}", P::kRead, &Api::get_dispute);
  add("GET", "/disputes/{id}/timeline", P::kRead, &Api::timeline);
  add("POST", "/disputes/{id}/notes", P::kAddNote, &Api::add_note);
  add("POST", "/disputes/{id}/steps/{step}/complete", P::kRunDisputes, &Api::complete_step);
  add("POST", "/disputes/{id}/resolve", P::kRunDisputes, &Api::resolve);
  add("POST", "/disputes/{id}/withdraw", P::kRunDisputes, &Api::withdraw);
  add("POST", "/disputes/{id}/reopen", P::kRunDisputes, &Api::reopen);
  add("POST", "/disputes/{id}/close", P::kRunDisputes, &Api::close);
  add("GET", "/tasks", P::kRead, &Api::tasks);
  add("GET", "/events", P::kRead, &Api::events);
  add("GET", "/connectors", P::kRead, &Api::connectors);
  add("GET", "/dead-letters", P::kRead, &Api::dead_letters);
  add("POST", "/dead-letters/{id}/replay", P::kOperate, &Api::replay_dead_letter);
  for (auto kind : {reporting::ReportKind::kSummary, reporting::ReportKind::kAgeing,
                    reporting::ReportKind::kLeadTimes, reporting::ReportKind::kSla,
                    reporting::ReportKind::kCauses})
    add("GET", "/reports/" + std::string(reporting::to_string(kind)), P::kRead,
        [kind](Api& api, const Call& call) { return api.report(call, int(kind)); });
}

Api::~Api() = default;

HttpResponse Api::handle(const HttpRequest& request) {
  auto start = std::chrono::steady_clock::now();
  std::string route = "unmatched";
  HttpResponse response;
  try {
    response = dispatch(request, route);
  } catch (const std::exception& e) {
    if (settings_.log)
      settings_.log("internal error on " + request.method + " " + route + ": " + e.what());
    response = failure(ApiError::make(500, "internal", "internal error"));
  }
  metrics_.observe(route, request.method, response.status,
                   std::chrono::steady_clock::now() - start);
  return response;
}

HttpResponse Api::dispatch(const HttpRequest& request, std::string& route_label) {
  if (request.path == std::string(kBasePath) + "/healthz") {
    route_label = request.path;
    if (request.method != "GET") {
      HttpResponse r = failure(ApiError::make(405, "method_not_allowed", "use GET"));
      r.headers.emplace_back("Allow", "GET");
      return r;
    }
    return healthz();
  }
  if (stopping_) return failure(ApiError::make(503, "unavailable", "the server is stopping"));
  if (request.body_too_large || request.body.size() > settings_.max_body_bytes)
    return failure(ApiError::make(
        413, "payload_too_large",
        "the request body is larger than " + std::to_string(settings_.max_body_bytes) + " bytes"));

  auto reader = readers_.lease();
  // Authenticate before routing: without a valid token nobody learns which paths or resources
  // exist (401 for all), and roles are checked per route, before any resource is looked up.
  auto who = auth_.authenticate(request.header("authorization"), reader.operations());
  if (auto* e = std::get_if<ApiError>(&who)) return failure(*e);
  Principal& principal = std::get<Principal>(who);

  auto match = router_.match(request.method, request.path);
  if (!match.route) {
    if (!match.path_known)
      return failure(ApiError::make(404, "not_found", "no such route: " + request.path));
    std::string allow;
    for (const auto& m : match.allowed_methods) allow += (allow.empty() ? "" : ", ") + m;
    HttpResponse r = failure(ApiError::make(405, "method_not_allowed", "use " + allow));
    r.headers.emplace_back("Allow", allow);
    return r;
  }
  route_label = match.route->path_template;
  if (!allows(principal.role, match.route->handler.permission))
    return failure(ApiError::make(403, "forbidden",
                                  "the role " + std::string(to_string(principal.role)) +
                                      " may not " + request.method + " " + route_label));
  note_key_use(principal);
  Call call{request, std::move(match.params), std::move(principal), reader};
  return match.route->handler.run(*this, call);
}

void Api::note_key_use(const Principal& who) {
  if (!who.api_key_id) return;
  domain::Instant now = clock_.now();
  {
    std::lock_guard lock(key_use_mutex_);
    auto& last = key_last_noted_[*who.api_key_id];
    if (last.time_since_epoch().count() != 0 && now - last < kKeyUseInterval) return;
    last = now;
  }
  // At most once a minute per key, and without waiting: last_used_at is for operators.
  std::int64_t id = *who.api_key_id;
  (void)writer_.submit<domain::Ok>(
      [id, now](engine::Session& s) { return s.operations().note_api_key_use(id, now); });
}

// ---------------------------------------------------------------- operations

HttpResponse Api::healthz() {
  json body = {{"status", "ok"}, {"version", settings_.version}, {"schema_version", 0}};
  try {
    auto reader = readers_.lease();
    body["schema_version"] = reader.operations().schema_version();
  } catch (const std::exception&) {
    body["status"] = "unavailable";
    return json_response(503, body);
  }
  if (stopping_) {
    body["status"] = "stopping";
    return json_response(503, body);
  }
  return json_response(200, body);
}

HttpResponse Api::metrics(const Call& call) {
  if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
  engine::Gauges gauges;
  {
    auto snapshot = call.reader.snapshot();
    gauges = call.reader.operations().gauges();
  }
  auto stats = writer_.stats();
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = metrics_.render(gauges, {stats.commands, stats.batches, stats.failed_batches});
  return r;
}

HttpResponse Api::openapi(const Call& call) {
  if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
  HttpResponse r;
  r.body = OpenApi::instance().text();
  return r;
}

// ---------------------------------------------------------------- invoices

HttpResponse Api::upsert_invoices(const Call& call) {
  if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
  auto body = read_body(call.request, "InvoiceBatch", true, settings_.max_body_bytes);
  if (auto* e = std::get_if<ApiError>(&body)) return failure(*e);
  // The rows are checked one by one by the import parser, which reports each bad row with every
  // problem (as `disputed import invoices` does for a file) instead of refusing the batch.
  auto parsed = engine::parse_invoices_json(call.request.body);
  if (!parsed) return failure(parsed.error());
  auto report = writer_.run<engine::ImportReport>(
      [rows = std::move(parsed).value(), actor = call.who.actor](engine::Session& s) {
        return s.disputes().import_invoices(rows, actor);
      });
  if (!report) return failure(report.error());
  return json_response(200, engine::to_json(report.value()));
}

HttpResponse Api::get_invoice(const Call& call) {
  if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
  auto snapshot = call.reader.snapshot();
  auto state = call.reader.service().invoice_state(call.param("number"));
  if (!state) return failure(state.error());
  return json_response(200, engine::to_json(state.value()));
}

// ---------------------------------------------------------------- disputes

HttpResponse Api::open_dispute(const Call& call) {
  if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
  auto body = read_body(call.request, "OpenDisputeRequest", true, settings_.max_body_bytes);
  if (auto* e = std::get_if<ApiError>(&body)) return failure(*e);
  const json& doc = std::get<json>(body);
  engine::OpenDisputeRequest req;
  for (const auto& item : doc["invoices"]) {
    engine::ClaimedInvoice claim;
    claim.number = item["number"].get<std::string>();
    if (auto amount = optional_text(item, "amount")) claim.amount = domain::Decimal::parse(*amount);
    req.invoices.push_back(std::move(claim));
  }
  req.description = text_or(doc, "description");
  req.category = optional_text(doc, "category");
  req.currency = optional_text(doc, "currency");
  if (auto channel = optional_text(doc, "channel")) req.channel = *domain::parse_channel(*channel);
  if (auto contact = doc.find("contact"); contact != doc.end()) {
    req.contact_name = text_or(*contact, "name");
    req.contact_email = text_or(*contact, "email");
    req.contact_phone = text_or(*contact, "phone");
  }
  req.actor = call.who.actor;
  auto view = writer_.run<engine::DisputeView>(
      [req](engine::Session& s) { return s.disputes().open_dispute(req); });
  if (!view) return failure(view.error());
  HttpResponse r = json_response(201, dispute_json(view.value()));
  r.headers.emplace_back("Location", std::string(kBasePath) + "/disputes/" + view->dispute.ref);
  return r;
}

HttpResponse Api::list_disputes(const Call& call) {
  const auto& r = call.request;
  if (auto e = unknown_query_parameters(r, {"status", "active", "category", "assignee", "customer",
                                            "invoice", "overdue", "cursor", "limit"}))
    return failure(*e);
  engine::DisputeFilter f;
  if (const std::string* status = query(r, "status")) {
    f.status = domain::parse_dispute_status(*status);
    if (!f.status)
      return failure(
          ApiError::make(422, "invalid_argument", "invalid query parameter", "status",
                         "'" + *status + "' is not one of " + domain::dispute_status_names()));
  }
  auto active = bool_parameter(r, "active");
  if (auto* e = std::get_if<ApiError>(&active)) return failure(*e);
  f.active_only = std::get<bool>(active);
  auto overdue = bool_parameter(r, "overdue");
  if (auto* e = std::get_if<ApiError>(&overdue)) return failure(*e);
  if (std::get<bool>(overdue)) f.overdue_at = clock_.now();
  if (const std::string* v = query(r, "category")) f.category = *v;
  if (const std::string* v = query(r, "assignee")) f.assignee = *v;
  if (const std::string* v = query(r, "customer")) f.customer_id = *v;
  if (const std::string* v = query(r, "invoice")) f.invoice_number = *v;
  if (const std::string* cursor = query(r, "cursor")) {
    // The cursor is the id of the last dispute of the previous page; clients treat it as opaque.
    auto after = whole_number(*cursor);
    if (!after)
      return failure(ApiError::make(422, "invalid_argument", "invalid query parameter", "cursor",
                                    "is not a cursor returned by this API"));
    f.after_id = *after;
  }
  auto limit = int_parameter(r, "limit", 100, 1, 500);
  if (auto* e = std::get_if<ApiError>(&limit)) return failure(*e);
  f.limit = int(std::get<std::int64_t>(limit));

  auto snapshot = call.reader.snapshot();
  auto list = call.reader.service().list(f);
  json items = json::array();
  for (const auto& d : list) items.push_back(engine::to_json(d));
  json next =
      list.size() == std::size_t(f.limit) ? json(std::to_string(list.back().id)) : json(nullptr);
  return json_response(200, {{"items", std::move(items)}, {"next_cursor", std::move(next)}});
}

HttpResponse Api::get_dispute(const Call& call) {
  if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
  auto snapshot = call.reader.snapshot();
  auto view = call.reader.service().show(call.param("id"), false);
  if (!view) return failure(view.error());
  return json_response(200, dispute_json(view.value()));
}

HttpResponse Api::timeline(const Call& call) {
  if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
  auto snapshot = call.reader.snapshot();
  auto view = call.reader.service().show(call.param("id"), true);
  if (!view) return failure(view.error());
  json items = json::array();
  for (const auto& e : view->dossier) items.push_back(engine::to_json(e));
  return json_response(200, {{"dispute", view->dispute.ref}, {"items", std::move(items)}});
}

HttpResponse Api::add_note(const Call& call) {
  if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
  auto body = read_body(call.request, "NoteRequest", true, settings_.max_body_bytes);
  if (auto* e = std::get_if<ApiError>(&body)) return failure(*e);
  const json& doc = std::get<json>(body);
  engine::NoteRequest req;
  req.dispute = call.param("id");
  req.summary = text_or(doc, "text");
  req.actor = call.who.actor;
  if (auto channel = optional_text(doc, "channel")) {
    req.channel = domain::parse_channel(*channel);
    req.direction =
        domain::Direction::kInbound;  // a contact moment is usually the customer calling
  }
  if (auto direction = optional_text(doc, "direction"))
    req.direction = *domain::parse_direction(*direction);
  auto entry = writer_.run<engine::DossierEntry>(
      [req](engine::Session& s) { return s.disputes().add_note(req); });
  if (!entry) return failure(entry.error());
  return json_response(201, engine::to_json(entry.value()));
}

HttpResponse Api::complete_step(const Call& call) {
  if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
  auto body = read_body(call.request, "CompleteStepRequest", false, settings_.max_body_bytes);
  if (auto* e = std::get_if<ApiError>(&body)) return failure(*e);
  const json& doc = std::get<json>(body);
  engine::CompleteStepRequest req;
  req.dispute = call.param("id");
  req.step = call.param("step");
  req.outcome = optional_text(doc, "outcome");
  req.comment = text_or(doc, "comment");
  req.actor = call.who.actor;
  auto view = writer_.run<engine::DisputeView>(
      [req](engine::Session& s) { return s.disputes().complete_step(req); });
  if (!view) return failure(view.error());
  return json_response(200, dispute_json(view.value()));
}

HttpResponse Api::resolve(const Call& call) {
  if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
  auto body = read_body(call.request, "ResolveRequest", true, settings_.max_body_bytes);
  if (auto* e = std::get_if<ApiError>(&body)) return failure(*e);
  const json& doc = std::get<json>(body);
  auto resolution = *domain::parse_resolution(text_or(doc, "resolution"));
  auto view = writer_.run<engine::DisputeView>(
      [id = call.param("id"), resolution, note = text_or(doc, "note"), actor = call.who.actor](
          engine::Session& s) { return s.disputes().resolve(id, resolution, note, actor); });
  if (!view) return failure(view.error());
  return json_response(200, dispute_json(view.value()));
}

HttpResponse Api::withdraw(const Call& call) {
  if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
  auto body = read_body(call.request, "WithdrawRequest", false, settings_.max_body_bytes);
  if (auto* e = std::get_if<ApiError>(&body)) return failure(*e);
  auto view = writer_.run<engine::DisputeView>(
      [id = call.param("id"), note = text_or(std::get<json>(body), "note"), actor = call.who.actor](
          engine::Session& s) { return s.disputes().withdraw(id, note, actor); });
  if (!view) return failure(view.error());
  return json_response(200, dispute_json(view.value()));
}

HttpResponse Api::reopen(const Call& call) {
  if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
  auto body = read_body(call.request, "ReopenRequest", true, settings_.max_body_bytes);
  if (auto* e = std::get_if<ApiError>(&body)) return failure(*e);
  const json& doc = std::get<json>(body);
  auto view = writer_.run<engine::DisputeView>(
      [id = call.param("id"), reason = text_or(doc, "reason"), step = optional_text(doc, "step"),
       actor = call.who.actor](engine::Session& s) {
        return s.disputes().reopen(id, reason, step, actor);
      });
  if (!view) return failure(view.error());
  return json_response(200, dispute_json(view.value()));
}

HttpResponse Api::close(const Call& call) {
  if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
  auto body = read_body(call.request, "EmptyRequest", false, settings_.max_body_bytes);
  if (auto* e = std::get_if<ApiError>(&body)) return failure(*e);
  auto view = writer_.run<engine::DisputeView>(
      [id = call.param("id"), actor = call.who.actor](engine::Session& s) {
        return s.disputes().close(id, actor);
      });
  if (!view) return failure(view.error());
  return json_response(200, dispute_json(view.value()));
}

// ---------------------------------------------------------------- to-do list and feed

HttpResponse Api::tasks(const Call& call) {
  if (auto e = unknown_query_parameters(call.request, {"assignee"})) return failure(*e);
  const std::string* assignee = query(call.request, "assignee");
  auto snapshot = call.reader.snapshot();
  auto tasks = call.reader.service().tasks(assignee ? *assignee : "");
  json items = json::array();
  for (const auto& t : tasks) items.push_back(engine::to_json(t));
  return json_response(
      200, {{"assignee", assignee ? json(*assignee) : json(nullptr)}, {"items", std::move(items)}});
}

HttpResponse Api::events(const Call& call) {
  if (auto e = unknown_query_parameters(call.request, {"after", "limit"})) return failure(*e);
  auto after =
      int_parameter(call.request, "after", 0, 0, std::numeric_limits<std::int64_t>::max() / 2);
  if (auto* e = std::get_if<ApiError>(&after)) return failure(*e);
  auto limit = int_parameter(call.request, "limit", 100, 1, 1000);
  if (auto* e = std::get_if<ApiError>(&limit)) return failure(*e);
  std::int64_t cursor = std::get<std::int64_t>(after);
  auto events = call.reader.service().events(cursor, int(std::get<std::int64_t>(limit)));
  json items = json::array();
  for (const auto& e : events) items.push_back(engine::to_json(e));
  return json_response(200, {{"items", std::move(items)},
                             {"next_after", events.empty() ? cursor : events.back().seq}});
}

// ---------------------------------------------------------------- connectors

HttpResponse Api::connectors(const Call& call) {
  if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
  auto snapshot = call.reader.snapshot();
  json items = json::array();
  for (const auto& c : call.reader.operations().connectors(settings_.connectors))
    items.push_back(engine::to_json(c));
  return json_response(200, {{"items", std::move(items)}});
}

HttpResponse Api::dead_letters(const Call& call) {
  if (auto e = unknown_query_parameters(call.request, {"instance", "limit"})) return failure(*e);
  auto limit = int_parameter(call.request, "limit", 100, 1, 1000);
  if (auto* e = std::get_if<ApiError>(&limit)) return failure(*e);
  const std::string* instance = query(call.request, "instance");
  auto snapshot = call.reader.snapshot();
  json items = json::array();
  for (const auto& d : call.reader.operations().dead_letters(instance ? *instance : "",
                                                             int(std::get<std::int64_t>(limit))))
    items.push_back(engine::to_json(d));
  return json_response(200, {{"items", std::move(items)}});
}

HttpResponse Api::replay_dead_letter(const Call& call) {
  if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
  const std::string id = call.param("id");
  auto replayed = writer_.run<domain::Ok>(
      [id](engine::Session& s) { return s.operations().replay_dead_letter(id); });
  if (!replayed) return failure(replayed.error());
  return json_response(200, {{"id", id}, {"state", "pending"}});
}

// ---------------------------------------------------------------- reports

HttpResponse Api::report(const Call& call, int kind_number) {
  auto kind = reporting::ReportKind(kind_number);
  const auto& r = call.request;
  if (auto e = unknown_query_parameters(r, {"from", "to", "category", "format", "section"}))
    return failure(*e);
  reporting::ReportQuery q;
  for (const char* name : {"from", "to"}) {
    const std::string* text = query(r, name);
    if (!text) continue;
    auto date = domain::parse_date(*text);
    if (!date)
      return failure(ApiError::make(422, "invalid_argument", "invalid query parameter", name,
                                    "must be a date written YYYY-MM-DD (got '" + *text + "')"));
    (std::string(name) == "from" ? q.from : q.to) = date;
  }
  if (const std::string* category = query(r, "category")) q.category = *category;
  std::string format = query(r, "format") ? *query(r, "format") : "json";
  if (format != "json" && format != "csv")
    return failure(ApiError::make(422, "invalid_argument", "invalid query parameter", "format",
                                  "must be json or csv (got '" + format + "')"));
  const auto& sections = reporting::section_names(kind);
  std::string section = query(r, "section") ? *query(r, "section") : sections.front();
  if (std::find(sections.begin(), sections.end(), section) == sections.end()) {
    std::string names;
    for (const auto& s : sections) names += (names.empty() ? "" : ", ") + s;
    return failure(ApiError::make(422, "invalid_argument", "invalid query parameter", "section",
                                  "must be one of " + names + " (got '" + section + "')"));
  }

  reporting::Reporter reporter(call.reader.db(), defs_, clock_);
  auto report = reporter.run(kind, q);
  if (!report) return failure(report.error());
  if (format == "json") return json_response(200, reporting::to_json(report.value()));
  HttpResponse csv;
  csv.content_type = "text/csv; charset=utf-8";
  csv.body = reporting::to_csv(*report->section(section));
  csv.headers.emplace_back("Content-Disposition", "attachment; filename=\"" +
                                                      std::string(reporting::to_string(kind)) +
                                                      "-" + section + ".csv\"");
  return csv;
}

}  // namespace disputed::api
