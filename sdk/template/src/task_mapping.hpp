#pragma once
// Our task <-> an Example Tasks task: the task a create makes, the changes the other actions
// write, and what a task read back means (completed by the person: the step's completion).
// TODO(vendor): your fields, states and how a resolution maps to the workflow's outcomes.

#include <optional>
#include <string>

#include "disputed/sdk/host.hpp"
#include "disputed/sdk/kit/json.hpp"
#include "disputed/sdk/kit/task_contract.hpp"
#include "disputed/sdk/types.hpp"
#include "settings.hpp"

namespace template_connector {

namespace sdk = disputed::sdk;
namespace kit = disputed::sdk::kit;

/// The body of POST /tasks for a create: external_id = task_key, title, description (the
/// instructions, the task's facts and the link back), assignee, due date, the step's outcomes.
kit::Json new_task(const sdk::Action& action, const kit::TaskPayload& payload,
                   const Settings& settings);
/// The PATCH of an update (close the task: the step was completed in disputed) or a cancel.
kit::Json closing(const kit::TaskPayload& payload);
kit::Json cancelling(const kit::TaskPayload& payload);
/// The comment of a reminder or an escalation.
kit::Json reminder_comment(const kit::TaskPayload& payload, bool escalate);

/// Whether the API answered from its idempotency store (Stripe-like "Idempotent-Replayed").
/// TODO(vendor): if yours does not say, report applied; the host treats both as done.
bool replayed(const sdk::HttpResponse& response);

/// The completion event of a task the person completed; nullopt when it is not completed (open,
/// or closed and cancelled on disputed's behalf) or not ours (no external_id).
std::optional<sdk::TaskEvent> completion_of(const kit::JsonView& task);

}  // namespace template_connector
