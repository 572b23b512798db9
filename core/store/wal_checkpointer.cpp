#include "core/store/wal_checkpointer.hpp"

#include <sqlite3.h>

namespace disputed::store {

namespace {
// It copies pages while the writer commits: see DatabaseOptions::memory_map.
// Its page cache is not used for copying (the WAL is read into a buffer of its own): the reader's.
DatabaseOptions without_memory_map(const DatabaseOptions& options) { return options.for_reader(); }
}  // namespace

WalCheckpointer::WalCheckpointer(const std::filesystem::path& file, DatabaseOptions options,
                                 std::chrono::milliseconds interval)
    : db_(std::make_unique<Database>(file, without_memory_map(options))),
      interval_(interval),
      wal_limit_bytes_(options.wal_limit_bytes),
      busy_timeout_ms_(options.busy_timeout_ms) {}

WalCheckpointer::~WalCheckpointer() { stop(); }

void WalCheckpointer::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void WalCheckpointer::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  checkpoint();
}

std::uint64_t WalCheckpointer::checkpoints() const {
  std::lock_guard lock(mutex_);
  return checkpoints_;
}

std::uint64_t WalCheckpointer::truncations() const {
  std::lock_guard lock(mutex_);
  return truncations_;
}

void WalCheckpointer::checkpoint() {
  try {
    bool truncate = truncate_next_;
    // While a TRUNCATE waits for the readers, new commits wait too: it waits briefly (readers'
    // transactions are short) and otherwise gives up until the next round.
    if (truncate) sqlite3_busy_timeout(db_->handle(), int(kTruncateWait.count()));
    // One row: busy (0/1), frames in the log, frames copied into the database file.
    Statement& s = db_->prepare_cached(truncate ? "PRAGMA wal_checkpoint(TRUNCATE)"
                                                : "PRAGMA wal_checkpoint(PASSIVE)");
    bool busy = false;
    std::int64_t frames = 0;
    if (s.step()) {
      busy = s.int64(0) != 0;
      frames = s.int64(1);
    }
    s.reset();
    if (truncate) sqlite3_busy_timeout(db_->handle(), busy_timeout_ms_);
    Statement& p = db_->prepare_cached("PRAGMA page_size");
    std::int64_t page_size = p.step() ? p.int64(0) : 4096;
    p.reset();
    // A frame is a page and a 24-byte header. A TRUNCATE that got its turn leaves no frames.
    truncate_next_ = frames * (page_size + 24) > wal_limit_bytes_;
    std::lock_guard lock(mutex_);
    ++checkpoints_;
    if (truncate && !busy) ++truncations_;
  } catch (const SqliteError&) {
    // Busy or interrupted: the next round tries again; the WAL only grows meanwhile.
  }
}

void WalCheckpointer::run() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, interval_, [this] { return stopping_; });
      if (stopping_) return;
    }
    checkpoint();
  }
}

}  // namespace disputed::store
