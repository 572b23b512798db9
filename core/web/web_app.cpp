#include "core/web/web_app.hpp"

#include "core/api/handler_support.hpp"
#include "core/config/config_error.hpp"
#include "core/net/secrets.hpp"
#include "core/web/session_routes.hpp"

namespace disputed::web {

namespace {

using nlohmann::json;

}  // namespace

WebSettings web_settings(const config::EngineConfig& config) {
  WebSettings out;
  const json& server = config.raw.contains("server") ? config.raw["server"] : json::object();
  std::string public_url = server.value("public_url", std::string());
  // Secure cookies whenever people reach us over TLS: served here (server.tls) or behind a
  // proxy that terminates it (an https public URL).
  out.sessions.secure_cookies = public_url.rfind("https://", 0) == 0 || server.contains("tls");
  if (!server.contains("web")) return out;
  const json& web = server["web"];
  out.sessions.idle = std::chrono::minutes(web.value("session_idle_minutes", 30));
  out.sessions.absolute = std::chrono::hours(web.value("session_absolute_hours", 8));
  if (!web.contains("oidc")) return out;
  const json& o = web["oidc"];
  std::string file = config.file.string();
  if (public_url.empty())
    throw config::ConfigError(file, "/server/public_url",
                              "is required with server.web.oidc: the identity provider sends "
                              "people back to <public_url>/auth/oidc/callback");
  OidcSettings oidc;
  oidc.issuer = o.at("issuer").get<std::string>();
  while (!oidc.issuer.empty() && oidc.issuer.back() == '/') oidc.issuer.pop_back();
  oidc.client_id = o.at("client_id").get<std::string>();
  auto secret = net::resolve_secret(o.at("client_secret").get<std::string>());
  if (!secret)
    throw config::ConfigError(file, "/server/web/oidc/client_secret", secret.error().message);
  oidc.client_secret = secret.value();
  oidc.client_auth = o.value("client_auth", oidc.client_auth);
  oidc.scopes = o.value("scopes", oidc.scopes);
  oidc.redirect_uri = public_url + "/auth/oidc/callback";
  oidc.role_claim = o.value("role_claim", oidc.role_claim);
  for (const auto& [value, role] : o.at("roles").items()) {
    auto parsed = api::parse_role(role.get<std::string>());
    if (!parsed)
      throw config::ConfigError(file, "/server/web/oidc/roles/" + value,
                                "unknown role '" + role.get<std::string>() + "'");
    oidc.roles[value] = *parsed;
  }
  oidc.user_claim = o.value("user_claim", std::string());
  oidc.name_claim = o.value("name_claim", oidc.name_claim);
  oidc.display_name = o.value("display_name", oidc.display_name);
  out.oidc = std::move(oidc);
  return out;
}

WebApp::WebApp(api::Api& api, engine::CommandWriter& writer, engine::ReaderPool& readers,
               const domain::Clock& clock, const domain::Clock& engine_clock, WebSettings settings,
               std::function<void(const std::string&)> log)
    : sessions_(writer, clock, settings.sessions),
      oidc_(settings.oidc
                ? std::make_unique<OidcSignIn>(*settings.oidc, sessions_, writer, clock, log)
                : nullptr),
      site_(oidc_.get()),
      links_(settings.links ? std::make_unique<ActionLinkPages>(readers, writer, engine_clock,
                                                                std::move(*settings.links), log)
                            : nullptr) {
  api.set_browser_sessions(&sessions_);
  api.set_site([this](const api::HttpRequest& request) {
    if (links_ && ActionLinkPages::handles(request.path)) return links_->handle(request);
    return site_.handle(request);
  });
  add_session_routes(api, sessions_, oidc_.get());
  api.add_route("GET", "/sign-in-options", api::Permission::kPublic,
                [oidc = oidc_.get()](const api::RouteCall& call) {
                  using namespace api::handler_support;
                  if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
                  json providers = json::array();
                  if (oidc)
                    providers.push_back({{"id", "oidc"},
                                         {"name", oidc->settings().display_name},
                                         {"login", "/auth/oidc/login"}});
                  return json_response(200, {{"local", true}, {"providers", providers}});
                });
}

WebApp::~WebApp() = default;

}  // namespace disputed::web
