#pragma once
// Our task <-> a Microsoft To Do task: who gets it (a person, or the user a role maps to), its
// title, body (the task's facts, what to do, how to choose the outcome, the link back), due date
// in the step's zone and reminder, the linked resource that carries the task key, the notes
// disputed appends (each with a marker "[disputed <action key>]"), and the completion a task
// completed by its user means (outcome from a category).

#include <optional>
#include <string>
#include <vector>

#include "disputed/sdk/kit/json.hpp"
#include "disputed/sdk/kit/task_contract.hpp"
#include "disputed/sdk/types.hpp"
#include "plugins/msgraph/src/graph_client.hpp"
#include "plugins/msgraph/src/settings.hpp"

namespace disputed::plugins::msgraph {

/// Closing notes of tasks disputed finished itself (not completions by their user).
inline const std::string kClosedNote = "Closed in disputed";
inline const std::string kCancelledNote = "Cancelled in disputed";

/// "[disputed <action key>]".
std::string marker(const std::string& action_key);

/// The user a payload's assignee means: a person's id or UPN, or the user a role maps to ("" when
/// a role maps to nobody).
std::string user_of(const kit::TaskPayload& payload, const Settings& settings);
/// Graph's importance for a payload priority.
std::string importance_of(const std::string& priority);

/// The todoTask of a create: title, body, importance, status, dates and the linked resource.
kit::Json new_task(const sdk::Action& action, const kit::TaskPayload& payload,
                   const Settings& settings);
/// Sets dueDateTime (the local calendar day in the step's time zone) and the reminder on `task`.
void add_dates(const kit::TaskPayload& payload, const Settings& settings, kit::Json& task);
/// The task's body with disputed's note for `action_key` appended (HTML escaped in HTML bodies).
kit::Json body_with_note(const kit::Json& task, const std::string& action_key,
                         const std::string& note);
/// Whether the task's body already carries the action's note.
bool has_note(const kit::Json& task, const std::string& action_key);

/// The completion event of a task completed by its user (not closed by us); the outcome is the
/// category matching one of `outcomes` (the first outcome without one).
std::optional<sdk::TaskEvent> completion_of(const kit::Json& task, const std::string& task_key,
                                            const TaskRef& ref,
                                            const std::vector<std::string>& outcomes);
/// The deletion event of a task.
sdk::TaskEvent deletion_of(const std::string& task_key, const TaskRef& ref);

}  // namespace disputed::plugins::msgraph
