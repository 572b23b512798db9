#include "core/engine/invoice_import.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace disputed::engine {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

const std::string kHeader =
    "number,customer_id,customer_name,customer_email,customer_language,amount,currency,issue_date,"
    "due_date,account_manager\n";

// A CSV row for kHeader with good values, numbered `number`.
std::string good_line(const std::string& number, const std::string& amount = "100.00") {
  return number + ",C-1,Acme B.V.,ap@acme.example,nl," + amount +
         ",EUR,2026-11-01,2026-12-01,jan@ours.example\n";
}

ParsedInvoices parsed_csv(std::string_view text) {
  auto result = parse_invoices_csv(text);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().describe());
  return result.ok() ? std::move(result).value() : ParsedInvoices{};
}

ParsedInvoices parsed_json(std::string_view text) {
  auto result = parse_invoices_json(text);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().describe());
  return result.ok() ? std::move(result).value() : ParsedInvoices{};
}

std::vector<std::string> wheres(const ParsedInvoices& p) {
  std::vector<std::string> out;
  for (const auto& row : p.rows) out.push_back(row.where);
  return out;
}

// "line 4 INV-4: amount: '12,50' is not ..." per problem, for readable expectations.
std::vector<std::string> problems(const ParsedInvoices& p) {
  std::vector<std::string> out;
  for (const auto& r : p.rejected)
    for (const auto& problem : r.problems)
      out.push_back(r.where + " " + r.number + ": " + problem.field + ": " + problem.problem);
  return out;
}

// The fields named by the problems of the only rejected row.
std::vector<std::string> rejected_fields(const ParsedInvoices& p) {
  EXPECT_THAT(p.rejected, SizeIs(1));
  std::vector<std::string> out;
  if (p.rejected.empty()) return out;
  for (const auto& problem : p.rejected[0].problems) out.push_back(problem.field);
  return out;
}

// --- CSV -------------------------------------------------------------------------------------

TEST(InvoiceImportCsvTest, ReadsGoodRows) {
  auto p = parsed_csv(kHeader + good_line("INV-1", "1234.50") +
                      "INV-2,C-2,Beta GmbH,,,99,USD,2026-01-31,2026-02-28,\n");
  EXPECT_THAT(p.rejected, IsEmpty());
  ASSERT_THAT(p.rows, SizeIs(2));
  EXPECT_THAT(wheres(p), ElementsAre("line 2", "line 3"));

  const auto& first = p.rows[0].invoice;
  EXPECT_EQ(first.number, "INV-1");
  EXPECT_EQ(first.customer.id, "C-1");
  EXPECT_EQ(first.customer.name, "Acme B.V.");
  EXPECT_EQ(first.customer.email, "ap@acme.example");
  EXPECT_EQ(first.customer.language, "nl");
  EXPECT_EQ(first.amount.to_string(), "1234.50");
  EXPECT_EQ(first.currency, "EUR");
  EXPECT_EQ(domain::format_date(first.issue_date), "2026-11-01");
  EXPECT_EQ(domain::format_date(first.due_date), "2026-12-01");
  EXPECT_EQ(first.account_manager, "jan@ours.example");

  const auto& second = p.rows[1].invoice;  // optional fields left empty
  EXPECT_EQ(second.customer.email, "");
  EXPECT_EQ(second.customer.language, "en");
  EXPECT_EQ(second.account_manager, "");
  EXPECT_EQ(second.amount.to_string(), "99.00");
}

TEST(InvoiceImportCsvTest, AcceptsColumnsInAnyOrderAndCaseAndOnlyTheRequiredOnes) {
  auto p = parsed_csv(
      "Amount, CURRENCY ,number,customer_name,customer_id,due_date,issue_date\n"
      "10.5,EUR,INV-9,Acme,C-1,2026-12-01,2026-11-01\n");
  ASSERT_THAT(p.rows, SizeIs(1));
  EXPECT_EQ(p.rows[0].invoice.number, "INV-9");
  EXPECT_EQ(p.rows[0].invoice.amount.to_string(), "10.50");
  EXPECT_EQ(p.rows[0].invoice.customer.language, "en");
}

