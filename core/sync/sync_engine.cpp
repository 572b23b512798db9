#include "core/sync/sync_engine.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "core/domain/utf8.hpp"

namespace disputed::sync {

using nlohmann::json;
using Status = sdk::ApplyResult::Status;

std::optional<sdk::Action::Kind> action_kind(const std::string& kind) {
  if (kind == "create") return sdk::Action::Kind::kCreate;
  if (kind == "update") return sdk::Action::Kind::kUpdate;
  if (kind == "cancel") return sdk::Action::Kind::kCancel;
  if (kind == "remind") return sdk::Action::Kind::kRemind;
  if (kind == "escalate") return sdk::Action::Kind::kEscalate;
  return std::nullopt;
}

namespace {
const char* status_name(Status s) {
  switch (s) {
    case Status::kApplied:
      return "applied";
    case Status::kAlreadyApplied:
      return "already applied";
    case Status::kRetryable:
      return "retryable";
    case Status::kRateLimited:
      return "rate limited";
    case Status::kAuthFailed:
      return "auth failed";
    case Status::kRejected:
      return "rejected";
  }
  return "?";
}

// What a plugin hands back is vendor text (an error body cut at 200 bytes, a comment, a name):
// it is stored, shown in JSON answers and logged, so it is made valid UTF-8 and bounded here,
// where it enters. Identifiers are kept whole (they address the task); free text is cut.
constexpr std::size_t kMaxMessage = 2000;
constexpr std::size_t kMaxComment = 20000;
constexpr std::size_t kMaxName = 500;

void make_storable(sdk::ApplyResult& r) {
  r.external_ref = domain::one_line(r.external_ref);
  r.external_url = domain::one_line(r.external_url, kMaxMessage);
  r.message = domain::one_line(r.message, kMaxMessage);
}

void make_storable(sdk::PollResult& r) {
  r.message = domain::one_line(r.message, kMaxMessage);
  for (auto& e : r.events) {
    e.task_key = domain::one_line(e.task_key);
    e.external_ref = domain::one_line(e.external_ref);
    e.event_id = domain::one_line(e.event_id);
    e.outcome = domain::one_line(e.outcome, kMaxName);
    e.actor = domain::one_line(e.actor, kMaxName);
    e.comment = domain::valid_utf8(e.comment, kMaxComment);  // comments keep their lines
  }
}
// A plugin's state (table plugin_kv) through the engine's connector ledger.
class PluginState final : public sdk::KeyValueStore {
 public:
  PluginState(engine::ConnectorLedger& ledger, std::string instance)
      : ledger_(ledger), instance_(std::move(instance)) {}
  std::optional<std::string> get(const std::string& key) override {
    try {
      return ledger_.state_get(instance_, key);
    } catch (...) {
      return std::nullopt;
    }
  }
  void put(const std::string& key, const std::string& value) override {
    try {
      ledger_.state_put(instance_, key, value);
    } catch (...) {
      // Plugin state is a cache by contract; losing a write must not take the connector down.
    }
  }
  void erase(const std::string& key) override {
    try {
      ledger_.state_erase(instance_, key);
    } catch (...) {
    }
  }

