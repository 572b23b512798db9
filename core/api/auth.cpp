#include "core/api/auth.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "core/api/jwt_verifier.hpp"

namespace disputed::api {

namespace {

constexpr std::string_view kKeyPrefix = "dsp_";

ApiError unauthorized(std::string message, bool token_given) {
  ApiError e = ApiError::make(401, "unauthorized", std::move(message));
  // A detail marks "a token was presented but is not valid" (WWW-Authenticate error=invalid_token).
  if (token_given) e.error.details.push_back({"Authorization", "invalid token"});
  return e;
}

}  // namespace

std::string_view to_string(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kIntegration:
      return "integration";
    case Role::kController:
      return "controller";
    case Role::kAdmin:
      return "admin";
  }
  return "viewer";
}

std::optional<Role> parse_role(std::string_view name) {
  for (auto r : {Role::kViewer, Role::kIntegration, Role::kController, Role::kAdmin})
    if (to_string(r) == name) return r;
  return std::nullopt;
}

std::string role_names() { return "admin, controller, viewer, integration"; }

bool allows(Role role, Permission permission) {
  switch (permission) {
    case Permission::kRead:
    case Permission::kPublic:
      return true;
    case Permission::kAddNote:
    case Permission::kUpsertInvoices:
      return role != Role::kViewer;
    case Permission::kRunDisputes:
      return role == Role::kController || role == Role::kAdmin;
    case Permission::kOperate:
      return role == Role::kAdmin;
  }
  return false;
}

Authenticator::Authenticator() = default;
Authenticator::Authenticator(std::unique_ptr<JwtVerifier> jwt) : jwt_(std::move(jwt)) {}
Authenticator::~Authenticator() = default;

std::variant<Principal, ApiError> Authenticator::authenticate(const std::string& authorization,
                                                              engine::Operations& keys) const {
  if (authorization.empty())
    return unauthorized("authentication required: send Authorization: Bearer <token>", false);
  // RFC 6750: the scheme is case-insensitive, then one space, then the token.
  constexpr std::string_view kBearer = "bearer ";
  bool bearer =
      authorization.size() > kBearer.size() &&
      std::equal(kBearer.begin(), kBearer.end(), authorization.begin(),
                 [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
  if (!bearer) return unauthorized("the Authorization header must be: Bearer <token>", false);
  std::string token = authorization.substr(kBearer.size());
  while (!token.empty() && token.front() == ' ') token.erase(token.begin());
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.pop_back();
  if (token.empty()) return unauthorized("the Authorization header must be: Bearer <token>", false);

  if (token.compare(0, kKeyPrefix.size(), kKeyPrefix) == 0) {
    auto key = keys.active_api_key(token);
    if (!key) return unauthorized("unknown or revoked API key", true);
    auto role = parse_role(key->role);
    if (!role) return unauthorized("API key has an unknown role", true);
    return Principal{"api-key:" + key->name, *role, key->id};
  }
  if (jwt_) return jwt_->verify(token);
  return unauthorized("unknown API key (OAuth2 tokens are not configured)", true);
}

}  // namespace disputed::api
