#pragma once
// Invariant 1, the dunning hold: while an invoice has an open dispute it is not collectable.
// Placing and releasing holds writes the hold rows, the collection feed (what the dunning system
// follows) and the dossier together, inside the command's transaction.

#include <string>

#include "core/engine/engine_context.hpp"

namespace disputed::engine {

class DunningHold {
 public:
  explicit DunningHold(EngineContext& context) : ctx_(context) {}

  /// A hold on each invoice of `d` (registration, reopening): `hold_placed` on the feed.
  void place(const store::DisputeRecord& d, domain::Instant now, const std::string& actor);
  /// Releases the holds of `d` (it ended with `resolution`). An invoice whose last hold goes gets
  /// its new due date by the dunning policy (`hold_released` with `due_date`); one still held by
  /// another dispute stays on hold (`still_on_hold: true`).
  void release(const store::DisputeRecord& d, domain::Resolution resolution, domain::Instant now,
               const std::string& actor);

 private:
  EngineContext& ctx_;
};

}  // namespace disputed::engine
