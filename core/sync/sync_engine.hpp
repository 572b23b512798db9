#pragma once
// The sync engine: mirrors outbox actions into connector instances (dispatcher) and brings
// their tasks' completions back into the workflow (poller). The host owns scheduling, retries
// with backoff and jitter honouring Retry-After, rate limits, dead letters, cursors and status;
// plugins only answer apply() and poll().
//
// Exactly-once effect: an action is marked done only after apply() answered applied or
// already-applied, in its own transaction; a crash in between re-delivers it with the same
// idempotency key. A connector that also implements sdk::BatchApplier gets the due actions of the
// kinds it batches in groups (one apply_batch call, one rate-limit token, one transaction that
// records every result exactly as a single apply would). Poll cursors commit in the same
// transaction as the events they produced, and each (instance, task, event id) applies once.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "core/engine/session.hpp"
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
  /// `db` is this engine's own connection (SQLite connections are not shared across threads);
  /// `definitions` and `clock` outlive the engine.
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

  Instance& instance(const std::string& name);
  bool take_token(Instance& in);
  domain::Instant backoff(const Instance& in, int attempts, std::chrono::seconds retry_after);
  sdk::Action action_of(const store::OutboxRecord& row);
  void apply_single(Instance& in, const store::OutboxRecord& row, DispatchReport& report);
  void apply_group(Instance& in, const std::vector<store::OutboxRecord>& rows,
                   DispatchReport& report);
  /// Records one action's result (done + external ref / retry with backoff / dead letter) and the
  /// instance's status, inside the caller's transaction.
  void record_result(Instance& in, const store::OutboxRecord& row, const sdk::Action& action,
                     const sdk::ApplyResult& result, store::ConnectorStatusRecord& status,
                     DispatchReport& report);
  void apply_event(Instance& in, const sdk::TaskEvent& event, PollReport& report);
  void run(std::chrono::milliseconds idle_wait);
  void log(const std::string& line);

  engine::Session session_;
  const domain::Clock& clock_;
  std::function<void(const std::string&)> log_;
  std::map<std::string, Instance> instances_;
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
