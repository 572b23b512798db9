#include "plugins/msgraph/sandbox/entra_sign_in.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace disputed::sandbox {

namespace {

using nlohmann::json;

constexpr const char* kKeyId = "sandbox-key-1";
constexpr long kCodeLifetimeSeconds = 600;

long steady_seconds() {
  return long(std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::steady_clock::now().time_since_epoch())
                  .count());
}

std::string b64url(const std::string& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0, n = bytes.size();
  auto at = [&](std::size_t k) { return unsigned(static_cast<unsigned char>(bytes[k])); };
  for (; i + 2 < n; i += 3) {
    unsigned v = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
    for (int s : {18, 12, 6, 0}) out += kAlphabet[(v >> s) & 63];
  }
  if (n - i == 1) {
    unsigned v = at(i) << 16;
    for (int s : {18, 12}) out += kAlphabet[(v >> s) & 63];
  } else if (n - i == 2) {
    unsigned v = at(i) << 16 | at(i + 1) << 8;
    for (int s : {18, 12, 6}) out += kAlphabet[(v >> s) & 63];
  }
  return out;
}

std::optional<std::string> b64_decode(const std::string& text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+' || c == '-')
      v = 62;
    else if (c == '/' || c == '_')
      v = 63;
    else if (c == '=')
      break;
    else
      return std::nullopt;
    buffer = (buffer << 6) | unsigned(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

std::string random_text(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), int(bytes)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return b64url(raw);
}

std::string sha256(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(text.data(), text.size(), digest, &n, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), n);
}

