#include "core/api/lookup_routes.hpp"

#include "core/api/handler_support.hpp"

namespace disputed::api {

namespace {

using namespace handler_support;
using nlohmann::json;

constexpr std::size_t kMaxSearchText = 100;
constexpr std::size_t kMaxDescription = 4000;

json invoice_match_json(const engine::InvoiceMatch& m) {
  const auto& inv = m.record.invoice;
  domain::Decimal open = inv.amount.minus(m.disputed_amount).value_or(domain::Decimal());
  return {{"number", inv.number},
          {"customer", {{"id", inv.customer.id}, {"name", inv.customer.name}}},
          {"amount", inv.amount.to_string()},
          {"currency", inv.currency},
          {"issue_date", domain::format_date(inv.issue_date)},
          {"due_date", domain::format_date(inv.due_date)},
          {"disputed_amount", m.disputed_amount.to_string()},
          {"undisputed_amount", open.to_string()},
          {"active_disputes", m.active_disputes}};
}

json category_json(const workflow::CategoryDef& c) {
  return {{"id", c.id},
          {"name", c.name},
          {"description", c.description},
          {"max_resolution_working_days", c.max_resolution_working_days}};
}

}  // namespace

std::optional<ApiError> read_search_filters(const HttpRequest& r, engine::DisputeFilter& f) {
  if (const std::string* channel = query(r, "channel")) {
    f.channel = domain::parse_channel(*channel);
    if (!f.channel)
      return ApiError::make(422, "invalid_argument", "invalid query parameter", "channel",
                            "'" + *channel + "' is not one of " + domain::channel_names());
  }
  for (const char* name : {"from", "to"}) {
    const std::string* text = query(r, name);
    if (!text) continue;
    auto date = domain::parse_date(*text);
    if (!date)
      return ApiError::make(422, "invalid_argument", "invalid query parameter", name,
                            "must be a date written YYYY-MM-DD (got '" + *text + "')");
    // Whole UTC days: from the start of `from` to the end of `to`.
    domain::Instant start{std::chrono::sys_days(*date)};
    if (std::string(name) == "from")
      f.opened_from = start;
    else
      f.opened_before = start + std::chrono::hours(24);
  }
  auto text = text_parameter(r, "q", kMaxSearchText);
  if (auto* e = std::get_if<ApiError>(&text)) return *e;
  if (const std::string* q = std::get<const std::string*>(text); q && !q->empty()) f.text = *q;
  if (const std::string* order = query(r, "order")) {
    if (*order != "oldest" && *order != "newest")
      return ApiError::make(422, "invalid_argument", "invalid query parameter", "order",
                            "must be oldest or newest (got '" + *order + "')");
    f.newest_first = *order == "newest";
  }
  return std::nullopt;
}

void add_lookup_routes(Api& api, const workflow::Definitions& defs) {
  api.add_route("GET", "/invoices", Permission::kRead, [](const RouteCall& call) {
    const auto& r = call.request;
    if (auto e = unknown_query_parameters(r, {"q", "limit"})) return failure(*e);
    auto text = text_parameter(r, "q", kMaxSearchText);
    if (auto* e = std::get_if<ApiError>(&text)) return failure(*e);
    const std::string* q = std::get<const std::string*>(text);
    if (!q || q->empty())
      return failure(ApiError::make(422, "invalid_argument", "missing query parameter", "q",
                                    "is required: part of an invoice number or customer"));
    auto limit = int_parameter(r, "limit", 10, 1, 50);
    if (auto* e = std::get_if<ApiError>(&limit)) return failure(*e);
    auto snapshot = call.reader.snapshot();
    json items = json::array();
    for (const auto& m :
         call.reader.service().search_invoices(*q, int(std::get<std::int64_t>(limit))))
      items.push_back(invoice_match_json(m));
    return json_response(200, {{"items", std::move(items)}});
  });

  api.add_route("GET", "/categories", Permission::kRead, [&defs](const RouteCall& call) {
    if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
    json items = json::array();
    for (const auto& [id, c] : defs.categories) items.push_back(category_json(c));
    return json_response(200, {{"items", std::move(items)}, {"default", defs.default_category}});
  });

  api.add_route("GET", "/categories/suggestion", Permission::kRead, [&defs](const RouteCall& call) {
    const auto& r = call.request;
    if (auto e = unknown_query_parameters(r, {"text"})) return failure(*e);
    auto text = text_parameter(r, "text", kMaxDescription);
    if (auto* e = std::get_if<ApiError>(&text)) return failure(*e);
    const std::string* t = std::get<const std::string*>(text);
    const workflow::CategoryDef& c = defs.suggest_category(t ? *t : "");
    bool matched = t && c.id != defs.default_category;
    return json_response(200, {{"category", category_json(c)}, {"matched", matched}});
  });
}

}  // namespace disputed::api