TEST(InvoiceImportCsvTest, TrimsValuesAndLowerCasesTheLanguage) {
  auto p =
      parsed_csv(kHeader + " INV-1 ,C-1,  Acme ,,NL,\t1234.50 , EUR ,2026-11-01 , 2026-12-01,\n");
  ASSERT_THAT(p.rows, SizeIs(1)) << ::testing::PrintToString(problems(p));
  EXPECT_EQ(p.rows[0].invoice.number, "INV-1");
  EXPECT_EQ(p.rows[0].invoice.customer.name, "Acme");
  EXPECT_EQ(p.rows[0].invoice.customer.language, "nl");
  EXPECT_EQ(p.rows[0].invoice.currency, "EUR");
}

TEST(InvoiceImportCsvTest, ReadsQuotedFieldsWithCommasQuotesAndLineBreaks) {
  auto p =
      parsed_csv(kHeader +                                                               // line 1
                 "INV-1,C-1,\"Acme, Inc.\",,,\"1234.50\",EUR,2026-11-01,2026-12-01,\n"   // line 2
                 "INV-2,C-2,\"The \"\"Best\"\" Shop\",,,5,EUR,2026-11-01,2026-12-01,\n"  // line 3
                 "INV-3,C-3,\"Line one\nLine two\n\",,,5,EUR,2026-11-01,2026-12-01,\n"  // lines 4-6
                 "INV-4,C-4,\"\",,,5,EUR,2026-11-01,2026-12-01,\n"                      // line 7
                 "INV-5,C-5,Plain,,,5,EUR,2026-11-01,2026-12-01,\"\"\n");               // line 8
  ASSERT_THAT(p.rows, SizeIs(4));
  EXPECT_EQ(p.rows[0].invoice.customer.name, "Acme, Inc.");
  EXPECT_EQ(p.rows[1].invoice.customer.name, "The \"Best\" Shop");
  EXPECT_EQ(p.rows[2].invoice.customer.name,
            "Line one\nLine two");  // inner break kept, outer trimmed
  EXPECT_THAT(wheres(p), ElementsAre("line 2", "line 3", "line 4", "line 8"));
  // An empty quoted field is an empty value: the required customer_name is missing.
  EXPECT_THAT(problems(p), ElementsAre("line 7 INV-4: customer_name: is required"));
}

TEST(InvoiceImportCsvTest, AcceptsBomCrlfAndBlankLines) {
  std::string header = kHeader.substr(0, kHeader.size() - 1) + "\r\n";
  auto p = parsed_csv("\xEF\xBB\xBF" + header +                                        // line 1
                      "INV-1,C-1,\"Two\r\nlines\",,,5,EUR,2026-11-01,2026-12-01,\r\n"  // lines 2-3
                      "\r\n"                                                           // line 4
                      "INV-2,C-2,Acme,,,5,EUR,2026-11-01,2026-12-01,\r\n"              // line 5
                      "\r\n");
  EXPECT_THAT(p.rejected, IsEmpty()) << ::testing::PrintToString(problems(p));
  EXPECT_THAT(wheres(p), ElementsAre("line 2", "line 5"));
  ASSERT_THAT(p.rows, SizeIs(2));
  EXPECT_EQ(p.rows[0].invoice.number, "INV-1");  // the BOM is not part of the first column name
  EXPECT_EQ(p.rows[0].invoice.customer.name, "Two\r\nlines");
  EXPECT_EQ(p.rows[1].invoice.account_manager, "");  // no stray '\r'
}

TEST(InvoiceImportCsvTest, AcceptsALastLineWithoutLineBreak) {
  std::string line = good_line("INV-1");
  line.pop_back();
  auto p = parsed_csv(kHeader + line);
  ASSERT_THAT(p.rows, SizeIs(1));
  EXPECT_EQ(p.rows[0].invoice.account_manager, "jan@ours.example");
}

