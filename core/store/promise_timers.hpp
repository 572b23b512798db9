#pragma once
// The timers that watch the date promised to the customer (migration 7): per dispute one before
// the date (the early warning) and one at it, each fired once. What they do is the engine's
// (engine::PromiseWatch).

#include <cstdint>
#include <string>
#include <vector>

#include "core/domain/time.hpp"
#include "core/store/sqlite.hpp"

namespace disputed::store {

struct PromiseTimerRecord {
  std::int64_t id = 0;
  std::int64_t dispute_id = 0;
  std::string stage;       // "before" | "due"
  domain::Instant due_at;  // the promised date it watches
  domain::Instant fire_at;
};

class PromiseTimerStore {
 public:
  explicit PromiseTimerStore(Database& db) : db_(db) {}

  void insert(PromiseTimerRecord& timer);
  /// Unfired timers due at or before `now`, oldest first.
  std::vector<PromiseTimerRecord> due(domain::Instant now, int limit);
  void mark_fired(std::int64_t id, domain::Instant now);
  /// Removes the dispute's timers that have not fired (the promise changed or was kept).
  void delete_unfired(std::int64_t dispute_id);

 private:
  Database& db_;
};

}  // namespace disputed::store
