#pragma once
/// @file sdk::testing::FakeHost, the one stand-in for the host's services in every test of a
/// plugin (and of the host's own parts that hold a connector): HTTP requests go to an in-process
/// handler (the sandbox) instead of the network, with the same rules the real host applies — the
/// allowed-host list, credentials added per the manifest's auth kind, one retry with a fresh
/// OAuth2 token after a 401, the typed failure of a request it does not send — plus a clock the
/// test moves (or one it hands in), an in-memory key-value store and captured log lines. Nothing
/// here opens a socket or starts a thread.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "disputed/sdk/host.hpp"

namespace disputed::sdk::testing {

/// How a FakeHost behaves; fields mirror a connector instance's config.
struct FakeHostOptions {
  std::string instance_name = "contract-test";
  /// The manifest's auth kind: "none", "basic", "bearer" or "oauth2_client_credentials".
  std::string auth_kind = "none";
  std::string basic_username;  ///< basic
  std::string basic_password;  ///< basic
  std::string bearer_token;    ///< bearer
  /// Where requests may go, in the host's forms: "api.example.com" (the scheme's default port),
  /// "api.example.com:8443", "127.0.0.1:*" (any port), "*.example.com" (subdomains only),
  /// "[::1]:*". The manifest's allowed_hosts plus the instance's. Empty allows nothing, as with
  /// the real host. Plain http:// is allowed only to loopback hosts.
  std::vector<std::string> allowed_hosts;
  /// The clock's start, 2025-01-06T09:00:00Z (a Monday) unless set.
  std::optional<Instant> start_time;
  /// A clock to follow instead of the host's own (e.g. the engine's fake clock in a test that
  /// drives the sync engine); advance() then adds to what it says.
  std::function<Instant()> clock;
  /// The instance's secrets for the plugin itself (manifest `"use": "plugin"`): what
  /// Host::plugin_secret answers, by name.
  std::map<std::string, std::string> plugin_secrets;
};

/// Answers one request in place of the external system. Receives the request as it would go on
/// the wire (with the Authorization header the host added). Must not throw. Without one, the
/// host refuses every request (failure kRefused): for plugins that make no HTTP calls.
using SandboxHandler = std::function<HttpResponse(const HttpRequest& request)>;

/// Plays the OAuth2 token endpoint: a token, or nullopt with `error` set (e.g. "token endpoint
/// https://auth.example.com/token answered 401 invalid_client"). Must not throw.
using TokenIssuer = std::function<std::optional<AccessToken>(std::string& error)>;

/// A sdk::Host over a sandbox handler. Owns its clock, store and log; the handler and issuer are
/// copied in. Outlives every connector opened on it (the test's duty). Safe to call from any
/// thread.
///
/// Conventions shared with the real host (a plugin must handle them the same way):
/// - a request the host will not send answers status 0 with failure kRefused (relative URL, host
///   not allowed, plain http to a non-loopback host; `error` says which, "refused: ...");
/// - when no credential can be had (the token endpoint refused) it answers status 0 with failure
///   kNoCredential;
/// - a handler answering status 0 without a failure is taken as a lost connection (kConnection);
/// - with OAuth2, a 401 makes it drop the token, fetch a new one and send the request once more;
///   a second 401 is returned as is.
class FakeHost : public Host {
 public:
  /// `issuer` is required for auth kind oauth2_client_credentials and ignored otherwise.
  explicit FakeHost(FakeHostOptions options = {}, SandboxHandler handler = {},
                    TokenIssuer issuer = {});
  ~FakeHost() override;
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;

  /// sdk::Host: every service is owned by this object and lives as long as it does.
  HttpClient& http() override;
  TokenSource* tokens() override;
  Logger& log() override;
  const Clock& clock() override;
  KeyValueStore& store() override;
  std::string instance_name() const override;
  bool cancelled() const override;
  std::optional<std::string> plugin_secret(const std::string& name) override;

  /// Moves the clock forward (negative durations move it back).
  void advance(std::chrono::seconds by);
  /// Sets what cancelled() answers.
  void set_cancelled(bool cancelled);
  /// Log lines so far, each "<level>: <message>" (the host's own request lines included).
  std::vector<std::string> log_lines() const;
  /// The messages of the log lines so far, without their level.
  std::vector<std::string> log_messages() const;
  /// Token requests made to the issuer so far (answered or not).
  int token_fetches() const;
  /// Requests handed to the sandbox so far (a retry after 401 counts twice).
  int requests_sent() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace disputed::sdk::testing
