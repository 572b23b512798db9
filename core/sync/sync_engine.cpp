#include "core/sync/sync_engine.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "core/domain/utf8.hpp"
#include "disputed/sdk/kit/message_contract.hpp"

namespace disputed::sync {

using nlohmann::json;
using Status = sdk::ApplyResult::Status;

std::optional<sdk::Action::Kind> action_kind(const std::string& kind) {
  if (kind == "create") return sdk::Action::Kind::kCreate;
  if (kind == "update") return sdk::Action::Kind::kUpdate;
  if (kind == "cancel") return sdk::Action::Kind::kCancel;
  if (kind == "remind") return sdk::Action::Kind::kRemind;
  if (kind == "escalate") return sdk::Action::Kind::kEscalate;
  if (kind == "message") return sdk::Action::Kind::kMessage;
  return std::nullopt;
}

namespace {
// The read connection beside the writer: no memory map (see store::DatabaseOptions).
store::DatabaseOptions read_options() { return store::DatabaseOptions{}.for_reader(); }

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
// A plugin's state (table plugin_kv): read on the sync engine's read session, written through
// the writer like everything else.
class PluginState final : public sdk::KeyValueStore {
 public:
  PluginState(engine::CommandWriter& writer, engine::Session& reads, std::string instance)
      : writer_(writer), reads_(reads), instance_(std::move(instance)) {}
  std::optional<std::string> get(const std::string& key) override {
    try {
      return reads_.connectors().state_get(instance_, key);
    } catch (...) {
      return std::nullopt;
    }
  }
  // Plugin state is a cache by contract: a write that fails must not take the connector down.
  void put(const std::string& key, const std::string& value) override {
    (void)writer_.run<domain::Ok>([instance = instance_, key, value](engine::Session& s) {
      s.connectors().state_put(instance, key, value);
      return domain::Result<domain::Ok>(domain::Ok{});
    });
  }
  void erase(const std::string& key) override {
    (void)writer_.run<domain::Ok>([instance = instance_, key](engine::Session& s) {
      s.connectors().state_erase(instance, key);
      return domain::Result<domain::Ok>(domain::Ok{});
    });
  }

