#pragma once
/// @file Actions and payloads for a plugin's own tests, as the host and the engine make them:
/// one place instead of a payload spelled out in every test file.

#include <string>

#include "disputed/sdk/kit/task_contract.hpp"
#include "disputed/sdk/types.hpp"

namespace disputed::sdk::testing {

/// An action as the host hands it to apply(): action_key "<task_key>:<suffix>", attempt 1.
Action make_action(Action::Kind kind, const std::string& task_key, const std::string& suffix,
                   const std::string& external_ref, std::string payload_json);

/// A create's payload as the engine writes it for the task `task_key` ("DSP-000042-1": the
/// dispute is the key up to its last '-'): step "check", subject "Check the price agreement —
/// <dispute> (Acme B.V.)", instructions, the person `assignee`, due 2026-12-04T16:00:00Z
/// (2026-12-04 in Europe/Amsterdam), outcomes approved and rejected, customer C-1001 Acme B.V.,
/// EUR 125.00 disputed on INV-1001. A test changes what it needs.
kit::TaskPayload sample_task(const std::string& task_key,
                             const std::string& assignee = "agent@example.com");

/// sample_task() as the JSON text of a create's payload (the task contract's serialiser).
std::string sample_create_json(const std::string& task_key,
                               const std::string& assignee = "agent@example.com");

/// The create action of `payload`: action key "<task_key>:create", the payload serialised by
/// the task contract.
Action create_action(const kit::TaskPayload& payload);

}  // namespace disputed::sdk::testing
