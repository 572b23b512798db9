#pragma once
// Our task <-> a Salesforce Task: the fields of a Task (Subject, Description with the task's
// facts and the link back, Priority, ActivityDate as the deadline's date where the person works),
// the notes disputed appends to the Description (each with a marker "[disputed <action key>]"),
// and the completion a closed Task means.

#include <optional>
#include <string>

#include "disputed/sdk/kit/json.hpp"
#include "disputed/sdk/kit/task_contract.hpp"
#include "disputed/sdk/types.hpp"
#include "plugins/salesforce/src/settings.hpp"

namespace disputed::plugins::salesforce {

namespace kit = sdk::kit;

/// Description and note limit of a Task (Salesforce: 32,000 characters).
constexpr std::size_t kDescriptionLimit = 32000;

/// "[disputed <key>]": on the create's Description (the task key) and before every note (the
/// action key); a retry finds it.
std::string marker(const std::string& key);

/// The Task's fields of a create, without owner and WhatId (they need lookups) and without the
/// key. Status is left out: a new Task gets the org's default (Not Started), and a retried upsert
/// must not reopen a Task the rep has closed meanwhile.
kit::Json task_fields(const sdk::Action& action, const kit::TaskPayload& payload,
                      const Settings& settings);

/// ActivityDate: the deadline's calendar date where the person works (the configured zone, else
/// the step's local date, else the step's zone), never a day early; empty when there is none.
std::string activity_date(const kit::TaskPayload& payload, const Settings& settings);
/// The Task Priority for a payload's priority.
std::string priority_of(const kit::TaskPayload& payload, const Settings& settings);

/// The Description with disputed's note for `action_key` appended (kept within the limit).
std::string with_note(const std::string& description, const std::string& action_key,
                      const std::string& note);

/// The completion event of a closed Task of ours; nullopt for an open or cancelled one.
std::optional<sdk::TaskEvent> completion_of(const kit::Json& record, const Settings& settings);

}  // namespace disputed::plugins::salesforce
