#include "core/domain/model.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace disputed::domain {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Every enum's to_string and parse agree for all values; unknown or differently cased names fail.
template <class E>
void expect_round_trip(std::initializer_list<E> all, std::optional<E> (*parse)(std::string_view),
                       std::initializer_list<std::string_view> names) {
  ASSERT_EQ(all.size(), names.size());
  auto name = names.begin();
  for (E value : all) {
    EXPECT_EQ(to_string(value), *name);
    auto parsed = parse(*name);
    ASSERT_TRUE(parsed) << *name;
    EXPECT_EQ(*parsed, value) << *name;
    std::string upper(*name);
    for (char& c : upper) c = char(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_FALSE(parse(upper)) << upper;
    ++name;
  }
  for (std::string_view bad : {"", "unknown", " open", "open ", "in-progress", "credit note"})
    EXPECT_FALSE(parse(bad)) << "'" << bad << "'";
}

TEST(ModelEnumTest, DisputeStatusRoundTrips) {
  expect_round_trip({DisputeStatus::kOpen, DisputeStatus::kInProgress, DisputeStatus::kResolved,
                     DisputeStatus::kWithdrawn, DisputeStatus::kClosed},
                    parse_dispute_status,
                    {"open", "in_progress", "resolved", "withdrawn", "closed"});
}

TEST(ModelEnumTest, ChannelRoundTrips) {
  expect_round_trip({Channel::kPhone, Channel::kEmail, Channel::kWhatsapp, Channel::kPortal,
                     Channel::kLetter, Channel::kOther},
                    parse_channel, {"phone", "email", "whatsapp", "portal", "letter", "other"});
}

TEST(ModelEnumTest, ResolutionRoundTrips) {
  expect_round_trip({Resolution::kCreditNote, Resolution::kCorrectedInvoice, Resolution::kRejected,
                     Resolution::kWithdrawn},
                    parse_resolution,
                    {"credit_note", "corrected_invoice", "rejected", "withdrawn"});
}

TEST(ModelEnumTest, StepStatusRoundTrips) {
  expect_round_trip({StepStatus::kOpen, StepStatus::kCompleted, StepStatus::kCancelled},
                    parse_step_status, {"open", "completed", "cancelled"});
}

TEST(ModelEnumTest, AssigneeKindRoundTrips) {
  expect_round_trip({AssigneeKind::kPerson, AssigneeKind::kRole, AssigneeKind::kAccountManager},
                    parse_assignee_kind, {"person", "role", "account_manager"});
}

TEST(ModelEnumTest, DirectionRoundTrips) {
  expect_round_trip({Direction::kInbound, Direction::kOutbound, Direction::kInternal},
                    parse_direction, {"inbound", "outbound", "internal"});
}

TEST(ModelEnumTest, ListsAcceptedSpellingsForErrorMessages) {
  EXPECT_EQ(channel_names(), "phone, email, whatsapp, portal, letter, other");
  EXPECT_EQ(resolution_names(), "credit_note, corrected_invoice, rejected, withdrawn");
  EXPECT_EQ(dispute_status_names(), "open, in_progress, resolved, withdrawn, closed");
}

TEST(ModelEnumTest, OnlyOpenAndInProgressDisputesHoldInvoices) {
  EXPECT_TRUE(holds_invoices(DisputeStatus::kOpen));
  EXPECT_TRUE(holds_invoices(DisputeStatus::kInProgress));
  EXPECT_FALSE(holds_invoices(DisputeStatus::kResolved));
  EXPECT_FALSE(holds_invoices(DisputeStatus::kWithdrawn));
  EXPECT_FALSE(holds_invoices(DisputeStatus::kClosed));
}

Invoice good_invoice() {
  Invoice inv;
  inv.number = "INV-2026-0001";
  inv.customer = {"C-100", "Acme B.V.", "ap@acme.example", "nl"};
  inv.amount = *Decimal::parse("1234.50");
  inv.currency = "EUR";
  inv.issue_date = 2026y / 11 / 1;
  inv.due_date = 2026y / 12 / 1;
  inv.account_manager = "jan@ours.example";
  return inv;
}

std::vector<std::string> fields_of(const Invoice& inv, const std::string& prefix = "invoices[1].") {
  std::vector<FieldProblem> problems;
  validate_invoice(inv, prefix, problems);
  std::vector<std::string> fields;
  for (const auto& p : problems) {
    EXPECT_FALSE(p.problem.empty()) << p.field;
    fields.push_back(p.field);
  }
  return fields;
}

TEST(ValidateInvoiceTest, AcceptsAGoodInvoice) {
  EXPECT_THAT(fields_of(good_invoice()), IsEmpty());
  Invoice minimal = good_invoice();
  minimal.customer.email.clear();
  minimal.account_manager.clear();
  minimal.due_date = minimal.issue_date;  // due on issue is allowed
  EXPECT_THAT(fields_of(minimal), IsEmpty());
}

TEST(ValidateInvoiceTest, ReportsEachBadFieldWithThePrefix) {
  auto with = [](auto change) {
    Invoice inv = good_invoice();
    change(inv);
    return fields_of(inv);
  };
  EXPECT_THAT(with([](Invoice& i) { i.number.clear(); }), ElementsAre("invoices[1].number"));
  EXPECT_THAT(with([](Invoice& i) { i.number.assign(65, 'X'); }),
              ElementsAre("invoices[1].number"));
  EXPECT_THAT(with([](Invoice& i) { i.number.assign(64, 'X'); }), IsEmpty());
  EXPECT_THAT(with([](Invoice& i) { i.customer.id.clear(); }),
              ElementsAre("invoices[1].customer_id"));
  EXPECT_THAT(with([](Invoice& i) { i.customer.name.clear(); }),
              ElementsAre("invoices[1].customer_name"));
  EXPECT_THAT(with([](Invoice& i) { i.customer.email = "not-an-address"; }),
              ElementsAre("invoices[1].customer_email"));
  EXPECT_THAT(with([](Invoice& i) { i.customer.language = "eng"; }),
              ElementsAre("invoices[1].customer_language"));
  EXPECT_THAT(with([](Invoice& i) { i.customer.language = "12"; }),
              ElementsAre("invoices[1].customer_language"));
  EXPECT_THAT(with([](Invoice& i) { i.customer.language = "\xc3\xa9"; }),  // "é": two bytes
              ElementsAre("invoices[1].customer_language"));
  EXPECT_THAT(with([](Invoice& i) { i.amount = Decimal(); }), ElementsAre("invoices[1].amount"));
  EXPECT_THAT(with([](Invoice& i) { i.amount = *Decimal::parse("-0.01"); }),
              ElementsAre("invoices[1].amount"));
  EXPECT_THAT(with([](Invoice& i) { i.currency = "eur"; }), ElementsAre("invoices[1].currency"));
  EXPECT_THAT(with([](Invoice& i) { i.due_date = 2026y / 10 / 31; }),
              ElementsAre("invoices[1].due_date"));
  EXPECT_THAT(with([](Invoice& i) { i.issue_date = Date{}; }),
              ElementsAre("invoices[1].issue_date"));
  EXPECT_THAT(with([](Invoice& i) { i.due_date = 2026y / 2 / 30; }),
              ElementsAre("invoices[1].due_date"));
  EXPECT_THAT(with([](Invoice& i) { i.account_manager = "jan"; }),
              ElementsAre("invoices[1].account_manager"));
}

TEST(ValidateInvoiceTest, ReportsEveryProblemAtOnceAndAppends) {
  std::vector<FieldProblem> problems{{"earlier", "kept"}};
  validate_invoice(Invoice{}, "", problems);
  std::vector<std::string> fields;
  for (const auto& p : problems) fields.push_back(p.field);
  EXPECT_THAT(fields, ElementsAre("earlier", "number", "customer_id", "customer_name", "amount",
                                  "currency", "issue_date", "due_date"));
}

TEST(ValidateInvoiceTest, ProblemTextNamesTheBadValue) {
  Invoice inv = good_invoice();
  inv.currency = "Euro";
  inv.customer.email = "ap at acme";
  std::vector<FieldProblem> problems;
  validate_invoice(inv, "line 7: ", problems);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].field, "line 7: customer_email");
  EXPECT_THAT(problems[0].problem, HasSubstr("'ap at acme'"));
  EXPECT_EQ(problems[1].field, "line 7: currency");
  EXPECT_THAT(problems[1].problem, HasSubstr("'Euro'"));
}

TEST(LooksLikeEmailTest, AcceptsPlausibleAddresses) {
  for (const char* s :
       {"a@b.co", "first.last@sub.example.com", "x+tag@example.nl", "o'brien@example.ie"})
    EXPECT_TRUE(looks_like_email(s)) << s;
}

TEST(LooksLikeEmailTest, RejectsImplausibleAddresses) {
  for (const char* s : {"", "a", "@b.co", "a@", "a@b", "a@.co", "a@b.", "a@@b.co", "a@b@c.co",
                        "a b@c.co", "a@b.co ", "a@b.co,c@d.co", "a@b.co;c@d.co", "a\t@b.co"})
    EXPECT_FALSE(looks_like_email(s)) << "'" << s << "'";
}

}  // namespace
}  // namespace disputed::domain
