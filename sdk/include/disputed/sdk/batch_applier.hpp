#pragma once
/// @file An optional interface a connector may implement besides `Connector`: carrying out many
/// actions in one call to the external system (Salesforce sObject Collections, Graph $batch, ...).
///
/// A plugin opts in by deriving its connector class from both interfaces:
///
///   class MyConnector final : public sdk::Connector, public sdk::BatchApplier { ... };
///
/// The host finds it with `dynamic_cast<sdk::BatchApplier*>(connector)` on the object the
/// plugin's factory returned (both classes are exported with their type information, so the cast
/// works across the plugin boundary). A plugin that does not implement it keeps working
/// unchanged: the host then calls `Connector::apply` once per action. The `Connector` class and
/// its virtual functions are untouched by this extension (it came with SDK ABI 1.0).
///
/// The same contract as `Connector` applies: nothing throws, one call at a time per connector
/// object, only after a successful `open`.

#include <cstddef>
#include <vector>

#include "disputed/sdk/detail/fingerprint.hpp"
#include "disputed/sdk/types.hpp"

namespace disputed::sdk {

class DISPUTED_SDK_VISIBLE BatchApplier {
 public:
  virtual ~BatchApplier() = default;

  /// The most actions the host hands to one `apply_batch` call (e.g. 200 for Salesforce
  /// collections). 0 or 1 turns batching off.
  virtual std::size_t max_batch() const noexcept = 0;

  /// True when actions of this kind go to the system together, in about one request per batch.
  /// The host only batches those kinds (and charges its rate limit one token per batch); others
  /// it delivers one by one through `Connector::apply`.
  virtual bool batches(Action::Kind kind) const noexcept = 0;

  /// Carries out `actions` (1 to `max_batch()`, each of a kind `batches()` accepts, at most one
  /// per `task_key`, in the host's delivery order). Answers exactly one result per action, in the
  /// same order, each meaning what `Connector::apply` would have answered for that action alone:
  /// applied, already applied, retryable, rate limited, auth failed or rejected, with the
  /// external ref on a create. One action's failure must not hide another's success. Idempotent
  /// per `action_key`, like `apply`: the host re-delivers every action whose result it did not
  /// record (a crash, or a wrong-sized answer, which the host treats as retryable for the whole
  /// batch). The actions' memory is the host's; the results are copied by value.
  virtual std::vector<ApplyResult> apply_batch(const std::vector<Action>& actions) noexcept = 0;
};

}  // namespace disputed::sdk
