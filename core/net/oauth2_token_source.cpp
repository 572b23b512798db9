// OAuth2TokenSource: the token request built from liboauth2's pieces and sent by us (no
// redirects) and the JWT bearer assertion; the only file that includes liboauth2.

#include "core/net/credentials.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/net/http_client.hpp"
#include "core/net/private_key.hpp"
#include "core/net/redaction.hpp"
#include "core/net/url.hpp"

// liboauth2 1.4.5.4 has no extern "C" in its headers.
extern "C" {
#include <oauth2/http.h>
#include <oauth2/jose.h>
#include <oauth2/log.h>
#include <oauth2/mem.h>
#include <oauth2/oauth2.h>
#include <oauth2/util.h>

// The JWT signer behind liboauth2's private_key_jwt (src/jose.c): exported by liboauth2 1.4.5.4
// but declared only in its internal jose_int.h, so declared here with 1.4.5.4's signature
// (checked against the shipped library). Later releases declare it in <oauth2/jose.h> with an
// extra `json_payload` parameter; the conflicting declaration then stops the build here rather
// than calling it wrongly. Returns the compact JWS (free with oauth2_mem_free) or NULL.
char* oauth2_jwt_create(oauth2_log_t* log, cjose_jwk_t* jwk, const char* alg, const char* iss,
                        const char* sub, const char* client_id, const char* aud, oauth2_uint_t exp,
                        bool include_iat, bool include_jti);
}

namespace disputed::net {

namespace {

using Json = nlohmann::json;

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string truncate(std::string text, std::size_t max) {
  if (text.size() > max) {
    text.resize(max);
    text += "...";
  }
  return text;
}

// RFC 3986 unreserved characters stay; every other byte becomes %XX (what liboauth2's
// client_secret_basic did through curl_easy_escape).
std::string form_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// liboauth2: one process-wide log object (sink at WARN: at DEBUG it logs client secrets and
// tokens), initialised on first use and shut down once at exit. Every liboauth2 call holds
// `mutex`: oauth2_url_encode() shares one static curl handle with a plain (non-atomic)
// reference count, so concurrent calls could free it under another thread.

thread_local std::vector<std::string>* t_oauth2_messages = nullptr;

void forward_oauth2_log(oauth2_log_sink_t* /*sink*/, const char* /*filename*/,
                        unsigned long /*line*/, const char* /*function*/, oauth2_log_level_t level,
                        const char* msg) {
  if (level > OAUTH2_LOG_WARN || msg == nullptr || t_oauth2_messages == nullptr) return;
  try {
    t_oauth2_messages->emplace_back(msg);
  } catch (...) {  // a C callback: nothing may escape
  }
}

class OAuth2Runtime {
 public:
  OAuth2Runtime() {
    oauth2_log_sink_t* sink = oauth2_log_sink_create(OAUTH2_LOG_WARN, forward_oauth2_log, nullptr);
    log_ = oauth2_init(OAUTH2_LOG_WARN, sink);  // the log owns the sink from here on
  }
  ~OAuth2Runtime() { oauth2_shutdown(log_); }
  OAuth2Runtime(const OAuth2Runtime&) = delete;
  OAuth2Runtime& operator=(const OAuth2Runtime&) = delete;

  oauth2_log_t* log() const noexcept { return log_; }
  std::mutex& mutex() noexcept { return mutex_; }

