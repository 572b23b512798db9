#include "core/net/credentials.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/net/redaction.hpp"

namespace disputed::net {

namespace {

using Json = nlohmann::json;

std::string encode_base64(std::string_view bytes, bool url) {
  static constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  static constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const char* alphabet = url ? kUrl : kStd;
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  std::size_t left = bytes.size() - i;
  if (left > 0) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (left == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (left == 2) out += alphabet[(v >> 6) & 63];
    if (!url) out.append(left == 1 ? "==" : "=");
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Authenticators

class NoAuthenticator final : public Authenticator {
 public:
  AuthKind kind() const noexcept override { return AuthKind::kNone; }
  domain::Result<std::string> authorization() noexcept override { return std::string(); }
  bool renew_after_unauthorized(const std::string&) noexcept override { return false; }
};

// Basic and Bearer: a fixed header value, built once.
class StaticAuthenticator final : public Authenticator {
 public:
  StaticAuthenticator(AuthKind kind, Secret header) : kind_(kind), header_(std::move(header)) {}
  AuthKind kind() const noexcept override { return kind_; }
  domain::Result<std::string> authorization() noexcept override {
    try {
      return header_.reveal();
    } catch (...) {
      return domain::Error::internal("auth: out of memory");
    }
  }
  bool renew_after_unauthorized(const std::string&) noexcept override { return false; }

 private:
  AuthKind kind_;
  Secret header_;
};

class OAuth2Authenticator final : public Authenticator {
 public:
  explicit OAuth2Authenticator(sdk::TokenSource& tokens) : tokens_(tokens) {}
  AuthKind kind() const noexcept override { return AuthKind::kOAuth2ClientCredentials; }
  domain::Result<std::string> authorization() noexcept override {
    try {
      std::string error;
      auto token = tokens_.token(&error);
      if (!token) return domain::Error::internal("auth: " + error);
      return "Bearer " + token->access_token;
    } catch (const std::exception& e) {
      return domain::Error::internal(std::string("auth: token source failed: ") + e.what());
    } catch (...) {
      return domain::Error::internal("auth: token source failed");
    }
  }
  bool renew_after_unauthorized(const std::string& used) noexcept override {
    try {
      static constexpr std::string_view kBearer = "Bearer ";
      if (auto* ours = dynamic_cast<OAuth2TokenSource*>(&tokens_);
          ours != nullptr && used.rfind(kBearer, 0) == 0) {
        ours->invalidate_if_current(used.substr(kBearer.size()));
      } else {
        tokens_.invalidate();
      }
      return true;
    } catch (...) {
      return false;
    }
  }

 private:
  sdk::TokenSource& tokens_;
};

// Reads an optional string member; a present member of another type is an error.
domain::Status read_string(const Json& object, const char* key, std::string& out) {
  auto it = object.find(key);
  if (it == object.end()) return domain::Ok{};
  if (!it->is_string())
    return domain::Error::invalid(std::string("auth.") + key + " must be a string", key,
                                  "must be a string");
  out = it->get<std::string>();
  return domain::Ok{};
}

domain::Result<std::string> required_secret(const std::map<std::string, std::string>& refs,
                                            const std::string& name, AuthKind kind) {
  auto it = refs.find(name);
  if (it == refs.end() || it->second.empty())
    return domain::Error::invalid(std::string("auth kind ") + to_string(kind) + " needs secret \"" +
                                      name + "\" (env:NAME or file:PATH)",
                                  "secrets." + name, "is required");
  return it->second;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string base64_encode(std::string_view bytes) { return encode_base64(bytes, /*url=*/false); }

std::string base64url_encode(std::string_view bytes) { return encode_base64(bytes, /*url=*/true); }

domain::Result<AuthKind> parse_auth_kind(std::string_view text) {
  for (AuthKind kind :
       {AuthKind::kNone, AuthKind::kBasic, AuthKind::kBearer, AuthKind::kOAuth2ClientCredentials}) {
    if (text == to_string(kind)) return kind;
  }
  return domain::Error::invalid("unknown auth kind \"" + std::string(text) +
                                    "\"; use none, basic, bearer or oauth2_client_credentials",
                                "auth.kind", "unknown");
}

const char* to_string(AuthKind kind) noexcept {
  switch (kind) {
    case AuthKind::kNone:
      return "none";
    case AuthKind::kBasic:
      return "basic";
    case AuthKind::kBearer:
      return "bearer";
    case AuthKind::kOAuth2ClientCredentials:
      return "oauth2_client_credentials";
  }
  return "none";
}

domain::Result<ClientAuthMethod> parse_client_auth_method(std::string_view text) {
  for (ClientAuthMethod method :
       {ClientAuthMethod::kClientSecretBasic, ClientAuthMethod::kClientSecretPost,
        ClientAuthMethod::kPrivateKeyJwt}) {
    if (text == to_string(method)) return method;
  }
  return domain::Error::invalid(
      "unknown client auth method \"" + std::string(text) +
          "\"; use client_secret_basic, client_secret_post or private_key_jwt",
      "client_auth", "unknown");
}

const char* to_string(ClientAuthMethod method) noexcept {
  switch (method) {
    case ClientAuthMethod::kClientSecretBasic:
      return "client_secret_basic";
    case ClientAuthMethod::kClientSecretPost:
      return "client_secret_post";
    case ClientAuthMethod::kPrivateKeyJwt:
      return "private_key_jwt";
  }
  return "none";
}

domain::Result<OAuth2Grant> parse_oauth2_grant(std::string_view text) {
  for (OAuth2Grant grant : {OAuth2Grant::kClientCredentials, OAuth2Grant::kJwtBearer}) {
    if (text == to_string(grant)) return grant;
  }
  return domain::Error::invalid(
      "unknown OAuth2 grant \"" + std::string(text) + "\"; use client_credentials or jwt_bearer",
      "grant", "unknown");
}

const char* to_string(OAuth2Grant grant) noexcept {
  switch (grant) {
    case OAuth2Grant::kClientCredentials:
      return "client_credentials";
    case OAuth2Grant::kJwtBearer:
      return "jwt_bearer";
  }
  return "client_credentials";
}

domain::Result<CredentialSettings> parse_credential_settings(
    AuthKind kind, const std::string& auth_json,
    const std::map<std::string, std::string>& secret_refs) {
  try {
    Json auth = auth_json.empty() ? Json::object() : Json::parse(auth_json, nullptr, false);
    if (!auth.is_object()) return domain::Error::invalid("auth settings must be a JSON object");

    CredentialSettings settings;
    settings.kind = kind;
    std::vector<std::string> known_secrets;
    switch (kind) {
      case AuthKind::kNone:
        break;
      case AuthKind::kBasic: {
        if (auto s = read_string(auth, "username", settings.username); !s) return s.error();
        if (settings.username.empty())
          return domain::Error::invalid("auth kind basic needs auth.username", "username",
                                        "is required");
        auto ref = required_secret(secret_refs, "password", kind);
        if (!ref) return ref.error();
        settings.password_ref = ref.value();
        known_secrets = {"password"};
        break;
      }
      case AuthKind::kBearer: {
        auto ref = required_secret(secret_refs, "token", kind);
        if (!ref) return ref.error();
        settings.token_ref = ref.value();
        known_secrets = {"token"};
        break;
      }
      case AuthKind::kOAuth2ClientCredentials: {
        OAuth2ClientSettings& o = settings.oauth2;
        std::string grant;
        if (auto s = read_string(auth, "grant", grant); !s) return s.error();
        if (auth.contains("grant")) {
          auto parsed = parse_oauth2_grant(grant);
          if (!parsed) return parsed.error();
          o.grant = parsed.value();
        }
        const bool jwt_bearer = o.grant == OAuth2Grant::kJwtBearer;
        for (auto [key, out] :
             {std::pair{"token_url", &o.token_url}, std::pair{"client_id", &o.client_id},
              std::pair{"scope", &o.scope}, std::pair{"assertion_audience", &o.assertion_audience},
              std::pair{"subject", &o.subject}}) {
          if (auto s = read_string(auth, key, *out); !s) return s.error();
        }
        for (const char* key : {"token_url", "client_id"}) {
          if (!auth.contains(key))
            return domain::Error::invalid(std::string("auth kind oauth2_client_credentials needs "
                                                      "auth.") +
                                              key,
                                          key, "is required");
        }
        if (jwt_bearer) {
          // Salesforce:
          // https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm
          if (o.subject.empty())
            return domain::Error::invalid(
                "required for grant jwt_bearer: the user the token acts as (Salesforce: the "
                "username of the app's Run As user)",
                "subject", "is required");
          if (o.assertion_audience.empty())
            return domain::Error::invalid(
                "required for grant jwt_bearer: the assertion's aud (Salesforce: "
                "https://login.salesforce.com, https://test.salesforce.com or the My Domain URL)",
                "assertion_audience", "is required");
          if (auth.contains("client_auth"))
            return domain::Error::invalid(
                "not used by grant jwt_bearer: the signed assertion is the credential",
                "client_auth", "not used");
        } else if (auth.contains("subject")) {
          return domain::Error::invalid("not used by grant client_credentials (only jwt_bearer)",
                                        "subject", "not used");
        }
        std::string method;
        if (auto s = read_string(auth, "client_auth", method); !s) return s.error();
        if (!method.empty()) {
          auto parsed = parse_client_auth_method(method);
          if (!parsed) return parsed.error();
          o.client_auth = parsed.value();
        }
        if (auto it = auth.find("extra_form"); it != auth.end()) {
          if (!it->is_object())
            return domain::Error::invalid("auth.extra_form must be an object of strings");
          for (const auto& [name, value] : it->items()) {
            if (!value.is_string())
              return domain::Error::invalid("auth.extra_form." + name + " must be a string");
            o.extra_form.emplace_back(name, value.get<std::string>());
          }
        }
        if (auto it = auth.find("default_lifetime_seconds"); it != auth.end()) {
          if (!it->is_number_integer() || it->get<long long>() <= 0)
            return domain::Error::invalid(
                "auth.default_lifetime_seconds must be a positive integer");
          o.default_lifetime = std::chrono::seconds(it->get<long long>());
        }
        if (auto it = auth.find("timeout_ms"); it != auth.end()) {
          if (!it->is_number_integer() || it->get<long long>() <= 0)
            return domain::Error::invalid("auth.timeout_ms must be a positive integer");
          o.timeout = std::chrono::milliseconds(it->get<long long>());
        }
        if (auto it = auth.find("verify_tls"); it != auth.end()) {
          if (!it->is_boolean()) return domain::Error::invalid("auth.verify_tls must be a boolean");
          o.verify_tls = it->get<bool>();
        }
        const bool signs = jwt_bearer || o.client_auth == ClientAuthMethod::kPrivateKeyJwt;
        const char* secret_name = signs ? "private_key" : "client_secret";
        auto ref = required_secret(secret_refs, secret_name, kind);
        if (!ref) return ref.error();
        (signs ? o.private_key_ref : o.client_secret_ref) = ref.value();
        known_secrets = {secret_name};
        if (jwt_bearer) {
          for (const auto& [name, unused] : secret_refs)
            if (name != secret_name)
              return domain::Error::invalid("secret \"" + name +
                                                "\" is not used by grant jwt_bearer (it signs with "
                                                "secret \"private_key\")",
                                            "secrets." + name, "is not used");
        }
        break;
      }
    }
    for (const auto& [name, ref] : secret_refs) {
      if (std::find(known_secrets.begin(), known_secrets.end(), name) == known_secrets.end())
        return domain::Error::invalid(
            "secret \"" + name + "\" is not used by auth kind " + to_string(kind),
            "secrets." + name, "is not used");
    }
    return settings;
  } catch (const std::exception& e) {
    return domain::Error::invalid(std::string("cannot read auth settings: ") + e.what());
  }
}

domain::Result<std::unique_ptr<Authenticator>> make_authenticator(
    const CredentialSettings& settings, sdk::TokenSource* tokens, SecretScrubber* scrubber) {
  try {
    switch (settings.kind) {
      case AuthKind::kNone:
        return std::unique_ptr<Authenticator>(std::make_unique<NoAuthenticator>());
      case AuthKind::kBasic: {
        // RFC 7617: the user-id cannot contain a colon (the first colon ends it).
        if (settings.username.empty() || settings.username.find(':') != std::string::npos ||
            has_control_chars(settings.username))
          return domain::Error::invalid(
              "basic auth needs a user name without ':' or control "
              "characters",
              "username", "invalid");
        auto password = load_secret(settings.password_ref);
        if (!password)
          return domain::Error::invalid("basic auth password: " + password.error().message);
        Secret credential(settings.username + ":" + password->reveal());
        Secret header("Basic " + base64_encode(credential.reveal()));
        if (scrubber) {
          scrubber->add(password->reveal());
          scrubber->add(header.reveal().substr(6));  // the base64 credential as sent
        }
        return std::unique_ptr<Authenticator>(
            std::make_unique<StaticAuthenticator>(AuthKind::kBasic, std::move(header)));
      }
      case AuthKind::kBearer: {
        auto token = load_secret(settings.token_ref);
        if (!token) return domain::Error::invalid("bearer token: " + token.error().message);
        if (has_control_chars(token->reveal()))
          return domain::Error::invalid("bearer token contains control characters");
        if (scrubber) scrubber->add(token->reveal());
        return std::unique_ptr<Authenticator>(std::make_unique<StaticAuthenticator>(
            AuthKind::kBearer, Secret("Bearer " + token->reveal())));
      }
      case AuthKind::kOAuth2ClientCredentials:
        if (tokens == nullptr)
          return domain::Error::internal("oauth2_client_credentials needs a token source");
        return std::unique_ptr<Authenticator>(std::make_unique<OAuth2Authenticator>(*tokens));
    }
    return domain::Error::internal("unknown auth kind");
  } catch (const std::exception& e) {
    return domain::Error::internal(std::string("cannot build credentials: ") + e.what());
  }
}
}  // namespace disputed::net
