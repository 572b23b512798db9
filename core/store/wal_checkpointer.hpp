#pragma once
// Copies the write-ahead log into the database file from a thread and connection of its own.
// By default the connection that commits past 1,000 WAL pages runs that checkpoint inside its
// commit; in a serving process that is the single writer, and every command queued behind it
// waits. With the writer's PRAGMA wal_autocheckpoint=0 and this running beside it, checkpoints
// use the other core instead (docs/benchmarks.md). PASSIVE checkpoints never block the writer
// or readers.
//
// But a PASSIVE checkpoint never restarts the log either: SQLite writes the WAL from its start
// again only when every frame has been copied and no reader still reads from it, which under
// steady load (a reader always in a read transaction, the writer always committing) never
// happens, and the file grew by gigabytes (8 GB after 100,000 registrations in two minutes,
// bench/memory_bench.sh). So when the log passes DatabaseOptions::wal_limit_bytes, the next
// checkpoint is TRUNCATE: it waits (busy timeout) until the readers have left the log, copies
// the rest, and cuts the file to zero. Commits wait for that moment (at most 200 ms, then it
// tries again at the next round); readers do not.

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
  /// Checkpoints done so far, and of them the ones that truncated the log.
  std::uint64_t checkpoints() const;
  std::uint64_t truncations() const;
  /// One checkpoint now, on the caller's thread (PASSIVE, or TRUNCATE past the limit).
  void checkpoint();

 private:
  void run();

  std::unique_ptr<Database> db_;
  std::chrono::milliseconds interval_;
  std::int64_t wal_limit_bytes_;
  int busy_timeout_ms_;
  static constexpr std::chrono::milliseconds kTruncateWait{200};
  bool truncate_next_ = false;  // the log passed the limit at the last checkpoint
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t checkpoints_ = 0;
  std::uint64_t truncations_ = 0;
  std::thread thread_;
};

}  // namespace disputed::store
