#pragma once
// The concrete sdk::Host a connector instance receives in open(): HTTP client, OAuth2 token
// source, logger, clock, key-value store, instance name and cancellation, assembled from the
// instance's settings. HostServices owns what it holds and must outlive the connector.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/domain/result.hpp"
#include "core/domain/time.hpp"
#include "core/net/credentials.hpp"
#include "core/net/http_client.hpp"
#include "core/net/redaction.hpp"
#include "disputed/sdk/host.hpp"

namespace disputed::net {

/// Where log lines go (the process's log); receives lines already tagged and scrubbed.
using LogSink = std::function<void(sdk::LogLevel level, const std::string& line)>;

/// An sdk::Logger for one instance: prefixes "[instance] ", drops lines below `min_level`,
/// replaces known secrets (registered with the scrubber) by "***", and swallows sink failures.
class InstanceLogger final : public sdk::Logger {
 public:
  /// `scrubber` (optional) must outlive the logger.
  InstanceLogger(std::string instance_name, LogSink sink, sdk::LogLevel min_level,
                 const SecretScrubber* scrubber = nullptr);
  void log(sdk::LogLevel level, const std::string& message) override;

 private:
  std::string prefix_;
  LogSink sink_;
  sdk::LogLevel min_level_;
  const SecretScrubber* scrubber_;
};

/// sdk::Clock over the engine's domain::Clock (the same FakeClock in tests moves both).
class DomainClockAdapter final : public sdk::Clock {
 public:
  /// `clock` must outlive the adapter.
  explicit DomainClockAdapter(const domain::Clock& clock) : clock_(clock) {}
  sdk::Instant now() const override { return clock_.now(); }

 private:
  const domain::Clock& clock_;
};

/// A KeyValueStore in memory, for tests and the demo; thread-safe. (The engine's persistent
/// one lives with the SQLite store.)
class InMemoryKeyValueStore final : public sdk::KeyValueStore {
 public:
  std::optional<std::string> get(const std::string& key) override;
  void put(const std::string& key, const std::string& value) override;
  void erase(const std::string& key) override;

 private:
  std::mutex mutex_;
  std::map<std::string, std::string> values_;
};

/// What HostServices::create needs to know about one connector instance.
struct HostServicesConfig {
  std::string instance_name;
  CredentialSettings credentials;  ///< auth kind from the manifest, references from the instance
  /// Secrets the plugin presents itself (manifest `"use": "plugin"`): name -> env:/file: reference.
  std::map<std::string, std::string> plugin_secrets;
  HttpClientOptions http;  ///< allowed hosts: manifest's plus the instance's
  LogSink log_sink;        ///< empty: lines are dropped
  sdk::LogLevel min_log_level = sdk::LogLevel::kInfo;
  /// A process-wide stop flag (e.g. set on SIGTERM), read by cancelled(); optional, and must
  /// outlive the HostServices when given.
  const std::atomic<bool>* shutdown = nullptr;
};

class HostServices final : public sdk::Host {
 public:
  /// Resolves the secrets, checks the allow-list (the OAuth2 token endpoint must be allowed
  /// too) and builds the services. Errors name what is wrong, never a secret value. `clock`
  /// must outlive the result; `store` (nullptr: an InMemoryKeyValueStore) is owned by it.
  static domain::Result<std::unique_ptr<HostServices>> create(
      HostServicesConfig config, const domain::Clock& clock,
      std::unique_ptr<sdk::KeyValueStore> store = nullptr);
  ~HostServices() override;
  HostServices(const HostServices&) = delete;
  HostServices& operator=(const HostServices&) = delete;

  // sdk::Host
  sdk::HttpClient& http() override { return *http_; }
  sdk::TokenSource* tokens() override { return tokens_.get(); }
  sdk::Logger& log() override { return *logger_; }
  const sdk::Clock& clock() override { return clock_; }
  sdk::KeyValueStore& store() override { return *store_; }
  std::string instance_name() const override { return instance_name_; }
  bool cancelled() const override;
  std::optional<std::string> plugin_secret(const std::string& name) override;

  /// Asks the connector to stop early (it sees cancelled() == true); false clears the request,
  /// e.g. before the next scheduled run.
  void set_cancelled(bool cancelled) noexcept { cancelled_.store(cancelled); }
  /// The HTTP client's counters, for the host's status and /metrics.
  HttpMetrics http_metrics() const { return http_->metrics(); }
  /// OAuth2 token requests so far (0 without OAuth2).
  std::uint64_t token_fetches() const noexcept { return tokens_ ? tokens_->fetch_count() : 0; }
  AuthKind auth_kind() const noexcept { return auth_kind_; }

 private:
  HostServices(std::string instance_name, const domain::Clock& clock, AuthKind auth_kind,
               const std::atomic<bool>* shutdown);

  std::string instance_name_;
  AuthKind auth_kind_;
  const std::atomic<bool>* shutdown_;
  std::atomic<bool> cancelled_{false};
  DomainClockAdapter clock_;
  // Declaration order is construction order; destruction runs backwards, so everything that
  // refers to the scrubber, logger or token source goes before them.
  SecretScrubber scrubber_;
  std::unique_ptr<InstanceLogger> logger_;
  std::unique_ptr<OAuth2TokenSource> tokens_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<sdk::KeyValueStore> store_;
  std::map<std::string, Secret> plugin_secrets_;
};

}  // namespace disputed::net
