#pragma once
// /api/v1/session: who is calling (GET), signing in with a local account (POST) and signing
// out (DELETE). Local accounts are made with `disputed user add`.

#include <string>

#include "core/api/api.hpp"
#include "core/web/sessions.hpp"

namespace disputed::web {

class OidcSignIn;

/// `oidc` (may be null) names the identity provider's sign-out page for OIDC sessions.
void add_session_routes(api::Api& api, Sessions& sessions, const OidcSignIn* oidc);

}  // namespace disputed::web
