#include "core/engine/command_writer.hpp"

#include <vector>

namespace disputed::engine {

CommandWriter::CommandWriter(DisputeService& service, std::size_t max_batch)
    : service_(service), max_batch_(max_batch == 0 ? 1 : max_batch) {}

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
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }

    std::optional<domain::Error> failure;
    try {
      service_.batch([&] {
        for (auto& job : batch) {
          try {
            job.execute(service_);
          } catch (...) {
            // A command reports its failures as values; an escaped exception is a bug in one
            // job and must not take the others down. Its slot stays empty: "did not run".
          }
        }
      });
    } catch (const std::exception& e) {
      // BEGIN or COMMIT failed (disk full, lock held by another process beyond the busy
      // timeout): the transaction rolled back, so every command of the batch failed.
      failure =
          domain::Error::internal(std::string("storage error, nothing was written: ") + e.what());
    }
    for (auto& job : batch) job.complete(failure);

    {
      std::lock_guard lock(mutex_);
      stats_.commands += batch.size();
      stats_.batches += 1;
      if (failure) stats_.failed_batches += 1;
      if (batch.size() > stats_.largest_batch) stats_.largest_batch = batch.size();
    }
    batch.clear();
  }
}

}  // namespace disputed::engine
