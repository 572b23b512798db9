#include "core/web/oidc.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <nlohmann/json.hpp>

#include <disputed/sdk/kit/codecs.hpp>
#include "core/domain/text.hpp"
#include "core/web/crypto.hpp"
#include "core/web/http_fetch.hpp"
#include "core/web/site.hpp"

namespace disputed::web {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxTokenBytes = 16 * 1024;
constexpr auto kLoginLifetime = std::chrono::minutes(10);
constexpr auto kKeyRefetchInterval = std::chrono::minutes(1);
constexpr auto kClockSkew = std::chrono::seconds(120);
constexpr const char* kLoginCookie = "disputed_login";

const json* claim_at(const json& claims, const std::string& path) {
  const json* node = &claims;
  std::size_t start = 0;
  while (true) {
    auto dot = path.find('.', start);
    std::string key = path.substr(start, dot - start);
    if (!node->is_object() || !node->contains(key)) return nullptr;
    node = &(*node)[key];
    if (dot == std::string::npos) return node;
    start = dot + 1;
  }
}

// An RSA public key from a JWK's n and e (base64url), or null.
EVP_PKEY* rsa_key(const json& jwk) {
  auto n = base64url_decode(jwk.value("n", ""));
  auto e = base64url_decode(jwk.value("e", ""));
  if (!n || !e || n->empty() || e->empty() || n->size() > 1024) return nullptr;
  BIGNUM* bn_n =
      BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), int(n->size()), nullptr);
  BIGNUM* bn_e =
      BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), int(e->size()), nullptr);
  OSSL_PARAM_BLD* build = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  EVP_PKEY_CTX* ctx = nullptr;
  EVP_PKEY* key = nullptr;
  if (bn_n && bn_e && build && OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
      OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_E, bn_e) &&
      (params = OSSL_PARAM_BLD_to_param(build)) &&
      (ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr)) &&
      EVP_PKEY_fromdata_init(ctx) == 1) {
    if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) key = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(build);
  BN_free(bn_n);
  BN_free(bn_e);
  return key;
}

bool rs256_valid(EVP_PKEY* key, const std::string& signed_part, const std::string& signature) {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  bool ok =
      md && EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(md, reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(signed_part.data()),
                       signed_part.size()) == 1;
  EVP_MD_CTX_free(md);
  return ok;
}

std::string login_cookie(const std::string& value, bool secure, int max_age) {
  return std::string(kLoginCookie) + "=" + value +
         "; Path=/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age) +
         (secure ? "; Secure" : "");
}

}  // namespace

std::optional<std::string> safe_return_path(const std::string& path) {
  if (path.empty() || path.size() > 512 || path[0] != '/') return std::nullopt;
  if (path.size() > 1 && (path[1] == '/' || path[1] == '\\')) return std::nullopt;
  for (char c : path)
    if (static_cast<unsigned char>(c) < 0x21 || c == '\\' || c == 0x7F) return std::nullopt;
  return path;
}

OidcSignIn::OidcSignIn(OidcSettings settings, Sessions& sessions, engine::CommandWriter& writer,
                       const domain::Clock& clock, std::function<void(const std::string&)> log)
    : settings_(std::move(settings)),
      sessions_(sessions),
      writer_(writer),
      clock_(clock),
      log_(std::move(log)) {}

OidcSignIn::~OidcSignIn() = default;

std::string OidcSignIn::sign_out_url() const {
  std::lock_guard lock(mutex_);
  return provider_ ? provider_->end_session_endpoint : std::string();
}

