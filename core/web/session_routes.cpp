#include "core/web/session_routes.hpp"

#include "core/api/handler_support.hpp"
#include "core/web/oidc.hpp"
#include "core/web/passwords.hpp"

namespace disputed::web {

namespace {

using namespace api::handler_support;
using nlohmann::json;

// Verified against when the account does not exist, so an unknown address takes as long as a
// wrong password (no account discovery by timing).
const std::string& dummy_hash() {
  static const std::string hash = hash_password("not a real password, only for timing").value();
  return hash;
}

json session_json(const engine::WebSession& s, const Sessions& sessions,
                  const std::string& sign_out_url) {
  return {{"user", s.user},
          {"name", s.name.empty() ? s.user : s.name},
          {"role", s.role},
          {"source", s.source},
          {"csrf_token", s.csrf_token},
          {"expires_at", domain::format_instant(s.expires_at)},
          {"idle_minutes", sessions.settings().idle.count()},
          {"sign_out_url",
           s.source == "oidc" && !sign_out_url.empty() ? json(sign_out_url) : json(nullptr)}};
}

}  // namespace

void add_session_routes(api::Api& api, Sessions& sessions, const OidcSignIn* oidc) {
  auto sign_out_url = [oidc] { return oidc ? oidc->sign_out_url() : std::string(); };
  api.add_route("GET", "/session", api::Permission::kRead,
                [&sessions, sign_out_url](const api::RouteCall& call) {
                  if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
                  if (call.request.header("authorization").empty())
                    if (auto s = sessions.find(call.request, call.reader.session()))
                      return json_response(200, session_json(*s, sessions, sign_out_url()));
                  return json_response(200, {{"user", call.who.actor},
                                             {"name", call.who.actor},
                                             {"role", std::string(api::to_string(call.who.role))},
                                             {"source", call.who.api_key_id ? "api-key" : "token"},
                                             {"csrf_token", nullptr},
                                             {"expires_at", nullptr}});
                });

  api.add_route("POST", "/session", api::Permission::kPublic,
                [&sessions, &api, sign_out_url](const api::RouteCall& call) {
                  const auto& r = call.request;
                  if (auto e = unknown_query_parameters(r, {})) return failure(*e);
                  // Login CSRF: a cross-site form cannot send a custom header, and a cross-site
                  // script that tries needs a CORS preflight this server never approves.
                  if (r.header("x-csrf-token").empty())
                    return failure(api::ApiError::make(403, "forbidden", "missing CSRF header",
                                                       "X-CSRF-Token", "is required to sign in"));
                  const std::string& site = r.header("sec-fetch-site");
                  if (!site.empty() && site != "same-origin" && site != "none")
                    return failure(api::ApiError::make(403, "forbidden",
                                                       "a sign-in from another site was refused",
                                                       "Sec-Fetch-Site", "got '" + site + "'"));
                  auto body = read_body(r, "SignInRequest", true, api.max_body_bytes());
                  if (auto* e = std::get_if<api::ApiError>(&body)) return failure(*e);
                  const json& doc = std::get<json>(body);
                  std::string email = text_or(doc, "email");
                  std::string password = text_or(doc, "password");
                  auto user = call.reader.session().accounts().user(email);
                  bool ok = user && !user->disabled_at
                                ? verify_password(user->password_hash, password)
                                : (verify_password(dummy_hash(), password), false);
                  auto role = user ? api::parse_role(user->role) : std::nullopt;
                  if (!ok || !role)
                    return failure(api::ApiError::make(401, "unauthorized",
                                                       "wrong e-mail address or password"));
                  auto made = sessions.create(user->email, user->name, *role, "local");
                  if (!made) return failure(made.error());
                  api::HttpResponse answer =
                      json_response(200, session_json(made->record, sessions, sign_out_url()));
                  answer.headers.emplace_back("Set-Cookie", made->set_cookie);
                  answer.headers.emplace_back("Cache-Control", "no-store");
                  return answer;
                });

  api.add_route("DELETE", "/session", api::Permission::kRead,
                [&sessions](const api::RouteCall& call) {
                  if (auto e = unknown_query_parameters(call.request, {})) return failure(*e);
                  bool ended = false;
                  if (call.request.header("authorization").empty()) {
                    auto result = sessions.end(call.request);
                    if (!result) return failure(result.error());
                    ended = result.value();
                  }
                  api::HttpResponse answer = json_response(200, {{"signed_out", ended}});
                  if (ended) answer.headers.emplace_back("Set-Cookie", sessions.clearing_cookie());
                  return answer;
                });
}

}  // namespace disputed::web