TEST(InvoiceImportCsvTest, MissingRequiredColumnFailsTheFileAndNamesIt) {
  auto result =
      parse_invoices_csv("number,customer_id,customer_name,currency,issue_date,due_date\n" +
                         std::string("INV-1,C-1,Acme,EUR,2026-11-01,2026-12-01\n"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, domain::ErrorCode::kInvalidArgument);
  EXPECT_THAT(result.error().message, HasSubstr("line 1"));
  EXPECT_THAT(result.error().message, HasSubstr("missing required column amount"));
  ASSERT_THAT(result.error().details, SizeIs(1));
  EXPECT_EQ(result.error().details[0].field, "amount");

  auto two = parse_invoices_csv("number,customer_id,customer_name,amount,issue_date\n");
  ASSERT_FALSE(two.ok());
  EXPECT_THAT(two.error().message, HasSubstr("missing required columns currency, due_date"));
}

TEST(InvoiceImportCsvTest, UnknownOrRepeatedColumnFailsTheFile) {
  auto unknown =
      parse_invoices_csv("number,customer_id,customer_name,amout,currency,issue_date,due_date\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.error().message, HasSubstr("line 1: unknown column 'amout'"));
  EXPECT_THAT(unknown.error().message, HasSubstr("expected number, customer_id"));

  auto twice = parse_invoices_csv(kHeader.substr(0, kHeader.size() - 1) + ",Amount\n");
  ASSERT_FALSE(twice.ok());
  EXPECT_THAT(twice.error().message, HasSubstr("column 'amount' appears twice"));

  auto unnamed = parse_invoices_csv(kHeader.substr(0, kHeader.size() - 1) + ",\n");
  ASSERT_FALSE(unnamed.ok());
  EXPECT_THAT(unnamed.error().message, HasSubstr("line 1: column 11 has no name"));

  auto semicolons =
      parse_invoices_csv("number;customer_id;customer_name;amount;currency;issue_date;due_date\n");
  ASSERT_FALSE(semicolons.ok());
  EXPECT_THAT(semicolons.error().message, HasSubstr("';'"));
}

TEST(InvoiceImportCsvTest, RejectsARowWithTheWrongNumberOfFields) {
  auto p = parsed_csv(kHeader + good_line("INV-1") +
                      "INV-2,C-2,Acme,,,5,EUR,2026-11-01,2026-12-01\n" +     // 9 fields
                      "INV-3,C-3,Acme,,,5,EUR,2026-11-01,2026-12-01,,x\n" +  // 11 fields
                      good_line("INV-4"));
  EXPECT_THAT(wheres(p), ElementsAre("line 2", "line 5"));
  EXPECT_THAT(problems(p), ElementsAre("line 3 INV-2: : has 9 fields; the header has 10",
                                       "line 4 INV-3: : has 11 fields; the header has 10"));
}

TEST(InvoiceImportCsvTest, RejectsBadValuesNamingLineAndField) {
  auto p = parsed_csv(kHeader + good_line("INV-1") +                               // line 2
                      good_line("INV-2", "\"12,50\"") +                            // line 3
                      good_line("INV-3", "1.23456") +                              // line 4
                      "INV-4,C-4,Acme,,,5,eur,2026-11-01,2026-12-01,\n"            // line 5
                      "INV-5,C-5,Acme,,,5,EUR,2026-02-30,2026-12-01,\n"            // line 6
                      "INV-6,C-6,Acme,,,5,EUR,2026-11-01,01-12-2026,\n"            // line 7
                      "INV-7,C-7,Acme,ap(at)acme,,5,EUR,2026-11-01,2026-12-01,\n"  // line 8
                      "INV-8,C-8,Acme,,,5,EUR,2026-11-01,2026-10-01,jan\n"         // line 9
                      "INV-9,C-9,Acme,,,0,EUR,2026-11-01,2026-12-01,\n");          // line 10
  EXPECT_THAT(wheres(p), ElementsAre("line 2"));
  EXPECT_THAT(
      problems(p),
      ElementsAre("line 3 INV-2: amount: '12,50' is not a decimal number (digits with an optional "
                  "'.' and up to 4 decimals)",
                  "line 4 INV-3: amount: '1.23456' has more than 4 decimals",
                  "line 5 INV-4: currency: 'eur' is not a three-letter ISO 4217 code",
                  "line 6 INV-5: issue_date: '2026-02-30' is not a calendar date",
                  "line 7 INV-6: due_date: '01-12-2026' is not a date in the form YYYY-MM-DD",
                  "line 8 INV-7: customer_email: 'ap(at)acme' is not an e-mail address",
                  "line 9 INV-8: due_date: is before the issue date",
                  "line 9 INV-8: account_manager: 'jan' is not an e-mail address",
                  "line 10 INV-9: amount: must be greater than zero"));
}

TEST(InvoiceImportCsvTest, ReportsEveryProblemOfARowOnce) {
  auto p = parsed_csv(kHeader + ",,,x,english,abc,euro,tomorrow,,\n");
  ASSERT_THAT(p.rejected, SizeIs(1));
  EXPECT_EQ(p.rejected[0].where, "line 2");
  EXPECT_EQ(p.rejected[0].number, "");
  EXPECT_THAT(rejected_fields(p),
              ElementsAre("number", "customer_id", "customer_name", "customer_email",
                          "customer_language", "amount", "currency", "issue_date", "due_date"));
}

TEST(InvoiceImportCsvTest, RejectsARepeatedNumberAsDuplicateOfTheFirstRow) {
  auto p = parsed_csv(kHeader + good_line("INV-1") + good_line("INV-2") + good_line("INV-1", "7") +
                      good_line("INV-3", "-1") + good_line("INV-3"));
  EXPECT_THAT(wheres(p), ElementsAre("line 2", "line 3"));
  EXPECT_THAT(problems(p), ElementsAre("line 4 INV-1: number: duplicate of line 2",
                                       "line 5 INV-3: amount: must be greater than zero",
                                       "line 6 INV-3: number: duplicate of line 5"));
}

TEST(InvoiceImportCsvTest, UnterminatedQuoteFailsTheFileNamingWhereItOpened) {
  auto result =
      parse_invoices_csv(kHeader + good_line("INV-1") +
                         "INV-2,C-2,\"Acme,,,5,EUR,2026-11-01,2026-12-01,\n" + good_line("INV-3"));
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error().message, HasSubstr("line 3"));
  EXPECT_THAT(result.error().message, HasSubstr("never closed"));
}

TEST(InvoiceImportCsvTest, RejectsTextAfterAClosingQuote) {
  auto p = parsed_csv(kHeader + "INV-1,C-1,\"Acme\" B.V.,,,5,EUR,2026-11-01,2026-12-01,\n" +
                      good_line("INV-2"));
  EXPECT_THAT(wheres(p), ElementsAre("line 3"));
  EXPECT_THAT(problems(p),
              ElementsAre("line 2 INV-1: customer_name: has text after its closing quote"));
}

TEST(InvoiceImportCsvTest, EmptyFileFailsButHeaderOnlyIsNothingToImport) {
  for (std::string_view empty :
       {std::string_view(""), std::string_view("\xEF\xBB\xBF"), std::string_view("\n\r\n")}) {
    auto result = parse_invoices_csv(empty);
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("empty"));
  }
  auto p = parsed_csv(kHeader);
  EXPECT_THAT(p.rows, IsEmpty());
  EXPECT_THAT(p.rejected, IsEmpty());
}

