#include "core/api/auth.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "core/api/jwt_verifier.hpp"

namespace disputed::api {

namespace {

constexpr std::string_view kKeyPrefix = "dsp_";

std::string base64url(const unsigned char* data, std::size_t n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < n; i += 3) {
    unsigned v = unsigned(data[i]) << 16 | unsigned(data[i + 1]) << 8 | data[i + 2];
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
  }
  if (n - i == 1) {
    unsigned v = unsigned(data[i]) << 16;
    for (int shift : {18, 12}) out += kAlphabet[(v >> shift) & 63];
  } else if (n - i == 2) {
    unsigned v = unsigned(data[i]) << 16 | unsigned(data[i + 1]) << 8;
    for (int shift : {18, 12, 6}) out += kAlphabet[(v >> shift) & 63];
  }
  return out;
}

bool valid_key_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-' || c == '@';
  });
}

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

std::string generate_api_key() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("OpenSSL RAND_bytes failed");
  return std::string(kKeyPrefix) + base64url(bytes, sizeof bytes);
}

std::string hash_api_key(std::string_view key) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(key.data(), key.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("OpenSSL EVP_Digest(SHA-256) failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

domain::Result<NewApiKey> create_api_key(store::Database& db, const std::string& name,
                                         const std::string& role, domain::Instant now) {
  if (!valid_key_name(name))
    return domain::Error::invalid(
        "invalid key name", "name",
        "'" + name + "': use 1 to 64 letters, digits, '.', '_', '-' or '@'");
  if (!parse_role(role))
    return domain::Error::invalid("unknown role", "role",
                                  "'" + role + "' is not one of " + role_names());
  NewApiKey made;
  made.key = generate_api_key();
  made.record.name = name;
  made.record.role = role;
  made.record.key_hash = hash_api_key(made.key);
  made.record.key_prefix = made.key.substr(0, kKeyPrefix.size() + 6);
  made.record.created_at = now;
  store::Transaction tx(db);
  if (!store::ApiKeyStore(db).insert(made.record))
    return domain::Error::conflict("an active API key is already called '" + name +
                                   "' (revoke it first)");
  tx.commit();
  return made;
}

Authenticator::Authenticator() = default;
Authenticator::Authenticator(std::unique_ptr<JwtVerifier> jwt) : jwt_(std::move(jwt)) {}
Authenticator::~Authenticator() = default;

std::variant<Principal, ApiError> Authenticator::authenticate(const std::string& authorization,
                                                              store::Database& db) const {
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
    auto key = store::ApiKeyStore(db).find_active_by_hash(hash_api_key(token));
    if (!key) return unauthorized("unknown or revoked API key", true);
    auto role = parse_role(key->role);
    if (!role) return unauthorized("API key has an unknown role", true);
    return Principal{"api-key:" + key->name, *role, key->id};
  }
  if (jwt_) return jwt_->verify(token);
  return unauthorized("unknown API key (OAuth2 tokens are not configured)", true);
}

}  // namespace disputed::api
