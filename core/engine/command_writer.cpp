#include "core/engine/command_writer.hpp"

#include <vector>

#include "core/store/sqlite.hpp"

namespace disputed::engine {

CommandWriter::CommandWriter(Session& session, std::size_t max_batch)
    : session_(session), max_batch_(max_batch == 0 ? 1 : max_batch) {}

CommandWriter::~CommandWriter() { stop(); }

void CommandWriter::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopped_) return;
  thread_ = std::thread([this] { loop(); });
}

void CommandWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::deque<Job> left;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    left.swap(queue_);  // only when the thread never started
  }
  for (auto& job : left) job.complete(domain::Error::internal("the server is stopping"));
}

void CommandWriter::enqueue(Job job) {
  {
    std::lock_guard lock(mutex_);
    if (!stopped_) {
      queue_.push_back(std::move(job));
      wake_.notify_one();
      return;
    }
  }
  job.complete(domain::Error::internal("the server is stopping"));
}

CommandWriter::Stats CommandWriter::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void CommandWriter::loop() {
  std::vector<Job> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {  // stopping, and everything queued has run
        stopped_ = true;
        return;
      }
      // A batch of shared jobs up to the next job that commits alone, or that job by itself.
      do {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      } while (!batch.front().alone && !queue_.empty() && !queue_.front().alone &&
               batch.size() < max_batch_);
    }

    if (batch.front().alone) {
      run_alone(batch.front());
      std::lock_guard lock(mutex_);
      stats_.commands += 1;
      stats_.batches += 1;
      batch.clear();
      continue;
    }
    bool failed = false;
    std::size_t answered = batch.size();
    std::vector<Job> again = run_batch(batch, failed);
    answered -= again.size();
    {
      std::lock_guard lock(mutex_);
      // First in the queue, in their order: they were next before the rollback, too.
      for (auto it = again.rbegin(); it != again.rend(); ++it) queue_.push_front(std::move(*it));
      stats_.commands += answered;
      stats_.batches += 1;
      if (failed) stats_.failed_batches += 1;
      if (batch.size() > stats_.largest_batch) stats_.largest_batch = batch.size();
    }
    batch.clear();
  }
}

bool CommandWriter::run_job(Job& job, std::optional<domain::Error>& error) {
  store::Database& db = session_.database();
  try {
    store::Transaction savepoint(db);  // nested in the batch's transaction: a SAVEPOINT
    error = job.execute(session_);
    if (!db.in_transaction()) return false;  // the savepoint went with the transaction
    if (!error) savepoint.commit();
    // else the savepoint rolls back: a failed command leaves nothing behind
  } catch (const std::exception& e) {
    // A command reports its failures as values; an escaped exception is a bug in one command
    // and must not take the others down. Its savepoint rolled back; it is answered as failed.
    error = domain::Error::internal(std::string("the command failed: ") + e.what());
    job.fail(*error);
  }
  return db.in_transaction();
}

void CommandWriter::run_alone(Job& job) {
  store::Database& db = session_.database();
  std::optional<domain::Error> failure;
  try {
    store::Transaction tx(db);  // BEGIN IMMEDIATE
    store::TransactionRequired inside(db);
    std::optional<domain::Error> error = job.execute(session_);
    if (!db.in_transaction()) {
      failure = domain::Error::internal("storage error, nothing was written: " +
                                        (error ? error->message : "SQLite rolled it back"));
    } else if (!error) {
      tx.commit();
    }  // else the command failed: its transaction rolls back, nothing of it stays
  } catch (const std::exception& e) {
    failure =
        domain::Error::internal(std::string("storage error, nothing was written: ") + e.what());
  }
  if (failure) job.fail(*failure);
  job.complete(std::nullopt);
  if (failure) {
    std::lock_guard lock(mutex_);
    stats_.failed_batches += 1;
  }
}

std::vector<CommandWriter::Job> CommandWriter::run_batch(std::vector<Job>& batch, bool& failed) {
  store::Database& db = session_.database();
  std::vector<Job> again;
  std::optional<domain::Error> failure;
  try {
    store::Transaction tx(db);  // BEGIN IMMEDIATE
    // Should SQLite roll it back mid-batch, nothing that follows may run outside it.
    store::TransactionRequired inside(db);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      std::optional<domain::Error> error;
      if (run_job(batch[i], error)) continue;
      // SQLite rolled the transaction back while this command ran (an I/O error, a full disk):
      // this command hears it; the work of those before it is gone, and they run again in the
      // next batch with those not run yet — never one by one outside a transaction.
      std::string why = error ? error->message : "SQLite rolled the transaction back";
      batch[i].fail(domain::Error::internal("storage error, nothing was written: " + why));
      batch[i].complete(std::nullopt);
      for (std::size_t j = 0; j < batch.size(); ++j)
        if (j != i) again.push_back(std::move(batch[j]));
      failed = true;
      return again;
    }
    tx.commit();
  } catch (const std::exception& e) {
    // BEGIN or COMMIT failed (disk full, lock held by another process beyond the busy
    // timeout): the transaction rolled back, so every command of the batch failed.
    failure =
        domain::Error::internal(std::string("storage error, nothing was written: ") + e.what());
    failed = true;
  }
  for (auto& job : batch) job.complete(failure);
  return again;
}

}  // namespace disputed::engine
