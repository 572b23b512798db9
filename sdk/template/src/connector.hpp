#pragma once
// The template connector: a complete plugin for "Example Tasks", a placeholder REST task API
// (README.md; played by the in-process sandbox in tests/contract_test.cpp). To write a connector
// for your system, copy this folder, rename it, and replace what is marked TODO(vendor). The
// connector kit (disputed/sdk/kit) keeps the SDK's promises for you:
//
// - kit::ConnectorBase: nothing throws out of a Connector function, the settings are read with
//   the manifest's defaults, the payload is read through the typed task contract and each action
//   kind reaches its handler below;
// - kit::HttpPolicy: one meaning for every HTTP answer (retry with backoff, wait for Retry-After,
//   dead-letter, hold the instance) — see docs/plugin-guide.md;
// - every HTTP call goes through the host: it adds credentials (and refreshes an OAuth2 token
//   after a 401), enforces the allowed hosts, applies timeouts and logs redacted. The plugin
//   never retries or sleeps itself;
// - a create makes at most one task per task_key (look up by key, then create with an
//   idempotency key); other actions are idempotent per action_key.

#include "disputed/sdk/kit/system_connector.hpp"
#include "example_client.hpp"
#include "poller.hpp"
#include "settings.hpp"

namespace template_connector {

class TemplateConnector final : public kit::SystemConnector<Settings, ExampleClient, Poller> {
 public:
  TemplateConnector();

 private:
  sdk::CheckResult on_check() override;
  sdk::ApplyResult on_create(const sdk::Action& action, const kit::TaskPayload& payload) override;
  sdk::ApplyResult on_update(const sdk::Action& action, const kit::TaskPayload& payload) override;
  sdk::ApplyResult on_cancel(const sdk::Action& action, const kit::TaskPayload& payload) override;
  sdk::ApplyResult on_reminder(const sdk::Action& action, const kit::TaskPayload& payload,
                               bool escalate) override;

  /// The id of the action's task: the ref the host knows, else looked up by key; nullopt (not a
  /// failure) when there is none.
  kit::Fetched<std::optional<std::string>> task_id(const sdk::Action& action);
  /// A PATCH or comment on the task: applied (already applied when the API replayed it).
  sdk::ApplyResult write(const sdk::Action& action, const std::string& id,
                         const std::string& method, const std::string& path, const kit::Json& body,
                         const std::string& key);
};

}  // namespace template_connector