domain::Result<OidcSignIn::Provider> OidcSignIn::provider(bool refresh_keys) {
  {
    std::lock_guard lock(mutex_);
    if (provider_ && (!refresh_keys ||
                      std::chrono::steady_clock::now() - provider_->fetched < kKeyRefetchInterval))
      return *provider_;
  }
  // Network I/O outside the lock; two concurrent fetches are harmless.
  std::string where = settings_.issuer + "/.well-known/openid-configuration";
  auto discovery = fetch("GET", where, {{"Accept", "application/json"}}, "");
  if (discovery.status != 200)
    return domain::Error::internal(
        "OpenID Connect discovery at " + where + " failed: " +
        (discovery.status ? "status " + std::to_string(discovery.status) : discovery.error));
  json doc = json::parse(discovery.body, nullptr, false);
  if (!doc.is_object())
    return domain::Error::internal("OpenID Connect discovery at " + where + " is not JSON");
  Provider p;
  p.issuer = doc.value("issuer", "");
  p.authorization_endpoint = doc.value("authorization_endpoint", "");
  p.token_endpoint = doc.value("token_endpoint", "");
  p.end_session_endpoint = doc.value("end_session_endpoint", "");
  std::string jwks_uri = doc.value("jwks_uri", "");
  if (p.issuer.empty() || p.authorization_endpoint.empty() || p.token_endpoint.empty() ||
      jwks_uri.empty())
    return domain::Error::internal("OpenID Connect discovery at " + where +
                                   " lacks issuer, authorization_endpoint, token_endpoint or "
                                   "jwks_uri");
  auto keys = fetch("GET", jwks_uri, {{"Accept", "application/json"}}, "");
  if (keys.status != 200)
    return domain::Error::internal(
        "the identity provider's keys at " + jwks_uri + ": " +
        (keys.status ? "status " + std::to_string(keys.status) : keys.error));
  p.jwks = keys.body;
  p.fetched = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  provider_ = p;
  return p;
}

