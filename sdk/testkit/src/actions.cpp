#include "disputed/sdk/testing/actions.hpp"

#include <utility>

namespace disputed::sdk::testing {

Action make_action(Action::Kind kind, const std::string& task_key, const std::string& suffix,
                   const std::string& external_ref, std::string payload_json) {
  Action a;
  a.kind = kind;
  a.task_key = task_key;
  a.action_key = task_key + ":" + suffix;
  a.external_ref = external_ref;
  a.payload_json = std::move(payload_json);
  a.attempt = 1;
  return a;
}

kit::TaskPayload sample_task(const std::string& task_key, const std::string& assignee) {
  kit::TaskPayload p;
  p.task_key = task_key;
  p.dispute = task_key.substr(0, task_key.rfind('-'));
  p.step = "check";
  p.subject = kit::task_subject("Check the price agreement", p.dispute, "Acme B.V.");
  p.instructions = "Compare the invoiced price with the contract.";
  p.assignee = assignee;
  p.assignee_kind = "person";
  p.deadline_at = "2026-12-04T16:00:00Z";
  p.deadline_local_date = "2026-12-04";
  p.time_zone = "Europe/Amsterdam";
  p.outcomes = {"approved", "rejected"};
  p.customer = {"C-1001", "Acme B.V."};
  p.currency = "EUR";
  p.disputed_amount = "125.00";
  p.invoices = {{"INV-1001", "125.00"}};
  return p;
}

std::string sample_create_json(const std::string& task_key, const std::string& assignee) {
  return kit::serialise_task_payload(Action::Kind::kCreate, sample_task(task_key, assignee));
}

Action create_action(const kit::TaskPayload& payload) {
  return make_action(Action::Kind::kCreate, payload.task_key, "create", "",
                     kit::serialise_task_payload(Action::Kind::kCreate, payload));
}

}  // namespace disputed::sdk::testing
