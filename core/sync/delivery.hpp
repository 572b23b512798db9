#pragma once
// What became of one delivered action, decided by the sync engine and recorded by the engine's
// connector ledger in the writer's transaction. Decisions are made before the write (backoff and
// jitter included), so recording them is pure database work and may safely run again.

#include <optional>
#include <string>
#include <vector>

#include "core/engine/connector_ledger.hpp"
#include "disputed/sdk/types.hpp"

namespace disputed::sync {

struct Delivery {
  enum class Outcome { kDone, kRejected, kRetry, kGiveUp };
  engine::OutboxRecord row;  // as claimed
  Outcome outcome = Outcome::kDone;
  sdk::ApplyResult::Status status = sdk::ApplyResult::Status::kApplied;
  int attempts = 0;
  std::string external_ref;           // done
  std::string external_url;           // done
  domain::Instant next_attempt_at{};  // retry
  std::string error;                  // rejected (the system's message), retry, give up
  domain::Instant at{};               // when the connector answered
  /// For a message (kind "message"): what it was, for the dossier; unset when it was never
  /// composed (its facts could not make one).
  std::optional<engine::SentMessage> message;
};

/// "applied", "rate limited", ...
const char* status_name(sdk::ApplyResult::Status status);

/// Records `deliveries` of `instance` and its status (counts, state, last error), inside one
/// writer job: every delivery of a round commits together or not at all.
void record_deliveries(engine::ConnectorLedger& ledger, const std::string& instance,
                       const std::vector<Delivery>& deliveries);

/// The line an operator reads for a delivery that did not succeed; empty for a success.
std::string log_line(const std::string& instance, const Delivery& delivery);

}  // namespace disputed::sync
