#include "core/engine/dispute_queries.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/store/sqlite.hpp"

namespace disputed::engine {

using domain::Error;

Result<DisputeView> DisputeQueries::show(const std::string& dispute, bool with_timeline) {
  try {
    auto d = ctx_.find(dispute);
    if (!d) return Error::not_found("dispute " + dispute + " not found");
    return ctx_.view(*d, with_timeline);
  } catch (const store::SqliteError& e) {
    return Error::internal(std::string("storage error: ") + e.what());
  }
}

std::vector<store::DisputeRecord> DisputeQueries::list(const store::DisputeFilter& filter) {
  return ctx_.store().list_disputes(filter);
}

std::int64_t DisputeQueries::count(const store::DisputeFilter& filter) {
  return ctx_.store().count_disputes(filter);
}

std::vector<store::InvoiceMatch> DisputeQueries::search_invoices(const std::string& text,
                                                                 int limit) {
  return ctx_.store().search_invoices(text, limit);
}

std::vector<Task> DisputeQueries::tasks(const std::string& assignee) {
  std::set<std::string> who;
  if (!assignee.empty()) {
    who.insert(assignee);
    for (const auto& [id, role] : ctx_.defs().roles)
      if (std::find(role.members.begin(), role.members.end(), assignee) != role.members.end())
        who.insert(id);
  }
  domain::Instant now = ctx_.clock().now();
  std::vector<Task> out;
  std::map<std::int64_t, store::DisputeRecord> disputes;
  for (auto& s : ctx_.store().open_internal_steps(who)) {
    auto it = disputes.find(s.dispute_id);
    if (it == disputes.end())
      it = disputes.emplace(s.dispute_id, *ctx_.store().find_dispute(s.dispute_id)).first;
    Task t;
    t.dispute_ref = it->second.ref;
    t.customer_name = it->second.customer_name;
    t.category = it->second.category;
    t.disputed_amount = it->second.disputed_amount;
    t.currency = it->second.currency;
    t.outcomes = outcomes_of(it->second, s.step_key);
    t.overdue = s.deadline_at < now;
    t.step = std::move(s);
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<std::string> DisputeQueries::outcomes_of(const store::DisputeRecord& dispute,
                                                     const std::string& step_key) {
  std::vector<std::string> out;
  if (const workflow::StepDef* def = ctx_.snapshots().of(dispute).step(step_key))
    for (const auto& o : def->outcomes) out.push_back(o.outcome);
  return out;
}

Result<InvoiceState> DisputeQueries::invoice_state(const std::string& number) {
  auto& store = ctx_.store();
  auto inv = store.find_invoice(number);
  if (!inv) return Error::not_found("invoice " + number + " not found");
  InvoiceState st;
  st.invoice = *inv;
  st.active_holds = store.active_holds_of_invoice(number);
  st.collectable = st.active_holds.empty();
  st.history = store.holds_of_invoice(number);
  return st;
}

std::vector<store::CollectionEvent> DisputeQueries::events(std::int64_t after_seq, int limit) {
  return ctx_.store().collection_events(after_seq, limit);
}

}  // namespace disputed::engine
