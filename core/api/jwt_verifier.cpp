#include "core/api/jwt_verifier.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <unordered_map>

#include <nlohmann/json.hpp>

// liboauth2's headers have no extern "C" of their own.
extern "C" {
#include <oauth2/cfg.h>
#include <oauth2/log.h>
#include <oauth2/mem.h>
#include <oauth2/oauth2.h>
#include <oauth2/util.h>
}
#include <jansson.h>

#include "core/api/jwks_fetch.hpp"
#include "core/config/config_error.hpp"
#include "core/config/json_file.hpp"

namespace disputed::api {

namespace {

using nlohmann::json;

// Signature and "exp" by liboauth2; "iss" is compared here (1.4's verify.iss only checks that the
// claim is present). expiry=0 turns off liboauth2's verification cache: it is process-wide and
// keyed by the token alone, so a token accepted under one configuration would be accepted under
// another (seen in tests); this class keeps its own cache instead.
constexpr const char* kVerifyOptions =
    "verify.exp=required&verify.iss=skip&verify.iat=skip&expiry=0";
constexpr std::size_t kMaxCachedTokens = 10000;

bool is_token_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '=' || c == '+' || c == '/';
}

const json* claim_at(const json& claims, const std::string& path) {
  const json* node = &claims;
  std::size_t start = 0;
  while (node && start <= path.size()) {
    auto dot = path.find('.', start);
    std::string key =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object() || !node->contains(key)) return nullptr;
    node = &(*node)[key];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return node;
}

ApiError invalid_token(const std::string& why) {
  ApiError e = ApiError::make(401, "unauthorized", "invalid access token: " + why);
  e.error.details.push_back({"Authorization", "invalid token"});
  return e;
}

}  // namespace

std::string redact_tokens(std::string text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_token_char(text[i])) {
      out += text[i++];
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && is_token_char(text[j])) ++j;
    // 32+ characters of base64url/base64 is a key, a signature or a token, not a word.
    if (j - i >= 32)
      out += "[redacted]";
    else
      out.append(text, i, j - i);
    i = j;
  }
  return out;
}

namespace {

// One key set as liboauth2 verifies with it: a "jwk" entry per key, tried in order.
struct KeySet {
  oauth2_log_t* log = nullptr;
  oauth2_cfg_token_verify_t* verify = nullptr;
  ~KeySet() {
    if (verify) oauth2_cfg_token_verify_free(log, verify);
  }
};

// The keys of a JWKS document; an error names what is wrong with it.
domain::Result<std::shared_ptr<KeySet>> key_set(oauth2_log_t* log, std::string_view text) {
  auto parsed = config::try_parse_json_text(text);  // bounded in depth
  if (!parsed) return domain::Error::invalid("not JSON: " + parsed.error().message);
  const json& jwks = parsed.value();
  if (!jwks.is_object() || !jwks.contains("keys") || !jwks["keys"].is_array() ||
      jwks["keys"].empty())
    return domain::Error::invalid("must be a JWKS: {\"keys\": [ ...JWK... ]}");
  auto set = std::make_shared<KeySet>();
  set->log = log;
  for (const auto& key : jwks["keys"]) {
    char* problem = oauth2_cfg_token_verify_add_options(log, &set->verify, "jwk",
                                                        key.dump().c_str(), kVerifyOptions);
    if (problem) {
      std::string why = problem;
      oauth2_mem_free(problem);
      return domain::Error::invalid("liboauth2 refused a key: " + why);
    }
  }
  return set;
}

}  // namespace

struct JwtVerifier::Impl {
  using SteadyClock = std::chrono::steady_clock;

  config::OAuth2Config config;
  std::map<std::string, Role> roles;
  std::function<void(const std::string&)> log;
  oauth2_log_t* oauth2_log = nullptr;

  // The key set and when it was fetched. A failed verification may fetch the JWKS again, but
  // at most once per jwks_min_refresh_seconds (forged tokens must not turn into a request to the
  // identity provider each), by one thread, and never while a lock is held.
  mutable std::mutex keys_mutex;
  mutable std::shared_ptr<KeySet> keys;
  mutable std::optional<SteadyClock::time_point> fetched_at;
  mutable std::optional<SteadyClock::time_point> last_attempt;
  mutable bool fetching = false;
  mutable std::uint64_t fetches = 0;

