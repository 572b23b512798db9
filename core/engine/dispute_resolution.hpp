#pragma once
// How a dispute ends and comes back: resolved (with a resolution code) or withdrawn — open steps
// cancelled, holds released with the new due date, the customer told — then closed; or reopened,
// which places the holds again and restarts the workflow. Inside the caller's transaction.

#include <optional>
#include <string>

#include "core/engine/dunning_hold.hpp"
#include "core/engine/engine_context.hpp"
#include "core/engine/step_flow.hpp"
#include "core/engine/task_outbox.hpp"

namespace disputed::engine {

class DisputeResolution {
 public:
  DisputeResolution(EngineContext& context, StepFlow& steps, DunningHold& holds, TaskOutbox& outbox)
      : ctx_(context), steps_(steps), holds_(holds), outbox_(outbox) {}

  /// Ends `d` with `status` (resolved or withdrawn) and `resolution`: the workflow's end or a
  /// controller's decision.
  void finish(store::DisputeRecord& d, domain::DisputeStatus status, domain::Resolution resolution,
              const std::string& note, domain::Instant now, const std::string& actor);
  Result<store::DisputeRecord> resolve(const std::string& dispute, domain::Resolution resolution,
                                       const std::string& note, const std::string& actor);
  Result<store::DisputeRecord> withdraw(const std::string& dispute, const std::string& note,
                                        const std::string& actor);
  Result<store::DisputeRecord> reopen(const std::string& dispute, const std::string& reason,
                                      const std::optional<std::string>& from_step,
                                      const std::string& actor);
  Result<store::DisputeRecord> close(const std::string& dispute, const std::string& actor);

 private:
  EngineContext& ctx_;
  StepFlow& steps_;
  DunningHold& holds_;
  TaskOutbox& outbox_;
};

}  // namespace disputed::engine