 private:
  oauth2_log_t* log_ = nullptr;
  std::mutex mutex_;
};

OAuth2Runtime& oauth2_runtime() {
  static OAuth2Runtime runtime;  // destroyed at exit: oauth2_shutdown() exactly once
  return runtime;
}

// Collects liboauth2's WARN/ERROR lines on this thread while in scope (the runtime mutex is
// held, so the lines are ours).
class OAuth2MessageCapture {
 public:
  explicit OAuth2MessageCapture(std::vector<std::string>* into) { t_oauth2_messages = into; }
  ~OAuth2MessageCapture() { t_oauth2_messages = nullptr; }
  OAuth2MessageCapture(const OAuth2MessageCapture&) = delete;
  OAuth2MessageCapture& operator=(const OAuth2MessageCapture&) = delete;
};

struct NvList {
  explicit NvList(oauth2_log_t* log) : log(log), list(oauth2_nv_list_init(log)) {}
  ~NvList() {
    if (list) oauth2_nv_list_free(log, list);
  }
  NvList(const NvList&) = delete;
  NvList& operator=(const NvList&) = delete;
  void add(const std::string& name, const std::string& value) {
    oauth2_nv_list_add(log, list, name.c_str(), value.c_str());
  }
  oauth2_log_t* log;
  oauth2_nv_list_t* list;
};

struct Endpoint {
  explicit Endpoint(oauth2_log_t* log) : log(log), cfg(oauth2_cfg_endpoint_init(log)) {}
  ~Endpoint() {
    if (cfg) oauth2_cfg_endpoint_free(log, cfg);
  }
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;
  oauth2_log_t* log;
  oauth2_cfg_endpoint_t* cfg;
};

struct CallContext {
  explicit CallContext(oauth2_log_t* log) : log(log), ctx(oauth2_http_call_ctx_init(log)) {}
  ~CallContext() {
    if (ctx) oauth2_http_call_ctx_free(log, ctx);
  }
  CallContext(const CallContext&) = delete;
  CallContext& operator=(const CallContext&) = delete;
  oauth2_log_t* log;
  oauth2_http_call_ctx_t* ctx;
};

struct OAuth2String {
  char* text = nullptr;
  ~OAuth2String() {
    if (text) oauth2_mem_free(text);
  }
};

// Configures liboauth2's token endpoint with its `auth=` options (secrets are copied into
// liboauth2 memory for the duration of one request). Caller holds the runtime mutex.
domain::Status configure_endpoint(oauth2_log_t* log, Endpoint& endpoint,
                                  const OAuth2ClientSettings& settings, const Secret& client_secret,
                                  const Secret& private_jwk) {
  NvList options(log);
  options.add("auth", to_string(settings.client_auth));
  options.add("client_id", settings.client_id);
  if (settings.client_auth == ClientAuthMethod::kPrivateKeyJwt) {
    options.add("jwk", private_jwk.reveal());
    options.add("aud", settings.assertion_audience.empty() ? settings.token_url
                                                           : settings.assertion_audience);
  } else {
    options.add("client_secret", client_secret.reveal());
  }
  options.add("ssl_verify", settings.verify_tls ? "true" : "false");
  OAuth2String error;
  error.text =
      oauth2_cfg_set_endpoint(log, endpoint.cfg, settings.token_url.c_str(), options.list, nullptr);
  if (error.text != nullptr)
    return domain::Error::invalid(std::string("OAuth2 client settings for ") + settings.token_url +
                                  " refused by liboauth2: " + error.text);
  return domain::Ok{};
}

constexpr const char* kJwtBearerGrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer";

// The RFC 7523 §2.1 assertion of the JWT bearer grant: iss = client_id, sub = the subject,
// aud, exp = now + assertion_lifetime, plus iat and a random jti; header alg RS256, typ JWT.
// Signed by liboauth2's own JWT code (the one its private_key_jwt uses), with the wall clock:
// the token endpoint judges exp by its clock, not by the engine's (possibly fake) one.
// Caller holds the runtime mutex.
domain::Result<Secret> sign_jwt_bearer_assertion(oauth2_log_t* log,
                                                 const OAuth2ClientSettings& settings,
                                                 const Secret& private_jwk) {
  const std::string& jwk_json = private_jwk.reveal();
  cjose_err err{};
  cjose_jwk_t* jwk = cjose_jwk_import(jwk_json.c_str(), jwk_json.size(), &err);
  if (jwk == nullptr)
    return domain::Error::invalid(std::string("private key for jwt_bearer refused by cjose: ") +
                                  (err.message ? err.message : "unknown error"));
  char* jwt =
      oauth2_jwt_create(log, jwk, "RS256", settings.client_id.c_str(), settings.subject.c_str(),
                        settings.client_id.c_str(), settings.assertion_audience.c_str(),
                        static_cast<oauth2_uint_t>(settings.assertion_lifetime.count()),
                        /*include_iat=*/true, /*include_jti=*/true);
  cjose_jwk_release(jwk);
  if (jwt == nullptr)
    return domain::Error::internal("liboauth2 could not sign the jwt_bearer assertion (RS256)");
  Secret assertion{std::string(jwt)};
  OPENSSL_cleanse(jwt, std::char_traits<char>::length(jwt));
  oauth2_mem_free(jwt);
  return assertion;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// OAuth2TokenSource

OAuth2TokenSource::OAuth2TokenSource(OAuth2ClientSettings settings, Secret client_secret,
                                     Secret private_jwk, const sdk::Clock& clock, sdk::Logger* log,
                                     SecretScrubber* scrubber)
    : settings_(std::move(settings)),
      client_secret_(std::move(client_secret)),
      private_jwk_(std::move(private_jwk)),
      clock_(clock),
      log_(log),
      scrubber_(scrubber) {}

OAuth2TokenSource::~OAuth2TokenSource() = default;

domain::Result<std::unique_ptr<OAuth2TokenSource>> OAuth2TokenSource::create(
    const OAuth2ClientSettings& settings, const sdk::Clock& clock, sdk::Logger* log,
    SecretScrubber* scrubber) {
  try {
    auto url = parse_url(settings.token_url);
    if (!url)
      return domain::Error::invalid("OAuth2 token_url: " + url.error().message, "token_url",
                                    url.error().message);
    if (settings.client_id.empty() || has_control_chars(settings.client_id))
      return domain::Error::invalid("OAuth2 client_id is required", "client_id", "is required");
    if (settings.default_lifetime.count() <= 0 || settings.refresh_margin.count() < 0 ||
        settings.timeout.count() <= 0)
      return domain::Error::invalid("OAuth2 lifetimes and timeout must be positive");
    static constexpr std::string_view kReserved[] = {"grant_type",       "scope",
                                                     "client_id",        "client_secret",
                                                     "client_assertion", "client_assertion_type",
                                                     "assertion"};
    for (const auto& [name, value] : settings.extra_form) {
      if (std::find(std::begin(kReserved), std::end(kReserved), name) != std::end(kReserved))
        return domain::Error::invalid("OAuth2 extra form field \"" + name + "\" is set by the host",
                                      "extra_form." + name, "reserved");
      if (name.empty()) return domain::Error::invalid("OAuth2 extra form field without a name");
    }

    const bool jwt_bearer = settings.grant == OAuth2Grant::kJwtBearer;
    if (jwt_bearer) {
      if (settings.subject.empty() || has_control_chars(settings.subject))
        return domain::Error::invalid("OAuth2 grant jwt_bearer needs a subject (a user name)",
                                      "subject", "is required");
      if (settings.assertion_audience.empty() || has_control_chars(settings.assertion_audience))
        return domain::Error::invalid("OAuth2 grant jwt_bearer needs an assertion audience",
                                      "assertion_audience", "is required");
      if (settings.assertion_lifetime.count() <= 0)
        return domain::Error::invalid("OAuth2 jwt_bearer assertion lifetime must be positive");
    } else if (!settings.subject.empty()) {
      return domain::Error::invalid("OAuth2 subject is only used by grant jwt_bearer", "subject",
                                    "not used");
    }

    Secret client_secret;
    Secret private_jwk;
    if (jwt_bearer || settings.client_auth == ClientAuthMethod::kPrivateKeyJwt) {
      if (!settings.client_secret_ref.empty())
        return domain::Error::invalid(std::string(jwt_bearer ? "jwt_bearer" : "private_key_jwt") +
                                          " uses a private key, not a client secret",
                                      "client_secret", "not used");
      auto key = load_secret(settings.private_key_ref);
      if (!key) return domain::Error::invalid("OAuth2 private key: " + key.error().message);
      auto jwk = rsa_private_jwk(key.value());
      if (!jwk) return jwk.error();
      private_jwk = std::move(jwk).value();
    } else {
      if (!settings.private_key_ref.empty())
        return domain::Error::invalid(std::string(to_string(settings.client_auth)) +
                                          " uses a client secret, not a private key",
                                      "private_key", "not used");
      auto secret = load_secret(settings.client_secret_ref);
      if (!secret) return domain::Error::invalid("OAuth2 client secret: " + secret.error().message);
      client_secret = std::move(secret).value();
      if (scrubber) scrubber->add(client_secret.reveal());
    }

    // Let liboauth2 check what it will be given (e.g. that cjose accepts the JWK) now, at
    // start-up, rather than at the first token request.
    {
      auto& runtime = oauth2_runtime();
      std::lock_guard lock(runtime.mutex());
      std::vector<std::string> messages;
      OAuth2MessageCapture capture(&messages);
      if (jwt_bearer) {
        auto probe = sign_jwt_bearer_assertion(runtime.log(), settings, private_jwk);
        if (!probe) return probe.error();
      } else {
        Endpoint endpoint(runtime.log());
        auto configured =
            configure_endpoint(runtime.log(), endpoint, settings, client_secret, private_jwk);
        if (!configured) return configured.error();
      }
    }
    return std::unique_ptr<OAuth2TokenSource>(new OAuth2TokenSource(
        settings, std::move(client_secret), std::move(private_jwk), clock, log, scrubber));
  } catch (const std::exception& e) {
    return domain::Error::internal(std::string("cannot set up OAuth2 token source: ") + e.what());
  }
}

std::optional<sdk::AccessToken> OAuth2TokenSource::token(std::string* error) {
  try {
    std::lock_guard lock(mutex_);
    if (cached_ && clock_.now() < renew_at_) return cached_;
    cached_.reset();
    auto fetched = fetch();
    if (!fetched) {
      if (error) *error = fetched.error().message;
      return std::nullopt;
    }
    cached_ = std::move(fetched).value();
    return cached_;
  } catch (const std::exception& e) {
    if (error) *error = std::string("token source failed: ") + e.what();
  } catch (...) {
    if (error) *error = "token source failed";
  }
  return std::nullopt;
}

void OAuth2TokenSource::invalidate() {
  try {
    std::lock_guard lock(mutex_);
    cached_.reset();
  } catch (...) {  // std::system_error from a broken mutex: nothing sensible to do
  }
}

void OAuth2TokenSource::invalidate_if_current(const std::string& stale_access_token) noexcept {
  try {
    std::lock_guard lock(mutex_);
    if (cached_ && cached_->access_token == stale_access_token) cached_.reset();
  } catch (...) {
  }
}

domain::Result<sdk::AccessToken> OAuth2TokenSource::fetch() {
  ++fetches_;
  const std::string where = "token endpoint " + redact_url(settings_.token_url);
  const auto started = std::chrono::steady_clock::now();
  auto elapsed_ms = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 started)
        .count();
  };
  auto log = [&](sdk::LogLevel level, const std::string& line) {
    if (log_ == nullptr) return;
    try {
      log_->log(level, line);
    } catch (...) {
    }
  };

