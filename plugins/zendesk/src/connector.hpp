#pragma once
// The Zendesk Support connector: a workflow step becomes a `task` ticket; solving it (with an
// outcome in a custom field or a tag) completes the step. Facts and limits: API-NOTES section 2,
// https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/ .
//
// - Exactly one ticket per task_key: `external_id` = task_key and `Idempotency-Key` = action_key
//   on create; a retried create (attempt > 1, or a key the server no longer knows) first looks the
//   ticket up with GET /api/v2/tickets?external_id=.
// - Updates read the ticket and write with `safe_update` + `updated_stamp`, so an agent's
//   concurrent edit is never overwritten (409 -> re-read and retry, a few times per call).
// - Reminders and escalations carry a marker "[disputed:<action_key>]" in their internal comment;
//   a retry finds it and does not post again. Closing and cancelling are tagged and so idempotent.
// - Rate limits: 429 -> rate-limited with Retry-After; when X-Rate-Limit-Remaining falls to the
//   reserve, the connector answers rate-limited itself until the window resets.

#include <functional>
#include <optional>

#include "disputed/sdk/kit/json.hpp"
#include "disputed/sdk/kit/system_connector.hpp"
#include "plugins/zendesk/src/poller.hpp"
#include "plugins/zendesk/src/settings.hpp"
#include "plugins/zendesk/src/zendesk_client.hpp"

namespace disputed::plugins::zendesk {

class ZendeskConnector final : public kit::SystemConnector<Settings, ZendeskClient, Poller> {
 public:
  ZendeskConnector();

 private:
  sdk::CheckResult on_check() override;
  std::optional<sdk::ApplyResult> before_apply(const sdk::Action& action) override;
  sdk::ApplyResult on_create(const sdk::Action& action, const kit::TaskPayload& payload) override;
  sdk::ApplyResult on_update(const sdk::Action& action, const kit::TaskPayload& payload) override;
  sdk::ApplyResult on_cancel(const sdk::Action& action, const kit::TaskPayload& payload) override;
  sdk::ApplyResult on_reminder(const sdk::Action& action, const kit::TaskPayload& payload,
                               bool escalate) override;
  sdk::PollResult on_poll(const sdk::PollRequest& request) override;

  /// What to write for a ticket just read: nullopt when the action is already reflected.
  using Change = std::function<std::optional<kit::Json>(const kit::Json& ticket)>;
  /// Reads the ticket, asks `change` for the update and writes it with safe_update; a 409 (an
  /// agent changed the ticket meanwhile) re-reads and retries a few times.
  sdk::ApplyResult modify(const sdk::Action& action, std::int64_t id, const Change& change);
  /// The action's ticket id: the ref the host knows, else looked up by external_id; nullopt
  /// (not a failure) when there is no ticket.
  kit::Fetched<std::optional<std::int64_t>> ticket_of(const sdk::Action& action);
};

}  // namespace disputed::plugins::zendesk
