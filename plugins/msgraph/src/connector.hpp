#pragma once
// The Microsoft Graph connector: a workflow step becomes a Microsoft To Do task (Outlook shows it
// among its tasks) in a dedicated list per assignee; a completed task advances the dispute.
//
// - Auth: app-only client credentials, fetched and refreshed by the host (instance `auth`).
// - Identity: the task's one linkedResource carries externalId = task key. Graph has no
//   idempotency key, so a create records its intent first and, when a previous attempt may have
//   reached Graph, looks for the key among the list's tasks before posting again.
//   https://learn.microsoft.com/en-us/graph/api/resources/linkedresource
// - External ref: "<user>|<list id>|<task id>"; the key-value store is only a cache (list ids,
//   intents, the step's outcomes).
// - Notes (reminders, escalations, closing) are appended to the body with a marker
//   "[disputed <action key>]", which makes each action idempotent.
// - Messages (capability "message", SDK 2.1): sent with POST /users/{mailbox}/sendMail from
//   settings.mailbox (application permission Mail.Send). Graph has no idempotency for sendMail:
//   202 is done; a retry after a lost answer or a crash before the commit sends it again.

#include <optional>

#include "disputed/sdk/kit/system_connector.hpp"
#include "plugins/msgraph/src/graph_client.hpp"
#include "plugins/msgraph/src/poller.hpp"
#include "plugins/msgraph/src/settings.hpp"

namespace disputed::plugins::msgraph {

class MsGraphConnector final : public kit::SystemConnector<Settings, GraphClient, Poller> {
 public:
  MsGraphConnector();

 private:
  sdk::CheckResult on_check() override;
  sdk::ApplyResult on_create(const sdk::Action& action, const kit::TaskPayload& payload) override;
  sdk::ApplyResult on_update(const sdk::Action& action, const kit::TaskPayload& payload) override;
  sdk::ApplyResult on_cancel(const sdk::Action& action, const kit::TaskPayload& payload) override;
  sdk::ApplyResult on_reminder(const sdk::Action& action, const kit::TaskPayload& payload,
                               bool escalate) override;
  /// A message sent with sendMail from settings.mailbox (JSON form, message_mapping).
  sdk::ApplyResult on_message(const sdk::Action& action,
                              const kit::MessagePayload& message) override;

  /// The task's ref from the action, else from the store.
  std::optional<TaskRef> ref_of(const sdk::Action& action);
  /// Appends `note` once per action key and applies `fields` in the same PATCH; a task that no
  /// longer exists is done when `gone_is_done` (closing or cancelling it).
  sdk::ApplyResult patch_with_note(const sdk::Action& action, const TaskRef& ref,
                                   const std::string& note, kit::Json fields, bool gone_is_done);
  /// The task moves to another user's list: create it there (once), delete the old one.
  sdk::ApplyResult reassign(const sdk::Action& action, const TaskRef& old,
                            const kit::TaskPayload& payload, const std::string& assignee);
  void remember_task(const std::string& task_key, const TaskRef& ref, const kit::Json& outcomes);
};

}  // namespace disputed::plugins::msgraph