  std::vector<std::string> messages;
  std::vector<std::pair<std::string, std::string>> headers;
  Secret form_text("");
  {
    auto& runtime = oauth2_runtime();
    std::lock_guard lock(runtime.mutex());
    OAuth2MessageCapture capture(&messages);
    oauth2_log_t* lg = runtime.log();

    NvList form(lg);
    if (settings_.grant == OAuth2Grant::kJwtBearer) {
      // RFC 7523 §2.1: the grant carries no client authentication; the assertion is signed
      // afresh for each request (its exp is minutes away, and a jti must not repeat).
      auto assertion = sign_jwt_bearer_assertion(lg, settings_, private_jwk_);
      if (!assertion) return domain::Error::internal(where + ": " + assertion.error().message);
      if (scrubber_) scrubber_->add_rotating(assertion->reveal());
      form.add("grant_type", kJwtBearerGrantType);
      form.add("assertion", assertion->reveal());
      if (!settings_.scope.empty()) form.add("scope", settings_.scope);
      for (const auto& [name, value] : settings_.extra_form) form.add(name, value);
    } else {
      form.add("grant_type", "client_credentials");
      if (!settings_.scope.empty()) form.add("scope", settings_.scope);
      for (const auto& [name, value] : settings_.extra_form) form.add(name, value);
      if (settings_.client_auth == ClientAuthMethod::kClientSecretBasic) {
        // RFC 6749 §2.3.1: both parts form-encoded, then Basic.
        Secret basic("Basic " + base64_encode(form_encode(settings_.client_id) + ":" +
                                              form_encode(client_secret_.reveal())));
        if (scrubber_) scrubber_->add(basic.reveal().substr(6));
        headers.emplace_back("Authorization", basic.reveal());
      } else {
        Endpoint endpoint(lg);
        auto configured = configure_endpoint(lg, endpoint, settings_, client_secret_, private_jwk_);
        if (!configured) return configured.error();
        // liboauth2 adds client_assertion(_type) but not client_id for private_key_jwt;
        // Microsoft Entra requires it (RFC 7521 §4.2 allows it).
        if (settings_.client_auth == ClientAuthMethod::kPrivateKeyJwt)
          form.add("client_id", settings_.client_id);
        CallContext ctx(lg);
        if (!oauth2_http_ctx_auth_add(lg, ctx.ctx, oauth2_cfg_endpoint_get_auth(endpoint.cfg),
                                      form.list))
          return domain::Error::internal(where +
                                         ": liboauth2 could not add the client "
                                         "authentication (" +
                                         to_string(settings_.client_auth) + ")");
      }
    }
    OAuth2String encoded;
    encoded.text = oauth2_http_url_form_encode(lg, form.list);
    if (encoded.text == nullptr)
      return domain::Error::internal(where + ": the token request could not be encoded");
    form_text = Secret(encoded.text);
  }

