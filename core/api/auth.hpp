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
#include "core/engine/operations.hpp"

namespace disputed::api {

// Keys are made, hashed and stored by the engine (engine::Operations); the API checks them.
using engine::hash_api_key;

enum class Role { kViewer, kIntegration, kController, kAdmin };
std::string_view to_string(Role role);
std::optional<Role> parse_role(std::string_view name);
/// "admin, controller, viewer, integration".
std::string role_names();

/// What a route needs.
/// kOperate: connector operations (replaying dead letters, API keys), admin only.
/// kPublic: no authentication at all (signing in).
enum class Permission { kRead, kAddNote, kUpsertInvoices, kRunDisputes, kOperate, kPublic };
bool allows(Role role, Permission permission);

struct Principal {
  std::string actor;  // recorded in the dossier: "api-key:<name>" or the token's user
  Role role = Role::kViewer;
  std::optional<std::int64_t> api_key_id;
};

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
  /// revoked or expired) or 403 (valid token without a disputed role). API keys (made and
  /// stored by engine::Operations) are looked up through `keys` (a read session's).
  std::variant<Principal, ApiError> authenticate(const std::string& authorization,
                                                 engine::Operations& keys) const;

 private:
  std::unique_ptr<JwtVerifier> jwt_;
};

}  // namespace disputed::api
