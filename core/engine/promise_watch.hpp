#pragma once
// The date promised to the customer (disputes.due_at, "resolution expected by" in the
// confirmation) is watched: notifications.promise.before_working_days before it and at it, an
// open dispute alerts the controller (a promise_due mail), and at the date management too; each
// alert is a dossier entry. The timers fire once (marked fired in the tick's transaction; the
// mails are keyed by dispute, reopen count, stage and date). Everything runs inside the caller's
// transaction.

#include "core/engine/engine_context.hpp"
#include "core/engine/task_outbox.hpp"

namespace disputed::engine {

class PromiseWatch {
 public:
  PromiseWatch(EngineContext& context, TaskOutbox& outbox) : ctx_(context), outbox_(outbox) {}

  /// (Re)sets the timers of `d` for its due_at: the ones not yet fired are replaced. Called when
  /// a dispute opens or reopens, and by anything that moves its promised date.
  void schedule(const store::DisputeRecord& d, domain::Instant now);
  /// Fires every promise timer due at `now`; returns how many alerted. A timer whose dispute
  /// ended is skipped; one whose date moved since is replaced by timers for the new date.
  int tick(domain::Instant now);

 private:
  void alert(const store::DisputeRecord& d, const std::string& stage, domain::Instant now);

  EngineContext& ctx_;
  TaskOutbox& outbox_;
};

}  // namespace disputed::engine