  // Sent by us, not by liboauth2: libcurl there follows redirects (up to five, also to plain
  // http) and would re-send the client secret or the assertion wherever they point. A redirect
  // is an answer like any other here; the credential only ever goes to the allowed token URL.
  // No lock is held while the request is in flight.
  headers.emplace_back("Accept", "application/json");
  FormPostAnswer posted = post_form_once(settings_.token_url, form_text.reveal(), headers,
                                         settings_.timeout, settings_.verify_tls);
  const bool answered = posted.status != 0;
  const int status = posted.status;
  std::string body = std::move(posted.body);
  if (!posted.error.empty()) messages.push_back(posted.error);

  if (!answered) {
    std::string detail = messages.empty() ? std::string() : ": " + truncate(messages.back(), 300);
    std::string message = posted.timed_out
                              ? where + " did not answer within " +
                                    std::to_string(settings_.timeout.count()) + " ms" + detail
                              : "cannot reach " + where + detail;
    if (scrubber_) message = scrubber_->scrub(message);
    log(sdk::LogLevel::kWarn, "POST " + redact_url(settings_.token_url) + " -> no response (" +
                                  std::to_string(elapsed_ms()) + " ms): " + message);
    return domain::Error::internal(message);
  }

  Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  const std::string status_text = std::to_string(status);
  if (status < 200 || status >= 300) {
    // RFC 6749 §5.2: {"error": "invalid_grant", "error_description": "..."}.
    std::string message = where + " answered " + status_text;
    if (json.is_object() && json.contains("error") && json["error"].is_string()) {
      message += " " + json["error"].get<std::string>();
      if (json.contains("error_description") && json["error_description"].is_string())
        message += ": " + truncate(json["error_description"].get<std::string>(), 300);
    } else if (!body.empty()) {
      message += ": " + truncate(body, 200);
    }
    if (scrubber_) message = scrubber_->scrub(message);
    log(sdk::LogLevel::kWarn, "POST " + redact_url(settings_.token_url) + " -> " + status_text +
                                  " (" + std::to_string(elapsed_ms()) + " ms): " + message);
    return domain::Error::internal(message);
  }