  mutable std::mutex verify_mutex;  // liboauth2's verify context is not documented as thread-safe
  mutable std::mutex cache_mutex;
  mutable std::unordered_map<std::string, json> cache;  // claims of verified tokens, by SHA-256

  // Freed here rather than in ~JwtVerifier: a constructor that throws (a bad configuration)
  // never runs that destructor, but does destroy impl_. The keys go before the log they use.
  ~Impl() {
    keys.reset();
    if (oauth2_log) oauth2_log_free(oauth2_log);
  }

  std::shared_ptr<KeySet> current_keys() const {
    std::lock_guard lock(keys_mutex);
    return keys;
  }

  // Fetches the JWKS again unless another thread is at it or the last attempt is too recent.
  // Returns whether a new key set is in place.
  bool refresh() const {
    if (config.jwks_uri.empty()) return false;
    const auto now = SteadyClock::now();
    {
      std::lock_guard lock(keys_mutex);
      const auto interval = std::chrono::seconds(config.jwks_min_refresh_seconds);
      if (fetching || (last_attempt && now - *last_attempt < interval)) return false;
      fetching = true;
      last_attempt = now;
      ++fetches;
    }
    auto text = fetch_jwks(config.jwks_uri, std::chrono::seconds(10));  // no lock held
    domain::Result<std::shared_ptr<KeySet>> fresh =
        text ? key_set(oauth2_log, text.value())
             : domain::Result<std::shared_ptr<KeySet>>(text.error());
    std::lock_guard lock(keys_mutex);
    fetching = false;
    if (!fresh) {
      if (log) log("oauth2: keys not refreshed, the previous ones stay: " + fresh.error().message);
      return false;
    }
    keys = std::move(fresh).value();
    fetched_at = now;
    return true;
  }

  bool stale() const {
    std::lock_guard lock(keys_mutex);
    return !config.jwks_uri.empty() &&
           (!keys || !fetched_at || SteadyClock::now() - *fetched_at > std::chrono::hours(1));
  }

  // liboauth2's verdict on the signature and expiry; the claims when it accepts.
  std::optional<json> verified_claims(const KeySet& set, const std::string& token) const {
    json_t* payload = nullptr;
    bool ok = false;
    {
      std::lock_guard lock(verify_mutex);
      ok = oauth2_token_verify(oauth2_log, nullptr, set.verify, token.c_str(), &payload);
    }
    if (!ok || !payload) {
      if (payload) json_decref(payload);
      return std::nullopt;
    }
    char* text = json_dumps(payload, JSON_COMPACT);
    json_decref(payload);
    json claims = json::parse(text ? text : "null", nullptr, false);
    free(text);  // jansson allocates with malloc by default
    return claims;
  }

  static void sink(oauth2_log_sink_t* sink, const char* /*file*/, unsigned long /*line*/,
                   const char* function, oauth2_log_level_t level, const char* message) {
    auto* self = static_cast<Impl*>(oauth2_log_sink_ctx_get(sink));
    if (!self || !self->log || level > OAUTH2_LOG_WARN) return;
    self->log(std::string("oauth2: ") + (function ? function : "") + ": " +
              redact_tokens(message ? message : ""));
  }

