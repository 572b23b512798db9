#pragma once
// How requests to an external system are authenticated: none, HTTP Basic, a static bearer
// token, or an OAuth2 token (client credentials or JWT bearer grant, fetched with liboauth2,
// cached, refreshed).
// Settings carry secret *references*; secrets are resolved when the credentials are built and
// never appear in logs or error messages.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/domain/result.hpp"
#include "core/net/secrets.hpp"
#include "disputed/sdk/host.hpp"

namespace disputed::net {

class SecretScrubber;

/// The manifest's `auth.kind`.
enum class AuthKind { kNone, kBasic, kBearer, kOAuth2ClientCredentials };

/// "none" | "basic" | "bearer" | "oauth2_client_credentials".
domain::Result<AuthKind> parse_auth_kind(std::string_view text);
const char* to_string(AuthKind kind) noexcept;

/// How the client proves itself to the token endpoint (RFC 6749 §2.3, RFC 7523).
enum class ClientAuthMethod { kClientSecretBasic, kClientSecretPost, kPrivateKeyJwt };

/// "client_secret_basic" | "client_secret_post" | "private_key_jwt".
domain::Result<ClientAuthMethod> parse_client_auth_method(std::string_view text);
const char* to_string(ClientAuthMethod method) noexcept;

/// How the token is obtained: the client-credentials grant (RFC 6749 §4.4) or the JWT bearer
/// grant (RFC 7523 §2.1: a JWT signed with the client's private key, asserting `subject`; what
/// Salesforce calls the "OAuth 2.0 JWT Bearer Flow for Server-to-Server Integration").
enum class OAuth2Grant { kClientCredentials, kJwtBearer };

/// "client_credentials" | "jwt_bearer".
domain::Result<OAuth2Grant> parse_oauth2_grant(std::string_view text);
const char* to_string(OAuth2Grant grant) noexcept;

/// OAuth2 token settings of one connector instance.
struct OAuth2ClientSettings {
  OAuth2Grant grant = OAuth2Grant::kClientCredentials;
  std::string token_url;  ///< absolute; must also match the instance's allowed hosts
  /// The client (Salesforce: the connected app's consumer key); `iss` of a jwt_bearer assertion.
  std::string client_id;
  /// client_credentials only (jwt_bearer sends no client authentication).
  ClientAuthMethod client_auth = ClientAuthMethod::kClientSecretBasic;
  std::string client_secret_ref;  ///< env:/file: reference; client_secret_basic and _post
  /// env:/file: reference to an RSA private key, PEM (PKCS#1 or PKCS#8) or a JWK; private_key_jwt
  /// and jwt_bearer.
  std::string private_key_ref;
  /// jwt_bearer: `sub` of the assertion, the user the token acts as (Salesforce: the username of
  /// the app's Run As user).
  std::string subject;
  /// `aud` of the assertion. private_key_jwt: empty means the token URL (RFC 7523 §3).
  /// jwt_bearer: required (Salesforce: https://login.salesforce.com, https://test.salesforce.com
  /// or the My Domain URL, not the token URL).
  std::string assertion_audience;
  /// jwt_bearer: `exp` of the assertion is this far after the current wall-clock time (the token
  /// endpoint judges it by its own clock; Salesforce accepts at most 3 minutes).
  std::chrono::seconds assertion_lifetime{120};
  std::string scope;  ///< optional, e.g. "https://graph.microsoft.com/.default"
  /// More form fields for the token request (e.g. {"resource", ...}). May not repeat the fields
  /// we set: grant_type, scope, client_id, client_secret, client_assertion(_type), assertion.
  std::vector<std::pair<std::string, std::string>> extra_form;
  /// Lifetime assumed when the answer has no `expires_in` (Salesforce): the token is used that
  /// long, and a 401 before then makes the HTTP client fetch a new one.
  std::chrono::seconds default_lifetime{30 * 60};
  /// A token is renewed this long before it expires (halved for very short-lived tokens).
  std::chrono::seconds refresh_margin{60};
  /// Token request timeout; liboauth2 counts whole seconds, so this is rounded up.
  std::chrono::milliseconds timeout{30000};
  bool verify_tls = true;
};

/// Everything needed to authenticate one instance's requests.
struct CredentialSettings {
  AuthKind kind = AuthKind::kNone;
  /// Basic: the user name as sent, possibly composed (Zendesk: "agent@acme.com/token").
  std::string username;
  std::string password_ref;  ///< Basic: env:/file: reference to the password or API token
  std::string token_ref;     ///< Bearer: env:/file: reference to the static token
  OAuth2ClientSettings oauth2;
};

/// Reads credential settings from an instance's `auth` JSON object plus its `secrets` map
/// (name -> reference). Keys of `auth_json`: basic: "username"; oauth2_client_credentials:
/// "grant" ("client_credentials", the default, or "jwt_bearer"), "token_url", "client_id",
/// "client_auth" (client_credentials only), "subject" (jwt_bearer only, required),
/// "assertion_audience" (required for jwt_bearer), "scope", "extra_form" (object of strings),
/// "default_lifetime_seconds", "timeout_ms", "verify_tls". Secret names: basic "password",
/// bearer "token", OAuth2 "client_secret" or "private_key" (private_key_jwt and jwt_bearer).
/// Missing required keys and keys the grant does not use are errors naming the key (the error's
/// field is relative to the auth object, or "secrets.<name>").
domain::Result<CredentialSettings> parse_credential_settings(
    AuthKind kind, const std::string& auth_json,
    const std::map<std::string, std::string>& secret_refs);

/// Produces the Authorization header for requests. Implementations are thread-safe and never
/// throw.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual AuthKind kind() const noexcept = 0;
  /// The Authorization header value for the next request ("" for kNone), or why there is none
  /// (e.g. the token endpoint refused); the message never contains a secret.
  virtual domain::Result<std::string> authorization() noexcept = 0;
  /// Called after the system answered 401 to a request sent with `used` (the header value).
  /// Drops that credential if it can be renewed and returns true when one retry with a fresh
  /// one makes sense (OAuth2); static credentials return false.
  virtual bool renew_after_unauthorized(const std::string& used) noexcept = 0;
};

