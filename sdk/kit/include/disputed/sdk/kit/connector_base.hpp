#pragma once
/// @file The base class of a connector built on the kit: it keeps the SDK's promises at the
/// boundary so the plugin's own code need not.
///
/// - Every Connector function is noexcept and final here: an exception from the plugin's code
///   (a bug, std::bad_alloc) is caught and answered as a value — retryable for apply and poll
///   (the cursor kept), kNetwork for check, a problem for validate and open — and logged.
/// - Settings are read with the manifest's defaults (kit::Settings) before read_settings() sees
///   them; validate() and open() answer the problems it records.
/// - apply() reads the payload through the task contract (a payload the contract refuses is
///   kRejected, naming the field) and dispatches by action kind to on_create, on_update,
///   on_cancel, on_remind and on_escalate. A kind the plugin does not override is kRejected.
/// - Nothing runs before a successful open(): apply, poll and check answer so.
///
///   class AcmeConnector final : public disputed::sdk::kit::ConnectorBase {
///    public:
///     AcmeConnector() : ConnectorBase(disputed_plugin_manifest_json, "Acme") {}
///     ...
///   };
///   DISPUTED_CONNECTOR_PLUGIN(AcmeConnector)
///
/// Standard library only.

#include <optional>
#include <string>
#include <vector>

#include "disputed/sdk/connector.hpp"
#include "disputed/sdk/kit/settings.hpp"
#include "disputed/sdk/kit/task_contract.hpp"

namespace disputed::sdk::kit {

class ConnectorBase : public Connector {
 public:
  std::vector<ConfigProblem> validate(const std::string& settings_json) noexcept final;
  OpenResult open(const std::string& settings_json, Host& host) noexcept final;
  CheckResult check() noexcept final;
  ApplyResult apply(const Action& action) noexcept final;
  PollResult poll(const PollRequest& request) noexcept final;

 protected:
  /// `manifest_json`: the plugin's embedded manifest (disputed_plugin_manifest_json, static);
  /// `system`: the external system's name for messages ("Zendesk").
  ConnectorBase(const char* manifest_json, std::string system) noexcept;

  /// Reads the plugin's settings from `settings` (typed, with defaults) and records what a
  /// schema cannot check with settings.problem(). `keep` is false for validate() (look only)
  /// and true for open() (store them).
  virtual void read_settings(const Settings& settings, bool keep) = 0;
  /// Proves credentials and permissions (see Connector::check).
  virtual CheckResult on_check() = 0;
  /// One action, its payload already read (see Connector::apply).
  virtual ApplyResult on_create(const Action& action, const TaskPayload& payload) = 0;
  virtual ApplyResult on_update(const Action& action, const TaskPayload& payload);
  virtual ApplyResult on_cancel(const Action& action, const TaskPayload& payload);
  virtual ApplyResult on_remind(const Action& action, const TaskPayload& payload);
  virtual ApplyResult on_escalate(const Action& action, const TaskPayload& payload);
  /// Runs before every action is dispatched; a result answers the action instead (e.g. the
  /// plugin's own slow-down when the vendor's remaining quota is low).
  virtual std::optional<ApplyResult> before_apply(const Action& action);
  /// Reports changes since the cursor (see Connector::poll).
  virtual PollResult on_poll(const PollRequest& request) = 0;

  /// The host's services; only after a successful open().
  Host& host() const noexcept { return *host_; }
  /// The host's clock.
  Instant now() const;
  /// One line in the instance's log.
  void log(LogLevel level, const std::string& message) const noexcept;
  const std::string& system() const noexcept { return system_; }

  /// apply() for an action whose payload was read elsewhere (e.g. a batch falling back to single
  /// actions): dispatches by kind, catching like apply().
  ApplyResult dispatch(const Action& action, const TaskPayload& payload) noexcept;
  /// The answer to an exception that reached the boundary, logged once.
  ApplyResult apply_failed(const char* what) noexcept;

 private:
  ApplyResult dispatch_unguarded(const Action& action, const TaskPayload& payload);

  const char* manifest_json_;
  std::string system_;
  Host* host_ = nullptr;
};

}  // namespace disputed::sdk::kit
