#pragma once
// The single writer of a process. A Session (the engine on one SQLite connection) is not
// thread-safe, and SQLite has one writer anyway; so every command from every thread (REST
// handlers, the timer scheduler, the connector sync engine) is queued here and run by one thread
// on the writer's session.
//
// Group commit: while a batch commits, new commands queue up; the next batch runs them all in
// one transaction (each command in its own savepoint, so each still
// succeeds or fails alone) and only then answers each caller with its own result. One commit
// per batch instead of one per command is what lifts registrations from ~1,800/s to thousands
// per second (docs/benchmarks.md). Commands on the same dispute run one after the other, in
// arrival order: there is no lost update.
//
// Each command runs in a savepoint of its own: a command that fails (or throws) is rolled back to
// where it began and the batch goes on. Every caller hears the truth about its own command. When
// SQLite rolls back the whole transaction in the middle of a batch (an I/O error, a full disk),
// the command that met the error is answered with it; the commands before it lost their work
// through no fault of their own and run again, with the ones not yet run, in the next batch —
// never outside a transaction. A failed COMMIT writes nothing, and every caller hears that.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "core/engine/session.hpp"

namespace disputed::engine {

class CommandWriter {
 public:
  /// How a command commits. kShared: in the next batch, in a savepoint of its own, sharing the
  /// commit (a command of the REST API, a delivery result). kAlone: in a transaction of its own,
  /// between batches, all or nothing, without an extra savepoint — for a job that gives many
  /// commands at once (a poll's completions with their cursor), whose commands' own savepoints
  /// would otherwise nest inside the job's and make each release walk the whole job's journal.
  enum class Commit { kShared, kAlone };

  /// `session` (and its connection) is used by the writer thread only, from start() on.
  /// `max_batch` bounds how many commands share one commit. The writer never waits for more
  /// commands before it begins a batch: lingering was measured to lose more than it gains.
  explicit CommandWriter(Session& session, std::size_t max_batch = 256);
  /// Stops (see stop()).
  ~CommandWriter();
  CommandWriter(const CommandWriter&) = delete;
  CommandWriter& operator=(const CommandWriter&) = delete;

  void start();
  /// Runs what is queued, commits, and joins the thread. Commands submitted afterwards are
  /// answered with an "unavailable" internal error. Idempotent.
  void stop();

  /// Queues `command`; the future holds its result once the batch it ran in has committed (or
  /// an internal error when the commit failed — then nothing of the batch was written).
  /// `command` runs on the writer thread and must only call `session` (no blocking I/O). It may
  /// run more than once when a storage error took its first run's work away: it must change
  /// nothing but the database.
  template <class T>
  std::future<Result<T>> submit(std::function<Result<T>(Session&)> command,
                                Commit commit = Commit::kShared) {
    auto promise = std::make_shared<std::promise<Result<T>>>();
    auto slot = std::make_shared<std::optional<Result<T>>>();
    auto future = promise->get_future();
    Job job;
    job.execute = [command = std::move(command),
                   slot](Session& session) -> std::optional<domain::Error> {
      slot->reset();
      slot->emplace(command(session));
      if ((*slot)->ok()) return std::nullopt;
      return (*slot)->error();
    };
    job.fail = [slot](const domain::Error& error) { slot->emplace(error); };
    job.alone = commit == Commit::kAlone;
    job.complete = [promise, slot](const std::optional<domain::Error>& failure) {
      if (failure || !*slot)
        promise->set_value(failure ? *failure : domain::Error::internal("command did not run"));
      else
        promise->set_value(std::move(**slot));
    };
    enqueue(std::move(job));
    return future;
  }

  /// submit() and wait.
  template <class T>
  Result<T> run(std::function<Result<T>(Session&)> command, Commit commit = Commit::kShared) {
    return submit<T>(std::move(command), commit).get();
  }

  struct Stats {
    std::uint64_t commands = 0;
    std::uint64_t batches = 0;
    std::uint64_t failed_batches = 0;
    std::size_t largest_batch = 0;
  };
  Stats stats() const;

 private:
  struct Job {
    /// Runs the command; its error when it failed.
    std::function<std::optional<domain::Error>(Session&)> execute;
    /// Replaces the command's answer (its work was rolled back after all).
    std::function<void(const domain::Error&)> fail;
    std::function<void(const std::optional<domain::Error>&)> complete;
    bool alone = false;
  };
  void enqueue(Job job);
  void loop();
  /// Runs `batch` in one transaction and answers its callers; returns the jobs to run again.
  std::vector<Job> run_batch(std::vector<Job>& batch, bool& failed);
  /// Runs one job in a savepoint. False when SQLite rolled the whole transaction back while it
  /// ran; then `error` says why, as far as the command heard.
  bool run_job(Job& job, std::optional<domain::Error>& error);
  /// Runs a Commit::kAlone job in a transaction of its own and answers it.
  void run_alone(Job& job);

  Session& session_;
  std::size_t max_batch_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  bool stopped_ = false;
  Stats stats_;
  std::thread thread_;
};

}  // namespace disputed::engine
