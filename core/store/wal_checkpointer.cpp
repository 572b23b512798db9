#include "core/store/wal_checkpointer.hpp"

namespace disputed::store {

namespace {
// It copies pages while the writer commits: see DatabaseOptions::memory_map.
DatabaseOptions without_memory_map(DatabaseOptions options) {
  options.memory_map = false;
  return options;
}
}  // namespace

WalCheckpointer::WalCheckpointer(const std::filesystem::path& file, DatabaseOptions options,
                                 std::chrono::milliseconds interval)
    : db_(std::make_unique<Database>(file, without_memory_map(options))), interval_(interval) {}

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

void WalCheckpointer::checkpoint() {
  try {
    db_->exec("PRAGMA wal_checkpoint(PASSIVE)");
    std::lock_guard lock(mutex_);
    ++checkpoints_;
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