std::string url_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() &&
               std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += char(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string url_encode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::map<std::string, std::string> form_fields(const std::string& body) {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start <= body.size()) {
    auto amp = body.find('&', start);
    std::string pair =
        body.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    if (!pair.empty()) {
      auto eq = pair.find('=');
      out[url_decode(pair.substr(0, eq))] =
          eq == std::string::npos ? "" : url_decode(pair.substr(eq + 1));
    }
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return out;
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

Response html_page(int status, const std::string& title, const std::string& body) {
  Response r;
  r.status = status;
  r.body = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + title +
           "</title></head><body><main><h1>" + title + "</h1>" + body + "</main></body></html>";
  r.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
  return r;
}

// Entra ID's error page for a bad authorize request (AADSTS codes as the service uses them).
Response authorize_error(const std::string& code, const std::string& message) {
  return html_page(400, "Sign in",
                   "<p role=\"alert\">" + code + ": " + html_escape(message) + "</p>");
}

}  // namespace

struct EntraSignIn::Key {
  EVP_PKEY* pkey = nullptr;
  std::string n, e;  // base64url
};

EntraSignIn::EntraSignIn() : key_(new Key) {
  key_->pkey = EVP_RSA_gen(2048);
  if (!key_->pkey) throw std::runtime_error("cannot generate the sandbox's RSA key");
  for (auto [name, out] :
       {std::pair{OSSL_PKEY_PARAM_RSA_N, &key_->n}, std::pair{OSSL_PKEY_PARAM_RSA_E, &key_->e}}) {
    BIGNUM* bn = nullptr;
    EVP_PKEY_get_bn_param(key_->pkey, name, &bn);
    std::string bytes(std::size_t(BN_num_bytes(bn)), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
    BN_free(bn);
    *out = b64url(bytes);
  }
  seed();
}

EntraSignIn::~EntraSignIn() {
  EVP_PKEY_free(key_->pkey);
  delete key_;
}

void EntraSignIn::seed() {
  accounts_.clear();
  accounts_["anna.jansen@example.com"] = {"sandbox-password",
                                          "Anna Jansen",
                                          "00000000-0000-0000-0000-00000000a001",
                                          {"Disputes.Controller"}};
  accounts_["karin.meijer@example.com"] = {"sandbox-password",
                                           "Karin Meijer",
                                           "00000000-0000-0000-0000-00000000a002",
                                           {"Disputes.Admin"}};
  accounts_["erik.mulder@example.com"] = {"sandbox-password",
                                          "Erik Mulder",
                                          "00000000-0000-0000-0000-00000000a003",
                                          {"Disputes.Viewer"}};
}

void EntraSignIn::reset() {
  grants_.clear();
  seed();
}

std::optional<Response> EntraSignIn::control(const Request& request) {
  if (request.path != "/_sandbox/oidc/accounts" || request.method != "POST") return std::nullopt;
  auto body = request.json();
  if (!body || !body->is_object() || !body->contains("email") || !body->contains("password"))
    return Response::json(400,
                          {{"error", "need {\"email\", \"password\", \"name\", \"roles\": [..]}"}});
  Account a;
  a.password = body->value("password", "");
  a.name = body->value("name", "");
  a.oid = "00000000-0000-0000-0000-" + std::to_string(100000000000 + ++counter_);
  if (body->contains("roles") && (*body)["roles"].is_array())
    for (const auto& r : (*body)["roles"])
      if (r.is_string()) a.roles.push_back(r.get<std::string>());
  accounts_[body->value("email", "")] = a;
  return Response::json(200, {{"email", body->value("email", "")}});
}

std::string EntraSignIn::id_token(const std::string& issuer, const std::string& client_id,
                                  const std::string& tenant, const std::string& email,
                                  const Grant& grant) {
  const Account& a = accounts_.at(email);
  long now = long(std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count());
  json claims = {{"ver", "2.0"},
                 {"iss", issuer},
                 {"sub", b64url(sha256(a.oid + client_id)).substr(0, 43)},
                 {"aud", client_id},
                 {"exp", now + 3600},
                 {"iat", now},
                 {"nbf", now},
                 {"name", a.name},
                 {"preferred_username", email},
                 {"email", email},
                 {"oid", a.oid},
                 {"tid", tenant},
                 {"nonce", grant.nonce},
                 {"roles", a.roles}};
  std::string input = b64url(json{{"typ", "JWT"}, {"alg", "RS256"}, {"kid", kKeyId}}.dump()) + "." +
                      b64url(claims.dump());
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  std::size_t n = 0;
  EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key_->pkey);
  EVP_DigestSign(md, nullptr, &n, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string signature(n, '\0');
  EVP_DigestSign(md, reinterpret_cast<unsigned char*>(signature.data()), &n,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  EVP_MD_CTX_free(md);
  signature.resize(n);
  return input + "." + b64url(signature);
}

std::optional<Response> EntraSignIn::handle(const Request& request, const std::string& base_url,
                                            const std::string& tenant, const std::string& client_id,
                                            const std::string& client_secret) {
  const std::string prefix = "/" + tenant;
  const std::string& p = request.path;
  if (p.rfind(prefix + "/", 0) != 0) return std::nullopt;
  const std::string rest = p.substr(prefix.size());
  const std::string issuer = base_url + prefix + "/v2.0";
  const std::string authorize = base_url + prefix + "/oauth2/v2.0/authorize";

  if (rest == "/v2.0/.well-known/openid-configuration" && request.method == "GET")
    return Response::json(
        200,
        {{"issuer", issuer},
         {"authorization_endpoint", authorize},
         {"token_endpoint", base_url + prefix + "/oauth2/v2.0/token"},
         {"jwks_uri", base_url + prefix + "/discovery/v2.0/keys"},
         {"end_session_endpoint", base_url + prefix + "/oauth2/v2.0/logout"},
         {"response_types_supported", {"code", "id_token", "code id_token"}},
         {"response_modes_supported", {"query", "fragment", "form_post"}},
         {"subject_types_supported", {"pairwise"}},
         {"id_token_signing_alg_values_supported", {"RS256"}},
         {"scopes_supported", {"openid", "profile", "email", "offline_access"}},
         {"token_endpoint_auth_methods_supported", {"client_secret_post", "client_secret_basic"}},
         {"code_challenge_methods_supported", {"S256"}},
         {"claims_supported",
          {"sub", "iss", "aud", "exp", "iat", "nonce", "name", "email", "preferred_username", "oid",
           "tid", "roles"}}});
  if (rest == "/discovery/v2.0/keys" && request.method == "GET")
    return Response::json(200, {{"keys", json::array({{{"kty", "RSA"},
                                                       {"use", "sig"},
                                                       {"kid", kKeyId},
                                                       {"n", key_->n},
                                                       {"e", key_->e}}})}});
  if (rest == "/oauth2/v2.0/logout")
    return html_page(200, "You signed out of your account",
                     "<p>It's a good idea to close all browser windows.</p>");

  if (rest == "/oauth2/v2.0/authorize") {
    std::map<std::string, std::string> in =
        request.method == "POST" ? form_fields(request.body) : request.query;
    auto get = [&](const char* k) {
      auto it = in.find(k);
      return it == in.end() ? std::string() : it->second;
    };
    if (get("client_id") != client_id)
      return authorize_error("AADSTS700016", "Application with identifier '" + get("client_id") +
                                                 "' was not found in the directory '" + tenant +
                                                 "'.");
    if (get("response_type") != "code")
      return authorize_error("AADSTS700054",
                             "response_type 'code' is the only one enabled for the application.");
    std::string redirect = get("redirect_uri");
    if (redirect.rfind("http://", 0) != 0 && redirect.rfind("https://", 0) != 0)
      return authorize_error("AADSTS50011",
                             "The redirect URI specified in the request does not match the "
                             "redirect URIs configured for the application.");
    if ((" " + get("scope") + " ").find(" openid ") == std::string::npos)
      return authorize_error(
          "AADSTS900144",
          "The request body must contain the following parameter: 'scope' with openid.");
    if (get("code_challenge").empty() || get("code_challenge_method") != "S256")
      return authorize_error(
          "AADSTS501491", "Invalid size of Code_Challenge parameter, or the method is not S256.");
    std::string error;
    if (request.method == "POST") {
      std::string email = get("login");
      auto account = accounts_.find(email);
      if (account != accounts_.end() && account->second.password == get("passwd")) {
        std::string code = "0.sandbox." + random_text(24);
        grants_[code] = {client_id,        redirect, get("code_challenge"), get("nonce"), email,
                         steady_seconds(), false};
        std::string location = redirect + (redirect.find('?') == std::string::npos ? "?" : "&") +
                               "code=" + url_encode(code) + "&state=" + url_encode(get("state")) +
                               "&session_state=" + random_text(12);
        Response r = Response::empty(302);
        r.headers.emplace_back("Location", location);
        return r;
      }
      error = "<p role=\"alert\" id=\"error\">Your account or password is incorrect.</p>";
    }
    std::string hidden;
    for (const char* k : {"client_id", "response_type", "redirect_uri", "scope", "state", "nonce",
                          "code_challenge", "code_challenge_method", "response_mode"})
      hidden += "<input type=\"hidden\" name=\"" + std::string(k) + "\" value=\"" +
                html_escape(get(k)) + "\">";
    return html_page(
        error.empty() ? 200 : 200, "Sign in",
        error + "<form method=\"post\" action=\"" + html_escape(authorize) + "\">" + hidden +
            "<p><label for=\"login\">Email, phone, or Skype</label><br><input id=\"login\" "
            "name=\"login\" type=\"email\" autocomplete=\"username\" value=\"" +
            html_escape(get("login_hint")) +
            "\"></p><p><label for=\"passwd\">Password</label><br><input id=\"passwd\" "
            "name=\"passwd\" type=\"password\" autocomplete=\"current-password\"></p>"
            "<p><button type=\"submit\" id=\"idSIButton9\">Sign in</button></p></form>");
  }

  if (rest == "/oauth2/v2.0/token" && request.method == "POST") {
    auto form = form_fields(request.body);
    if (form["grant_type"] != "authorization_code") return std::nullopt;  // the Graph emulator's
    auto oauth_error = [](int status, const std::string& err, const std::string& description) {
      return Response::json(status, {{"error", err}, {"error_description", description}});
    };
    std::string id = form["client_id"], secret = form["client_secret"];
    if (auto basic = request.header("authorization"); basic && basic->rfind("Basic ", 0) == 0)
      if (auto decoded = b64_decode(basic->substr(6))) {
        auto colon = decoded->find(':');
        id = url_decode(decoded->substr(0, colon));
        secret = colon == std::string::npos ? "" : url_decode(decoded->substr(colon + 1));
      }
    if (id != client_id)
      return oauth_error(400, "unauthorized_client",
                         "AADSTS700016: Application with identifier '" + id + "' was not found.");
    if (secret != client_secret)
      return oauth_error(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.");
    auto grant = grants_.find(form["code"]);
    if (grant == grants_.end() || grant->second.used ||
        steady_seconds() - grant->second.issued > kCodeLifetimeSeconds ||
        grant->second.client_id != id)
      return oauth_error(400, "invalid_grant",
                         "AADSTS70008: The provided authorization code or refresh token has "
                         "expired or was already redeemed.");
    if (form["redirect_uri"] != grant->second.redirect_uri)
      return oauth_error(400, "invalid_grant",
                         "AADSTS500112: The reply address does not match the reply address "
                         "provided when requesting the authorization code.");
    if (b64url(sha256(form["code_verifier"])) != grant->second.challenge)
      return oauth_error(400, "invalid_grant",
                         "AADSTS501481: The Code_Verifier does not match the code_challenge "
                         "supplied in the authorization request.");
    grant->second.used = true;
    return Response::json(
        200, {{"token_type", "Bearer"},
              {"scope", "openid profile email"},
              {"expires_in", 3600},
              {"ext_expires_in", 3600},
              {"access_token", "sandbox-access-" + random_text(16)},
              {"id_token", id_token(issuer, id, tenant, grant->second.email, grant->second)}});
  }
  return std::nullopt;
}

}  // namespace disputed::sandbox
