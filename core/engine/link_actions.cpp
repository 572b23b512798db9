#include "core/engine/link_actions.hpp"

#include <nlohmann/json.hpp>

#include "core/engine/dispute_service.hpp"

namespace disputed::engine {

using domain::Error;
using nlohmann::json;

namespace {

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return s;
}

bool step_action(const std::string& action) {
  return action == "outcome" || action == "information";
}

LinkStatus invalid(std::string why) {
  LinkStatus s;
  s.state = LinkState::kInvalid;
  s.problem = std::move(why);
  return s;
}

}  // namespace

LinkStatus LinkActions::check(const LinkUse& use, std::optional<store::DisputeRecord>& dispute,
                              std::optional<store::StepRecord>& step) {
  dispute = store_.find_dispute_by_ref(use.dispute);
  if (!dispute) return invalid("no dispute " + use.dispute);
  LinkStatus status;
  status.customer = dispute->customer_name;
  if (step_action(use.action)) {
    step = store_.find_step_by_task_key(use.task_key);
    if (!step || step->dispute_id != dispute->id)
      return invalid("dispute " + use.dispute + " has no step " + use.task_key);
    status.step = step->title;
  }
  if (auto used = uses_.find_use(use.jti)) {
    status.state = LinkState::kUsed;
    status.recorded = std::move(used);
    return status;
  }
  if (step_action(use.action)) {
    if (step->status != domain::StepStatus::kOpen || !domain::holds_invoices(dispute->status)) {
      status.state = LinkState::kClosed;
      return status;
    }
    // The link acts for whom it was sent to: the step's assignee (a person's address or the
    // role), or whom it was escalated to. Reassigned since: someone else's now.
    std::string r = lower(use.recipient);
    if (r != lower(step->assignee) && r != lower(step->escalated_to.value_or(""))) {
      status.state = LinkState::kForeign;
      return status;
    }
    if (use.action == "outcome") {
      auto outcomes = disputes_.outcomes_of(*dispute, step->step_key);
      bool known = false;
      for (const auto& o : outcomes) known = known || o == use.value;
      if (!known) return invalid("step " + use.task_key + " has no outcome '" + use.value + "'");
    }
  } else if (use.action == "feedback") {
    if (use.value.size() != 1 || use.value[0] < '1' || use.value[0] > '5')
      return invalid("feedback score '" + use.value + "' is not 1..5");
  } else if (use.action != "unsubscribe") {
    return invalid("unknown link action '" + use.action + "'");
  }
  status.state = LinkState::kConfirm;
  return status;
}

LinkStatus LinkActions::inspect(const LinkUse& use) {
  std::optional<store::DisputeRecord> dispute;
  std::optional<store::StepRecord> step;
  return check(use, dispute, step);
}

domain::Result<LinkStatus> LinkActions::act(const LinkUse& use, const std::string& comment) {
  try {
    store::Transaction tx(db_);
    std::optional<store::DisputeRecord> dispute;
    std::optional<store::StepRecord> step;
    LinkStatus status = check(use, dispute, step);
    if (status.state != LinkState::kConfirm) return status;
    domain::Instant now = clock_.now();
    store::LinkUseRecord record{use.jti,   dispute->id,   use.action, use.task_key,
                                use.value, use.recipient, comment,    now};
    // The link's id first: its primary key is what makes it act once, whatever raced it.
    if (!uses_.insert_use(record)) {
      status.state = LinkState::kUsed;
      status.recorded = uses_.find_use(use.jti);
      return status;
    }
    auto entry = [&](const std::string& kind, const std::string& summary, json payload) {
      store::DossierEntry e;
      e.dispute_id = dispute->id;
      e.at = now;
      e.actor = use.recipient;
      e.kind = kind;
      e.channel = "email";
      e.direction = domain::Direction::kInbound;
      e.summary = summary + (comment.empty() ? "" : " — " + comment);
      payload["comment"] = comment;
      payload["link"] = use.jti;
      e.payload_json = payload.dump();
      store_.append_dossier(e);
    };
    if (use.action == "outcome") {
      CompleteStepRequest r;
      r.dispute = dispute->ref;
      r.step = std::to_string(step->id);
      r.outcome = use.value;
      r.comment = comment;
      r.actor = use.recipient;
      r.channel = "email";
      auto done = disputes_.complete_step(r);
      if (!done) return done.error();
    } else if (use.action == "information") {
      entry("information_requested",
            use.recipient + " needs more information for step '" + step->title + "'",
            {{"step_id", step->id}, {"step", step->step_key}, {"task_key", step->task_key}});
    } else if (use.action == "feedback") {
      uses_.insert_feedback({dispute->id, use.value[0] - '0', comment, use.recipient, now});
      entry("feedback", "Feedback from the customer: score " + use.value + " of 5",
            {{"score", use.value[0] - '0'}});
    } else {
      uses_.insert_unsubscribe(lower(use.recipient), use.value, now);
      entry("unsubscribed", use.recipient + " asked for no more messages of kind " + use.value,
            {{"message_kind", use.value}});
    }
    tx.commit();
    status.state = LinkState::kDone;
    status.recorded = record;
    return status;
  } catch (const store::SqliteError& e) {
    return Error::internal(std::string("storage error: ") + e.what());
  } catch (const std::exception& e) {
    return Error::internal(e.what());
  }
}

}  // namespace disputed::engine