  std::variant<Principal, ApiError> principal(const json& claims) const {
    std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    // Checked again here: an answer from a cache must not outlive the token.
    if (!claims.contains("exp") || !claims["exp"].is_number() ||
        claims["exp"].get<std::int64_t>() <= now)
      return invalid_token("expired");
    if (claims.contains("nbf") && claims["nbf"].is_number() &&
        claims["nbf"].get<std::int64_t>() > now + 60)
      return invalid_token("not valid yet");
    if (!claims.contains("iss") || claims["iss"] != config.issuer)
      return invalid_token("wrong issuer");
    bool audience = false;
    if (claims.contains("aud")) {
      const json& aud = claims["aud"];
      if (aud.is_string()) audience = aud == config.audience;
      if (aud.is_array())
        for (const auto& a : aud) audience = audience || a == config.audience;
    }
    if (!audience) return invalid_token("wrong audience");

    std::optional<Role> role;
    if (const json* values = claim_at(claims, config.role_claim)) {
      auto consider = [&](const json& v) {
        if (!v.is_string()) return;
        auto it = roles.find(v.get<std::string>());
        if (it != roles.end() && (!role || int(it->second) > int(*role)))
          role = it->second;  // most powerful wins
      };
      if (values->is_array())
        for (const auto& v : *values) consider(v);
      else
        consider(*values);
    }
    if (!role)
      return ApiError::make(
          403, "forbidden",
          "the access token carries no disputed role (claim '" + config.role_claim + "')");

    std::string actor;
    for (const std::string& name :
         config.actor_claim.empty() ? std::vector<std::string>{"email", "preferred_username", "sub"}
                                    : std::vector<std::string>{config.actor_claim}) {
      if (const json* v = claim_at(claims, name);
          v && v->is_string() && !v->get<std::string>().empty()) {
        actor = v->get<std::string>();
        break;
      }
    }
    if (actor.empty()) return invalid_token("no user claim");
    return Principal{actor, *role, std::nullopt};
  }
};

JwtVerifier::JwtVerifier(const config::OAuth2Config& cfg,
                         std::function<void(const std::string&)> log)
    : impl_(std::make_unique<Impl>()) {
  impl_->config = cfg;
  impl_->log = std::move(log);
  for (const auto& [value, role] : cfg.roles) {
    auto parsed = parse_role(role);
    if (!parsed)
      throw config::ConfigError("server.oauth2", "/roles/" + value, "unknown role '" + role + "'");
    impl_->roles[value] = *parsed;
  }
  // Our own log object (not oauth2_init/oauth2_shutdown: those are process-wide and belong to
  // the connector host); it owns the sink, which never passes anything below WARN.
  oauth2_log_sink_t* sink = oauth2_log_sink_create(OAUTH2_LOG_WARN, &Impl::sink, impl_.get());
  impl_->oauth2_log = oauth2_log_init(OAUTH2_LOG_WARN, sink);

  if (!cfg.jwks_uri.empty()) {
    if (auto usable = check_jwks_uri(cfg.jwks_uri); !usable)
      throw config::ConfigError("server.oauth2", "/jwks_uri", usable.error().message);
    // Fetched on first use: a provider that is down at start-up does not stop the server.
  } else {
    std::ifstream in(cfg.jwks_file, std::ios::binary);
    if (!in) throw config::ConfigError(cfg.jwks_file.string(), "", "cannot read the JWKS file");
    std::stringstream text;
    text << in.rdbuf();
    auto set = key_set(impl_->oauth2_log, text.str());
    if (!set) throw config::ConfigError(cfg.jwks_file.string(), "/keys", set.error().message);
    impl_->keys = std::move(set).value();
  }
}

JwtVerifier::~JwtVerifier() = default;

std::variant<Principal, ApiError> JwtVerifier::verify(const std::string& token) const {
  if (std::count(token.begin(), token.end(), '.') != 2) return invalid_token("not a JWT");
  std::string key = hash_api_key(token);  // the cache never holds the token itself
  json claims;
  bool cached = false;
  {
    std::lock_guard lock(impl_->cache_mutex);
    if (auto it = impl_->cache.find(key); it != impl_->cache.end()) {
      claims = it->second;
      cached = true;
    }
  }
  if (!cached) {
    if (impl_->stale()) impl_->refresh();
    auto keys = impl_->current_keys();
    std::optional<json> verified = keys ? impl_->verified_claims(*keys, token) : std::nullopt;
    // A key the provider added since (rotation) is fetched, at most once per interval.
    if (!verified && impl_->refresh()) {
      keys = impl_->current_keys();
      verified = impl_->verified_claims(*keys, token);
    }
    if (!verified) return invalid_token("signature, key or expiry not accepted");
    claims = std::move(*verified);
    if (!claims.is_object()) return invalid_token("claims are not an object");
    std::lock_guard lock(impl_->cache_mutex);
    if (impl_->cache.size() >= kMaxCachedTokens) impl_->cache.clear();
    impl_->cache[key] = claims;
  }
  return impl_->principal(claims);
}

std::uint64_t JwtVerifier::jwks_fetches() const {
  std::lock_guard lock(impl_->keys_mutex);
  return impl_->fetches;
}

}  // namespace disputed::api
