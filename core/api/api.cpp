#include "core/api/api.hpp"

#include <algorithm>
#include <initializer_list>
#include <limits>

#include <nlohmann/json.hpp>

#include "core/api/api_key_routes.hpp"
#include "core/api/handler_support.hpp"
#include "core/api/lookup_routes.hpp"
#include "core/api/openapi.hpp"
#include "core/config/json_file.hpp"
#include "core/engine/invoice_import.hpp"
#include "core/engine/views_json.hpp"
#include "core/reporting/reports.hpp"

namespace disputed::api {

namespace {

using domain::Error;
using nlohmann::json;
using namespace handler_support;

constexpr auto kKeyUseInterval = std::chrono::seconds(60);

// A dispute as a command or GET /disputes/{id} answers it: without the dossier, which has its
// own route (and which commands do not read back).
json dispute_json(const engine::DisputeView& v) {
  json j = engine::to_json(v);
  j.erase("timeline");
  return j;
}

}  // namespace

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
  add_lookup_routes(*this, defs_);
  add_api_key_routes(*this, writer_, clock_);
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
  bool api_path =
      request.path == kBasePath || request.path.rfind(std::string(kBasePath) + "/", 0) == 0;
  if (!api_path && site_) {
    route_label = "site";
    return site_(request);
  }
  if (request.body_too_large || request.body.size() > settings_.max_body_bytes)
    return failure(ApiError::make(
        413, "payload_too_large",
        "the request body is larger than " + std::to_string(settings_.max_body_bytes) + " bytes"));

  auto reader = readers_.lease();
  auto match = router_.match(request.method, request.path);
  bool public_route = match.route && match.route->handler.permission == Permission::kPublic;
  // Authenticate before answering anything about routes: without a valid token nobody learns
  // which paths or resources exist (401 for all), and roles are checked per route, before any
  // resource is looked up. A browser without an Authorization header uses its session cookie.
  std::variant<Principal, ApiError> who = Principal{"anonymous", Role::kViewer, std::nullopt};
  if (!public_route) {
    if (request.header("authorization").empty() && sessions_ && sessions_->present(request))
      who = sessions_->authenticate(request, reader.session());
    else
      who = auth_.authenticate(request.header("authorization"), reader.operations());
  }
  if (auto* e = std::get_if<ApiError>(&who)) return failure(*e);
  Principal& principal = std::get<Principal>(who);

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

void Api::add_route(const std::string& method, const std::string& path, Permission permission,
                    RouteHandler handler) {
  router_.add(method, kBasePath + path,
              RouteEntry{permission, [handler = std::move(handler)](Api&, const Call& call) {
                           return handler(call);
                         }});
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
  if (auto e = unknown_query_parameters(
          r, {"status", "active", "category", "assignee", "customer", "invoice", "overdue",
              "channel", "from", "to", "q", "order", "count", "cursor", "limit"}))
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
  if (auto e = read_search_filters(r, f)) return failure(*e);
  auto count = bool_parameter(r, "count");
  if (auto* e = std::get_if<ApiError>(&count)) return failure(*e);
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
  json page = {{"items", std::move(items)}, {"next_cursor", std::move(next)}};
  if (std::get<bool>(count)) page["total"] = call.reader.service().count(f);
  return json_response(200, page);
}

HttpResponse Api::get_dispute(const Call& call) {
  if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
  auto snapshot = call.reader.snapshot();
  auto view = call.reader.service().show(call.param("id"), false);
  if (!view) return failure(view.error());
  json out = dispute_json(view.value());
  // What each open step can end with: the page shows them as buttons.
  for (std::size_t i = 0; i < view->steps.size(); ++i)
    if (view->steps[i].status == domain::StepStatus::kOpen)
      out["steps"][i]["outcomes"] =
          call.reader.service().outcomes_of(view->dispute, view->steps[i].step_key);
  return json_response(200, out);
}

HttpResponse Api::timeline(const Call& call) {
  const auto& r = call.request;
  if (auto e = unknown_query_parameters(r, {"cursor", "limit"})) return failure(*e);
  // A dossier only grows (connectors add every comment): answered in pages, in id order.
  std::int64_t after = 0;
  if (const std::string* cursor = query(r, "cursor")) {
    auto id = whole_number(*cursor);
    if (!id)
      return failure(ApiError::make(422, "invalid_argument", "invalid query parameter", "cursor",
                                    "is not a cursor returned by this API"));
    after = *id;
  }
  auto limit = int_parameter(r, "limit", 500, 1, 1000);
  if (auto* e = std::get_if<ApiError>(&limit)) return failure(*e);
  auto snapshot = call.reader.snapshot();
  auto view = call.reader.service().show(call.param("id"), true);
  if (!view) return failure(view.error());
  json items = json::array();
  json next = nullptr;
  for (const auto& e : view->dossier) {
    if (e.id <= after) continue;
    if (std::int64_t(items.size()) == std::get<std::int64_t>(limit)) {
      next = std::to_string(items.back()["id"].get<std::int64_t>());
      break;
    }
    items.push_back(engine::to_json(e));
  }
  return json_response(200, {{"dispute", view->dispute.ref},
                             {"items", std::move(items)},
                             {"next_cursor", std::move(next)}});
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
  const auto& r = call.request;
  if (auto e = unknown_query_parameters(r, {"assignee", "cursor", "limit"})) return failure(*e);
  const std::string* assignee = query(r, "assignee");
  // Pages of the list in its order (soonest deadline first); the cursor counts what was shown.
  std::int64_t skip = 0;
  if (const std::string* cursor = query(r, "cursor")) {
    auto n = whole_number(*cursor);
    if (!n)
      return failure(ApiError::make(422, "invalid_argument", "invalid query parameter", "cursor",
                                    "is not a cursor returned by this API"));
    skip = *n;
  }
  auto limit = int_parameter(r, "limit", 200, 1, 1000);
  if (auto* e = std::get_if<ApiError>(&limit)) return failure(*e);
  const auto page = std::get<std::int64_t>(limit);
  auto snapshot = call.reader.snapshot();
  auto tasks = call.reader.service().tasks(assignee ? *assignee : "");
  json items = json::array();
  for (std::size_t i = std::size_t(std::min<std::int64_t>(skip, std::int64_t(tasks.size())));
       i < tasks.size() && std::int64_t(items.size()) < page; ++i)
    items.push_back(engine::to_json(tasks[i]));
  const std::int64_t shown = skip + std::int64_t(items.size());
  json next = shown < std::int64_t(tasks.size()) ? json(std::to_string(shown)) : json(nullptr);
  return json_response(200, {{"assignee", assignee ? json(*assignee) : json(nullptr)},
                             {"items", std::move(items)},
                             {"next_cursor", std::move(next)}});
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
