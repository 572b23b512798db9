#pragma once
// The sync engine: mirrors outbox actions into connector instances (dispatcher) and brings
// their tasks' completions back into the workflow (poller). The host owns scheduling, retries
// with backoff and jitter honouring Retry-After, rate limits, dead letters, cursors and status;
// plugins only answer apply() and poll().
//
// One writer: the sync engine never writes to the database itself. Every result, every applied
// event with its cursor, the status and the plugins' state are jobs on the engine's
// CommandWriter, so they share its group commit with the REST API's commands; reads go through a
// session on a read connection of the sync engine's own.
//
// Exactly-once effect: an action is marked done only after apply() answered applied or
// already-applied, in a writer job of its own round; a crash in between re-delivers it with the
// same idempotency key. A connector that also implements sdk::BatchApplier gets the due actions of
// the kinds it batches in groups (one apply_batch call, one rate-limit token, one job that
// records every result exactly as a single apply would). Poll cursors commit in the same job
// (one savepoint of one transaction) as the events they produced, and each (instance, task,
// event id) applies once.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "core/engine/command_writer.hpp"
#include "core/engine/session.hpp"
#include "core/messaging/composer.hpp"
#include "core/sync/delivery.hpp"
#include "disputed/sdk/batch_applier.hpp"
#include "disputed/sdk/connector.hpp"

namespace disputed::sync {

/// Per-instance scheduling settings (from the manifest's defaults, overridable per instance).
struct InstanceOptions {
  std::string name;
  double rate_per_second = 10;  // token bucket refill
  int burst = 20;               // token bucket size
  std::chrono::seconds poll_interval{60};
  int reconcile_every_polls = 10;  // every Nth poll asks about every open ref
  int max_attempts = 8;            // then the action goes to the dead letters
  std::chrono::seconds backoff_base{2};
  std::chrono::seconds backoff_cap{600};
  bool paused = false;
  /// Deliver due actions in groups when the connector implements sdk::BatchApplier; false sends
  /// every action through apply() alone (e.g. to rule out a plugin's batch path).
  bool batching = true;
};

struct DispatchReport {
  int applied = 0;
  int already_applied = 0;
  int retried = 0;
  int dead = 0;
  int rate_limited = 0;  // actions left for later because the bucket or the system said so
  int batches = 0;       // apply_batch calls made (each carried 2 or more actions)
};

struct PollReport {
  bool ok = false;
  int events = 0;   // events received
  int applied = 0;  // events that changed something (not duplicates)
  std::string error;
};

class SyncEngine {
 public:
  /// Serving: every write is a job on `writer` (the process's one writer, started); reads use
  /// `reads`, a session on a read connection nobody else uses. Both, and `clock`, outlive the
  /// engine.
  SyncEngine(engine::CommandWriter& writer, engine::Session& reads, const domain::Clock& clock,
             std::function<void(const std::string&)> log = {});
  /// Standalone (`disputed sync`, tests): a CommandWriter of its own on `db` (which the engine
  /// then owns the use of) and a read connection to the same file. `definitions` and `clock`
  /// outlive the engine.
  SyncEngine(store::Database& db, const workflow::Definitions& definitions,
             const domain::Clock& clock, std::function<void(const std::string&)> log = {});
  ~SyncEngine();
  SyncEngine(const SyncEngine&) = delete;
  SyncEngine& operator=(const SyncEngine&) = delete;

  /// Registers an opened connector. The connector outlives the engine (or stop() is called first).
  /// When the connector also implements sdk::BatchApplier (found by dynamic_cast), due actions of
  /// the kinds it batches are delivered in groups of up to max_batch().
  void add_instance(const InstanceOptions& options, sdk::Connector& connector);

  /// Delivers up to `max_actions` due actions of one instance. Used by the loop and by tests.
  DispatchReport dispatch_once(const std::string& instance, int max_actions = 200);
  /// Polls one instance once; `reconcile` asks about every open ref.
  PollReport poll_once(const std::string& instance, bool reconcile = false);

  /// The persistent key-value store of a connector instance's plugin (table plugin_kv), for
  /// host::ConnectorHost. It must not outlive this engine.
  std::unique_ptr<sdk::KeyValueStore> plugin_state(const std::string& instance);
  /// plugin_state() as the factory host::ConnectorHost takes.
  std::function<std::unique_ptr<sdk::KeyValueStore>(const std::string&)> plugin_states() {
    return [this](const std::string& instance) { return plugin_state(instance); };
  }

  /// Runs dispatch and poll for every instance on one background thread until stop().
  void start(std::chrono::milliseconds idle_wait = std::chrono::milliseconds(200));
  void stop();
  /// Wakes the loop (e.g. after a command wrote outbox rows).
  void wake();

  /// The composer that turns a message row's facts into the message its transport sends (the
  /// templates in the reader's language; docs/messaging.md). Without one, message rows are dead
  /// letters saying messaging is not configured. Set before start(); it outlives the engine.
  void set_composer(std::shared_ptr<const messaging::Composer> composer) {
    composer_ = std::move(composer);
  }

 private:
  struct Instance {
    InstanceOptions options;
    sdk::Connector* connector = nullptr;
    sdk::BatchApplier* batch = nullptr;  // the same object, when it batches
    double tokens = 0;
    std::chrono::steady_clock::time_point refilled_at;
    domain::Instant next_poll_at{};
    domain::Instant blocked_until{};  // after a 429 / auth failure
    int polls = 0;
  };

  /// One round's deliveries on their way to the writer.
  struct Recording {
    std::vector<Delivery> deliveries;
    std::future<domain::Result<domain::Ok>> committed;
  };
  struct Standalone;

  Instance& instance(const std::string& name);
  bool take_token(Instance& in);
  domain::Instant backoff(const Instance& in, int attempts, std::chrono::seconds retry_after);
  sdk::Action action_of(const engine::OutboxRecord& row);
  /// A message row's action: its facts composed into the message contract; an error when they
  /// cannot make a message (no address, no templates) — a dead letter that says why.
  domain::Result<messaging::Composition> compose(const engine::OutboxRecord& row) const;
  /// Calls the connector for one unit (one action, or a group it batches) and decides what
  /// becomes of each action; a rate limit or an auth failure holds the instance from now on.
  std::vector<Delivery> deliver(Instance& in, const std::vector<engine::OutboxRecord>& rows,
                                DispatchReport& report);
  Delivery decide(Instance& in, const engine::OutboxRecord& row, const sdk::Action& action,
                  const sdk::ApplyResult& result);
  Recording record(const std::string& instance, std::vector<Delivery> deliveries);
  void run(std::chrono::milliseconds idle_wait);
  void log(const std::string& line);

  std::unique_ptr<Standalone> standalone_;
  engine::CommandWriter* writer_ = nullptr;
  engine::Session* reads_ = nullptr;
  const domain::Clock& clock_;
  std::function<void(const std::string&)> log_;
  std::map<std::string, Instance> instances_;
  std::shared_ptr<const messaging::Composer> composer_;
  std::mt19937 jitter_{std::random_device{}()};

  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

/// Outbox kind ("create", "update", ...) to the SDK's action kind; nullopt for unknown kinds.
std::optional<sdk::Action::Kind> action_kind(const std::string& kind);

}  // namespace disputed::sync