 private:
  engine::CommandWriter& writer_;
  engine::Session& reads_;
  std::string instance_;
};

engine::ExternalEvent external_event(const sdk::TaskEvent& event) {
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
  return e;
}

}  // namespace

std::unique_ptr<sdk::KeyValueStore> SyncEngine::plugin_state(const std::string& instance) {
  return std::make_unique<PluginState>(*writer_, *reads_, instance);
}

// `disputed sync` and tests: the engine's writer on the given connection, and a read connection.
struct SyncEngine::Standalone {
  Standalone(store::Database& db, const workflow::Definitions& definitions,
             const domain::Clock& clock)
      : session(db, definitions, clock),
        writer(session),
        read_db(std::make_unique<store::Database>(db.file(), read_options())),
        reads(*read_db, definitions, clock) {
    read_db->exec("PRAGMA query_only=1");
    writer.start();
  }
  engine::Session session;
  engine::CommandWriter writer;
  std::unique_ptr<store::Database> read_db;
  engine::Session reads;
};

SyncEngine::SyncEngine(engine::CommandWriter& writer, engine::Session& reads,
                       const domain::Clock& clock, std::function<void(const std::string&)> log)
    : writer_(&writer), reads_(&reads), clock_(clock), log_(std::move(log)) {}

SyncEngine::SyncEngine(store::Database& db, const workflow::Definitions& definitions,
                       const domain::Clock& clock, std::function<void(const std::string&)> log)
    : standalone_(std::make_unique<Standalone>(db, definitions, clock)),
      writer_(&standalone_->writer),
      reads_(&standalone_->reads),
      clock_(clock),
      log_(std::move(log)) {}

SyncEngine::~SyncEngine() {
  stop();
  if (standalone_) standalone_->writer.stop();  // commits what is queued
}

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

sdk::Action SyncEngine::action_of(const engine::OutboxRecord& row) {
  sdk::Action action;
  if (auto kind = action_kind(row.kind)) action.kind = *kind;
  action.action_key = row.action_key;
  action.task_key = row.task_key.value_or("");
  action.payload_json = row.payload_json;
  action.attempt = row.attempts + 1;
  if (auto ref = reads_->connectors().external_ref_of_task(action.task_key))
    action.external_ref = *ref;
  return action;
}

DispatchReport SyncEngine::dispatch_once(const std::string& name, int max_actions) {
  Instance& in = instance(name);
  DispatchReport report;
  if (in.options.paused || clock_.now() < in.blocked_until) return report;
  auto rows = reads_->connectors().due_actions(name, max_actions);

  // Units of delivery, in outbox order of their first row: a single action, or a group of the
  // kinds the connector batches. due_actions already gives at most the oldest pending action per
  // task; a group still never carries two actions of one task, so per-task order holds even if
  // that query changes.
  std::vector<std::vector<const engine::OutboxRecord*>> units;
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

  // Each unit's results go to the writer as soon as they are known, without waiting: the writer
  // commits them in groups while the next units are delivered; the round ends when all are in.
  std::vector<Recording> recordings;
  std::size_t delivered = 0;
  for (const auto& unit : units) {
    // One token per call to the connector: a group is one request to the system (that is what
    // BatchApplier::batches() promises), and the bucket models the system's request limits.
    if (!take_token(in)) {
      report.rate_limited += int(rows.size() - delivered);
      break;
    }
    std::vector<engine::OutboxRecord> actions;
    for (const auto* row : unit) actions.push_back(*row);
    recordings.push_back(record(name, deliver(in, actions, report)));
    delivered += unit.size();
    if (clock_.now() < in.blocked_until) break;
  }
  for (auto& recording : recordings) {
    auto committed = recording.committed.get();
    if (!committed) {
      // Nothing of this unit was recorded: its actions are due again, with the same keys.
      log(name + ": results not recorded, to be delivered again: " + committed.error().describe());
      continue;
    }
    for (const auto& d : recording.deliveries) {
      switch (d.outcome) {
        case Delivery::Outcome::kDone:
          d.status == Status::kApplied ? ++report.applied : ++report.already_applied;
          break;
        case Delivery::Outcome::kRejected:
        case Delivery::Outcome::kGiveUp:
          ++report.dead;
          break;
        case Delivery::Outcome::kRetry:
          ++report.retried;
          break;
      }
      if (auto line = log_line(name, d); !line.empty()) log(line);
    }
  }
  return report;
}

domain::Result<messaging::Composition> SyncEngine::compose(const engine::OutboxRecord& row) const {
  if (!composer_)
    return domain::Error::invalid(
        "messaging is not configured in this process (messaging in disputed.json)");
  messaging::MessageRow m;
  m.action_key = row.action_key;
  m.task_key = row.task_key.value_or("");
  m.created_at = row.created_at;
  m.payload_json = row.payload_json;
  return composer_->compose(m);
}

std::vector<Delivery> SyncEngine::deliver(Instance& in,
                                          const std::vector<engine::OutboxRecord>& rows,
                                          DispatchReport& report) {
  const std::string& name = in.options.name;
  std::vector<sdk::Action> actions;
  for (const auto& row : rows) actions.push_back(action_of(row));
  std::vector<sdk::ApplyResult> results;
  std::optional<messaging::Composition> composed;
  if (rows.size() == 1) {
    sdk::ApplyResult result;
    if (!action_kind(rows[0].kind)) {
      result.status = Status::kRejected;
      result.message = "unknown action kind '" + rows[0].kind + "'";
    } else if (actions[0].kind == sdk::Action::Kind::kMessage) {
      // The message is composed at each attempt from the row's facts and time: the same
      // Message-ID and bytes every time. Facts that make no message are a dead letter.
      auto c = compose(rows[0]);
      if (!c) {
        result.status = Status::kRejected;
        result.message = "undeliverable: " + c.error().message;
      } else {
        composed = std::move(c).value();
        actions[0].task_key = composed->message.dispute;
        actions[0].payload_json = sdk::kit::serialise_message_payload(composed->message);
        result = in.connector->apply(actions[0]);  // network: outside any transaction
      }
    } else {
      result = in.connector->apply(actions[0]);  // network: outside any transaction
    }
    results.push_back(std::move(result));
  } else {
    results = in.batch->apply_batch(actions);  // network: outside any transaction
    ++report.batches;
    if (results.size() != actions.size()) {
      log(name + ": plugin bug: apply_batch answered " + std::to_string(results.size()) +
          " results for " + std::to_string(actions.size()) +
          " actions; every action of the batch will be retried");
      sdk::ApplyResult retry;
      retry.status = Status::kRetryable;
      retry.message = "the connector answered a batch of " + std::to_string(actions.size()) +
                      " actions with " + std::to_string(results.size()) + " results";
      results.assign(actions.size(), retry);
    }
  }
  std::vector<Delivery> deliveries;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    make_storable(results[i]);
    deliveries.push_back(decide(in, rows[i], actions[i], results[i]));
  }
  if (composed && deliveries.size() == 1) {
    // What the dossier says about a message: to whom, what, in which language.
    auto& m = deliveries[0].message;
    m.emplace();
    for (const auto& to : composed->message.to) m->to += (m->to.empty() ? "" : ", ") + to.address;
    m->subject = composed->message.subject;
    m->message_id = composed->message.message_id;
    m->kind = composed->kind;
    m->language = composed->language;
  }
  return deliveries;
}