TEST(InvoiceImportCsvTest, RefusesTextThatIsNotUtf8) {
  auto p = parsed_csv(kHeader + "INV-1,C-1,Caf\xe9 Central,,,5,EUR,2026-11-01,2026-12-01,\n");
  EXPECT_THAT(
      problems(p),
      ElementsAre("line 2 INV-1: customer_name: is not valid UTF-8 text (save the file as UTF-8)"));

  auto utf16 = parse_invoices_csv(std::string("\xFF\xFEn\0u\0", 6));
  ASSERT_FALSE(utf16.ok());
  EXPECT_THAT(utf16.error().message, HasSubstr("UTF-16"));

  auto ok = parsed_csv(kHeader +
                       "INV-1,C-1,Caf\xc3\xa9 Stra\xc3\x9f"
                       "e \xe2\x82\xac,,,5,EUR,2026-11-01,2026-12-01,\n");
  EXPECT_THAT(ok.rows, SizeIs(1));
}

// --- JSON ------------------------------------------------------------------------------------

const char* kGoodJsonRow =
    R"({"number": "INV-1", "customer_id": "C-1", "customer_name": "Acme B.V.",
  "customer_email": "ap@acme.example", "customer_language": "nl", "amount": "1234.50", "currency": "EUR",
  "issue_date": "2026-11-01", "due_date": "2026-12-01", "account_manager": "jan@ours.example"})";

