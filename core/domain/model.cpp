#include "core/domain/model.hpp"

#include <array>
#include <utility>

#include "core/domain/result.hpp"

namespace disputed::domain {

namespace {

template <class E, std::size_t N>
using Names = std::array<std::pair<E, std::string_view>, N>;

constexpr Names<DisputeStatus, 5> kStatusNames{{{DisputeStatus::kOpen, "open"},
                                                {DisputeStatus::kInProgress, "in_progress"},
                                                {DisputeStatus::kResolved, "resolved"},
                                                {DisputeStatus::kWithdrawn, "withdrawn"},
                                                {DisputeStatus::kClosed, "closed"}}};
constexpr Names<Channel, 6> kChannelNames{{{Channel::kPhone, "phone"},
                                           {Channel::kEmail, "email"},
                                           {Channel::kWhatsapp, "whatsapp"},
                                           {Channel::kPortal, "portal"},
                                           {Channel::kLetter, "letter"},
                                           {Channel::kOther, "other"}}};
constexpr Names<Resolution, 4> kResolutionNames{
    {{Resolution::kCreditNote, "credit_note"},
     {Resolution::kCorrectedInvoice, "corrected_invoice"},
     {Resolution::kRejected, "rejected"},
     {Resolution::kWithdrawn, "withdrawn"}}};
constexpr Names<StepStatus, 3> kStepStatusNames{{{StepStatus::kOpen, "open"},
                                                 {StepStatus::kCompleted, "completed"},
                                                 {StepStatus::kCancelled, "cancelled"}}};
constexpr Names<AssigneeKind, 3> kAssigneeNames{
    {{AssigneeKind::kPerson, "person"},
     {AssigneeKind::kRole, "role"},
     {AssigneeKind::kAccountManager, "account_manager"}}};
constexpr Names<Direction, 3> kDirectionNames{{{Direction::kInbound, "inbound"},
                                               {Direction::kOutbound, "outbound"},
                                               {Direction::kInternal, "internal"}}};

template <class E, std::size_t N>
std::string_view name_of(const Names<E, N>& names, E value) {
  for (const auto& [e, n] : names)
    if (e == value) return n;
  return "?";
}

template <class E, std::size_t N>
std::optional<E> parse_of(const Names<E, N>& names, std::string_view text) {
  for (const auto& [e, n] : names)
    if (n == text) return e;
  return std::nullopt;
}

template <class E, std::size_t N>
std::string list_of(const Names<E, N>& names) {
  std::string out;
  for (const auto& [e, n] : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

}  // namespace

std::string_view to_string(DisputeStatus v) { return name_of(kStatusNames, v); }
std::string_view to_string(Channel v) { return name_of(kChannelNames, v); }
std::string_view to_string(Resolution v) { return name_of(kResolutionNames, v); }
std::string_view to_string(StepStatus v) { return name_of(kStepStatusNames, v); }
std::string_view to_string(AssigneeKind v) { return name_of(kAssigneeNames, v); }
std::string_view to_string(Direction v) { return name_of(kDirectionNames, v); }

std::optional<DisputeStatus> parse_dispute_status(std::string_view s) {
  return parse_of(kStatusNames, s);
}
std::optional<Channel> parse_channel(std::string_view s) { return parse_of(kChannelNames, s); }
std::optional<Resolution> parse_resolution(std::string_view s) {
  return parse_of(kResolutionNames, s);
}
std::optional<StepStatus> parse_step_status(std::string_view s) {
  return parse_of(kStepStatusNames, s);
}
std::optional<AssigneeKind> parse_assignee_kind(std::string_view s) {
  return parse_of(kAssigneeNames, s);
}
std::optional<Direction> parse_direction(std::string_view s) {
  return parse_of(kDirectionNames, s);
}

std::string channel_names() { return list_of(kChannelNames); }
std::string resolution_names() { return list_of(kResolutionNames); }
std::string dispute_status_names() { return list_of(kStatusNames); }

bool looks_like_email(std::string_view s) {
  auto at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos)
    return false;
  auto domain = s.substr(at + 1);
  auto dot = domain.find('.');
  if (domain.empty() || dot == std::string_view::npos || dot == 0 || domain.back() == '.')
    return false;
  for (char c : s)
    if (c == ' ' || c == '\t' || c == '\n' || c == ',' || c == ';') return false;
  return true;
}

void validate_invoice(const Invoice& inv, const std::string& prefix,
                      std::vector<FieldProblem>& problems) {
  auto add = [&](const char* field, std::string problem) {
    problems.push_back({prefix + field, std::move(problem)});
  };
  if (inv.number.empty())
    add("number", "is required");
  else if (inv.number.size() > 64)
    add("number", "is longer than 64 characters");
  if (inv.customer.id.empty()) add("customer_id", "is required");
  if (inv.customer.name.empty()) add("customer_name", "is required");
  if (!inv.customer.email.empty() && !looks_like_email(inv.customer.email))
    add("customer_email", "'" + inv.customer.email + "' is not an e-mail address");
  const std::string& lang = inv.customer.language;
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  if (lang.size() != 2 || !lower(lang[0]) || !lower(lang[1]))
    add("customer_language", "must be a two-letter ISO 639-1 code");
  if (inv.amount.is_negative() || inv.amount.is_zero()) add("amount", "must be greater than zero");
  if (!is_currency_code(inv.currency))
    add("currency", "'" + inv.currency + "' is not a three-letter ISO 4217 code");
  // Converting a !ok() date to sys_days is unspecified, so order only real dates.
  if (!inv.issue_date.ok()) add("issue_date", "is not a valid date");
  if (!inv.due_date.ok())
    add("due_date", "is not a valid date");
  else if (inv.issue_date.ok() &&
           std::chrono::sys_days(inv.due_date) < std::chrono::sys_days(inv.issue_date))
    add("due_date", "is before the issue date");
  if (!inv.account_manager.empty() && !looks_like_email(inv.account_manager))
    add("account_manager", "'" + inv.account_manager + "' is not an e-mail address");
}

}  // namespace disputed::domain