  auto refuse = [&](const std::string& why) -> domain::Error {
    std::string message = where + " answered " + status_text + " " + why;
    log(sdk::LogLevel::kWarn, "POST " + redact_url(settings_.token_url) + " -> " + status_text +
                                  " (" + std::to_string(elapsed_ms()) + " ms): " + message);
    return domain::Error::internal(message);
  };
  if (!json.is_object()) return refuse("without a JSON object");
  auto token_it = json.find("access_token");
  if (token_it == json.end() || !token_it->is_string() || token_it->get<std::string>().empty())
    return refuse("without an access_token");
  if (auto type = json.find("token_type");
      type != json.end() && (!type->is_string() || !iequals(type->get<std::string>(), "bearer")))
    return refuse("with a token_type other than Bearer");

  // expires_in is a number of seconds (some servers send it as a string); Salesforce omits it.
  std::chrono::seconds lifetime = settings_.default_lifetime;
  if (auto exp = json.find("expires_in"); exp != json.end()) {
    double seconds = 0;
    if (exp->is_number()) {
      seconds = exp->get<double>();
    } else if (exp->is_string()) {
      try {
        seconds = std::stod(exp->get<std::string>());
      } catch (...) {
        seconds = 0;
      }
    }
    if (std::isfinite(seconds) && seconds >= 1)
      lifetime = std::chrono::seconds(static_cast<long long>(std::min(seconds, 1e9)));
  }
  const auto margin = std::min(settings_.refresh_margin, lifetime / 2);

  sdk::AccessToken token;
  token.access_token = token_it->get<std::string>();
  token.expires_at = clock_.now() + lifetime;
  token.response_json = std::move(body);
  renew_at_ = token.expires_at - margin;
  if (scrubber_) scrubber_->add_rotating(token.access_token);
  log(sdk::LogLevel::kInfo, "POST " + redact_url(settings_.token_url) + " -> " + status_text +
                                " (" + std::to_string(elapsed_ms()) + " ms): token valid " +
                                std::to_string(lifetime.count()) + " s");
  return token;
}

}  // namespace disputed::net