#pragma once
// Copies the write-ahead log into the database file from a thread and connection of its own.
// By default the connection that commits past 1,000 WAL pages runs that checkpoint inside its
// commit; in a serving process that is the single writer, and every command queued behind it
// waits. With the writer's PRAGMA wal_autocheckpoint=0 and this running beside it, checkpoints
// use the other core instead (docs/benchmarks.md). PASSIVE checkpoints never block the writer
// or readers.

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "core/store/sqlite.hpp"

namespace disputed::store {

class WalCheckpointer {
 public:
  /// Opens its own connection to `file` (throws SqliteError when it cannot).
  WalCheckpointer(const std::filesystem::path& file, DatabaseOptions options,
                  std::chrono::milliseconds interval);
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  void start();
  /// Runs a last checkpoint and joins the thread. Idempotent.
  void stop();
  /// Checkpoints done so far.
  std::uint64_t checkpoints() const;

 private:
  void run();
  void checkpoint();

  std::unique_ptr<Database> db_;
  std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t checkpoints_ = 0;
  std::thread thread_;
};

}  // namespace disputed::store
