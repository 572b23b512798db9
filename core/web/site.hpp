#pragma once
// Everything `disputed serve` answers outside /api/v1: the web app's page shell for its page
// paths (/, /my-work, /disputes, /disputes/DSP-000042, /register, /invoices/INV-1, /reports,
// /operations, /sign-in), its files under /static/, and the OpenID Connect sign-in round trip
// under /auth/oidc/. Every answer carries the security headers: a Content-Security-Policy
// without 'unsafe-inline', nosniff, no framing, no referrer.

#include <string>

#include "core/api/http_types.hpp"

namespace disputed::web {

class OidcSignIn;

/// The Content-Security-Policy of every page: scripts and styles from this origin only (plus
/// the import map by its hash), no plugins, no framing, forms and connections to self.
std::string content_security_policy();

/// Whether `path` is one of the web app's pages.
bool is_page_path(const std::string& path);

class Site {
 public:
  /// `oidc` may be null (no identity provider configured).
  explicit Site(OidcSignIn* oidc) : oidc_(oidc) {}
  /// Never throws.
  api::HttpResponse handle(const api::HttpRequest& request) const;

 private:
  api::HttpResponse file(const api::HttpRequest& request, const std::string& path,
                         int status = 200) const;
  OidcSignIn* oidc_;
};

/// Adds the security headers every site answer carries.
void add_security_headers(api::HttpResponse& response);

}  // namespace disputed::web
