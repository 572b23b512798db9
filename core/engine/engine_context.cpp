#include "core/engine/engine_context.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace disputed::engine {

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

const workflow::WorkflowDef& WorkflowSnapshots::of(const store::DisputeRecord& d) {
  auto it = by_hash_.find(d.workflow_hash);
  if (it != by_hash_.end()) return it->second;
  auto text = store_.workflow_snapshot(d.workflow_hash);
  if (!text)
    throw std::runtime_error("workflow snapshot " + d.workflow_hash + " missing for " + d.ref);
  auto def = workflow::WorkflowDef::from_json(nlohmann::json::parse(*text),
                                              "workflow snapshot " + d.workflow_hash);
  return by_hash_.emplace(d.workflow_hash, std::move(def)).first->second;
}

const WorkflowSnapshots::Current& WorkflowSnapshots::current(const workflow::WorkflowDef& wf) {
  auto it = current_.find(wf.id);
  if (it == current_.end())
    it = current_.emplace(wf.id, Current{wf.hash(), wf.to_json().dump()}).first;
  return it->second;
}

std::optional<store::DisputeRecord> EngineContext::find(const std::string& dispute) {
  if (all_digits(dispute)) {
    // 19 digits or more would overflow (std::stoll throws): no dispute has such a number.
    if (dispute.size() > 18) return std::nullopt;
    return store_.find_dispute(std::stoll(dispute));
  }
  return store_.find_dispute_by_ref(dispute);
}

store::DossierEntry EngineContext::record(const store::DisputeRecord& d, domain::Instant at,
                                          const std::string& actor, const std::string& kind,
                                          const std::string& summary,
                                          const std::string& payload_json,
                                          domain::Direction direction, const std::string& channel) {
  store::DossierEntry e;
  e.dispute_id = d.id;
  e.at = at;
  e.actor = actor;
  e.kind = kind;
  e.channel = channel;
  e.direction = direction;
  e.summary = summary;
  e.payload_json = payload_json;
  store_.append_dossier(e);
  return e;
}

std::string EngineContext::resolve_assignee(const workflow::AssigneeRule& rule,
                                            const store::DisputeRecord& d,
                                            domain::AssigneeKind& kind) {
  kind = rule.kind;
  if (rule.kind != domain::AssigneeKind::kAccountManager) return rule.value;
  for (const auto& di : d.invoices) {
    auto inv = store_.find_invoice(di.invoice_number);
    if (inv && !inv->invoice.account_manager.empty()) return inv->invoice.account_manager;
  }
  // No account manager on any invoice: the person who registered the dispute keeps it.
  kind = domain::AssigneeKind::kPerson;
  return d.reported_by;
}

DisputeView EngineContext::view(const store::DisputeRecord& d, bool with_timeline) {
  DisputeView v;
  v.dispute = d;
  v.steps = store_.steps_of(d.id);
  v.active_holds = store_.active_holds_of_dispute(d.id);
  if (with_timeline) v.dossier = store_.dossier_of(d.id);
  return v;
}

}  // namespace disputed::engine
