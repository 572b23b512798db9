#pragma once
// The web app as one object, composed by `disputed serve` beside the REST API it calls: browser
// sessions (checked by Api for requests without an Authorization header), the /api/v1/session
// and /api/v1/sign-in-options routes, the OpenID Connect sign-in when configured, and the site
// (pages and files). See docs/web.md.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/api/api.hpp"
#include "core/config/engine_config.hpp"
#include "core/web/action_links.hpp"
#include "core/web/oidc.hpp"
#include "core/web/sessions.hpp"
#include "core/web/site.hpp"

namespace disputed::web {

struct WebSettings {
  SessionSettings sessions;
  std::optional<OidcSettings> oidc;
  /// The one-click links' pages under /a/ (messaging.link_keys); none when no keys are set.
  std::optional<LinkPageSettings> links;
};

/// server.web and server.public_url of the engine config: session lifetimes, Secure cookies
/// when the public URL is https, and the identity provider (its client secret resolved from
/// env:/file:). Throws config::ConfigError naming the key path (e.g. oidc without public_url).
WebSettings web_settings(const config::EngineConfig& config);

class WebApp {
 public:
  /// Registers everything on `api` (before it serves). `log` gets sign-in failures and refused
  /// links (never a secret or token). `clock` runs the sessions (wall-clock time); the link
  /// pages read on `readers` and expire links on `engine_clock`.
  WebApp(api::Api& api, engine::CommandWriter& writer, engine::ReaderPool& readers,
         const domain::Clock& clock, const domain::Clock& engine_clock, WebSettings settings,
         std::function<void(const std::string&)> log);
  ~WebApp();
  WebApp(const WebApp&) = delete;
  WebApp& operator=(const WebApp&) = delete;

 private:
  Sessions sessions_;
  std::unique_ptr<OidcSignIn> oidc_;
  Site site_;
  std::unique_ptr<ActionLinkPages> links_;
};

}  // namespace disputed::web
