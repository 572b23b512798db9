#include "core/sync/delivery.hpp"

namespace disputed::sync {

using Status = sdk::ApplyResult::Status;

const char* status_name(Status s) {
  switch (s) {
    case Status::kApplied:
      return "applied";
    case Status::kAlreadyApplied:
      return "already applied";
    case Status::kRetryable:
      return "retryable";
    case Status::kRateLimited:
      return "rate limited";
    case Status::kAuthFailed:
      return "auth failed";
    case Status::kRejected:
      return "rejected";
  }
  return "?";
}

void record_deliveries(engine::ConnectorLedger& ledger, const std::string& instance,
                       const std::vector<Delivery>& deliveries) {
  auto status = ledger.status(instance);
  for (const auto& d : deliveries) {
    switch (d.outcome) {
      case Delivery::Outcome::kDone:
        if (d.row.kind == "message")
          ledger.message_sent(instance, d.row, d.message.value_or(engine::SentMessage{}),
                              d.external_ref);
        else
          ledger.delivered(instance, d.row, d.external_ref, d.external_url);
        status.applied += 1;
        status.last_apply_at = d.at;
        if (status.state != "paused") status.state = "running";
        status.last_error.reset();
        break;
      case Delivery::Outcome::kRejected:
        if (d.row.kind == "message")
          ledger.message_failed(instance, d.row, d.message.value_or(engine::SentMessage{}),
                                d.attempts, "rejected: " + d.error);
        else
          ledger.rejected(instance, d.row, d.attempts, d.error);
        status.last_error = d.error;
        break;
      case Delivery::Outcome::kRetry:
      case Delivery::Outcome::kGiveUp:
        status.retries += 1;
        status.last_error = d.error;
        status.state = d.status == Status::kAuthFailed ? "failing" : "degraded";
        if (d.outcome == Delivery::Outcome::kGiveUp && d.row.kind == "message")
          ledger.message_failed(instance, d.row, d.message.value_or(engine::SentMessage{}),
                                d.attempts, d.error);
        else if (d.outcome == Delivery::Outcome::kGiveUp)
          ledger.give_up(d.row, d.attempts, d.error);
        else
          ledger.retry_later(d.row, d.attempts, d.next_attempt_at, d.error);
        break;
    }
  }
  ledger.save_status(status);
}

std::string log_line(const std::string& instance, const Delivery& d) {
  switch (d.outcome) {
    case Delivery::Outcome::kDone:
      return {};
    case Delivery::Outcome::kRejected:
      return instance + ": " + d.row.action_key + " rejected: " + d.error;
    case Delivery::Outcome::kRetry:
    case Delivery::Outcome::kGiveUp:
      return instance + ": " + d.row.action_key + " " + d.error;
  }
  return {};
}

}  // namespace disputed::sync
