#pragma once
// The domain's vocabulary: invoices, disputes, steps, resolutions. Plain data, no I/O.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/domain/decimal.hpp"
#include "core/domain/result.hpp"
#include "core/domain/time.hpp"

namespace disputed::domain {

struct Customer {
  std::string id;
  std::string name;
  std::string email;
  std::string language = "en";  // ISO 639-1, used for customer messages
};

struct Invoice {
  std::string number;  // unique across the ledger
  Customer customer;
  Decimal amount;
  std::string currency;  // ISO 4217
  Date issue_date;
  Date due_date;                // current due date; moved by a hold release
  std::string account_manager;  // e-mail of the person who owns the customer relationship
};

/// open -> in_progress -> resolved | withdrawn -> closed; resolved/withdrawn/closed -> reopen.
enum class DisputeStatus { kOpen, kInProgress, kResolved, kWithdrawn, kClosed };
enum class Channel { kPhone, kEmail, kWhatsapp, kPortal, kLetter, kOther };
enum class Resolution { kCreditNote, kCorrectedInvoice, kRejected, kWithdrawn };
enum class StepStatus { kOpen, kCompleted, kCancelled };
/// Who a step is for: a named person, every member of a role, or the customer's account manager.
enum class AssigneeKind { kPerson, kRole, kAccountManager };
enum class Direction { kInbound, kOutbound, kInternal };

std::string_view to_string(DisputeStatus);
std::string_view to_string(Channel);
std::string_view to_string(Resolution);
std::string_view to_string(StepStatus);
std::string_view to_string(AssigneeKind);
std::string_view to_string(Direction);

std::optional<DisputeStatus> parse_dispute_status(std::string_view);
std::optional<Channel> parse_channel(std::string_view);
std::optional<Resolution> parse_resolution(std::string_view);
std::optional<StepStatus> parse_step_status(std::string_view);
std::optional<AssigneeKind> parse_assignee_kind(std::string_view);
std::optional<Direction> parse_direction(std::string_view);

/// Comma-separated accepted spellings, for error messages ("phone, email, ...").
std::string channel_names();
std::string resolution_names();
std::string dispute_status_names();

/// True when a dispute in this status still blocks collection of its invoices.
inline bool holds_invoices(DisputeStatus s) {
  return s == DisputeStatus::kOpen || s == DisputeStatus::kInProgress;
}

/// Validates the fields of an invoice (number, customer, amount > 0, currency, dates).
/// Appends one FieldProblem per problem, with `prefix` before each field name.
void validate_invoice(const Invoice& invoice, const std::string& prefix,
                      std::vector<FieldProblem>& problems);

/// A plausible e-mail address: one '@', something on each side, a dot in the domain, no spaces.
bool looks_like_email(std::string_view s);

}  // namespace disputed::domain
