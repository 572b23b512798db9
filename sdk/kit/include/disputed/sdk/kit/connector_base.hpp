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
///   on_cancel, on_remind and on_escalate. Reminding and escalating are the same act in most
///   systems (a note to the person; escalating also raises the priority), so both default to
///   on_reminder(action, payload, escalate). A message (kMessage) is read through the message
///   contract instead and goes to on_message. A kind the plugin does not handle is kRejected.
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

#include "disputed/sdk/batch_applier.hpp"
#include "disputed/sdk/connector.hpp"
#include "disputed/sdk/kit/message_contract.hpp"
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
  /// Default: on_reminder(action, payload, false).
  virtual ApplyResult on_remind(const Action& action, const TaskPayload& payload);
  /// Default: on_reminder(action, payload, true).
  virtual ApplyResult on_escalate(const Action& action, const TaskPayload& payload);
  /// A reminder, or with `escalate` an escalation, of the action's task. Default: kRejected.
  virtual ApplyResult on_reminder(const Action& action, const TaskPayload& payload, bool escalate);
  /// A message to send (SDK ABI 2.1, capability "message"), its payload already read and checked
  /// (kit::check_message). Must be idempotent per action key as every apply: a transport that
  /// cannot ask its system whether the message went out sends it again with the same Message-ID.
  virtual ApplyResult on_message(const Action& action, const MessagePayload& message);
  /// Runs before every action is dispatched; a result answers the action instead (e.g. the
  /// plugin's own slow-down when the vendor's remaining quota is low).
  virtual std::optional<ApplyResult> before_apply(const Action& action);
  /// Reports changes since the cursor (see Connector::poll).
  virtual PollResult on_poll(const PollRequest& request) = 0;

  /// The host's services; only after a successful open().
  Host& host() const noexcept { return *host_; }
  /// Whether open() succeeded.
  bool opened() const noexcept { return host_ != nullptr; }
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

/// One action of a batch, its payload read through the task contract, and where its answer goes
/// (pre-set to kRetryable "not answered": an action the plugin leaves alone is retried).
struct BatchItem {
  const Action& action;
  TaskPayload payload;
  ApplyResult& result;
};

/// ConnectorBase for a connector that also takes many actions in one call (sdk::BatchApplier):
/// apply_batch() is noexcept and final here. Payloads the contract refuses are answered
/// kRejected before the plugin sees the batch; an exception from on_batch() leaves the answers
/// already written and makes the others retryable; one result per action, always.
class BatchConnectorBase : public ConnectorBase, public BatchApplier {
 public:
  std::vector<ApplyResult> apply_batch(const std::vector<Action>& actions) noexcept final;

 protected:
  using ConnectorBase::ConnectorBase;
  /// Carries out the batch: writes each item's result (see BatchApplier::apply_batch).
  virtual void on_batch(std::vector<BatchItem>& items) = 0;
};

}  // namespace disputed::sdk::kit
