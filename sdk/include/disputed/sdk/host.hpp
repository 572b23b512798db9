#pragma once
/// @file Services the host hands to a connector. The host owns them; they stay valid until the
/// connector is destroyed. Every function is safe to call from the thread that calls the
/// connector; none throws.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "disputed/sdk/detail/fingerprint.hpp"
#include "disputed/sdk/types.hpp"

namespace disputed::sdk {

/// An HTTP request. `url` must be absolute and its host in the manifest's allowed hosts (after
/// the instance's base-URL overrides); anything else is refused without a network call.
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// Add the instance's credentials (basic, bearer or OAuth2 token, per the manifest's auth
  /// kind). With OAuth2, a 401 makes the host fetch a new token and retry once.
  bool authenticate = true;
  std::chrono::milliseconds timeout{30000};
};

/// An HTTP response: the system's answer, or (status 0) why there is none.
struct HttpResponse {
  /// Why a request has no answer. Set by the host; a plugin decides on this, never on `error`.
  enum class Failure {
    kNone,          ///< the system answered (`status` is its status code)
    kRefused,       ///< the host did not send it (URL not on the allow-list, plain http, a
                    ///< header the host manages): a configuration problem, a retry will not help
    kNoCredential,  ///< no credential could be had (the OAuth2 token endpoint refused or failed)
    kTimeout,       ///< no answer within the request's timeout (the request may have arrived)
    kConnection,    ///< no usable answer: connection refused, reset or closed, TLS, or an answer
                    ///< the host would not take (e.g. larger than its limit)
  };
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// For people (logs, dead letters): what went wrong when `status` is 0. Not a protocol.
  std::string error;
  /// kNone when `status` is not 0.
  Failure failure = Failure::kNone;
  /// First header with this name (case-insensitive), or empty.
  std::string header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
      if (key.size() != name.size()) continue;
      bool same = true;
      for (std::size_t i = 0; i < key.size() && same; ++i)
        same = (key[i] | 0x20) == (name[i] | 0x20);
      if (same) return value;
    }
    return {};
  }
};

/// The host's HTTP port for one connector instance. Owned by the host.
class DISPUTED_SDK_VISIBLE HttpClient {
 public:
  virtual ~HttpClient() = default;
  /// Sends the request and waits for the answer. Logs method, URL and status with credentials
  /// redacted; counts requests per status for metrics.
  virtual HttpResponse send(const HttpRequest& request) = 0;
};

/// An OAuth2 access token and the token response's other fields (e.g. Salesforce's
/// `instance_url`) as JSON text.
struct AccessToken {
  std::string access_token;
  Instant expires_at{};
  std::string response_json;
};

/// The instance's OAuth2 token (client credentials), cached and renewed by the host. Only for
/// plugins that need the token response's extra fields; HttpClient already adds the token.
class DISPUTED_SDK_VISIBLE TokenSource {
 public:
  virtual ~TokenSource() = default;
  /// The cached token, fetched when missing or within a minute of expiry. nullopt (and `error`)
  /// when the token endpoint refused or could not be reached.
  virtual std::optional<AccessToken> token(std::string* error = nullptr) = 0;
  /// Forget the cached token (e.g. after the system said it is invalid).
  virtual void invalidate() = 0;
};

/// Severity of a log line.
enum class LogLevel { kDebug, kInfo, kWarn, kError };

/// The instance's log: lines are tagged with the instance name and scrubbed of known secrets.
class DISPUTED_SDK_VISIBLE Logger {
 public:
  virtual ~Logger() = default;
  /// Writes one line tagged with the instance name. Never pass secrets: the host redacts
  /// Authorization headers and tokens it knows, not arbitrary text.
  virtual void log(LogLevel level, const std::string& message) = 0;
};

/// The engine's clock (a fake one in tests): use it instead of the system clock.
class DISPUTED_SDK_VISIBLE Clock {
 public:
  virtual ~Clock() = default;
  /// Current UTC time, whole seconds.
  virtual Instant now() const = 0;
};

/// Small persistent state for the plugin (e.g. a user-id cache), scoped to the instance.
/// Values survive restarts; keep them small (a few KB).
class DISPUTED_SDK_VISIBLE KeyValueStore {
 public:
  virtual ~KeyValueStore() = default;
  /// The value, or nullopt when absent (or when the store could not be read: treat as a miss).
  virtual std::optional<std::string> get(const std::string& key) = 0;
  /// Stores a value; a failed write is dropped silently (the state is a cache by contract).
  virtual void put(const std::string& key, const std::string& value) = 0;
  /// Removes a value if present.
  virtual void erase(const std::string& key) = 0;
};

/// Everything a connector may use. Obtained in `open()`; valid until the connector is destroyed.
class DISPUTED_SDK_VISIBLE Host {
 public:
  virtual ~Host() = default;
  virtual HttpClient& http() = 0;
  /// The OAuth2 token source, or nullptr when the manifest's auth kind is not OAuth2.
  virtual TokenSource* tokens() = 0;
  virtual Logger& log() = 0;
  virtual const Clock& clock() = 0;
  virtual KeyValueStore& store() = 0;
  /// A non-secret setting of the instance resolved for the plugin: the instance name.
  virtual std::string instance_name() const = 0;
  /// True once the host wants the connector to stop: long loops (paging) should return early.
  virtual bool cancelled() const = 0;
  /// (SDK ABI 2.1) The value of a secret the plugin must present itself, over a protocol the
  /// host does not speak for it (an SMTP password): one the manifest declares with
  /// `"use": "plugin"` and the instance references in `secrets`. nullopt when the instance does
  /// not configure it. The host resolves it once, scrubs it from every log line, and never stores
  /// it; the plugin must not log, store or echo it either. Secrets used for HTTP authentication
  /// never come through here: the host's HTTP client adds them.
  virtual std::optional<std::string> plugin_secret(const std::string& name) {
    (void)name;
    return std::nullopt;
  }
};

}  // namespace disputed::sdk
