#pragma once
// OAuth2 access tokens (JWT) from the company's identity provider: the signature and expiry are
// checked by liboauth2 (oauth2_token_verify) with the provider's JWKS, from a file or fetched by
// us from jwks_uri (https only; cached, fetched again after an hour, or after a failed
// verification but at most once per jwks_min_refresh_seconds, never under a lock);
// issuer, audience, expiry and the role are then checked here on the claims. liboauth2 stays in
// jwt_verifier.cpp. It is AGPL-3.0-or-later in Debian 12's version 1.4.x (see
// docs/dependencies.md).

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <variant>

#include "core/api/api_error.hpp"
#include "core/api/auth.hpp"
#include "core/config/engine_config.hpp"

namespace disputed::api {

class JwtVerifier {
 public:
  /// Reads the JWKS file (when configured) and prepares liboauth2. Throws config::ConfigError
  /// naming the problem (unreadable JWKS, unknown role) at start-up. liboauth2's own messages go
  /// to `log` at WARN level or above, with anything that looks like a token removed (at DEBUG
  /// it would log tokens).
  JwtVerifier(const config::OAuth2Config& config, std::function<void(const std::string&)> log = {});
  ~JwtVerifier();
  JwtVerifier(const JwtVerifier&) = delete;
  JwtVerifier& operator=(const JwtVerifier&) = delete;

  /// The principal of a valid token; 401 for a bad signature, an expired token, a wrong issuer
  /// or audience; 403 for a valid token without a configured role. Thread-safe.
  std::variant<Principal, ApiError> verify(const std::string& token) const;

  /// How often the JWKS was fetched from jwks_uri (0 with jwks_file).
  std::uint64_t jwks_fetches() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Replaces every run that looks like a JWT or a long base64url secret with "[redacted]", so
/// log lines never carry a credential.
std::string redact_tokens(std::string text);

}  // namespace disputed::api
