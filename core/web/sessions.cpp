#include "core/web/sessions.hpp"

#include "core/web/crypto.hpp"

namespace disputed::web {

namespace {

constexpr std::size_t kMaxCookieValue = 128;
// last_seen_at is written at most once a minute per session: reads stay reads.
constexpr auto kTouchInterval = std::chrono::seconds(60);

api::ApiError ended() {
  return api::ApiError::make(401, "unauthorized", "your session has ended: sign in again");
}

}  // namespace

std::optional<std::string> cookie(const std::string& header, const std::string& name) {
  std::size_t i = 0;
  while (i < header.size()) {
    while (i < header.size() && (header[i] == ' ' || header[i] == ';')) ++i;
    auto end = header.find(';', i);
    if (end == std::string::npos) end = header.size();
    std::string_view pair(header.data() + i, end - i);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name)
      return std::string(pair.substr(eq + 1));
    i = end;
  }
  return std::nullopt;
}

bool is_write(const std::string& method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

Sessions::Sessions(engine::CommandWriter& writer, const domain::Clock& clock,
                   SessionSettings settings)
    : writer_(writer), clock_(clock), settings_(settings) {}

std::string Sessions::cookie_name() const {
  // __Host-: the browser refuses it unless Secure, Path=/ and without Domain.
  return settings_.secure_cookies ? "__Host-disputed_session" : "disputed_session";
}

std::optional<std::string> Sessions::cookie_value(const api::HttpRequest& request) const {
  auto value = cookie(request.header("cookie"), cookie_name());
  if (!value || value->empty() || value->size() > kMaxCookieValue) return std::nullopt;
  return value;
}

bool Sessions::present(const api::HttpRequest& request) const {
  return cookie(request.header("cookie"), cookie_name()).has_value();
}

bool Sessions::expired(const engine::WebSession& s, domain::Instant now) const {
  return now >= s.expires_at || now - s.last_seen_at > settings_.idle;
}

std::optional<engine::WebSession> Sessions::find(const api::HttpRequest& request,
                                                 engine::Session& reader) const {
  auto value = cookie_value(request);
  if (!value) return std::nullopt;
  auto session = reader.accounts().session(sha256_hex(*value));
  if (!session || expired(*session, clock_.now())) return std::nullopt;
  return session;
}

std::variant<api::Principal, api::ApiError> Sessions::authenticate(const api::HttpRequest& request,
                                                                   engine::Session& reader) {
  auto session = find(request, reader);
  if (!session) return ended();
  auto role = api::parse_role(session->role);
  if (!role) return ended();
  if (is_write(request.method)) {
    const std::string& site = request.header("sec-fetch-site");
    if (!site.empty() && site != "same-origin")
      return api::ApiError::make(403, "forbidden", "a request from another site was refused",
                                 "Sec-Fetch-Site", "must be same-origin (got '" + site + "')");
    if (!constant_time_equals(request.header("x-csrf-token"), session->csrf_token))
      return api::ApiError::make(403, "forbidden", "missing or wrong CSRF token", "X-CSRF-Token",
                                 "must be the csrf_token of GET /api/v1/session");
  }
  note_use(*session, clock_.now());
  return api::Principal{session->user, *role, std::nullopt};
}

void Sessions::note_use(const engine::WebSession& s, domain::Instant now) {
  if (now - s.last_seen_at < kTouchInterval) return;
  {
    std::lock_guard lock(touch_mutex_);
    auto& last = touched_[s.id_hash];
    if (now - last < kTouchInterval) return;
    last = now;
    if (touched_.size() > 10000) touched_.clear();  // bounded; a forgotten entry costs one write
  }
  (void)writer_.submit<domain::Ok>([id = s.id_hash, now](engine::Session& session) {
    session.accounts().touch_session(id, now);
    return domain::Result<domain::Ok>(domain::Ok{});
  });
}

domain::Result<NewSession> Sessions::create(const std::string& user, const std::string& name,
                                            api::Role role, const std::string& source) {
  std::string id = random_token(32);
  domain::Instant now = clock_.now();
  engine::WebSession r;
  r.id_hash = sha256_hex(id);
  r.user = user;
  r.name = name;
  r.role = std::string(api::to_string(role));
  r.source = source;
  r.csrf_token = random_token(32);
  r.created_at = now;
  r.last_seen_at = now;
  r.expires_at = now + std::chrono::duration_cast<std::chrono::seconds>(settings_.absolute);
  domain::Instant idle_cutoff =
      now - std::chrono::duration_cast<std::chrono::seconds>(settings_.idle);
  auto stored = writer_.run<domain::Ok>([r, now, idle_cutoff](engine::Session& session) {
    session.accounts().start_session(r, now, idle_cutoff, now - std::chrono::minutes(10));
    return domain::Result<domain::Ok>(domain::Ok{});
  });
  if (!stored) return stored.error();
  NewSession made;
  made.record = r;
  made.set_cookie = cookie_name() + "=" + id + "; Path=/; HttpOnly; SameSite=Strict" +
                    (settings_.secure_cookies ? "; Secure" : "");
  return made;
}

domain::Result<bool> Sessions::end(const api::HttpRequest& request) {
  auto value = cookie_value(request);
  if (!value) return false;
  return writer_.run<bool>([id = sha256_hex(*value)](engine::Session& session) {
    return domain::Result<bool>(session.accounts().end_session(id));
  });
}

std::string Sessions::clearing_cookie() const {
  return cookie_name() + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0" +
         (settings_.secure_cookies ? "; Secure" : "");
}

}  // namespace disputed::web
