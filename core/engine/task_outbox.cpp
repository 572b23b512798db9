#include "core/engine/task_outbox.hpp"

#include <nlohmann/json.hpp>

#include "core/store/link_uses.hpp"
#include "disputed/sdk/kit/task_contract.hpp"

namespace disputed::engine {

using domain::Instant;
using nlohmann::json;

namespace {

using Kind = sdk::Action::Kind;

std::string str(std::string_view v) { return std::string(v); }

// Mail its reader may decline (List-Unsubscribe): the same kinds as the composer's optional ones.
bool optional_message(const std::string& kind) {
  return kind == "feedback_request" || kind == "customer_update" || kind == "management_info" ||
         kind == "management_digest";
}

std::string lowercase(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return s;
}

json invoices_json(const store::DisputeRecord& d) {
  json out = json::array();
  for (const auto& i : d.invoices)
    out.push_back(
        {{"number", i.invoice_number}, {"disputed_amount", i.disputed_amount.to_string()}});
  return out;
}

}  // namespace

// The invoices with the due date dunning resumes with (set when the hold was released).
json TaskOutbox::resolved_invoices_json(const store::DisputeRecord& d) const {
  json out = json::array();
  for (const auto& i : d.invoices) {
    json line = {{"number", i.invoice_number}, {"disputed_amount", i.disputed_amount.to_string()}};
    if (auto inv = store_.find_invoice(i.invoice_number)) {
      line["new_due_date"] = domain::format_date(inv->invoice.due_date);
    }
    out.push_back(std::move(line));
  }
  return out;
}

namespace {

// What every action on a step's task names.
sdk::kit::TaskPayload step_payload(const store::DisputeRecord& d, const store::StepRecord& s) {
  sdk::kit::TaskPayload p;
  p.task_key = s.task_key;
  p.dispute = d.ref;
  p.step = s.step_key;
  p.title = s.title;
  p.assignee = s.assignee;
  p.deadline_at = domain::format_instant(s.deadline_at);
  return p;
}

store::OutboxRecord step_row(const store::DisputeRecord& d, const store::StepRecord& s) {
  store::OutboxRecord row;
  row.dispute_id = d.id;
  row.step_id = s.id;
  row.task_key = s.task_key;
  return row;
}

}  // namespace

std::string TaskOutbox::task_summary(const std::string& step_title, const std::string& dispute_ref,
                                     const std::string& customer_name) {
  return sdk::kit::task_subject(step_title, dispute_ref, customer_name);
}

std::string TaskOutbox::dispute_url(const std::string& dispute_ref) const {
  return sdk::kit::dispute_url(defs_.public_url, dispute_ref);
}

void TaskOutbox::enqueue(store::OutboxRecord& row, Instant now) {
  row.created_at = now;
  row.next_attempt_at = now;
  store_.enqueue(row);  // a row whose action key exists already is not written twice
}

sdk::kit::TaskPayload TaskOutbox::create_payload(const store::DisputeRecord& d,
                                                 const store::StepRecord& s,
                                                 const workflow::StepDef& def) const {
  sdk::kit::TaskPayload task = step_payload(d, s);
  task.subject = task_summary(def.title, d.ref, d.customer_name);
  task.instructions = def.instructions;
  task.assignee_kind = str(to_string(s.assignee_kind));
  task.deadline_local_date = domain::format_date(defs_.calendar.local_date(s.deadline_at));
  task.time_zone = defs_.calendar.time_zone();
  for (const auto& o : def.outcomes) task.outcomes.push_back(o.outcome);
  task.category = d.category;
  task.customer = {d.customer_id, d.customer_name};
  task.description = d.description;
  task.currency = d.currency;
  task.disputed_amount = d.disputed_amount.to_string();
  for (const auto& i : d.invoices)
    task.invoices.push_back({i.invoice_number, i.disputed_amount.to_string()});
  task.dispute_url = dispute_url(d.ref);
  if (s.assignee_kind == domain::AssigneeKind::kRole)
    if (const auto* role = defs_.role(s.assignee)) task.assignee_members = role->members;
  return task;
}

void TaskOutbox::step_assigned(const store::DisputeRecord& d, const store::StepRecord& s,
                               const workflow::StepDef& def, Instant now) {
  sdk::kit::TaskPayload task = create_payload(d, s, def);
  store::OutboxRecord row = step_row(d, s);
  if (s.target == "internal") {
    row.action_key = s.task_key + ":assigned";
    step_message(d, s, &def, row, "task_assigned", s.assignee, json::object(), now);
    return;
  }
  row.action_key = s.task_key + ":create";
  row.target = s.target;
  row.kind = "create";
  row.payload_json = sdk::kit::serialise_task_payload(Kind::kCreate, task);
  enqueue(row, now);
}

void TaskOutbox::step_completed(const store::DisputeRecord& d, const store::StepRecord& s,
                                Instant now) {
  if (s.target == "internal") return;
  sdk::kit::TaskPayload update = step_payload(d, s);
  update.status = "completed";
  update.outcome = s.outcome.value_or("");
  update.comment = s.comment.value_or("");
  store::OutboxRecord row = step_row(d, s);
  row.action_key = s.task_key + ":complete";
  row.target = s.target;
  row.kind = "update";
  row.payload_json = sdk::kit::serialise_task_payload(Kind::kUpdate, update);
  enqueue(row, now);
}

void TaskOutbox::step_cancelled(const store::DisputeRecord& d, const store::StepRecord& s,
                                const std::string& reason, Instant now) {
  if (s.target == "internal") return;
  sdk::kit::TaskPayload cancel = step_payload(d, s);
  cancel.reason = reason;
  store::OutboxRecord row = step_row(d, s);
  row.action_key = s.task_key + ":cancel";
  row.target = s.target;
  row.kind = "cancel";
  row.payload_json = sdk::kit::serialise_task_payload(Kind::kCancel, cancel);
  enqueue(row, now);
}

void TaskOutbox::reminder(const store::DisputeRecord& d, const store::StepRecord& s, int ordinal,
                          const std::string& note, Instant now, const workflow::StepDef* def) {
  sdk::kit::TaskPayload remind = step_payload(d, s);
  remind.note = note;
  store::OutboxRecord row = step_row(d, s);
  row.action_key = s.task_key + ":remind-" + std::to_string(ordinal);
  if (s.target == "internal") {
    step_message(d, s, def, row, "task_reminder", s.assignee, {{"note", note}}, now);
    return;
  }
  row.target = s.target;
  row.kind = "remind";
  row.payload_json = sdk::kit::serialise_task_payload(Kind::kRemind, remind);
  enqueue(row, now);
}

std::string TaskOutbox::escalation_task_key(const std::string& task_key, int level) {
  return task_key + "-e" + std::to_string(level);
}

void TaskOutbox::escalation(const store::DisputeRecord& d, const store::StepRecord& s,
                            const EscalationLevel& level, const std::string& note, Instant now,
                            const workflow::StepDef* def) {
  using Channel = workflow::EscalationChannel;
  const std::string& to = level.to;
  store::OutboxRecord row = step_row(d, s);
  row.action_key =
      s.task_key + ":escalate" + (level.level > 1 ? "-" + std::to_string(level.level) : "");
  if (s.target == "internal" || level.channel == Channel::kEmail ||
      level.channel == Channel::kDefault || (level.channel == Channel::kTask && !def)) {
    step_message(d, s, def, row, "task_escalation", to,
                 {{"note", note},
                  {"escalated_to", to},
                  {"priority", "urgent"},
                  {"escalation_level", level.level}},
                 now);
    return;
  }
  sdk::kit::TaskPayload task =
      level.channel == Channel::kReassign ? step_payload(d, s) : create_payload(d, s, *def);
  task.note = note;
  task.escalated_to = to;
  task.priority = "urgent";
  task.assignee = to;
  task.assignee_kind = str(to_string(level.to_kind));
  task.assignee_members.clear();
  if (level.to_kind == domain::AssigneeKind::kRole)
    if (const auto* role = defs_.role(to)) task.assignee_members = role->members;
  row.target = s.target;
  if (level.channel == Channel::kReassign) {
    // The step's own task moves to the target (the connectors' reassignment on update); its
    // deadline stays.
    task.deadline_at.clear();
    row.kind = "update";
    row.payload_json = sdk::kit::serialise_task_payload(Kind::kUpdate, task);
  } else {
    // A task of the target's own, beside the overdue one, in the same system.
    task.task_key = escalation_task_key(s.task_key, level.level);
    task.subject = "Escalated (" + std::to_string(level.level) + "): " + task.subject;
    task.instructions = note + "\n\n" + task.instructions;
    row.task_key = task.task_key;
    row.action_key = task.task_key + ":create";
    row.kind = "create";
    row.payload_json = sdk::kit::serialise_task_payload(Kind::kCreate, task);
  }
  enqueue(row, now);
}

void TaskOutbox::escalation_tasks_closed(const store::DisputeRecord& d, const store::StepRecord& s,
                                         const std::string& reason,
                                         const std::string& done_task_key, Instant now) {
  if (s.target == "internal") return;
  for (int level = 1; level <= kMaxEscalationLevels; ++level) {
    std::string key = escalation_task_key(s.task_key, level);
    if (key == done_task_key || !store_.has_outbox_action(key + ":create")) continue;
    sdk::kit::TaskPayload cancel = step_payload(d, s);
    cancel.task_key = key;
    cancel.reason = reason;
    store::OutboxRecord row = step_row(d, s);
    row.task_key = key;
    row.action_key = key + ":cancel";
    row.target = s.target;
    row.kind = "cancel";
    row.payload_json = sdk::kit::serialise_task_payload(Kind::kCancel, cancel);
    enqueue(row, now);
  }
}

void TaskOutbox::dispute_message(const store::DisputeRecord& d, const std::string& what,
                                 const std::string& payload_json, Instant now) {
  store::OutboxRecord row;
  row.action_key = d.ref + ":" + std::to_string(d.reopen_count) + ":" + what;
  row.dispute_id = d.id;
  row.payload_json = payload_json;
  message(d, row, json::parse(payload_json).value("template", std::string()), now);
}

void TaskOutbox::message(const store::DisputeRecord& d, store::OutboxRecord& row,
                         const std::string& kind, Instant now) {
  // A message is no task: no task key, so a dead letter never holds up the next message of the
  // step, and the step's external reference is never a Message-ID.
  row.task_key.reset();
  row.kind = "message";
  row.target = defs_.messaging.route(kind);
  // Optional mail to someone who asked for no more of its kind (a one-click unsubscribe link,
  // RFC 8058): recorded, not sent.
  std::string to = json::parse(row.payload_json).value("to", std::string());
  if (optional_message(kind) && !to.empty() &&
      store::LinkUseStore(store_.db()).unsubscribed(lowercase(to), kind)) {
    row.target = "none";
    row.state = "undeliverable";
    row.last_error = "not sent: " + to + " unsubscribed from " + kind + " (one-click link)";
  } else if (row.target.empty()) {
    // Nobody sends this kind: recorded, visibly, instead of waiting for ever.
    row.target = "none";
    row.state = "undeliverable";
    row.last_error = "undeliverable: no messaging transport for " + kind +
                     " (messaging.transport in disputed.json)";
  }
  enqueue(row, now);
  if (row.state != "undeliverable" || row.id == 0) return;
  store::DossierEntry e;
  e.dispute_id = d.id;
  e.at = now;
  e.actor = "disputed";
  e.kind = "message_undeliverable";
  e.channel = "email";
  e.direction = domain::Direction::kOutbound;
  e.summary = "Not sent (" + kind + "): " + *row.last_error;
  e.payload_json = json{{"action_key", row.action_key}, {"kind", kind}}.dump();
  store_.append_dossier(e);
}

void TaskOutbox::step_message(const store::DisputeRecord& d, const store::StepRecord& s,
                              const workflow::StepDef* def, store::OutboxRecord& row,
                              const std::string& kind, const std::string& to, const json& extra,
                              Instant now) {
  json facts = {{"template", kind},
                {"to", to},
                {"dispute", d.ref},
                {"task_key", s.task_key},
                {"step", s.step_key},
                {"title", s.title},
                {"subject", task_summary(s.title, d.ref, d.customer_name)},
                {"assignee", s.assignee},
                {"assignee_kind", str(to_string(s.assignee_kind))},
                {"deadline_at", domain::format_instant(s.deadline_at)},
                {"category", d.category},
                {"customer", {{"id", d.customer_id}, {"name", d.customer_name}}},
                {"description", d.description},
                {"currency", d.currency},
                {"disputed_amount", d.disputed_amount.to_string()},
                {"invoices", invoices_json(d)}};
  if (!defs_.messaging.staff_language.empty()) facts["language"] = defs_.messaging.staff_language;
  json outcomes = json::array();
  if (def) {
    facts["instructions"] = def->instructions;
    for (const auto& o : def->outcomes) outcomes.push_back(o.outcome);
  }
  facts["outcomes"] = std::move(outcomes);
  // A role: every member gets the mail. A person is an address.
  if (const auto* role = defs_.role(to)) {
    facts["recipients"] = role->members;
    facts["recipient_role"] = role->name;
  }
  for (const auto& [k, v] : extra.items()) facts[k] = v;
  if (kind != "task_assigned")
    facts["thread"] = {{"key", s.task_key + ":assigned"}, {"kind", "task_assigned"}};
  row.payload_json = facts.dump();
  message(d, row, kind, now);
}

std::string TaskOutbox::confirmation(const store::DisputeRecord& d, const std::string& to,
                                     const std::string& language, const std::string& category_name,
                                     const std::string& expected_by, Instant now) {
  std::string payload = json{
      {"template", "dispute_confirmation"},
      {"to", to},
      {"language", language},
      {"dispute", d.ref},
      {"category", category_name},
      {"expected_resolution_by", expected_by},
      {"invoices", invoices_json(d)},
      {"disputed_amount", d.disputed_amount.to_string()},
      {"currency", d.currency},
      {"customer", d.customer_name},
      {"contact_name", d.contact_name},
      {"dunning_paused",
       true}}.dump();
  dispute_message(d, "confirmation", payload, now);
  return payload;
}

std::string TaskOutbox::management_info(const store::DisputeRecord& d, std::size_t ordinal,
                                        const std::string& to, domain::AssigneeKind to_kind,
                                        Instant now) {
  json recipients = json::array({to});
  if (to_kind == domain::AssigneeKind::kRole)
    if (const auto* role = defs_.role(to)) recipients = role->members;
  std::string payload = json{
      {"template", "management_info"},
      {"recipients", recipients},
      {"to", to},
      {"to_kind", str(to_string(to_kind))},
      {"dispute", d.ref},
      {"category", d.category},
      {"customer", d.customer_name},
      {"disputed_amount", d.disputed_amount.to_string()},
      {"currency", d.currency},
      {"description", d.description},
      {"channel", str(to_string(d.channel))},
      {"reported_by",
       d.reported_by}}.dump();
  dispute_message(d, "inform-" + std::to_string(ordinal), payload, now);
  return payload;
}

bool TaskOutbox::management_digest(const std::string& day, std::size_t ordinal,
                                   const std::string& to, domain::AssigneeKind to_kind,
                                   const json& items, Instant now) {
  json recipients = json::array({to});
  if (to_kind == domain::AssigneeKind::kRole)
    if (const auto* role = defs_.role(to)) recipients = role->members;
  store::OutboxRecord row;
  row.action_key = "digest:" + day + ":" + std::to_string(ordinal) + ":" + to;
  row.kind = "message";
  row.payload_json = json{
      {"template", "management_digest"},
      {"recipients", recipients},
      {"to", to},
      {"to_kind", str(to_string(to_kind))},
      {"date", day},
      {"items", items}}.dump();
  row.target = defs_.messaging.route("management_digest");
  if (row.target.empty()) {
    row.target = "none";
    row.state = "undeliverable";
    row.last_error =
        "undeliverable: no messaging transport for management_digest (messaging.transport in "
        "disputed.json)";
  }
  enqueue(row, now);
  return row.id != 0;
}

void TaskOutbox::promise_due(const store::DisputeRecord& d, const std::string& stage,
                             const std::string& date, std::size_t ordinal, const std::string& to,
                             domain::AssigneeKind to_kind, const json& open_steps, Instant now) {
  json recipients = json::array({to});
  if (to_kind == domain::AssigneeKind::kRole)
    if (const auto* role = defs_.role(to)) recipients = role->members;
  json facts = {{"template", "promise_due"},
                {"recipients", recipients},
                {"to", to},
                {"to_kind", str(to_string(to_kind))},
                {"stage", stage},
                {"dispute", d.ref},
                {"customer", d.customer_name},
                {"category", d.category},
                {"disputed_amount", d.disputed_amount.to_string()},
                {"currency", d.currency},
                {"due_at", domain::format_instant(d.due_at)},
                {"open_steps", open_steps}};
  if (!defs_.messaging.staff_language.empty()) facts["language"] = defs_.messaging.staff_language;
  dispute_message(d, "promise-" + stage + "-" + date + "-" + std::to_string(ordinal), facts.dump(),
                  now);
}

std::string TaskOutbox::resolution_notice(const store::DisputeRecord& d, const std::string& to,
                                          const std::string& language, Instant now) {
  bool withdrawn = d.status == domain::DisputeStatus::kWithdrawn;
  std::string payload = json{
      {"template", withdrawn ? "dispute_withdrawn" : "dispute_resolved"},
      {"to", to},
      {"language", language},
      {"dispute", d.ref},
      {"resolution", d.resolution ? str(to_string(*d.resolution)) : std::string()},
      {"note", d.resolution_note},
      {"customer", d.customer_name},
      {"contact_name", d.contact_name},
      {"currency", d.currency},
      {"invoices", resolved_invoices_json(
                       d)}}.dump();
  dispute_message(d, "resolution-notice", payload, now);
  return payload;
}

std::string TaskOutbox::feedback_request(const store::DisputeRecord& d, const std::string& to,
                                         const std::string& language, Instant now) {
  std::string payload = json{
      {"template", "feedback_request"},
      {"to", to},
      {"dispute", d.ref},
      {"language", language},
      {"customer", d.customer_name},
      {"contact_name",
       d.contact_name}}.dump();
  dispute_message(d, "feedback-request", payload, now);
  return payload;
}

}  // namespace disputed::engine
