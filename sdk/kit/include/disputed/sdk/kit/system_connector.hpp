#pragma once
/// @file The one plugin shape on ConnectorBase: a connector to one external system is its
/// settings (read from the manifest's schema by the plugin's own read function), a client of the
/// system's API built from them and, for a system that reports changes, a poller built from both.
/// This class reads the settings, builds the client and the poller once open() succeeded, owns
/// them and forwards on_poll(); a plugin declares only what differs: on_check() and the actions
/// it handles.
///
///   class AcmeConnector final
///       : public disputed::sdk::kit::SystemConnector<Settings, AcmeClient, Poller> {
///    public:
///     AcmeConnector()
///         : SystemConnector(disputed_plugin_manifest_json, "Acme", &acme::read_settings) {}
///    private:
///     CheckResult on_check() override;
///     ApplyResult on_create(const Action& action, const TaskPayload& payload) override;
///   };
///
/// `Client` is constructed as Client(Host&, const PluginSettings&); `Poller` as
/// Poller(Host&, Client&, const PluginSettings&) or Poller(Host&, Client&); both live until the
/// connector is destroyed. With `Poller` = NoPoller (a transport: nothing comes back from the
/// system) a poll answers kOk and keeps the cursor. `Base` is ConnectorBase or
/// BatchConnectorBase. Standard library only.

#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "disputed/sdk/kit/connector_base.hpp"
#include "disputed/sdk/kit/http_policy.hpp"

namespace disputed::sdk::kit {

/// The Poller of a SystemConnector whose system reports nothing back.
struct NoPoller {};

template <class PluginSettings, class Client, class Poller = NoPoller, class Base = ConnectorBase>
class SystemConnector : public Base {
 public:
  /// The plugin's function that reads its settings (recording what a schema cannot check with
  /// Settings::problem()).
  using ReadSettings = PluginSettings (*)(const Settings&);

 protected:
  /// `manifest_json` and `system` as ConnectorBase's; `read` reads the plugin's settings.
  SystemConnector(const char* manifest_json, std::string system, ReadSettings read) noexcept
      : Base(manifest_json, std::move(system)), read_(read) {}

  /// The settings open() read; only after a successful open().
  const PluginSettings& settings() const noexcept { return settings_; }
  /// The system's API client; only after a successful open().
  Client& client() const noexcept { return *client_; }
  /// The poller; only after a successful open(), and only with a Poller.
  Poller& poller() const noexcept { return *poller_; }

  /// The kit's answer to a failed request of `action` on the object `ref` (by default the
  /// action's external_ref), through the client's HttpPolicy (Client::policy()).
  ApplyResult failed(const HttpOutcome& outcome, const Action& action) const {
    return client_->policy().apply_result(outcome, action.kind, action.external_ref);
  }
  ApplyResult failed(const HttpOutcome& outcome, const Action& action,
                     const std::string& ref) const {
    return client_->policy().apply_result(outcome, action.kind, ref);
  }

  /// Reads the settings with the plugin's function; with `keep` (open()) keeps them and builds
  /// the client and the poller on the host.
  void read_settings(const Settings& settings, bool keep) final {
    PluginSettings read = read_(settings);
    if (!keep) return;  // validate(): look only
    settings_ = std::move(read);
    client_ = std::make_unique<Client>(this->host(), settings_);
    if constexpr (std::is_constructible_v<Poller, Host&, Client&, const PluginSettings&>)
      poller_ = std::make_unique<Poller>(this->host(), *client_, settings_);
    else if constexpr (!std::is_same_v<Poller, NoPoller>)
      poller_ = std::make_unique<Poller>(this->host(), *client_);
  }

  /// The poller's answer; without a poller kOk with the cursor kept.
  PollResult on_poll(const PollRequest& request) override {
    if constexpr (std::is_same_v<Poller, NoPoller>) {
      PollResult r;
      r.status = PollResult::Status::kOk;
      r.next_cursor = request.cursor;
      return r;
    } else {
      return poller_->poll(request);
    }
  }

 private:
  ReadSettings read_;
  PluginSettings settings_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<Poller> poller_;
};

}  // namespace disputed::sdk::kit