 private:
  engine::ConnectorLedger& ledger_;
  std::string instance_;
};

}  // namespace

std::unique_ptr<sdk::KeyValueStore> SyncEngine::plugin_state(const std::string& instance) {
  return std::make_unique<PluginState>(session_.connectors(), instance);
}

SyncEngine::SyncEngine(store::Database& db, const workflow::Definitions& definitions,
                       const domain::Clock& clock, std::function<void(const std::string&)> log)
    : session_(db, definitions, clock), clock_(clock), log_(std::move(log)) {}

SyncEngine::~SyncEngine() { stop(); }

void SyncEngine::log(const std::string& line) {
  if (log_) log_(line);
}

void SyncEngine::add_instance(const InstanceOptions& options, sdk::Connector& connector) {
  Instance in;
  in.options = options;
  in.connector = &connector;
  in.tokens = options.burst;
  in.refilled_at = std::chrono::steady_clock::now();
  // The optional batch extension: the plugin's object derives from both SDK interfaces, whose
  // type information is exported, so this cross-cast works across the plugin boundary.
  in.batch = options.batching ? dynamic_cast<sdk::BatchApplier*>(&connector) : nullptr;
  if (in.batch && in.batch->max_batch() < 2) in.batch = nullptr;
  instances_[options.name] = in;
}

SyncEngine::Instance& SyncEngine::instance(const std::string& name) {
  auto it = instances_.find(name);
  if (it == instances_.end()) throw std::invalid_argument("no connector instance '" + name + "'");
  return it->second;
}

bool SyncEngine::take_token(Instance& in) {
  auto now = std::chrono::steady_clock::now();
  double elapsed = std::chrono::duration<double>(now - in.refilled_at).count();
  in.tokens = std::min<double>(in.options.burst, in.tokens + elapsed * in.options.rate_per_second);
  in.refilled_at = now;
  if (in.tokens < 1) return false;
  in.tokens -= 1;
  return true;
}

domain::Instant SyncEngine::backoff(const Instance& in, int attempts,
                                    std::chrono::seconds retry_after) {
  // Exponential with ±20 % jitter, so many failed actions do not retry in lockstep.
  double base = double(in.options.backoff_base.count()) * std::pow(2.0, std::max(0, attempts - 1));
  base = std::min(base, double(in.options.backoff_cap.count()));
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  auto wait = std::chrono::seconds(std::llround(base * jitter(jitter_)));
  return clock_.now() + std::max(wait, retry_after);
}

sdk::Action SyncEngine::action_of(const store::OutboxRecord& row) {
  sdk::Action action;
  if (auto kind = action_kind(row.kind)) action.kind = *kind;
  action.action_key = row.action_key;
  action.task_key = row.task_key.value_or("");
  action.payload_json = row.payload_json;
  action.attempt = row.attempts + 1;
  if (auto ref = session_.connectors().external_ref_of_task(action.task_key))
    action.external_ref = *ref;
  return action;
}

DispatchReport SyncEngine::dispatch_once(const std::string& name, int max_actions) {
  Instance& in = instance(name);
  DispatchReport report;
  if (in.options.paused || clock_.now() < in.blocked_until) return report;
  auto rows = session_.connectors().due_actions(name, max_actions);

  // Units of delivery, in outbox order of their first row: a single action, or a group of the
  // kinds the connector batches. due_actions already gives at most the oldest pending action per
  // task; a group still never carries two actions of one task, so per-task order holds even if
  // that query changes.
  std::vector<std::vector<const store::OutboxRecord*>> units;
  std::size_t group_limit = in.batch ? in.batch->max_batch() : 0;
  std::optional<std::size_t> filling;  // index of the group being filled
  std::set<std::string> tasks_in_group;
  for (const auto& row : rows) {
    auto kind = action_kind(row.kind);
    if (!kind || !in.batch || !in.batch->batches(*kind)) {
      units.push_back({&row});
      continue;
    }
    bool same_task = row.task_key && tasks_in_group.count(*row.task_key);
    if (!filling || units[*filling].size() >= group_limit || same_task) {
      units.emplace_back();
      filling = units.size() - 1;
      tasks_in_group.clear();
    }
    units[*filling].push_back(&row);
    if (row.task_key) tasks_in_group.insert(*row.task_key);
  }

  std::size_t delivered = 0;
  for (const auto& unit : units) {
    // One token per call to the connector: a group is one request to the system (that is what
    // BatchApplier::batches() promises), and the bucket models the system's request limits.
    if (!take_token(in)) {
      report.rate_limited += int(rows.size() - delivered);
      break;
    }
    if (unit.size() == 1) {
      apply_single(in, *unit.front(), report);
    } else {
      std::vector<store::OutboxRecord> group;
      group.reserve(unit.size());
      for (const auto* row : unit) group.push_back(*row);
      apply_group(in, group, report);
    }
    delivered += unit.size();
    if (clock_.now() < in.blocked_until) break;
  }
  return report;
}

void SyncEngine::apply_single(Instance& in, const store::OutboxRecord& row,
                              DispatchReport& report) {
  sdk::Action action = action_of(row);
  sdk::ApplyResult result;
  if (!action_kind(row.kind)) {
    result.status = Status::kRejected;
    result.message = "unknown action kind '" + row.kind + "'";
  } else {
    result = in.connector->apply(action);  // network: outside any transaction
    make_storable(result);
  }
  store::Transaction tx(session_.database());
  auto status = session_.connectors().status(in.options.name);
  record_result(in, row, action, result, status, report);
  session_.connectors().save_status(status);
  tx.commit();
}

void SyncEngine::apply_group(Instance& in, const std::vector<store::OutboxRecord>& rows,
                             DispatchReport& report) {
  const std::string& name = in.options.name;
  std::vector<sdk::Action> actions;
  actions.reserve(rows.size());
  for (const auto& row : rows) actions.push_back(action_of(row));
  std::vector<sdk::ApplyResult> results =
      in.batch->apply_batch(actions);  // network: outside any transaction
  for (auto& result : results) make_storable(result);
  ++report.batches;
  bool wrong_size = results.size() != actions.size();
  if (wrong_size)
    log(name + ": plugin bug: apply_batch answered " + std::to_string(results.size()) +
        " results for " + std::to_string(actions.size()) +
        " actions; every action of the batch will be retried");

  // Every result in one transaction: each row is recorded exactly as a single apply would be.
  store::Transaction tx(session_.database());
  auto status = session_.connectors().status(name);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    sdk::ApplyResult result;
    if (wrong_size) {
      result.status = Status::kRetryable;
      result.message = "the connector answered a batch of " + std::to_string(actions.size()) +
                       " actions with " + std::to_string(results.size()) + " results";
    } else {
      result = results[i];
    }
    record_result(in, rows[i], actions[i], result, status, report);
  }
  session_.connectors().save_status(status);
  tx.commit();
}