// A JSON row with good required values, plus `extra` (", \"key\": value" pairs).
std::string json_row(const std::string& number, const std::string& amount_json = "\"5\"",
                     const std::string& extra = "") {
  return R"({"number": ")" + number +
         R"(", "customer_id": "C-1", "customer_name": "Acme", "amount": )" + amount_json +
         R"(, "currency": "EUR", "issue_date": "2026-11-01", "due_date": "2026-12-01")" + extra +
         "}";
}

TEST(InvoiceImportJsonTest, ReadsAnArrayOfInvoices) {
  auto p = parsed_json("[" + std::string(kGoodJsonRow) + ", " + json_row("INV-2") + "]");
  EXPECT_THAT(p.rejected, IsEmpty());
  EXPECT_THAT(wheres(p), ElementsAre("invoices[0]", "invoices[1]"));
  ASSERT_THAT(p.rows, SizeIs(2));
  const auto& first = p.rows[0].invoice;
  EXPECT_EQ(first.number, "INV-1");
  EXPECT_EQ(first.customer.id, "C-1");
  EXPECT_EQ(first.customer.name, "Acme B.V.");
  EXPECT_EQ(first.customer.email, "ap@acme.example");
  EXPECT_EQ(first.customer.language, "nl");
  EXPECT_EQ(first.amount.to_string(), "1234.50");
  EXPECT_EQ(first.currency, "EUR");
  EXPECT_EQ(domain::format_date(first.issue_date), "2026-11-01");
  EXPECT_EQ(domain::format_date(first.due_date), "2026-12-01");
  EXPECT_EQ(first.account_manager, "jan@ours.example");
  EXPECT_EQ(p.rows[1].invoice.customer.language, "en");
}

TEST(InvoiceImportJsonTest, ReadsTheInvoicesWrapper) {
  auto p = parsed_json("\xEF\xBB\xBF{\"invoices\": [" + json_row("INV-1") + "]}");
  EXPECT_THAT(wheres(p), ElementsAre("invoices[0]"));
  EXPECT_THAT(parsed_json(R"({"invoices": []})").rows, IsEmpty());
  EXPECT_THAT(parsed_json("[]").rows, IsEmpty());
}

TEST(InvoiceImportJsonTest, KeepsAmountsExact) {
  auto p = parsed_json("[" + json_row("A", "0.1") + "," + json_row("B", "0.2") + "," +
                       json_row("C", "\"0.3\"") + "," + json_row("D", "12345678901.2345") + "," +
                       json_row("E", "1234") + "," + json_row("F", "922337203685476.9999") + "," +
                       json_row("G", "0.30") + "]");
  ASSERT_THAT(p.rows, SizeIs(7)) << ::testing::PrintToString(problems(p));
  auto a = p.rows[0].invoice.amount, b = p.rows[1].invoice.amount, c = p.rows[2].invoice.amount;
  EXPECT_EQ(a.units(), 1000);
  EXPECT_EQ(b.units(), 2000);
  EXPECT_EQ(*a.plus(b), c);
  EXPECT_EQ(p.rows[3].invoice.amount.to_string(4), "12345678901.2345");
  EXPECT_EQ(p.rows[3].invoice.amount.units(), 123456789012345);
  EXPECT_EQ(p.rows[4].invoice.amount.to_string(), "1234.00");
  EXPECT_EQ(p.rows[5].invoice.amount.to_string(), "922337203685476.9999");
  EXPECT_EQ(p.rows[6].invoice.amount, c);
}

