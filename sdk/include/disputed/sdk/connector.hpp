#pragma once
/// @file The interface a connector plugin implements.
///
/// Contract (checked by the SDK's contract test kit, sdk/testkit):
/// - Nothing throws across the boundary: every function is noexcept; failures are values.
/// - The host calls one function at a time per connector object (no concurrent calls), from any
///   one thread; the plugin starts no threads of its own that outlive a call.
/// - `validate` may be called before `open`; everything else only after a successful `open`.
/// - `open` must not need the network: it succeeds with bad credentials too; `check()` is where
///   credentials are proven (and apply/poll answer auth-failed when they are wrong).

#include <string>
#include <vector>

#include "disputed/sdk/detail/fingerprint.hpp"
#include "disputed/sdk/host.hpp"
#include "disputed/sdk/types.hpp"

namespace disputed::sdk {

class DISPUTED_SDK_VISIBLE Connector {
 public:
  virtual ~Connector() = default;

  /// Checks the instance's settings (JSON text of the `settings` object; secrets are not in it,
  /// they reach the host's HTTP client only). Empty when valid. The host has already checked
  /// the settings against the manifest's JSON Schema; this is for rules a schema cannot say.
  virtual std::vector<ConfigProblem> validate(const std::string& settings_json) noexcept = 0;

  /// Prepares the connector with valid settings. `host` outlives the connector.
  virtual OpenResult open(const std::string& settings_json, Host& host) noexcept = 0;

  /// Proves credentials and permissions with a cheap call (e.g. "who am I"), answering with a
  /// category and a remedy when something is wrong.
  virtual CheckResult check() noexcept = 0;

  /// Carries out one action on the external system. Must be idempotent per `action_key`, and a
  /// create must produce at most one external task per `task_key`, even when retried after a
  /// timeout whose request did reach the system.
  virtual ApplyResult apply(const Action& action) noexcept = 0;

  /// Reports what happened to our tasks since `cursor`. The host stores `next_cursor` only
  /// together with the events, so a crash re-polls from the old cursor: events must therefore
  /// carry stable `event_id`s. A poll from the new cursor must not report the same change again.
  virtual PollResult poll(const PollRequest& request) noexcept = 0;
};

}  // namespace disputed::sdk