/// The OAuth2 token of one instance (sdk::TokenSource), by the client-credentials or the JWT
/// bearer grant. The token is fetched on first use, cached until `refresh_margin` before it
/// expires (per the injected clock), and fetched again after invalidate(). Concurrent callers wait
/// for one fetch. Token requests go through liboauth2 (libcurl), serialised process-wide because
/// liboauth2 1.4 shares a curl handle between threads.
class OAuth2TokenSource final : public sdk::TokenSource {
 public:
  /// Checks the settings and resolves the secret references (the private key is converted to
  /// a JWK and checked to be RSA; for jwt_bearer a probe assertion is signed with it). Fails
  /// with a message naming what is wrong, never a secret.
  /// `clock` and `log` (optional: token requests are logged, redacted) must outlive this object.
  /// The resolved secrets are registered with `scrubber` when given.
  static domain::Result<std::unique_ptr<OAuth2TokenSource>> create(
      const OAuth2ClientSettings& settings, const sdk::Clock& clock, sdk::Logger* log = nullptr,
      SecretScrubber* scrubber = nullptr);

  ~OAuth2TokenSource() override;

  /// The cached token, or a fresh one. nullopt with `error` set when the token endpoint refused
  /// (e.g. "token endpoint https://login.example.com/token answered 400 invalid_grant: ..."),
  /// timed out or could not be reached. Never throws.
  std::optional<sdk::AccessToken> token(std::string* error = nullptr) override;
  /// Forgets the cached token; the next token() fetches one.
  void invalidate() override;
  /// Forgets the cached token only if it is still `stale`, so many requests failing with one
  /// token cause one fetch, not many.
  void invalidate_if_current(const std::string& stale_access_token) noexcept;
  /// Token requests made so far (answered or not).
  std::uint64_t fetch_count() const noexcept { return fetches_.load(); }
  const std::string& token_url() const noexcept { return settings_.token_url; }

 private:
  OAuth2TokenSource(OAuth2ClientSettings settings, Secret client_secret, Secret private_jwk,
                    const sdk::Clock& clock, sdk::Logger* log, SecretScrubber* scrubber);
  domain::Result<sdk::AccessToken> fetch();

  OAuth2ClientSettings settings_;
  Secret client_secret_;
  Secret private_jwk_;  // the RSA private key as JWK JSON (what liboauth2 takes)
  const sdk::Clock& clock_;
  sdk::Logger* log_;
  SecretScrubber* scrubber_;
  std::mutex mutex_;  // guards the cache; held during a fetch (single flight)
  std::optional<sdk::AccessToken> cached_;
  sdk::Instant renew_at_{};
  std::atomic<std::uint64_t> fetches_{0};
};

/// Builds the authenticator for `settings`, resolving its secret references. For
/// kOAuth2ClientCredentials `tokens` is required (and must outlive the authenticator); the
/// other kinds ignore it. Resolved secrets (and the Basic credential as sent) are registered
/// with `scrubber` when given.
domain::Result<std::unique_ptr<Authenticator>> make_authenticator(
    const CredentialSettings& settings, sdk::TokenSource* tokens,
    SecretScrubber* scrubber = nullptr);

/// Standard base64 (RFC 4648 §4, with padding), as HTTP Basic uses it.
std::string base64_encode(std::string_view bytes);

/// URL-safe base64 without padding (RFC 4648 §5), as JWK members use it.
std::string base64url_encode(std::string_view bytes);

}  // namespace disputed::net
