#pragma once
// The sync engine: mirrors outbox actions into connector instances (dispatcher) and brings
// their tasks' completions back into the workflow (poller). The host owns scheduling, retries
// with backoff and jitter honouring Retry-After, rate limits, dead letters, cursors and status;
// plugins only answer apply() and poll().
//
// Exactly-once effect: an action is marked done only after apply() answered applied or
// already-applied, in its own transaction; a crash in between re-delivers it with the same
// idempotency key. Poll cursors commit in the same transaction as the events they produced, and
// each (instance, task, event id) applies once.

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

#include "core/engine/dispute_service.hpp"
#include "core/store/sync_store.hpp"
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
};

struct DispatchReport {
  int applied = 0;
  int already_applied = 0;
  int retried = 0;
  int dead = 0;
  int rate_limited = 0;  // actions left for later because the bucket or the system said so
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
  SyncEngine(store::Database& db, const workflow::Definitions& definitions, const domain::Clock& clock,
             std::function<void(const std::string&)> log = {});
  ~SyncEngine();
  SyncEngine(const SyncEngine&) = delete;
  SyncEngine& operator=(const SyncEngine&) = delete;

  /// Registers an opened connector. The connector outlives the engine (or stop() is called first).
  void add_instance(const InstanceOptions& options, sdk::Connector& connector);

  /// Delivers up to `max_actions` due actions of one instance. Used by the loop and by tests.
  DispatchReport dispatch_once(const std::string& instance, int max_actions = 200);
  /// Polls one instance once; `reconcile` asks about every open ref.
  PollReport poll_once(const std::string& instance, bool reconcile = false);

  /// Runs dispatch and poll for every instance on one background thread until stop().
  void start(std::chrono::milliseconds idle_wait = std::chrono::milliseconds(200));
  void stop();
  /// Wakes the loop (e.g. after a command wrote outbox rows).
  void wake();

 private:
  struct Instance {
    InstanceOptions options;
    sdk::Connector* connector = nullptr;
    double tokens = 0;
    std::chrono::steady_clock::time_point refilled_at;
    domain::Instant next_poll_at{};
    domain::Instant blocked_until{};  // after a 429 / auth failure
    int polls = 0;
  };

  Instance& instance(const std::string& name);
  bool take_token(Instance& in);
  domain::Instant backoff(const Instance& in, int attempts, std::chrono::seconds retry_after);
  void apply_event(Instance& in, const sdk::TaskEvent& event, PollReport& report);
  void run(std::chrono::milliseconds idle_wait);
  void log(const std::string& line);

  store::SyncStore store_;
  engine::DisputeService service_;
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
