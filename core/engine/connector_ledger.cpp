#include "core/engine/connector_ledger.hpp"

#include <nlohmann/json.hpp>

namespace disputed::engine {

using nlohmann::json;

std::vector<OutboxRecord> ConnectorLedger::due_actions(const std::string& instance, int limit) {
  return sync_.due_actions(instance, clock_.now(), limit);
}

std::optional<std::string> ConnectorLedger::external_ref_of_task(const std::string& task_key) {
  return sync_.external_ref_of_task(task_key);
}

std::vector<OpenTaskRef> ConnectorLedger::open_refs(const std::string& instance) {
  return sync_.open_refs(instance);
}

std::string ConnectorLedger::cursor(const std::string& instance) { return sync_.cursor(instance); }

ConnectorStatus ConnectorLedger::status(const std::string& instance) {
  return sync_.status(instance);
}

std::optional<std::string> ConnectorLedger::state_get(const std::string& instance,
                                                      const std::string& key) {
  return sync_.kv_get(instance, key);
}

void ConnectorLedger::delivered(const std::string& instance, const OutboxRecord& row,
                                const std::string& external_ref, const std::string& external_url) {
  sync_.mark_done(row, external_ref, clock_.now(), external_url);
  if (row.kind != "create" || !row.task_key || row.task_key->empty()) return;
  json payload = {{"instance", instance},
                  {"external_ref", external_ref},
                  {"external_url", external_url},
                  {"action_key", row.action_key}};
  (void)disputes_.add_task_entry(*row.task_key, "disputed", "mirrored",
                                 "Task created in " + instance + " (" + external_ref + ")",
                                 payload.dump());
}

namespace {
// The message row's facts: who it was for and its kind, when it was never composed.
std::pair<std::string, std::string> message_facts(const OutboxRecord& row) {
  auto facts = json::parse(row.payload_json, nullptr, false);
  if (!facts.is_object()) return {};
  auto text = [&](const char* key) {
    auto it = facts.find(key);
    return it != facts.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  return {text("template"), text("to")};
}
}  // namespace

void ConnectorLedger::message_sent(const std::string& instance, const OutboxRecord& row,
                                   const SentMessage& m, const std::string& external_ref) {
  sync_.mark_done(row, external_ref, clock_.now(), "");
  if (!row.dispute_id) return;
  store::DossierEntry e;
  e.dispute_id = *row.dispute_id;
  e.at = clock_.now();
  e.actor = "disputed";
  e.kind = "message_sent";
  e.channel = "email";
  e.direction = domain::Direction::kOutbound;
  e.summary = "Mail sent to " + m.to + " via " + instance + ": " + m.subject;
  e.payload_json = json{{"instance", instance},   {"action_key", row.action_key},
                        {"kind", m.kind},         {"to", m.to},
                        {"subject", m.subject},   {"message_id", m.message_id},
                        {"language", m.language}, {"external_ref", external_ref}}
                       .dump(-1, ' ', false, json::error_handler_t::replace);
  store_.append_dossier(e);
}

void ConnectorLedger::message_failed(const std::string& instance, const OutboxRecord& row,
                                     const SentMessage& m, int attempts, const std::string& error) {
  sync_.mark_dead(row.id, attempts, error, clock_.now());
  if (!row.dispute_id) return;
  auto [kind, to] = message_facts(row);
  if (!m.kind.empty()) kind = m.kind;
  if (!m.to.empty()) to = m.to;
  store::DossierEntry e;
  e.dispute_id = *row.dispute_id;
  e.at = clock_.now();
  e.actor = "disputed";
  e.kind = "message_failed";
  e.channel = "email";
  e.direction = domain::Direction::kOutbound;
  e.summary = "Mail not sent (" + kind + (to.empty() ? "" : " to " + to) + ") via " + instance +
              ": " + error + " (dead letter " + row.action_key + ")";
  e.payload_json = json{
      {"instance", instance},
      {"action_key", row.action_key},
      {"kind", kind},
      {"to", to},
      {"message_id", m.message_id},
      {"error", error}}.dump(-1, ' ', false, json::error_handler_t::replace);
  store_.append_dossier(e);
}

void ConnectorLedger::retry_later(const OutboxRecord& row, int attempts,
                                  domain::Instant next_attempt_at, const std::string& error) {
  sync_.schedule_retry(row.id, attempts, next_attempt_at, error);
}

void ConnectorLedger::rejected(const std::string& instance, const OutboxRecord& row, int attempts,
                               const std::string& message) {
  sync_.mark_dead(row.id, attempts, "rejected: " + message, clock_.now());
  if (!row.task_key || row.task_key->empty()) return;
  (void)disputes_.add_task_entry(
      *row.task_key, "disputed", "mirror_failed",
      "Could not " + row.kind + " the task in " + instance + ": " + message + " (dead letter " +
          row.action_key + ")",
      json{{"instance", instance}, {"action_key", row.action_key}}.dump());
}

void ConnectorLedger::give_up(const OutboxRecord& row, int attempts, const std::string& error) {
  sync_.mark_dead(row.id, attempts, error, clock_.now());
}

bool ConnectorLedger::apply(const std::string& instance, const ExternalEvent& event,
                            std::string& ignored) {
  if (!sync_.mark_event_applied(instance, event.task_key, event.event_id, clock_.now()))
    return false;  // seen before
  auto step = store_.find_step_by_task_key(event.task_key);
  if (!step) {
    ignored = "event for unknown task " + event.task_key + " ignored";
    return false;
  }
  std::string who = event.actor.empty() ? instance : event.actor;
  switch (event.kind) {
    case ExternalEvent::Kind::kCompleted: {
      CompleteStepRequest req;
      req.dispute = std::to_string(step->dispute_id);
      req.step = step->task_key;
      req.via_task_key = event.task_key;  // the step's own task or an escalation level's
      if (!event.outcome.empty()) req.outcome = event.outcome;
      req.comment = event.comment;
      req.actor = who;
      req.source = CompletionSource::kConnector;
      req.completed_at = event.at;
      auto r = disputes_.complete_step(req);
      if (!r.ok() && step->status == domain::StepStatus::kOpen) {
        // The workflow cannot take this completion (e.g. an outcome it does not know): keep the
        // step open and say so in the dossier, where the controller sees it.
        (void)disputes_.add_task_entry(
            event.task_key, who, "external_completion_refused",
            "Completed in " + instance + " but not applied: " + r.error().describe(),
            json{{"instance", instance}, {"outcome", event.outcome}}.dump());
      }
      break;
    }
    case ExternalEvent::Kind::kCommented:
      (void)disputes_.add_task_entry(
          event.task_key, who, "external_comment", "Comment in " + instance + ": " + event.comment,
          json{{"instance", instance}, {"event_id", event.event_id}}.dump(),
          domain::Direction::kInbound, instance);
      break;
    case ExternalEvent::Kind::kReopened:
      (void)disputes_.add_task_entry(event.task_key, who, "external_reopened",
                                     "Task reopened in " + instance,
                                     json{{"instance", instance}}.dump());
      break;
    case ExternalEvent::Kind::kDeleted:
      (void)disputes_.add_task_entry(
          event.task_key, who, "external_deleted",
          "Task deleted in " + instance + "; the step stays open in disputed",
          json{{"instance", instance}}.dump());
      break;
  }
  return true;
}

void ConnectorLedger::save_cursor(const std::string& instance, const std::string& cursor) {
  sync_.save_cursor(instance, cursor, clock_.now());
}

void ConnectorLedger::save_status(const ConnectorStatus& status) {
  sync_.save_status(status, clock_.now());
}

void ConnectorLedger::state_put(const std::string& instance, const std::string& key,
                                const std::string& value) {
  sync_.kv_put(instance, key, value);
}

void ConnectorLedger::state_erase(const std::string& instance, const std::string& key) {
  sync_.kv_erase(instance, key);
}

}  // namespace disputed::engine
