#pragma once
// Who is calling and what they may do. Every route but /healthz needs "Authorization: Bearer
// <token>", where the token is an API key (made with `disputed api-key create`, stored as a
// SHA-256 hash) or an OAuth2 access token (JWT) from the configured identity provider.
//
// Roles: viewer reads; integration reads, adds notes (contact moments) and upserts invoices (a
// ledger or portal feeding disputed); controller also runs disputes; admin may do everything.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/api/api_error.hpp"
#include "core/domain/result.hpp"
#include "core/domain/time.hpp"
#include "core/store/api_keys.hpp"
#include "core/store/sqlite.hpp"

namespace disputed::api {

enum class Role { kViewer, kIntegration, kController, kAdmin };
std::string_view to_string(Role role);
std::optional<Role> parse_role(std::string_view name);
/// "admin, controller, viewer, integration".
std::string role_names();

/// What a route needs.
/// kOperate: connector operations (replaying dead letters), admin only.
enum class Permission { kRead, kAddNote, kUpsertInvoices, kRunDisputes, kOperate };
bool allows(Role role, Permission permission);

struct Principal {
  std::string actor;  // recorded in the dossier: "api-key:<name>" or the token's user
  Role role = Role::kViewer;
  std::optional<std::int64_t> api_key_id;
};

/// An API key as made: the record as stored and the key itself, which is shown once.
struct NewApiKey {
  store::ApiKeyRecord record;
  std::string key;
};

/// "dsp_" followed by 32 random bytes in base64url (43 characters).
std::string generate_api_key();
/// Lower-case hex SHA-256 of `key` (OpenSSL EVP).
std::string hash_api_key(std::string_view key);

/// Makes a key called `name` (letters, digits, '.', '_', '-', '@'; at most 64) with `role`.
/// Fails with a conflict when an active key already has the name.
domain::Result<NewApiKey> create_api_key(store::Database& db, const std::string& name,
                                         const std::string& role, domain::Instant now);

class JwtVerifier;

class Authenticator {
 public:
  /// Accepts API keys only.
  Authenticator();
  /// Accepts API keys and, when `jwt` is not null, OAuth2 access tokens.
  explicit Authenticator(std::unique_ptr<JwtVerifier> jwt);
  ~Authenticator();
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  /// The caller named by an Authorization header, or a 401 (missing, malformed, unknown,
  /// revoked or expired) or 403 (valid token without a disputed role). API keys are looked up
  /// on `db` (a read connection).
  std::variant<Principal, ApiError> authenticate(const std::string& authorization,
                                                 store::Database& db) const;

 private:
  std::unique_ptr<JwtVerifier> jwt_;
};

}  // namespace disputed::api