Delivery SyncEngine::decide(Instance& in, const engine::OutboxRecord& row,
                            const sdk::Action& action, const sdk::ApplyResult& result) {
  Delivery d;
  d.row = row;
  d.status = result.status;
  d.attempts = row.attempts + 1;
  d.at = clock_.now();
  switch (result.status) {
    case Status::kApplied:
    case Status::kAlreadyApplied:
      d.outcome = Delivery::Outcome::kDone;
      d.external_ref = !result.external_ref.empty() ? result.external_ref : action.external_ref;
      d.external_url = result.external_url;
      break;
    case Status::kRejected:
      d.outcome = Delivery::Outcome::kRejected;
      d.error = result.message;
      break;
    case Status::kRetryable:
    case Status::kRateLimited:
    case Status::kAuthFailed:
      d.error = std::string(status_name(result.status)) + ": " + result.message;
      if (result.status != Status::kAuthFailed && d.attempts >= in.options.max_attempts) {
        d.outcome = Delivery::Outcome::kGiveUp;
      } else {
        d.outcome = Delivery::Outcome::kRetry;
        d.next_attempt_at = backoff(in, d.attempts, result.retry_after);
        // A rate limit or an auth failure concerns the whole instance: hold everything.
        if (result.status != Status::kRetryable)
          in.blocked_until = std::max(in.blocked_until, d.next_attempt_at);
      }
      break;
  }
  return d;
}

SyncEngine::Recording SyncEngine::record(const std::string& instance,
                                         std::vector<Delivery> deliveries) {
  Recording recording;
  recording.deliveries = std::move(deliveries);
  recording.committed = writer_->submit<domain::Ok>(
      [instance, deliveries = recording.deliveries](engine::Session& s) {
        record_deliveries(s.connectors(), instance, deliveries);
        return domain::Result<domain::Ok>(domain::Ok{});
      });
  return recording;
}

PollReport SyncEngine::poll_once(const std::string& name, bool reconcile) {
  Instance& in = instance(name);
  PollReport report;
  if (in.options.paused) return report;
  sdk::PollRequest request;
  request.cursor = reads_->connectors().cursor(name);
  request.reconcile = reconcile;
  for (const auto& ref : reads_->connectors().open_refs(name))
    request.open_refs.push_back({ref.task_key, ref.external_ref});
  sdk::PollResult result = in.connector->poll(request);  // network: outside any transaction
  make_storable(result);

  // The events and the cursor that produced them (invariant 3), and the status: one job.
  struct Applied {
    int applied = 0;
    std::vector<std::string> ignored;
  };
  bool ok = result.status == sdk::PollResult::Status::kOk;
  bool auth_failed = result.status == sdk::PollResult::Status::kAuthFailed;
  std::vector<engine::ExternalEvent> events;
  for (const auto& e : result.events) events.push_back(external_event(e));
  auto applied = writer_->run<Applied>(
      [name, ok, auth_failed, events, cursor = result.next_cursor, message = result.message,
       now = clock_.now()](engine::Session& s) -> domain::Result<Applied> {
        auto& ledger = s.connectors();
        auto status = ledger.status(name);
        Applied out;
        if (ok) {
          for (const auto& e : events) {
            std::string ignored;
            if (ledger.apply(name, e, ignored))
              ++out.applied;
            else if (!ignored.empty())
              out.ignored.push_back(std::move(ignored));
          }
          ledger.save_cursor(name, cursor);
          status.events += out.applied;
          status.last_poll_at = now;
          if (status.state != "paused") status.state = "running";
        } else {
          status.retries += 1;
          status.last_error = message;
          status.state = auth_failed ? "failing" : "degraded";
        }
        ledger.save_status(status);
        return out;
      },
      // Many commands at once: in a transaction of its own, all or nothing with the cursor.
      engine::CommandWriter::Commit::kAlone);
  if (!ok) {
    report.error = result.message;
    if (result.retry_after.count() > 0) in.blocked_until = clock_.now() + result.retry_after;
  }
  if (!applied) {
    // Nothing was recorded, the cursor not moved: the next poll asks again.
    report.ok = false;
    report.error = applied.error().describe();
    log(name + ": poll results not recorded: " + report.error);
    return report;
  }
  for (const auto& line : applied->ignored) log(name + ": " + line);
  report.ok = ok;
  report.events = ok ? int(result.events.size()) : 0;
  report.applied = applied->applied;
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