TEST(InvoiceImportJsonTest, RejectsAmountsThatWouldNeedRounding) {
  auto p = parsed_json("[" + json_row("A", "1.23456") + "," + json_row("B", "1e3") + "," +
                       json_row("C", "99999999999999999999") + "," + json_row("D", "-5") + "," +
                       json_row("E", "\"1,5\"") + "]");
  EXPECT_THAT(p.rows, IsEmpty());
  EXPECT_THAT(problems(p), ElementsAre("invoices[0] A: amount: '1.23456' has more than 4 decimals",
                                       "invoices[1] B: amount: '1e3' is not a decimal number "
                                       "(digits with an optional '.' and up to 4 decimals)",
                                       "invoices[2] C: amount: '99999999999999999999' is too large",
                                       "invoices[3] D: amount: must be greater than zero",
                                       "invoices[4] E: amount: '1,5' is not a decimal number "
                                       "(digits with an optional '.' and up to 4 decimals)"));
}

TEST(InvoiceImportJsonTest, RejectsWrongTypesNamingTheField) {
  auto p = parsed_json(R"([
    {"number": 123, "customer_id": "C-1", "customer_name": true, "amount": {"value": 5},
     "currency": ["EUR"], "issue_date": "2026-11-01", "due_date": null, "customer_email": null},
    )" + json_row("INV-2") +
                       "]");
  EXPECT_THAT(wheres(p), ElementsAre("invoices[1]"));
  EXPECT_THAT(problems(p),
              ElementsAre("invoices[0] : number: must be a string, not a number",
                          "invoices[0] : customer_name: must be a string, not true/false",
                          "invoices[0] : amount: must be a string or a number, not an object",
                          "invoices[0] : currency: must be a string, not an array",
                          "invoices[0] : due_date: is required"));
}

TEST(InvoiceImportJsonTest, RejectsUnknownAndRepeatedKeys) {
  auto p = parsed_json(
      "[" + json_row("INV-1", "\"5\"", R"(, "amount_eur": "5", "nested": {"a": [1, {}]})") + "," +
      json_row("INV-2", "\"5\"", R"(, "currency": "USD")") + "," + json_row("INV-3") + "]");
  EXPECT_THAT(wheres(p), ElementsAre("invoices[2]"));
  ASSERT_THAT(p.rejected, SizeIs(2));
  EXPECT_EQ(p.rejected[0].where, "invoices[0]");
  EXPECT_EQ(p.rejected[0].number, "INV-1");
  ASSERT_THAT(p.rejected[0].problems, SizeIs(2));
  EXPECT_EQ(p.rejected[0].problems[0].field, "amount_eur");
  EXPECT_THAT(p.rejected[0].problems[0].problem, HasSubstr("is not a known key"));
  EXPECT_EQ(p.rejected[0].problems[1].field, "nested");
  EXPECT_THAT(problems(p)[2], "invoices[1] INV-2: currency: appears twice");
}

TEST(InvoiceImportJsonTest, RejectsElementsThatAreNotObjects) {
  auto p = parsed_json("[" + json_row("INV-1") + R"(, "INV-2", [1, 2], null, )" +
                       json_row("INV-5") + "]");
  EXPECT_THAT(wheres(p), ElementsAre("invoices[0]", "invoices[4]"));
  EXPECT_THAT(problems(p), ElementsAre("invoices[1] : : is a string, not an invoice object",
                                       "invoices[2] : : is an array, not an invoice object",
                                       "invoices[3] : : is null, not an invoice object"));
}

TEST(InvoiceImportJsonTest, RejectsBadValuesNamingTheField) {
  auto p =
      parsed_json("[" + json_row("INV-1", "\"5\"", R"(, "customer_email": "nope")") + "," +
                  R"({"number": "INV-2", "customer_id": "C-1", "customer_name": "Acme", "amount": 5,
                           "currency": "eur", "issue_date": "2026-02-30", "due_date": "2026-13-01"})" +
                  "]");
  EXPECT_THAT(problems(p),
              ElementsAre("invoices[0] INV-1: customer_email: 'nope' is not an e-mail address",
                          "invoices[1] INV-2: currency: 'eur' is not a three-letter ISO 4217 code",
                          "invoices[1] INV-2: issue_date: '2026-02-30' is not a calendar date",
                          "invoices[1] INV-2: due_date: '2026-13-01' is not a calendar date"));
}

