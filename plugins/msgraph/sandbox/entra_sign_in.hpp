// The sign-in half of Microsoft Entra ID, as much as an OpenID Connect web app needs (the
// authorization code flow with PKCE, platform "Web"), so disputed's browser sign-in is tested
// end to end without the internet:
//
//   GET  /{tenant}/v2.0/.well-known/openid-configuration   discovery
//   GET  /{tenant}/discovery/v2.0/keys                     the signing keys (JWKS, RS256)
//   GET  /{tenant}/oauth2/v2.0/authorize                   a sign-in form (client_id,
//                                                          response_type=code, redirect_uri,
//                                                          scope with openid, state, nonce,
//                                                          code_challenge + S256 required)
//   POST /{tenant}/oauth2/v2.0/authorize                   the form: 302 to redirect_uri with
//                                                          code and state
//   POST /{tenant}/oauth2/v2.0/token                       grant_type=authorization_code: the
//                                                          client's secret (post or basic),
//                                                          the code (once, 10 minutes), the
//                                                          same redirect_uri, the PKCE verifier
//                                                          -> id_token (v2.0 claims, roles)
//   GET  /{tenant}/oauth2/v2.0/logout                      a signed-out page
//   POST /_sandbox/oidc/accounts                           {"email","password","name","roles":[..]}
//                                                          adds or replaces an account
//
// Seeded accounts (password "sandbox-password"): anna.jansen@example.com (Disputes.Controller),
// karin.meijer@example.com (Disputes.Admin), erik.mulder@example.com (Disputes.Viewer).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "plugins/sandbox/sandbox_server.hpp"

namespace disputed::sandbox {

class EntraSignIn {
 public:
  EntraSignIn();
  ~EntraSignIn();
  EntraSignIn(const EntraSignIn&) = delete;
  EntraSignIn& operator=(const EntraSignIn&) = delete;

  /// Answers the sign-in endpoints of `tenant`; nullopt for any other request (including token
  /// requests of other grants, which the Graph emulator answers).
  std::optional<Response> handle(const Request& request, const std::string& base_url,
                                 const std::string& tenant, const std::string& client_id,
                                 const std::string& client_secret);
  std::optional<Response> control(const Request& request);
  void reset();

 private:
  struct Account {
    std::string password;
    std::string name;
    std::string oid;
    std::vector<std::string> roles;
  };
  struct Grant {
    std::string client_id;
    std::string redirect_uri;
    std::string challenge;
    std::string nonce;
    std::string email;
    long issued = 0;  // steady seconds
    bool used = false;
  };
  std::string id_token(const std::string& issuer, const std::string& client_id,
                       const std::string& tenant, const std::string& email, const Grant& grant);
  void seed();

  struct Key;
  Key* key_;
  std::map<std::string, Account> accounts_;
  std::map<std::string, Grant> grants_;  // by code
  long counter_ = 0;
};

}  // namespace disputed::sandbox
