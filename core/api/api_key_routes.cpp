#include "core/api/api_key_routes.hpp"

#include "core/api/handler_support.hpp"
#include "core/store/api_keys.hpp"

namespace disputed::api {

namespace {

using namespace handler_support;
using nlohmann::json;

json optional_instant(const std::optional<domain::Instant>& t) {
  return t ? json(domain::format_instant(*t)) : json(nullptr);
}

json key_json(const store::ApiKeyRecord& k) {
  return {{"name", k.name},
          {"role", k.role},
          {"prefix", k.key_prefix},
          {"created_at", domain::format_instant(k.created_at)},
          {"last_used_at", optional_instant(k.last_used_at)},
          {"revoked_at", optional_instant(k.revoked_at)}};
}

}  // namespace

void add_api_key_routes(Api& api, engine::CommandWriter& writer, const domain::Clock& clock) {
  api.add_route("GET", "/api-keys", Permission::kOperate, [](const RouteCall& call) {
    if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
    store::ReadTransaction snapshot(call.reader.db());
    json items = json::array();
    for (const auto& k : store::ApiKeyStore(call.reader.db()).list()) items.push_back(key_json(k));
    return json_response(200, {{"items", std::move(items)}});
  });

  api.add_route(
      "POST", "/api-keys", Permission::kOperate, [&writer, &clock, &api](const RouteCall& call) {
        if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
        auto body = read_body(call.request, "ApiKeyRequest", true, api.max_body_bytes());
        if (auto* e = std::get_if<ApiError>(&body)) return failure(*e);
        const json& doc = std::get<json>(body);
        auto made = writer.run<NewApiKey>([name = text_or(doc, "name"), role = text_or(doc, "role"),
                                           now = clock.now()](engine::DisputeService& s) {
          return create_api_key(s.store().db(), name, role, now);
        });
        if (!made) return failure(made.error());
        json out = key_json(made->record);
        out["key"] = made->key;
        return json_response(201, out);
      });

  api.add_route(
      "DELETE", "/api-keys/{name}", Permission::kOperate, [&writer, &clock](const RouteCall& call) {
        if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
        std::string name = call.param("name");
        domain::Instant now = clock.now();
        auto revoked =
            writer.run<bool>([name, now](engine::DisputeService& s) -> domain::Result<bool> {
              if (!store::ApiKeyStore(s.store().db()).revoke(name, now))
                return domain::Error::not_found("no active API key called '" + name + "'");
              return true;
            });
        if (!revoked) return failure(revoked.error());
        return json_response(200, {{"name", name}, {"revoked_at", domain::format_instant(now)}});
      });
}

}  // namespace disputed::api