void SyncEngine::record_result(Instance& in, const store::OutboxRecord& row,
                               const sdk::Action& action, const sdk::ApplyResult& result,
                               store::ConnectorStatusRecord& status, DispatchReport& report) {
  const std::string& name = in.options.name;
  int attempts = row.attempts + 1;
  auto& ledger = session_.connectors();
  switch (result.status) {
    case Status::kApplied:
    case Status::kAlreadyApplied: {
      std::string ref = !result.external_ref.empty() ? result.external_ref : action.external_ref;
      ledger.delivered(name, row, ref, result.external_url);
      result.status == Status::kApplied ? ++report.applied : ++report.already_applied;
      status.applied += 1;
      status.last_apply_at = clock_.now();
      if (status.state != "paused") status.state = "running";
      status.last_error.reset();
      break;
    }
    case Status::kRejected: {
      ledger.rejected(name, row, attempts, result.message);
      ++report.dead;
      status.last_error = result.message;
      log(name + ": " + row.action_key + " rejected: " + result.message);
      break;
    }
    case Status::kRetryable:
    case Status::kRateLimited:
    case Status::kAuthFailed: {
      status.retries += 1;
      status.last_error = std::string(status_name(result.status)) + ": " + result.message;
      status.state = result.status == Status::kAuthFailed ? "failing" : "degraded";
      if (result.status != Status::kAuthFailed && attempts >= in.options.max_attempts) {
        ledger.give_up(row, attempts, status.last_error.value());
        ++report.dead;
      } else {
        auto next = backoff(in, attempts, result.retry_after);
        ledger.retry_later(row, attempts, next, status.last_error.value());
        ++report.retried;
        // A rate limit or an auth failure concerns the whole instance: hold everything.
        if (result.status != Status::kRetryable)
          in.blocked_until = std::max(in.blocked_until, next);
      }
      log(name + ": " + row.action_key + " " + status.last_error.value());
      break;
    }
  }
}