api::HttpResponse OidcSignIn::failure_page(int status, const std::string& message) const {
  if (log_) log_("web: OpenID Connect sign-in failed: " + message);
  api::HttpResponse r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in "
      "failed</title><link rel=\"stylesheet\" href=\"/static/vendor/pico.min.css\"></head><body>"
      "<main class=\"container\"><h1>Sign-in failed</h1><p>" +
      domain::html_escape(message) +
      "</p><p><a href=\"/sign-in\">Back to sign-in</a></p></main></body></html>";
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

api::HttpResponse OidcSignIn::begin(const api::HttpRequest& request) {
  std::string requested = request.query.count("return") ? request.query.at("return") : "/";
  std::string return_path = safe_return_path(requested).value_or("/");
  auto p = provider();
  if (!p) return failure_page(502, p.error().message);
  std::string login_id = random_token(32);
  engine::WebLogin login;
  login.id_hash = sha256_hex(login_id);
  login.state = random_token(24);
  login.nonce = random_token(24);
  login.code_verifier = random_token(48);
  login.return_path = return_path;
  login.created_at = clock_.now();
  auto stored = writer_.run<domain::Ok>([login](engine::Session& s) {
    // Sign-ins never finished (a prefetcher, a closed tab) go after ten minutes.
    s.accounts().start_login(login, login.created_at - kLoginLifetime);
    return domain::Result<domain::Ok>(domain::Ok{});
  });
  if (!stored) return failure_page(500, stored.error().message);
  std::string location = p->authorization_endpoint +
                         (p->authorization_endpoint.find('?') == std::string::npos ? "?" : "&") +
                         "client_id=" + sdk::kit::percent_encode(settings_.client_id) +
                         "&response_type=code&response_mode=query&redirect_uri=" +
                         sdk::kit::percent_encode(settings_.redirect_uri) +
                         "&scope=" + sdk::kit::percent_encode(settings_.scopes) +
                         "&state=" + login.state + "&nonce=" + login.nonce +
                         "&code_challenge=" + sha256_base64url(login.code_verifier) +
                         "&code_challenge_method=S256";
  api::HttpResponse r;
  r.status = 302;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Location", location);
  r.headers.emplace_back("Set-Cookie",
                         login_cookie(login_id, sessions_.settings().secure_cookies, 600));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

api::HttpResponse OidcSignIn::finish(const api::HttpRequest& request) {
  auto q = [&](const char* name) {
    auto it = request.query.find(name);
    return it == request.query.end() ? std::string() : it->second;
  };
  if (!q("error").empty())
    return failure_page(401, "the identity provider answered " + q("error").substr(0, 100) + ": " +
                                 q("error_description").substr(0, 300));
  auto login_id = cookie(request.header("cookie"), kLoginCookie);
  if (!login_id || login_id->size() > 128)
    return failure_page(400,
                        "no sign-in is under way in this browser (cookies off, or it took "
                        "longer than ten minutes): start again");
  auto login = writer_.run<std::optional<engine::WebLogin>>(
      [id = sha256_hex(*login_id)](engine::Session& s) {
        return domain::Result<std::optional<engine::WebLogin>>(s.accounts().take_login(id));
      });
  if (!login) return failure_page(500, login.error().message);
  if (!login.value() || clock_.now() - login.value()->created_at > kLoginLifetime)
    return failure_page(400, "this sign-in has expired or was already used: start again");
  const engine::WebLogin& started = *login.value();
  if (!constant_time_equals(q("state"), started.state))
    return failure_page(400, "the state parameter does not match this browser's sign-in");
  std::string code = q("code");
  if (code.empty() || code.size() > 4096) return failure_page(400, "no authorization code");
  auto p = provider();
  if (!p) return failure_page(502, p.error().message);

  std::string form = "grant_type=authorization_code&code=" + sdk::kit::percent_encode(code) +
                     "&redirect_uri=" + sdk::kit::percent_encode(settings_.redirect_uri) +
                     "&code_verifier=" + sdk::kit::percent_encode(started.code_verifier);
  std::map<std::string, std::string> headers = {
      {"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
  if (settings_.client_auth == "client_secret_basic") {
    headers["Authorization"] =
        "Basic " + sdk::kit::base64_encode(sdk::kit::percent_encode(settings_.client_id) + ":" +
                                           sdk::kit::percent_encode(settings_.client_secret));
  } else {
    form += "&client_id=" + sdk::kit::percent_encode(settings_.client_id) +
            "&client_secret=" + sdk::kit::percent_encode(settings_.client_secret);
  }
  auto answer = fetch("POST", p->token_endpoint, headers, form);
  json tokens = json::parse(answer.body, nullptr, false);
  if (answer.status != 200) {
    std::string why = answer.status ? "status " + std::to_string(answer.status) : answer.error;
    if (tokens.is_object() && tokens.contains("error") && tokens["error"].is_string())
      why += " " + tokens["error"].get<std::string>();
    return failure_page(502, "the identity provider refused the code: " + why);
  }
  if (!tokens.is_object() || !tokens.contains("id_token") || !tokens["id_token"].is_string())
    return failure_page(502, "the identity provider's answer has no id_token");
  std::string id_token = tokens["id_token"].get<std::string>();
  auto claims = check_id_token(id_token, p->jwks, p->issuer, started.nonce);
  if (!claims && claims.error().message.find("unknown signing key") != std::string::npos) {
    // Keys rotate: fetch them again (at most once a minute) and try once more.
    if (auto fresh = provider(true))
      claims = check_id_token(id_token, fresh->jwks, fresh->issuer, started.nonce);
  }
  if (!claims)
    return failure_page(claims.error().code == domain::ErrorCode::kConflict ? 403 : 401,
                        claims.error().message);
  auto session = sessions_.create(claims->user, claims->name, claims->role, "oidc");
  if (!session) return failure_page(500, session.error().message);
  // 200 with a same-origin step rather than a 302: a SameSite=Strict cookie set on a redirect
  // that ends a cross-site chain would not be sent on the next request.
  std::string target = domain::html_escape(started.return_path);
  api::HttpResponse r;
  r.status = 200;
  r.content_type = "text/html; charset=utf-8";
  r.body =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"refresh\" content=\"0;url=" +
      target + "\"><title>Signed in</title></head><body><p><a href=\"" + target +
      "\">Continue</a></p></body></html>";
  r.headers.emplace_back("Set-Cookie", session->set_cookie);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

domain::Result<IdTokenClaims> OidcSignIn::check_id_token(const std::string& token,
                                                         const std::string& jwks_text,
                                                         const std::string& issuer,
                                                         const std::string& nonce) const {
  auto invalid = [](const std::string& why) {
    return domain::Error::invalid("the ID token is not valid: " + why);
  };
  if (token.size() > kMaxTokenBytes) return invalid("longer than 16 KiB");
  auto dot1 = token.find('.');
  auto dot2 = dot1 == std::string::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string::npos) return invalid("not a JWS (header.payload.signature)");
  auto header_text = base64url_decode(token.substr(0, dot1));
  auto payload_text = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!header_text || !payload_text || !signature) return invalid("not base64url");
  json header = json::parse(*header_text, nullptr, false);
  json claims = json::parse(*payload_text, nullptr, false);
  if (!header.is_object() || !claims.is_object()) return invalid("header or claims not JSON");
  if (header.value("alg", "") != "RS256") return invalid("algorithm must be RS256");
  std::string kid = header.value("kid", "");
  json jwks = json::parse(jwks_text, nullptr, false);
  if (!jwks.is_object() || !jwks.contains("keys") || !jwks["keys"].is_array())
    return invalid("the provider's key set is not a JWKS");
  const json* jwk = nullptr;
  for (const auto& k : jwks["keys"])
    if (k.is_object() && k.value("kty", "") == "RSA" && (kid.empty() || k.value("kid", "") == kid))
      jwk = &k;
  if (!jwk) return invalid("unknown signing key '" + kid + "'");
  EVP_PKEY* key = rsa_key(*jwk);
  if (!key) return invalid("the signing key '" + kid + "' is malformed");
  bool signed_ok = rs256_valid(key, token.substr(0, dot2), *signature);
  EVP_PKEY_free(key);
  if (!signed_ok) return invalid("bad signature");

  auto now = clock_.now().time_since_epoch();
  auto seconds = [&](const char* name) -> std::optional<std::int64_t> {
    if (!claims.contains(name) || !claims[name].is_number_integer()) return std::nullopt;
    return claims[name].get<std::int64_t>();
  };
  if (claims.value("iss", "") != issuer) return invalid("wrong issuer");
  bool audience = false;
  if (claims.contains("aud")) {
    const json& aud = claims["aud"];
    if (aud.is_string()) audience = aud == settings_.client_id;
    if (aud.is_array())
      for (const auto& a : aud) audience = audience || a == settings_.client_id;
  }
  if (!audience) return invalid("not issued for this client (aud)");
  if (claims.contains("azp") && claims["azp"] != settings_.client_id)
    return invalid("authorized party (azp) is another client");
  auto exp = seconds("exp");
  if (!exp || std::chrono::seconds(*exp) + kClockSkew <= now) return invalid("expired");
  if (auto nbf = seconds("nbf"); nbf && std::chrono::seconds(*nbf) > now + kClockSkew)
    return invalid("not valid yet");
  if (!constant_time_equals(claims.value("nonce", ""), nonce))
    return invalid("the nonce does not match this sign-in");

  IdTokenClaims out;
  std::optional<api::Role> role;
  if (const json* values = claim_at(claims, settings_.role_claim)) {
    json list = values->is_array() ? *values : json::array({*values});
    for (const auto& v : list) {
      if (!v.is_string()) continue;
      auto it = settings_.roles.find(v.get<std::string>());
      if (it != settings_.roles.end() && (!role || int(it->second) > int(*role))) role = it->second;
    }
  }
  if (!role)
    return domain::Error::conflict("your account has no disputed role (claim '" +
                                   settings_.role_claim + "'): ask an administrator");
  out.role = *role;
  for (const std::string& name :
       settings_.user_claim.empty() ? std::vector<std::string>{"email", "preferred_username", "sub"}
                                    : std::vector<std::string>{settings_.user_claim}) {
    if (const json* v = claim_at(claims, name);
        v && v->is_string() && !v->get<std::string>().empty()) {
      out.user = v->get<std::string>();
      break;
    }
  }
  if (out.user.empty() || out.user.size() > 254) return invalid("no user claim");
  if (const json* v = claim_at(claims, settings_.name_claim); v && v->is_string())
    out.name = v->get<std::string>().substr(0, 200);
  return out;
}

}  // namespace disputed::web
