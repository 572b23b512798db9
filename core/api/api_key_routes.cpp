#include "core/api/api_key_routes.hpp"

#include "core/api/handler_support.hpp"

namespace disputed::api {

namespace {

using namespace handler_support;
using nlohmann::json;

json optional_instant(const std::optional<domain::Instant>& t) {
  return t ? json(domain::format_instant(*t)) : json(nullptr);
}

json key_json(const engine::ApiKeyRecord& k) {
  return {{"name", k.name},
          {"role", k.role},
          {"prefix", k.key_prefix},
          {"created_at", domain::format_instant(k.created_at)},
          {"last_used_at", optional_instant(k.last_used_at)},
          {"revoked_at", optional_instant(k.revoked_at)}};
}

}  // namespace

void add_api_key_routes(Api& api, engine::CommandWriter& writer, const domain::Clock&) {
  api.add_route("GET", "/api-keys", Permission::kOperate, [](const RouteCall& call) {
    if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
    auto snapshot = call.reader.snapshot();
    json items = json::array();
    for (const auto& k : call.reader.operations().api_keys()) items.push_back(key_json(k));
    return json_response(200, {{"items", std::move(items)}});
  });

  api.add_route("POST", "/api-keys", Permission::kOperate, [&writer, &api](const RouteCall& call) {
    if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
    auto body = read_body(call.request, "ApiKeyRequest", true, api.max_body_bytes());
    if (auto* e = std::get_if<ApiError>(&body)) return failure(*e);
    const json& doc = std::get<json>(body);
    auto made = writer.run<engine::NewApiKey>(
        [name = text_or(doc, "name"), role = text_or(doc, "role")](engine::Session& s) {
          return s.operations().create_api_key(name, role);
        });
    if (!made) return failure(made.error());
    json out = key_json(made->record);
    out["key"] = made->key;
    return json_response(201, out);
  });

  api.add_route(
      "DELETE", "/api-keys/{name}", Permission::kOperate, [&writer](const RouteCall& call) {
        if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
        std::string name = call.param("name");
        auto revoked = writer.run<domain::Instant>(
            [name](engine::Session& s) { return s.operations().revoke_api_key(name); });
        if (!revoked) return failure(revoked.error());
        return json_response(
            200, {{"name", name}, {"revoked_at", domain::format_instant(revoked.value())}});
      });
}

}  // namespace disputed::api
