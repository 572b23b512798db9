#pragma once
// The management's daily digest (disputed.json notifications.digest, docs/messaging.md): once a
// day, at notifications.digest_at in the calendar's time zone, every digest rule's recipients get
// one message listing the disputes registered that day — an account manager those on their own
// invoices, a person or a role all of them. Checked on every timer tick; the day before is looked
// at too, so a server that was down at digest time sends it when it comes back. Exactly once per
// rule, recipient and day (the outbox's unique action key); a day without disputes sends nothing.

#include <optional>

#include "core/domain/time.hpp"
#include "core/engine/engine_context.hpp"
#include "core/engine/task_outbox.hpp"

namespace disputed::engine {

class DailyDigest {
 public:
  DailyDigest(EngineContext& context, TaskOutbox& outbox) : ctx_(context), outbox_(outbox) {}

  /// Queues the digests that are due at `now` and not yet queued; returns how many it queued.
  /// Runs inside the caller's transaction.
  int tick(domain::Instant now);

 private:
  int queue_day(domain::Date day, domain::Instant now);

  EngineContext& ctx_;
  TaskOutbox& outbox_;
  std::optional<domain::Date> done_through_;  // days whose digests are queued (this process)
};

}  // namespace disputed::engine