void SyncEngine::apply_event(Instance& in, const sdk::TaskEvent& event, PollReport& report) {
  engine::ExternalEvent e;
  switch (event.kind) {
    case sdk::TaskEvent::Kind::kCompleted:
      e.kind = engine::ExternalEvent::Kind::kCompleted;
      break;
    case sdk::TaskEvent::Kind::kCommented:
      e.kind = engine::ExternalEvent::Kind::kCommented;
      break;
    case sdk::TaskEvent::Kind::kReopened:
      e.kind = engine::ExternalEvent::Kind::kReopened;
      break;
    case sdk::TaskEvent::Kind::kDeleted:
      e.kind = engine::ExternalEvent::Kind::kDeleted;
      break;
  }
  e.task_key = event.task_key;
  e.event_id = event.event_id;
  e.outcome = event.outcome;
  e.comment = event.comment;
  e.actor = event.actor;
  if (event.at.time_since_epoch().count() > 0) e.at = event.at;
  std::string ignored;
  if (session_.connectors().apply(in.options.name, e, ignored))
    ++report.applied;
  else if (!ignored.empty())
    log(in.options.name + ": " + ignored);
}

PollReport SyncEngine::poll_once(const std::string& name, bool reconcile) {
  Instance& in = instance(name);
  PollReport report;
  if (in.options.paused) return report;
  sdk::PollRequest request;
  request.cursor = session_.connectors().cursor(name);
  request.reconcile = reconcile;
  for (const auto& ref : session_.connectors().open_refs(name))
    request.open_refs.push_back({ref.task_key, ref.external_ref});
  sdk::PollResult result = in.connector->poll(request);  // network: outside any transaction
  make_storable(result);

  store::Transaction tx(session_.database());
  auto status = session_.connectors().status(name);
  if (result.status == sdk::PollResult::Status::kOk) {
    for (const auto& event : result.events) apply_event(in, event, report);
    session_.connectors().save_cursor(name, result.next_cursor);
    report.ok = true;
    report.events = int(result.events.size());
    status.events += report.applied;
    status.last_poll_at = clock_.now();
    if (status.state != "paused") status.state = "running";
  } else {
    report.error = result.message;
    status.retries += 1;
    status.last_error = result.message;
    status.state = result.status == sdk::PollResult::Status::kAuthFailed ? "failing" : "degraded";
    if (result.retry_after.count() > 0) in.blocked_until = clock_.now() + result.retry_after;
  }
  session_.connectors().save_status(status);
  tx.commit();
  return report;
}

void SyncEngine::start(std::chrono::milliseconds idle_wait) {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this, idle_wait] { run(idle_wait); });
}

void SyncEngine::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SyncEngine::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  cv_.notify_all();
}

void SyncEngine::run(std::chrono::milliseconds idle_wait) {
  for (;;) {
    bool busy = false;
    for (auto& [name, in] : instances_) {
      {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
      }
      try {
        auto d = dispatch_once(name);
        busy = busy || d.applied + d.already_applied + d.retried + d.dead > 0;
        if (clock_.now() >= in.next_poll_at && clock_.now() >= in.blocked_until) {
          ++in.polls;
          bool reconcile = in.options.reconcile_every_polls > 0 &&
                           in.polls % in.options.reconcile_every_polls == 0;
          poll_once(name, reconcile);
          in.next_poll_at = clock_.now() + in.options.poll_interval;
        }
      } catch (const std::exception& e) {
        // Storage trouble (busy, disk): log and try again next round; nothing was committed.
        log(name + ": sync round failed: " + e.what());
      }
    }
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    if (!busy) cv_.wait_for(lock, idle_wait, [this] { return stopping_ || woken_; });
    woken_ = false;
  }
}

}  // namespace disputed::sync
