#pragma once
// The workflow's steps: opening a step (assignee, deadline in working days, reminder and
// escalation timers, the task mirrored through the TaskOutbox), completing it with an outcome
// (which names the next step or an end), cancelling the open ones, and firing due timers.
// Everything runs inside the caller's transaction.

#include <optional>
#include <string>

#include "core/engine/engine_context.hpp"
#include "core/engine/task_outbox.hpp"

namespace disputed::engine {

/// A step completed: the dispute as it now stands and, when the outcome leads to an end of the
/// workflow, that end (the caller resolves or withdraws the dispute).
struct StepCompletion {
  store::DisputeRecord dispute;
  const workflow::EndDef* end = nullptr;
  domain::Instant at;
  bool already_applied = false;  // a connector's repeated completion: nothing changed
};

class StepFlow {
 public:
  StepFlow(EngineContext& context, TaskOutbox& outbox) : ctx_(context), outbox_(outbox) {}

  /// Opens step `def` of `d`: assigned now, due `deadline_working_days` working days ahead.
  void open(store::DisputeRecord& d, const workflow::StepDef& def, domain::Instant now,
            const std::string& actor);
  /// Cancels every open step of `d` (the dispute ended) and their mirrored tasks.
  void cancel_open(store::DisputeRecord& d, const std::string& reason, domain::Instant now,
                   const std::string& actor);
  /// Completes a step. A connector's completion of a step already completed with the same
  /// outcome is a no-op (`already_applied`); a person's completion of a step that is not open
  /// is a conflict.
  Result<StepCompletion> complete(const CompleteStepRequest& request);
  /// Fires every reminder and escalation due at the clock's now, once each.
  TickReport tick();

 private:
  void fire(const store::TimerRecord& timer, domain::Instant now, TickReport& report);
  void escalate(const store::TimerRecord& timer, store::DisputeRecord& d, store::StepRecord& step,
                const workflow::StepDef* def, domain::Instant now);

  EngineContext& ctx_;
  TaskOutbox& outbox_;
};

}  // namespace disputed::engine
