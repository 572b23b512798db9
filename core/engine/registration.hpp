#pragma once
// Registering disputes and the invoices they are about. A registration checks every claim
// (invoices of one customer, one currency, amounts within what is still undisputed) and
// reports every problem at once with its field; only a good request writes: the dispute with its
// workflow snapshot, the holds, the customer's confirmation, management's information and the
// first step. Invoice import corrects master data without moving a due date a hold has moved.

#include <string>

#include "core/engine/dunning_hold.hpp"
#include "core/engine/engine_context.hpp"
#include "core/engine/step_flow.hpp"
#include "core/engine/task_outbox.hpp"

namespace disputed::engine {

class Registration {
 public:
  Registration(EngineContext& context, StepFlow& steps, DunningHold& holds, TaskOutbox& outbox)
      : ctx_(context), steps_(steps), holds_(holds), outbox_(outbox) {}

  Result<store::DisputeRecord> open(const OpenDisputeRequest& request);
  ImportReport import_invoices(const ParsedInvoices& parsed);

 private:
  EngineContext& ctx_;
  StepFlow& steps_;
  DunningHold& holds_;
  TaskOutbox& outbox_;
};

}  // namespace disputed::engine
