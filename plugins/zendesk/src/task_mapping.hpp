#pragma once
// Our task <-> a Zendesk ticket: the ticket a create makes (a `task` ticket with an internal note
// that carries the dispute, due date, tags and custom fields), the notes disputed adds (each with
// a marker "[disputed:<action key>]" that makes it idempotent), and the events a ticket means
// (solved by an agent: completed, with the outcome from a field or a tag).

#include <optional>
#include <string>

#include "disputed/sdk/kit/json.hpp"
#include "disputed/sdk/kit/task_contract.hpp"
#include "disputed/sdk/types.hpp"
#include "plugins/zendesk/src/settings.hpp"

namespace disputed::plugins::zendesk {

namespace kit = sdk::kit;

/// Tags that say a ticket was solved on disputed's behalf (not by an agent).
inline const std::string kClosedTag = "disputed_closed";
inline const std::string kCancelledTag = "disputed_cancelled";

/// "[disputed:<action key>]": in every comment disputed writes; a retry finds it.
std::string marker(const std::string& action_key);

/// The ticket of a create (subject, type, external_id, due_at, priority, tags, custom fields and
/// the internal note), without assignee or group (they need lookups). `assignee_note` is added to
/// the "Assigned to" fact (e.g. " (not a Zendesk agent: assign by hand)").
kit::Json new_ticket(const sdk::Action& action, const kit::TaskPayload& payload,
                     const Settings& settings, const std::string& assignee_note);

/// The internal note of a create: the task's facts, instructions, complaint, how to finish, the
/// link back and the marker.
std::string description(const sdk::Action& action, const kit::TaskPayload& payload,
                        const Settings& settings, const std::string& assignee_note);

/// Notes disputed adds, each ending with the action's marker.
std::string completed_note(const sdk::Action& action, const kit::TaskPayload& payload);
std::string cancelled_note(const sdk::Action& action, const kit::TaskPayload& payload);
std::string reminder_note(const sdk::Action& action, const kit::TaskPayload& payload,
                          bool escalate);

bool has_tag(const kit::Json& ticket, const std::string& tag);
/// The ticket's tags plus `tag`.
kit::Json tags_plus(const kit::Json& ticket, const std::string& tag);
/// Solved (or closed) on disputed's behalf rather than by an agent.
bool closed_by_us(const kit::Json& ticket);

/// The outcome of a solved ticket: the outcome field, else a tag <prefix><outcome>, mapped
/// through outcome_values.
std::string outcome_of(const kit::Json& ticket, const Settings& settings);
/// The completion event of a ticket solved by an agent, for `task_key`; nullopt otherwise.
std::optional<sdk::TaskEvent> completion_of(const kit::Json& ticket, const std::string& task_key,
                                            const Settings& settings);

}  // namespace disputed::plugins::zendesk