TEST(InvoiceImportJsonTest, RejectsARepeatedNumber) {
  auto p = parsed_json("[" + json_row("INV-1") + "," + json_row("INV-2") + "," + json_row("INV-1") +
                       "]");
  EXPECT_THAT(wheres(p), ElementsAre("invoices[0]", "invoices[1]"));
  EXPECT_THAT(problems(p), ElementsAre("invoices[2] INV-1: number: duplicate of invoices[0]"));
}

TEST(InvoiceImportJsonTest, InvalidJsonOrShapeFailsTheFile) {
  auto broken = parse_invoices_json("[\n" + json_row("INV-1") + ",\n  {\"number\": }\n]");
  ASSERT_FALSE(broken.ok());
  EXPECT_THAT(broken.error().message, HasSubstr("not valid JSON"));
  EXPECT_THAT(broken.error().message, HasSubstr("line 3, column"));

  auto message = [](std::string_view text) {
    auto r = parse_invoices_json(text);
    return r.ok() ? std::string("<ok>") : r.error().message;
  };
  EXPECT_THAT(message(R"({"invoices": [], "exported": "today"})"),
              HasSubstr("unknown top-level key 'exported'"));
  EXPECT_THAT(message(R"({"rows": []})"), HasSubstr("unknown top-level key 'rows'"));
  EXPECT_THAT(message(R"({})"), HasSubstr("no \"invoices\" key"));
  EXPECT_THAT(message(R"({"invoices": {}})"), HasSubstr("\"invoices\" must be an array"));
  EXPECT_THAT(message(R"({"invoices": "none"})"), HasSubstr("\"invoices\" must be an array"));
  EXPECT_THAT(message(R"({"invoices": [], "invoices": []})"), HasSubstr("appears twice"));
  EXPECT_THAT(message("42"), HasSubstr("expected an array of invoice objects"));
  EXPECT_THAT(message("[] []"), HasSubstr("not valid JSON"));
  EXPECT_THAT(message("[{\"number\": \"\xe9\"}]"), HasSubstr("not valid JSON"));
}

TEST(InvoiceImportJsonTest, EmptyFileFails) {
  for (std::string_view empty :
       {std::string_view(""), std::string_view("  \n"), std::string_view("\xEF\xBB\xBF")}) {
    auto result = parse_invoices_json(empty);
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("empty"));
  }
}

// --- Files -----------------------------------------------------------------------------------

class InvoiceImportFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("invoice_import_test_" + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path write(const std::string& name, const std::string& content) {
    auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(InvoiceImportFileTest, DispatchesOnTheExtension) {
  auto csv = parse_invoices_file(write("march.CSV", kHeader + good_line("INV-1")));
  ASSERT_TRUE(csv.ok()) << csv.error().describe();
  EXPECT_THAT(wheres(csv.value()), ElementsAre("line 2"));

  auto json = parse_invoices_file(write("march.Json", "[" + json_row("INV-1") + "]"));
  ASSERT_TRUE(json.ok()) << json.error().describe();
  EXPECT_THAT(wheres(json.value()), ElementsAre("invoices[0]"));
}

TEST_F(InvoiceImportFileTest, ErrorsNameTheFile) {
  auto message = [](const std::filesystem::path& file) {
    auto r = parse_invoices_file(file);
    return r.ok() ? std::string("<ok>") : r.error().message;
  };
  auto txt = write("march.txt", kHeader);
  EXPECT_THAT(message(txt), HasSubstr(txt.string()));
  EXPECT_THAT(message(txt), HasSubstr("expected .csv or .json"));
  EXPECT_THAT(message(write("march", kHeader)), HasSubstr("has no extension"));

  auto missing = dir_ / "missing.csv";
  EXPECT_THAT(message(missing), HasSubstr(missing.string()));
  EXPECT_THAT(message(missing), HasSubstr("does not exist"));

  std::filesystem::create_directories(dir_ / "folder.csv");
  EXPECT_THAT(message(dir_ / "folder.csv"), HasSubstr("not a regular file"));

  auto bad = write("bad.csv", "number,amount\n");
  EXPECT_THAT(message(bad), HasSubstr(bad.string() + ": line 1: missing required columns"));
  auto empty = write("empty.json", "");
  EXPECT_THAT(message(empty), HasSubstr(empty.string() + ": the file is empty"));
}

}  // namespace
}  // namespace disputed::engine
