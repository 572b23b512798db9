#pragma once
// Signing in with the organisation's identity provider: OpenID Connect authorization code flow
// with PKCE, as a backend-for-frontend (docs/web.md). This server is the confidential client:
// it redeems the code with its client secret, checks the ID token (RS256 signature against the
// provider's JWKS, issuer, audience, expiry, nonce), maps the role claim to a disputed role and
// starts a cookie session. The browser never sees a token.
//
//   GET /auth/oidc/login?return=/disputes/DSP-000042   a sign-in under way (state, nonce, PKCE
//                                                      verifier, kept ten minutes by the hash
//                                                      of a Lax cookie), then 302 to the provider
//   GET /auth/oidc/callback?code=..&state=..           checks, session, then a same-origin page
//                                                      that moves on to the return path

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/api/api.hpp"
#include "core/web/sessions.hpp"

namespace disputed::web {

struct OidcSettings {
  std::string issuer;  // discovery at <issuer>/.well-known/openid-configuration
  std::string client_id;
  std::string client_secret;                       // resolved from env:/file:, never logged
  std::string client_auth = "client_secret_post";  // or client_secret_basic
  std::string scopes = "openid profile email";
  std::string redirect_uri;  // <server.public_url>/auth/oidc/callback
  std::string role_claim = "roles";
  std::map<std::string, api::Role> roles;  // claim value -> role (the highest wins)
  std::string user_claim;                  // empty: email, else preferred_username, else sub
  std::string name_claim = "name";
  std::string display_name = "your organisation";
};

/// What an ID token says, once checked.
struct IdTokenClaims {
  std::string user;
  std::string name;
  api::Role role = api::Role::kViewer;
};

class OidcSignIn {
 public:
  OidcSignIn(OidcSettings settings, Sessions& sessions, engine::CommandWriter& writer,
             const domain::Clock& clock, std::function<void(const std::string&)> log);
  ~OidcSignIn();

  api::HttpResponse begin(const api::HttpRequest& request);
  api::HttpResponse finish(const api::HttpRequest& request);

  const OidcSettings& settings() const { return settings_; }
  /// The provider's end_session_endpoint once discovered (empty until then or when it has none).
  std::string sign_out_url() const;

  /// Checks an ID token against `jwks` (a JWKS document) and the settings; the claims or an
  /// error naming what is wrong. Public for tests.
  domain::Result<IdTokenClaims> check_id_token(const std::string& token, const std::string& jwks,
                                               const std::string& issuer,
                                               const std::string& nonce) const;

 private:
  struct Provider {
    std::string issuer;
    std::string authorization_endpoint;
    std::string token_endpoint;
    std::string jwks;  // the key set document
    std::string end_session_endpoint;
    std::chrono::steady_clock::time_point fetched;
  };
  domain::Result<Provider> provider(bool refresh_keys = false);
  api::HttpResponse failure_page(int status, const std::string& message) const;

  OidcSettings settings_;
  Sessions& sessions_;
  engine::CommandWriter& writer_;
  const domain::Clock& clock_;
  std::function<void(const std::string&)> log_;
  mutable std::mutex mutex_;
  std::optional<Provider> provider_;
};

/// A return path the app may go to after sign-in: a local absolute path ("/disputes/X"),
/// never "//host" or a URL; nullopt otherwise.
std::optional<std::string> safe_return_path(const std::string& path);

}  // namespace disputed::web
