#pragma once
// Browser sessions (docs/web.md). The cookie holds 256 random bits; the database keeps only
// their SHA-256, with the person, role, CSRF token, creation, last request and absolute expiry.
// A session ends after `idle` without a request, at `absolute` after sign-in, or on sign-out.
// Every write (POST, PUT, PATCH, DELETE) must carry the session's token in X-CSRF-Token and must
// not come from another site (Sec-Fetch-Site), so a forged cross-site request is refused even
// where SameSite is not enough.

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/api/api.hpp"
#include "core/engine/session.hpp"

namespace disputed::web {

struct SessionSettings {
  std::chrono::minutes idle{30};
  std::chrono::hours absolute{8};
  bool secure_cookies = false;  // Secure and the __Host- prefix: when served over https
};

/// A session just made: the cookie to set and what GET /session answers.
struct NewSession {
  engine::WebSession record;
  std::string set_cookie;  // the whole Set-Cookie value
};

class Sessions final : public api::BrowserSessions {
 public:
  Sessions(engine::CommandWriter& writer, const domain::Clock& clock, SessionSettings settings);

  std::string cookie_name() const;
  bool present(const api::HttpRequest& request) const override;
  std::variant<api::Principal, api::ApiError> authenticate(const api::HttpRequest& request,
                                                           engine::Session& reader) override;

  /// The live session of `request` (read on `reader`), or nullopt.
  std::optional<engine::WebSession> find(const api::HttpRequest& request,
                                         engine::Session& reader) const;
  /// Makes a new session (a new id at every sign-in: no fixation) through the writer, and
  /// deletes expired ones on the way.
  domain::Result<NewSession> create(const std::string& user, const std::string& name,
                                    api::Role role, const std::string& source);
  /// Ends the request's session, if any. Returns whether there was one.
  domain::Result<bool> end(const api::HttpRequest& request);
  /// A Set-Cookie value that removes the session cookie.
  std::string clearing_cookie() const;

  const SessionSettings& settings() const { return settings_; }

 private:
  std::optional<std::string> cookie_value(const api::HttpRequest& request) const;
  bool expired(const engine::WebSession& s, domain::Instant now) const;
  void note_use(const engine::WebSession& s, domain::Instant now);

  engine::CommandWriter& writer_;
  const domain::Clock& clock_;
  SessionSettings settings_;
  std::mutex touch_mutex_;
  std::map<std::string, domain::Instant> touched_;  // id hash -> last time written
};

/// The value of cookie `name` in a Cookie header ("a=1; b=2"), or nullopt.
std::optional<std::string> cookie(const std::string& header, const std::string& name);
/// "GET", "HEAD" and "OPTIONS" change nothing; every other method is a write.
bool is_write(const std::string& method);

}  // namespace disputed::web
